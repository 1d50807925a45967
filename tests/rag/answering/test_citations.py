"""Citation parsing and checking: markers, unknown passages, support, verbatim quotes."""

from __future__ import annotations

from rag.answering.citations import best_quote, check_answer, parse_claims, sentence_spans, strip_unknown_markers, support_score
from rag.types import ABSTAIN_TEXT, DISCLAIMER, Answer, Passage

MALARIA = (
    "Treat severe malaria with artesunate for at least 24 h and until the patient can tolerate oral\n"
    "medication. Children weighing < 20 kg should receive a higher dose of artesunate (3 mg/kg bw per\n"
    "dose) than larger children and adults (2.4 mg/kg bw per dose). Then complete treatment with 3 days "
    "of an ACT, e.g. artemether-lumefantrine."
)
REFERRAL = "Refer a child with chest indrawing and an oxygen saturation below 90% to hospital urgently."


def passage(text: str, n: int) -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0 / n, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2020, section="Treatment", pages=[10 + n], page_labels=[str(n)],
                   lines=None, doc_id=f"d{n}", rank=n)


PASSAGES = [passage(MALARIA, 1), passage(REFERRAL, 2)]


def test_sentences_are_verbatim_spans_and_keep_abbreviations_together():
    spans = sentence_spans(MALARIA)
    assert len(spans) == 3
    assert all(MALARIA[s:e].strip() == MALARIA[s:e] for s, e in spans)
    assert "e.g. artemether" in MALARIA[spans[-1][0]:spans[-1][1]]


def test_markers_group_and_attach_to_the_claim_before_them():
    claims = parse_claims("- Give 3 mg/kg [1][2]. Refer below 90% [2, 3]\nNo marker here at all.\nRange [1-3]")
    assert [c.numbers for c in claims] == [(1, 2), (2, 3), (), (1, 2, 3)]
    assert claims[0].text == "Give 3 mg/kg"


def test_unknown_citations_are_dropped_reported_and_removed_from_the_text():
    answer = "Children under 20 kg get 3 mg/kg artesunate [1][7]. Oxygen below 90% means referral [9]."
    checked = check_answer(answer, PASSAGES, threshold=0.6)
    assert [c.n for c in checked.citations] == [1]
    assert checked.sentences[0].dropped_citations == (7,)
    assert checked.sentences[1].citations == () and not checked.sentences[1].supported
    assert any("7" in n for n in checked.notices) and any("9" in n for n in checked.notices)
    cleaned = strip_unknown_markers(answer, len(PASSAGES))
    assert "[7]" not in cleaned and "[9]" not in cleaned and "[1]" in cleaned


def test_support_needs_the_numbers_of_the_passage():
    right = support_score("Children under 20 kg receive 3 mg/kg artesunate", MALARIA)
    wrong = support_score("Children under 25 kg receive 5 mg/kg artesunate", MALARIA)
    assert right == 1.0 and wrong < 0.6


def test_a_claim_citing_the_wrong_passage_is_marked_unsupported():
    checked = check_answer("Children under 20 kg receive 3 mg/kg artesunate [2].", PASSAGES, threshold=0.6)
    assert checked.sentences[0].citations == (2,) and not checked.sentences[0].supported


def test_quote_is_the_verbatim_supporting_sentence():
    quote = best_quote("A child under 20 kg needs 3 mg/kg", MALARIA)
    assert quote in MALARIA and quote.startswith("Children weighing < 20 kg")
    checked = check_answer("Refer urgently when saturation is below 90% [2].", PASSAGES, threshold=0.6)
    assert checked.citations[0].quote in REFERRAL and checked.sentences[0].supported


def test_answer_contract_shape_and_disclaimer():
    checked = check_answer("Children under 20 kg receive 3 mg/kg artesunate [1].", PASSAGES, threshold=0.6)
    answer = Answer("q", "text", False, checked.citations, checked.sentences, tuple(PASSAGES))
    d = answer.to_dict()
    assert list(d)[:6] == ["answer", "abstained", "citations", "passages", "disclaimer", "timings"]
    assert set(d["citations"][0]) >= {"n", "source", "pages", "lines", "section", "title", "quote", "chunk_id"}
    assert d["passages"][0] == PASSAGES[0].to_dict()
    assert d["disclaimer"] == DISCLAIMER
    assert Answer("q", ABSTAIN_TEXT, True).to_dict()["disclaimer"] == DISCLAIMER
