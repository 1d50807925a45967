"""The issue-17 examples on the full-corpus index: whole lists, the asked condition, no footnote citation,
no repeated statement (slow: `corpus_index` ingests the whole corpus once per session)."""

from __future__ import annotations

import re

import pytest

from benchmarks.answers import repeats
from rag.settings import Settings
from rag.wiring import build_qa

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_qa(corpus_index, embedder):
    from rag.wiring import build_retriever

    settings = Settings(index=corpus_index, generator="extractive")
    return build_qa(settings, retriever=build_retriever(settings, embedder=embedder))


def test_the_first_line_hypertension_answer_names_all_three_drug_classes_once(corpus_qa):
    answer = corpus_qa.ask("What is the first-line treatment for hypertension in adults?")
    text = answer.text.lower()
    assert "thiazide" in text
    assert "angiotensin-converting enzyme inhibitors" in text or "acei" in text
    assert "calcium channel blockers" in text
    assert not repeats(answer.text), answer.text
    assert "recent shifts" not in text and "will be the first" not in text  # background, not an answer


def test_a_schistosomiasis_dose_question_is_not_answered_with_the_neurocysticercosis_dose(corpus_qa):
    answer = corpus_qa.ask("What dose of praziquantel is used for schistosomiasis?")
    assert not answer.abstained
    assert "neurocysticercosis" not in answer.text.lower(), answer.text
    assert "40 mg/kg" in answer.text, answer.text


def test_a_source_footnote_marker_never_becomes_a_citation(corpus_qa):
    answer = corpus_qa.ask("Chagas disease organ damage")
    assert not answer.abstained
    for line in answer.text.splitlines():
        assert len(re.findall(r"\[\d+\]", line)) == 1, line  # our one trailing marker, no footnote
    for sentence in answer.sentences:
        assert len(sentence.citations) == 1
    assert "\\(^" not in answer.display_text and "**" not in answer.display_text
