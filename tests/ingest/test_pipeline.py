"""Ingest end to end: generated guideline files -> a real index (the fake fake_embedder: these check pages,
sections, lines and statuses, not meaning). `gqa ingest` itself: tests/api/cli/test_ingest.py."""

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from rag.index.reader import IndexReader
from rag.index.verify import verify_version
from rag.settings import Settings
from tests.support.index import CHOLERA_MD as MARKDOWN
from tests.support.index import write_mixed_folder
from tests.support.pdf import (
    make_corrupt_pdf,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_not_pdf,
    make_truncated_pdf,
)


@pytest.fixture()
def corpus(tmp_path) -> tuple[Path, dict]:
    root = tmp_path / "corpus"
    return root, {"pdf": write_mixed_folder(root)}


def _run(paths, embedder, index, **kw):
    return ingest(paths, embedder, Settings(index=index, chunk_tokens=96, chunk_overlap=16), **kw)


def test_ingest_records_pages_sections_and_lines(corpus, fake_embedder, tmp_path):
    root, facts = corpus
    report = _run([root], fake_embedder, tmp_path / "idx")
    status = {f.source: f.status for f in report.files}
    assert status == {"who/malaria.pdf": "ingested", "msf/cholera.md": "ingested", "README.md": "skipped"}
    reader = IndexReader.open(tmp_path / "idx")
    assert verify_version(reader.dir) == []
    pdf = facts["pdf"]
    phrase = pdf.phrase("Give intravenous artesunate")
    rows = reader.db.execute("SELECT id FROM chunks WHERE text LIKE ?", ("%intravenous artesunate%",)).fetchall()
    chunk = reader.chunks([rows[0]["id"]])[rows[0]["id"]]
    passage = reader.passage(chunk, 1.0)
    assert passage.source == "who/malaria.pdf"
    assert phrase.page in passage.pages
    # The footer prints the physical number ("Guideline page 3"), and /PageLabels that disagree with the printed
    # numbers are not trusted: the printed number is the label.
    assert passage.page_labels == [str(phrase.page)]
    assert passage.section == " > ".join(phrase.section)
    assert passage.organisation == "WHO"
    md = [reader.passage(c, 1.0) for c in reader.chunks(list(range(1, 200))).values() if "Ringer" in c.text]
    assert md and md[0].pages is None
    first, last = md[0].lines
    lines = MARKDOWN.split("\n")
    assert any("Ringer lactate" in line for line in lines[first - 1:last])
    assert "Rehydration" in md[0].section


def test_second_run_changes_nothing_then_updates_and_prunes(corpus, fake_embedder, tmp_path):
    root, _ = corpus
    index = tmp_path / "idx"
    first = _run([root], fake_embedder, index)
    again = _run([root], fake_embedder, index)
    assert again.version is None and {f.status for f in again.files} == {"unchanged", "skipped"}
    (root / "msf" / "cholera.md").write_text(MARKDOWN.replace("100 ml/kg", "75 ml/kg"))
    updated = _run([root], fake_embedder, index)
    assert {f.source: f.status for f in updated.files}["msf/cholera.md"] == "ingested"
    reader = IndexReader.open(index)
    texts = " ".join(r["text"] for r in reader.db.execute("SELECT text FROM chunks"))
    assert "75 ml/kg" in texts and "100 ml/kg" not in texts
    shutil.rmtree(root / "who")
    pruned = _run([root], fake_embedder, index, prune=True)
    assert ("who/malaria.pdf", "removed") in {(f.source, f.status) for f in pruned.files}
    assert set(IndexReader.open(index).by_source) == {"msf/cholera.md"}
    assert first.version != updated.version != pruned.version


def test_bad_files_are_reported_and_never_stop_the_run(corpus, fake_embedder, tmp_path):
    root, _ = corpus
    bad = root / "bad"
    bad.mkdir()
    make_encrypted_pdf(bad / "locked.pdf", user_password="secret")
    make_encrypted_pdf(bad / "open.pdf", user_password="")
    make_truncated_pdf(bad / "truncated.pdf")
    make_corrupt_pdf(bad / "corrupt.pdf")
    make_image_only_pdf(bad / "scan.pdf")
    make_not_pdf(bad / "error-page.pdf")
    (bad / "empty.md").write_text("")
    report = _run([root], fake_embedder, tmp_path / "idx")
    by = {f.source: f for f in report.files}
    assert by["who/malaria.pdf"].status == "ingested"
    assert by["bad/open.pdf"].status == "ingested"  # the empty password opens it
    for name, words in {"locked.pdf": "password", "scan.pdf": "OCR", "error-page.pdf": "not a PDF",
                        "empty.md": "empty", "corrupt.pdf": "", "truncated.pdf": ""}.items():
        line = by[f"bad/{name}"]
        assert line.status == "failed", (name, line)
        assert f"bad/{name}".split("/")[-1] in line.reason and words in line.reason, line.reason
    assert verify_version(IndexReader.open(tmp_path / "idx").dir) == []


def test_manifest_overrides_metadata(corpus, fake_embedder, tmp_path):
    root, _ = corpus
    manifest = tmp_path / "corpus.yaml"
    manifest.write_text("msf/cholera.md:\n  organisation: MSF\n  year: 2024\n  title: Cholera manual\n")
    _run([root], fake_embedder, tmp_path / "idx", manifest_path=manifest)
    doc = IndexReader.open(tmp_path / "idx").by_source["msf/cholera.md"]
    assert (doc.organisation, doc.year, doc.title) == ("MSF", 2024, "Cholera manual")
