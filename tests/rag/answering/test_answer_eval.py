"""Answer-level evaluation over the answer index (tests/rag/conftest.py `qa`, real embedder): the
extractive path, a file without gold labels, quotes checked against page text, and the served
SmolLM2 on llama.cpp's server through the OpenAI generator."""

from __future__ import annotations

import pytest

from rag.answering.answer_eval import evaluate_answers, quote_on_page
from rag.qa import QA
from rag.retrieval.evaluation import EvalItem
from rag.settings import Settings
from tests.support.index import ANSWER_QUESTIONS
from tests.support.llm_servers import SERVED_NAME

ITEMS = [
    EvalItem("dose", ANSWER_QUESTIONS[0], "who/fever_manual.md", lines=(5, 6), evidence=("10 mg/kg twice daily",)),
    EvalItem("chlorine", ANSWER_QUESTIONS[2], "msf/water_handbook.md", lines=(5, 5), evidence=("0.5 mg/litre",)),
    EvalItem("wrong-gold", ANSWER_QUESTIONS[5], "who/fever_manual.md", lines=(1, 2)),  # answered from another file
    EvalItem("mpox", ANSWER_QUESTIONS[6], None, type="unanswerable"),
]


def test_extractive_answers_scored_against_gold(qa):
    answers = {i.id: qa.ask(i.question) for i in ITEMS}
    report = evaluate_answers(ITEMS, qa.ask)
    assert report["n"] == 4 and report["labelled"] and report["answerable"] == 3 and report["errors"] == 0
    rows = {r["id"]: r for r in report["items"]}
    assert rows["mpox"]["abstained"] is answers["mpox"].abstained
    assert report["correct_abstention"] == (1.0 if answers["mpox"].abstained else 0.0)
    answered = [i for i in ITEMS if i.answerable and not answers[i.id].abstained]
    assert answered, "the extractive generator answers the dose and chlorine questions"
    assert rows["dose"]["cites_gold_page"] is True and rows["chlorine"]["cites_gold_page"] is True
    if "cites_gold_page" in rows["wrong-gold"]:
        assert rows["wrong-gold"]["cites_gold_page"] is False  # nutrition notes, not the fever manual
    assert report["cites_gold_page"] == round(sum(rows[i.id]["cites_gold_page"] for i in answered) / len(answered), 4)
    assert report["quotes"]["n"] == sum(len(a.citations) for a in answers.values())
    assert report["quotes"]["share_verbatim"] == 1.0  # extractive quotes are cut from the passages
    n_sent = sum(len(a.sentences) for a in answers.values() if not a.abstained)
    assert report["sentences"]["n"] == n_sent
    assert report["sentences"]["supported"] == sum(s.supported for a in answers.values() if not a.abstained
                                                   for s in a.sentences)


def test_file_without_gold_labels_says_so(qa):
    items = [EvalItem("a", ANSWER_QUESTIONS[0], None), EvalItem("b", ANSWER_QUESTIONS[3], None)]
    report = evaluate_answers(items, qa.ask)
    assert not report["labelled"] and report["false_abstention"] is None and report["cites_gold_page"] is None
    assert any("no gold labels" in n for n in report["notes"])
    assert report["abstention_rate"] is not None


def test_quote_checked_on_the_page_text_not_only_the_passage(qa):
    answer = qa.ask(ANSWER_QUESTIONS[0])
    citation = answer.citations[0]
    assert quote_on_page(citation)  # in the passage
    p = citation.passage.__class__(**{**citation.passage.__dict__, "pages": [3]})
    moved = citation.__class__(citation.n, p, citation.quote)
    assert quote_on_page(moved, lambda doc, page: "Text of another page entirely.") is False
    assert quote_on_page(moved, lambda doc, page: "Header.\n" + citation.passage.text) is True


@pytest.mark.llm
def test_served_model_faithfulness_on_llama_cpp(qa, llama_url):
    from rag.answering.generators.openai_http import OpenAIGenerator

    settings = Settings(index=qa.settings.index, top_k=4, generator="openai", llm_base_url=llama_url,
                        llm_model=SERVED_NAME, llm_max_tokens=64, llm_retries=0, llm_timeout=600)
    served = QA(qa.retriever, OpenAIGenerator(settings), settings)
    report = evaluate_answers(ITEMS[:2], served.ask)
    assert report["errors"] == 0, report["items"]
    assert report["n"] == 2
    rows = report["items"]
    answered = [r for r in rows if not r["abstained"]]
    assert report["sentences"]["n"] == sum(r["sentences"] for r in answered)
    share = report["quotes"]["share_verbatim"]
    assert share is None or 0.0 <= share <= 1.0
