"""Nothing to ingest is an error naming what was found and what is supported, and no index version is
written; nor is one when every file fails. Progress is counted in pages, moving within one file."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from ingest.pipeline import NothingToIngest, ingest
from rag.errors import BadDocument
from rag.index import layout
from rag.settings import Settings
from tests.support.pdf import make_corrupt_pdf, make_guideline_pdf, make_not_pdf


def _settings(index: Path) -> Settings:
    return Settings(index=index, chunk_tokens=64, chunk_overlap=8)


def test_an_empty_folder_is_refused_and_leaves_no_index(fake_embedder, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NothingToIngest, match=r"nothing to ingest in .*empty: no files found; supported formats: "
                                              r"\.htm, \.html, \.markdown, \.md, \.pdf, \.txt"):
        ingest([tmp_path / "empty"], fake_embedder, _settings(tmp_path / "index"))
    assert not (tmp_path / "index").exists()


def test_a_folder_of_docx_and_rtf_says_what_it_found_and_that_they_are_not_supported(fake_embedder, tmp_path):
    folder = tmp_path / "guidelines"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.docx", "b.docx", "sub/c.rtf", ".hidden.pdf"):
        (folder / name).write_bytes(b"PK\x03\x04 not really")
    (folder / "README.md").write_text("# About these files\n")
    with pytest.raises(NothingToIngest) as caught:
        ingest([folder], fake_embedder, _settings(tmp_path / "index"))
    message = str(caught.value)
    assert "found 2 .docx files, 1 .rtf file, README.md (skipped: the folder's own notes" in message
    assert "DOCX and RTF are not supported: save as PDF" in message and ".pdf" in message
    assert ".hidden" not in message
    assert not (tmp_path / "index").exists()


def test_when_every_file_fails_no_version_is_written(fake_embedder, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    make_corrupt_pdf(folder / "corrupt.pdf")
    make_not_pdf(folder / "fake.pdf")
    report = ingest([folder], fake_embedder, _settings(tmp_path / "index"))
    assert {f.status for f in report.files} == {"failed"}
    assert report.version is None
    assert layout.list_versions(tmp_path / "index") == []


def test_a_failed_file_beside_a_good_one_still_publishes(fake_embedder, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    make_corrupt_pdf(folder / "corrupt.pdf")
    make_guideline_pdf(folder / "good.pdf")
    report = ingest([folder], fake_embedder, _settings(tmp_path / "index"))
    assert report.version == "v000001" and report.count("failed") == 1 and report.count("ingested") == 1


def test_progress_counts_pages_and_moves_within_one_file(fake_embedder, tmp_path, monkeypatch):
    folder = tmp_path / "one"
    folder.mkdir()
    pdf = make_guideline_pdf(folder / "guide.pdf")
    (folder / "notes.md").write_text("# Zinc\n\nGive zinc for 10 days to children with diarrhoea.\n")
    monkeypatch.setattr(pipeline, "EMBED_STEP", 2)  # several embedding steps inside the PDF
    totals, steps = [], []
    report = ingest([folder], fake_embedder, _settings(tmp_path / "index"), on_total=totals.append, on_pages=steps.append)
    pdf_pages = next(f.pages for f in report.files if f.source == "guide.pdf")
    pdf_chunks = next(f.chunks for f in report.files if f.source == "guide.pdf")
    assert pdf_pages == pdf.page_count > 1
    assert totals == [pdf_pages + 1]  # the PDF's pages, and one for the Markdown file
    assert sum(steps) == pytest.approx(totals[0])
    assert len(steps) >= (pdf_chunks + 1) // 2  # a step per embedding batch, not one per file
    assert all(step > 0 for step in steps)


def test_a_markdown_file_with_a_nul_byte_after_its_first_kilobyte_is_binary(tmp_path):
    from ingest.parsers.formats import parse_file

    path = tmp_path / "late-nul.md"
    path.write_bytes(b"# Title\n\n" + b"a" * 2000 + b"\x00" + b"b" * 100)
    with pytest.raises(BadDocument, match="binary content"):
        parse_file(path)
