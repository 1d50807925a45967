"""Heading-only chunks: recognised, joined to the chunk they head, and never alone in the results."""

from __future__ import annotations

import pytest

from rag.index.reader import ChunkRow, IndexReader
from rag.retrieval.demotion import attach_headings, is_heading_only


@pytest.mark.parametrize("text", ["Remarks", "6.2 Rationale", "Table 1.1: Medicines with age or weight restrictions",
                                  "**Visceral leishmaniasis**\n\n**Visceral leishmaniasis in East Africa**",
                                  "bleach ............................ 9"])
def test_headings_captions_and_lone_index_entries_are_heading_only(text):
    assert is_heading_only(text)


@pytest.mark.parametrize("text", ["Dosage and duration\nTablets are to be taken once daily for 3 days.",
                                  "Amoxicillin 250 mg tablet", "Give ORS. Refer."])
def test_a_sentence_or_a_dose_is_content(text):
    assert not is_heading_only(text)


def _row(i, seq, text, doc="d", lines=None):
    return ChunkRow(i, f"c{i}", doc, seq, text, "", ("S",), None, None, (), *(lines or (None, None)))


def test_a_heading_is_joined_to_the_chunk_after_it_and_cited_by_that_chunk():
    rows = {7: _row(7, 3, "**Visceral leishmaniasis in East Africa**", lines=(5237, 5237)), 2: _row(2, 1, "Other text.")}
    after = {8: _row(8, 4, "- First-line treatment: 20 mg/kg daily for 17 days", lines=(5239, 5246))}
    order = attach_headings([7, 2], rows, lambda ids: {i: after[i] for i in ids if i in after})
    assert order == [7, 2]
    assert rows[7].text.startswith("**Visceral") and "20 mg/kg daily for 17 days" in rows[7].text
    assert rows[7].chunk_id == "c8" and (rows[7].line_start, rows[7].line_end) == (5237, 5246)


def test_a_heading_whose_content_ranks_higher_is_dropped_and_another_documents_chunk_is_not_joined():
    rows = {8: _row(8, 4, "- First-line treatment: 20 mg/kg daily."), 7: _row(7, 3, "Visceral leishmaniasis"),
            20: _row(20, 9, "Annex 2")}
    after = {8: rows[8], 21: _row(21, 0, "First chunk of another document.", doc="e")}
    order = attach_headings([8, 7, 20], rows, lambda ids: {i: after[i] for i in ids if i in after})
    assert order == [8, 20] and rows[20].text == "Annex 2"


@pytest.mark.slow
def test_no_heading_only_passage_in_the_top_5_of_the_project_questions(corpus_index, embedder):
    import json

    from benchmarks.common import QUESTIONS
    from rag.settings import Settings
    from rag.wiring import build_retriever

    retriever = build_retriever(Settings(index=corpus_index), embedder=embedder)
    questions = [json.loads(line) for line in (QUESTIONS / "tuning.jsonl").read_text().splitlines() if line.strip()][:60]
    alone = [(q["id"], p.text[:60]) for q in questions for p in retriever.search(q["question"], k=5).passages
             if is_heading_only(p.text)]
    assert len(alone) <= 1, alone


@pytest.mark.slow
def test_chunk_ids_are_consecutive_in_reading_order_within_a_document(corpus_index):
    """What attach_headings relies on: the next chunk of a document is id + 1."""
    reader = IndexReader.open(corpus_index)
    broken = reader.db.execute("""SELECT COUNT(*) FROM chunks a JOIN chunks b ON b.doc_id = a.doc_id AND b.seq = a.seq + 1
                                  WHERE b.id != a.id + 1""").fetchone()[0]
    assert broken == 0
