"""Titles a reader recognises: from the document (cover, metadata, a Markdown H1 or italic title), never
its file name when the document has one, in reading case."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.metadata import cover_title, reading_case
from ingest.parsers.markdown import _title as markdown_title
from rag.index.reader import IndexReader


def test_a_one_word_cover_line_takes_the_line_set_below_it():
    runs = [(170.0, "IMCI"), (48.0, "HANDBOOK"), (36.0, "Integrated"), (12.0, "Department of Child")]
    assert cover_title(runs) == "IMCI handbook"


def test_small_print_is_never_part_of_the_title():
    assert cover_title([(33.9, "Essential drugs"), (14.1, "Practical guide intended for physicians")]) == "Essential drugs"
    assert cover_title([(100.0, "MALARIA"), (8.0, "Printed in Geneva")]) == "Malaria"


@pytest.mark.parametrize(("raw", "shown"), [
    ("STANDARD TREATMENT MANUAL FOR CHILDREN", "Standard treatment manual for children"),
    ("WHO GUIDELINE on control and elimination of human schistosomiasis",
     "WHO guideline on control and elimination of human schistosomiasis"),
    ("definition and diagnosis of diabetes mellitus", "Definition and diagnosis of diabetes mellitus"),
    ("WHO EML 23rd List (2023)", "WHO EML 23rd List (2023)"),
])
def test_reading_case_keeps_acronyms_and_lowers_shouting(raw, shown):
    assert reading_case(raw) == shown


def test_markdown_title_from_h1_or_the_italic_title_of_the_opening_sentence():
    path = Path("msf_clinical_guidelines.md")
    assert markdown_title(["# Malaria", "text"], path) == "Malaria"
    opening = "The *Clinical guidelines* has been developed by Médecins Sans Frontières."
    assert markdown_title([opening], path) == "Clinical guidelines"
    assert markdown_title(["Give **amoxicillin** for 5 days."], path) == "msf clinical guidelines"  # bold is not a title


@pytest.mark.slow
def test_no_corpus_document_is_titled_by_its_file_name(corpus_index):
    reader = IndexReader.open(corpus_index)
    stems = {d.title: Path(d.source).stem for d in reader.documents.values()}
    named = [t for t, stem in stems.items() if t.casefold() in (stem.casefold(), stem.replace("_", " ").casefold())]
    assert not named, named
    titles = {Path(d.source).name: d.title for d in reader.documents.values()}
    assert titles["msf_clinical_guidelines_diagnosis_treatment_manual.md"] == "Clinical guidelines"
    assert titles["who_model_imci_handbook_2005.pdf"] == "IMCI handbook"
    assert not any(t.isupper() for t in titles.values()), titles
