"""Printed page numbers: /PageLabels where they agree, else the number in the running header, checked as a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.page_numbers import PAGELABELS, PRINTED, page_numbers, printed_numbers
from ingest.parsers.pdf import parse_pdf
from tests.support.pdf_pages import make_numbered_pdf


def test_printed_header_numbers_without_labels(tmp_path):
    printed = make_numbered_pdf(tmp_path / "h.pdf", pages=9, first_printed=31, front=2)
    doc = parse_pdf(tmp_path / "h.pdf")
    assert doc.page_labels == printed == [None, None] + [str(n) for n in range(31, 38)]
    assert doc.page_label_sources[2:] == [PRINTED] * 7
    assert {b.page_label for b in doc.blocks if b.page == 5} == {"33"}


def test_wrong_page_labels_are_corrected_and_reported(tmp_path):
    printed = make_numbered_pdf(tmp_path / "w.pdf", pages=8, first_printed=84, front=2, wrong_labels=True)
    doc = parse_pdf(tmp_path / "w.pdf")
    assert doc.page_labels[2:] == printed[2:] and doc.page_labels[3] == "85"
    assert doc.page_labels[:2] == [None, None]  # labels proven wrong are not trusted where nothing is printed
    assert any("/PageLabels disagree" in w for w in doc.warnings)


def test_a_figure_page_inside_a_run_gets_its_number(tmp_path):
    make_numbered_pdf(tmp_path / "f.pdf", pages=9, first_printed=10, front=1, figure_page=5)
    assert parse_pdf(tmp_path / "f.pdf").page_labels[4] == "13"


def test_numbers_without_neighbours_are_not_page_numbers():
    # A dose at the edge of one page, a contents page's two last entries: no run of three, no page number.
    pages = ["Give 5 ml\nbody", "body\nSee section 51", "body\nSee section 52", "text only", "12 weeks\nbody"]
    assert printed_numbers(pages) == [None] * 5


def test_labels_that_agree_are_kept_as_labels():
    pages = ["iii\nfront", "iv\nfront", "v\nfront", "1\nbody", "2\nbody", "3\nbody"]
    result = page_numbers(pages, ["iii", "iv", "v", "1", "2", "3"])
    assert result.labels == ["iii", "iv", "v", "1", "2", "3"] and result.sources == [PAGELABELS] * 6


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "who"


def _label(corpus_index, name: str, page: int) -> str | None:
    from rag.index.reader import IndexReader

    reader = IndexReader.open(corpus_index)
    doc = next(d for d in reader.documents.values() if d.source.endswith(name))
    return reader.page(doc.doc_id, page)[1]


@pytest.mark.slow
@pytest.mark.corpus
def test_imci_handbook_prints_34_on_pdf_page_44(corpus_index):
    assert _label(corpus_index, "who_model_imci_handbook_2005.pdf", 44) == "34"


@pytest.mark.slow
@pytest.mark.corpus
def test_pocket_book_prints_86_on_pdf_page_110_not_cx(corpus_index):
    assert _label(corpus_index, "who_pocket_book_hospital_care_children_2nd_ed_2013.pdf", 110) == "86"
