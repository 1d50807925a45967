"""A claim that is a whole verbatim statement of its cited passage is supported by it; a fragment is not."""

from __future__ import annotations

import pytest

from rag.answering.citations import check_answer
from rag.types import Passage
from rag.verify.verbatim import whole_quote

TABLE = ("Amoxicillin oral\nChild 10 to 20 kg: 250 mg 3 times daily\nChild over 20 kg: 500 mg 3 times daily\n"
         "Do not give to patients with penicillin allergy.")


def _passage(text: str) -> Passage:
    return Passage("c1", text, 1.0, "eml.pdf", "Essential drugs", "MSF", 2023, "Amoxicillin", [12], ["12"], None, "d1")


@pytest.mark.parametrize("claim", [
    "Child 10 to 20 kg: 250 mg 3 times daily Child over 20 kg: 500 mg 3 times daily",  # two rows, two doses
    "Do not give to patients with penicillin allergy.",
    "Amoxicillin oral Child 10 to 20 kg: 250 mg 3 times daily",
])
def test_whole_statements_are_quotes(claim):
    assert whole_quote(claim, TABLE) is not None


@pytest.mark.parametrize("claim, text", [
    ("give to patients with penicillin allergy.", TABLE),  # the "Do not" cut off
    ("give aspirin to children under 16.", "Never\ngive aspirin to children under 16."),  # cut at a line break
    ("Give ceftriaxone 50 mg/kg once daily", "Give ceftriaxone 50 mg/kg once daily\nonly if no oral route."),
    ("malarial drugs are given for three days", "Anti-malarial drugs are given for three days."),
    ("250 mg 3 times", "Child: 250 mg 3 times daily."),  # ends mid-statement, inside the sentence
    ("Child 10 to 20 kg: 25 mg", TABLE),  # "25" is the start of "250"
    ("Child over 20 kg: 250 mg 3 times daily", TABLE),  # not in the passage at all
])
def test_fragments_and_changed_text_are_not(claim, text):
    assert whole_quote(claim, text) is None


def test_a_quote_holding_two_rows_is_supported_not_contradicted():
    passages = [_passage(TABLE)]
    answer = "Child 10 to 20 kg: 250 mg 3 times daily Child over 20 kg: 500 mg 3 times daily [1]"  # one line, as quoted
    sentence = check_answer(answer, passages, 0.5, trailing_only=True).sentences[0]
    assert sentence.supported and sentence.verdict == "supported"
    assert sentence.evidence[0].quote in TABLE


def test_a_cut_negation_is_still_caught():
    passages = [_passage(TABLE)]
    sentence = check_answer("Give to patients with penicillin allergy. [1]", passages, 0.5).sentences[0]
    assert not sentence.supported
