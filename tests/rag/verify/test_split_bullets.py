"""The verifier's passage sentences break where a sentence ends a line and the next line is a list item
("- ", "• ", "[ ]", "(a)", "a)", "1."), and nowhere else new: not in a decimal, not after "e.g.", not at a
line end that ends no sentence."""

import pytest

from rag.types import Passage
from rag.verify.spans import candidate_spans, split_sentences


def passage(text: str) -> Passage:
    return Passage(chunk_id="c1", text=text, score=1.0, source="who/doc.pdf", title="Doc", organisation="WHO",
                   year=2020, section="Treatment", pages=[3], page_labels=[], lines=None, doc_id="d1", rank=1)


def pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("second", [
    "[ ] Do not exceed 40 mg.", "[x] Do not exceed 40 mg.", "- Do not exceed 40 mg.", "-Do not exceed 40 mg.",
    "• Do not exceed 40 mg.", "*Do not exceed 40 mg.", "(a) Do not exceed 40 mg.", "a) Do not exceed 40 mg.",
    "(ii) Do not exceed 40 mg.", "1) Do not exceed 40 mg.", "  – Do not exceed 40 mg.",
])
def test_a_sentence_ending_a_line_before_a_list_item_is_a_span_of_its_own(second):
    text = f"Give paracetamol 10 mg/kg.\n{second}"
    assert [s.quote for s in candidate_spans(passage(text))] == ["Give paracetamol 10 mg/kg.", second.strip()]


def test_the_item_does_not_take_the_first_sentence_s_dose():
    text = "Give paracetamol 10 mg/kg every 6 hours.\n[ ] Do not give more than 4 doses in 24 hours."
    quotes = [s.quote for s in candidate_spans(passage(text))]
    assert "Give paracetamol 10 mg/kg every 6 hours." in quotes
    assert all("10 mg/kg" not in q or "4 doses" not in q for q in quotes)


def test_no_break_in_a_decimal():
    assert pieces("Give artesunate 2.4 mg/kg.\n(a) Repeat at 12 h.") == ["Give artesunate 2.4 mg/kg.",
                                                                      "(a) Repeat at 12 h."]
    assert pieces("Give 2.5 mg/kg of the drug [ ] twice a day.") == ["Give 2.5 mg/kg of the drug [ ] twice a day."]


def test_no_break_after_an_abbreviation():
    text = "Give a second-line antibiotic, e.g.\n[ ] ceftriaxone"
    assert pieces(text) == [text]


@pytest.mark.parametrize("text", [
    "Give paracetamol 10 mg/kg,\n[ ] or ibuprofen 5 mg/kg.",  # a comma ends no sentence
    "Give paracetamol 10 mg/kg\n(a) every 6 hours.",  # nor does a bare line end
    "Give paracetamol 10 mg/kg.\nthen reassess the child.",  # a plain line, not an item
])
def test_no_break_where_no_sentence_ends_before_an_item(text):
    assert pieces(text) == [text]


def test_spans_are_verbatim():
    text = "Give 10 mg/kg. \r\n• Do not exceed 40 mg.\n\n[ ] Refer."
    for s, e in split_sentences(text):
        assert text[s:e] == text[s:e].strip()
    assert pieces(text) == ["Give 10 mg/kg.", "• Do not exceed 40 mg.", "[ ] Refer."]
