"""Extractive sentence selection: numbers for quantity questions, tables cut to their lines, fr/es questions."""

from __future__ import annotations

import re

from rag.answering.citations import check_answer, quote_span
from rag.answering.generators.extractive import MAX_QUOTE, ExtractiveGenerator
from rag.settings import Settings
from rag.types import Passage

# A drug-list page as PDF extraction gives it: one line per cell, no full stops for pages.
TABLE = "\n".join(
    [f"DRUG{i} {i * 5}mg/kg PO Q{6 + i}hr Monitor renal function" for i in range(12)]
    + ["GLUCAGON", "Child weighs <25kg give 0.5mg IM", "Child weighs >25kg give 1mg IM"]
    + [f"OTHERDRUG{i} {i}mg PO daily with food" for i in range(10)]
)
PROSE = ("Glucagon is a hormone that raises blood glucose in hypoglycaemia. "
         "Glucagon for a child with hypoglycaemia is given as 0.5 mg IM when the child weighs less than 25 kg. "
         "Persistent diarrhoea is diarrhoea that lasts 14 days or more.")


def passage(text: str, n: int) -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0 / n, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2020, section="Drugs", pages=[n], page_labels=[str(n)],
                   lines=None, doc_id=f"d{n}", rank=n)


def lines(text: str) -> list[str]:
    return [re.sub(r"^- | \[\d+\]$", "", line) for line in text.splitlines()]


def test_a_long_table_run_is_cut_to_the_lines_that_answer_and_quoted_verbatim():
    passages = [passage(TABLE, 1)]
    generation = ExtractiveGenerator(Settings()).generate("glucagon IM dose child under 25 kg", passages)
    quoted = lines(generation.text)
    assert any("0.5mg" in q for q in quoted)
    assert all(len(q) <= MAX_QUOTE for q in quoted)
    checked = check_answer(generation.text, passages, 0.6)
    for c in checked.citations:
        assert c.quote in TABLE and len(c.quote) <= 2 * MAX_QUOTE
    assert any("0.5mg" in c.quote for c in checked.citations)


def test_a_quantity_question_prefers_the_sentence_with_the_number():
    generation = ExtractiveGenerator(Settings(extractive_max_sentences=1)).generate(
        "What dose of glucagon for hypoglycaemia?", [passage(PROSE, 1)])
    assert "0.5 mg" in generation.text


def test_a_french_question_is_answered_from_english_passages():
    settings = Settings(extractive_max_sentences=1)
    generation = ExtractiveGenerator(settings).generate(
        "Au bout de combien de jours une diarrhée est-elle dite persistante ?", [passage(PROSE, 1)])
    assert not generation.abstain and "14 days" in generation.text


def test_a_claim_copied_from_the_passage_is_quoted_exactly_not_widened_to_its_sentence():
    claim = "Child weighs <25kg give 0.5mg IM"
    s, e = quote_span(claim, TABLE)
    assert TABLE[s:e] == claim


def test_a_label_ending_in_a_colon_is_quoted_with_its_value():
    eml = "22.3 Uterotonics\ncarbetocin Injection (heat stable): 100 micrograms/mL.\nergometrine Injection: 200 micrograms."
    generation = ExtractiveGenerator(Settings(extractive_max_sentences=1)).generate(
        "heat-stable carbetocin strength", [passage(eml, 1)])
    assert "100 micrograms/mL" in generation.text
