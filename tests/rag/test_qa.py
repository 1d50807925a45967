"""The whole ask flow over a real index (the answer folder, the real embedder, `qa` of
tests/rag/conftest.py): retrieval, abstention, extractive answers, streaming."""

from __future__ import annotations

from rag.types import ABSTAIN_TEXT, DISCLAIMER, Filters


def _check_verbatim(answer) -> None:
    given = {p.chunk_id: p for p in answer.passages}
    assert answer.citations, "no citation to check"
    for c in answer.citations:
        assert c.passage.chunk_id in given and c.quote in given[c.passage.chunk_id].text
        assert answer.passages[c.n - 1].chunk_id == c.passage.chunk_id


def test_extractive_answer_quotes_the_right_sentence_verbatim(qa):
    answer = qa.ask("What dose of zentamycin for a child under 20 kg with blue fever?")
    assert not answer.abstained and answer.disclaimer == DISCLAIMER
    _check_verbatim(answer)
    assert any("10 mg/kg" in c.quote for c in answer.citations)
    assert answer.sentences and all(s.supported and s.citations for s in answer.sentences)
    lines = answer.text.splitlines()
    assert lines and all(line.rstrip().endswith("]") for line in lines)
    assert answer.citations[0].passage.source == "who/fever_manual.md" and answer.citations[0].passage.lines


def test_unrelated_question_abstains_with_related_passages(qa):
    answer = qa.ask("Which tecovirimat regimen treats mpox?")
    assert answer.abstained and answer.text == ABSTAIN_TEXT
    assert not answer.citations and answer.related and answer.disclaimer == DISCLAIMER
    assert answer.abstain_signals["coverage"] < qa.settings.abstain_threshold


def test_a_name_the_index_never_mentions_lowers_answerability(qa):
    from rag.answering import abstain

    known = qa.ask("What dose of zentamycin for blue fever in adults?")
    near_miss = qa.ask("What dose of zentamycin for blue fever in adults on the BFXQ scheme?")
    assert not known.abstained and known.abstain_signals["unknown_terms"] == 0
    assert near_miss.abstain_signals["unknown_terms"] == 1
    model = abstain.load_model()
    assert model.probability(near_miss.abstain_signals) < model.probability(known.abstain_signals)
    # The threshold rule (GQA_ABSTAIN_MODEL=thresholds) refuses any unknown name outright.
    assert abstain.should_abstain(near_miss.abstain_signals, qa.settings.model_copy(update={"abstain_model": "thresholds"}))


def test_filters_reach_retrieval(qa):
    answer = qa.ask("free residual chlorine level", filters=Filters(organisation="WHO"))
    assert answer.passages and all(p.organisation == "WHO" for p in answer.passages)


def test_stream_events_come_in_order_and_end_with_the_same_answer(qa):
    question = "When should a patient with blue fever be referred?"
    events = list(qa.ask_stream(question))
    names = [e for e, _ in events]
    assert names[0] == "passages" and names[-1] == "answer" and set(names[1:-1]) == {"token"}
    final = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "token").strip() == final["answer"]
    direct = qa.ask(question).to_dict()
    assert final["citations"] == direct["citations"] and final["answer"] == direct["answer"]


def test_stream_of_an_abstention_has_no_tokens(qa):
    names = [e for e, _ in qa.ask_stream("tacrolimus trough level after kidney transplant")]
    assert names == ["passages", "answer"]


def test_empty_question_is_an_error_event(qa):
    assert [e for e, _ in qa.ask_stream("   ")] == ["error"]
