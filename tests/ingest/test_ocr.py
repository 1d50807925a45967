"""OCR for pages without a text layer: a generated image-only page with known text, read by the real Tesseract."""

from __future__ import annotations

import pytest

from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.ocr import parse_tsv, tesseract_path
from ingest.parsers.pdf import parse_pdf
from rag.errors import BadDocument
from tests.support.pdf_scans import SCANNED_LINES, make_scanned_pdf

needs_tesseract = pytest.mark.skipif(tesseract_path() is None, reason="tesseract not installed (apt-get install tesseract-ocr)")
TEXT_PAGE = "A normal page with a text layer about fever in children and what to do about it."


@needs_tesseract
def test_a_scanned_page_is_read_marked_and_chunked(tmp_path, fake_embedder):
    doc = parse_pdf(make_scanned_pdf(tmp_path / "scan.pdf", text_page=TEXT_PAGE))
    first = doc.page_texts[0]
    assert first.startswith("[OCR text, scanned page, confidence ")
    for line in SCANNED_LINES:
        assert line in first
    assert doc.page_texts[1] == TEXT_PAGE  # the text layer is used where there is one
    assert set(doc.ocr_confidence) == {1} and doc.ocr_confidence[1] > 80
    assert doc.pages_without_text == [] and any("OCR read 1 of 1 pages" in w for w in doc.warnings)
    chunks = chunk_blocks(doc.blocks, doc_id="d" * 64, title="Scan", count_tokens=fake_embedder.count_tokens,
                          params=ChunkerParams())
    scanned = [c for c in chunks if c.page_start == 1]
    assert scanned and "oral rehydration salts" in scanned[0].text and "[OCR text" in scanned[0].text


def test_without_tesseract_the_pages_are_reported_not_silently_dropped(tmp_path, monkeypatch):
    path = make_scanned_pdf(tmp_path / "scan.pdf", text_page=TEXT_PAGE)
    only_scan = make_scanned_pdf(tmp_path / "only.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on this PATH: as on a machine without it
    doc = parse_pdf(path)
    assert doc.pages_without_text == [1]
    assert any("OCR skipped for 1 pages" in w and "apt-get install -y tesseract-ocr" in w for w in doc.warnings)
    with pytest.raises(BadDocument, match="needs OCR.*tesseract-ocr"):
        parse_pdf(only_scan)


def test_ocr_off_says_so(tmp_path):
    with pytest.raises(BadDocument, match="OCR is off"):
        parse_pdf(make_scanned_pdf(tmp_path / "only.pdf"), ocr=False)


def test_tsv_lines_and_confidence():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tGive\n5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\tORS\n"
           "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tRefer\n4\t1\t1\t1\t3\t0\t0\t0\t1\t1\t-1\t\n")
    page = parse_tsv(tsv)
    assert page.text == "Give ORS\nRefer" and page.confidence == pytest.approx(80)
