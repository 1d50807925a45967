"""Section paths that follow the document's own structure, with headings as printed."""

from __future__ import annotations

import json
import re

import pytest

from ingest.clean import heading_text
from ingest.parsers.pdf import _nest
from ingest.parsers.pdf_headings import _page_headings
from rag.index.reader import IndexReader


@pytest.mark.parametrize(("parent", "title", "path"), [
    (("Executive summary",), "1 Introduction", ("1 Introduction",)),  # a chapter is never inside front matter
    (("6 Implementation tools", "References"), "Annex 1. Contributors", ("Annex 1. Contributors",)),
    (("Part II THE SICK CHILD", "4 Fever"), "5 Cough", ("Part II THE SICK CHILD", "5 Cough")),
    (("4. Prevention", "4.2 Preventive chemotherapy"), "4.2.1 Seasonal", ("4. Prevention", "4.2 Preventive chemotherapy",
                                                                          "4.2.1 Seasonal")),
    (("2 Methods", "2.1 Scope"), "2.2 Evidence", ("2 Methods", "2.2 Evidence")),
    (("Executive summary",), "Goal and objectives", ("Executive summary", "Goal and objectives")),
])
def test_nesting_follows_the_numbering(parent, title, path):
    assert _nest(parent, title) == path


@pytest.mark.parametrize(("raw", "shown"), [
    ("T riage and emergency conditions", "Triage and emergency conditions"),
    ("A few symptoms and syndromes", "A few symptoms and syndromes"),
    ("HIV and T cells", "HIV and T cells"),
    ("3. physiological approach 3. physiological approach", "3. physiological approach"),
])
def test_headings_as_printed(raw, shown):
    assert heading_text(raw) == shown


def test_a_table_row_in_a_big_font_is_not_a_heading():
    runs = [(14.0, "Nasal prong Neonate – 0.5 L/min Infant / Child – 1 – 2 L/min", 700.0), (14.0, "Oxygen therapy", 600.0)]
    assert [t for _, t in _page_headings(runs, {14.0})] == ["Oxygen therapy"]


@pytest.mark.slow
def test_corpus_section_paths(corpus_index):
    reader = IndexReader.open(corpus_index)
    sections = {" > ".join(json.loads(s)) for (s,) in reader.db.execute("SELECT DISTINCT section FROM chunks")}
    assert not [s for s in sections if re.match(r"executive summary > \d", s, re.I)]
    assert not [s for s in sections if re.search(r"references > annex", s, re.I)]
    assert not [s for s in sections if re.match(r"[B-HJ-Z] [a-z]{2,}", s)]
