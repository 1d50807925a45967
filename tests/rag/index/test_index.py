"""The versioned index format: write, read, verify, hot swap, and crash safety (the fake embedder:
these need vectors, not meaning)."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import EmbedderMismatch, IndexNotFound
from rag.index import layout
from rag.index.reader import IndexReader, LiveIndex
from rag.index.verify import verify_version
from rag.index.writer import IndexWriter
from tests.support.index import PARAMS, Doc, Page, write_version

ROOT = Path(__file__).resolve().parents[3]


def _doc(source: str, text: str) -> Doc:
    """Two pages: the text (labelled i), then the text in capitals (labelled 1)."""
    return Doc(source, f"Title of {source}", "WHO", 2020,
               (Page(text, ("1. Intro",), "i"), Page(text.upper(), ("2. Dosing",), "1")))


def _write(index: Path, embedder, *docs: Doc, remove=()):
    return write_version(index, embedder, docs, tuple(remove))


def test_write_read_and_verify(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    v1 = _write(index, fake_embedder, _doc("a.pdf", "Oral rehydration salts for diarrhoea."),
                _doc("b.pdf", "Artesunate for severe malaria."))
    assert v1.name == "v000001" and index.is_symlink()
    reader = IndexReader.open(index)
    assert reader.manifest["counts"] == {"documents": 2, "pages": 4, "chunks": 4}
    assert verify_version(reader.dir) == []
    hits = reader.dense_search(fake_embedder.embed_query("severe malaria artesunate"), 2)
    top = reader.chunks([hits[0][0]])[hits[0][0]]
    passage = reader.passage(top, hits[0][1])
    assert passage.source == "b.pdf" and passage.pages in ([1], [2])
    assert passage.page_labels in (["i"], ["1"]) and passage.title == "Title of b.pdf"
    lexical = reader.lexical_search('"diarrhoea"', 5)
    assert {reader.chunks([i])[i].doc_id for i, _ in lexical} == {reader.by_source["a.pdf"].doc_id}
    assert reader.page(reader.by_source["a.pdf"].doc_id, 2) == ("ORAL REHYDRATION SALTS FOR DIARRHOEA.", "1")


def test_unchanged_commit_writes_nothing_and_updates_make_new_versions(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    _write(index, fake_embedder, _doc("a.pdf", "Zinc for ten days."))
    assert _write(index, fake_embedder) is None  # nothing changed: no new version
    old = IndexReader.open(index)
    live = LiveIndex(index)
    assert live.get().version == "v000001"
    v2 = _write(index, fake_embedder, _doc("a.pdf", "Zinc for 10 to 14 days."), remove=["a.pdf"])
    assert v2.name == "v000002"
    assert live.get().version == "v000002"  # a running reader picks up the new version
    assert old.chunks(list(range(1, 10)))  # the old reader still reads its own version
    new = live.get()
    assert [d.source for d in new.documents.values()] == ["a.pdf"]
    texts = [r.text for r in new.chunks(list(range(1, 100))).values()]
    assert texts, "the new version holds no chunks"
    assert all("10 to 14" in t or "10 TO 14" in t for t in texts)


def test_old_versions_are_pruned(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    for i in range(5):
        _write(index, fake_embedder, _doc(f"d{i}.pdf", f"Document number {i}."))
    assert [v.name for v in layout.list_versions(index)] == ["v000003", "v000004", "v000005"]


def test_verify_finds_tampering(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    version = _write(index, fake_embedder, _doc("a.pdf", "Amoxicillin for pneumonia."))
    db = version / layout.CHUNKS_DB
    data = bytearray(db.read_bytes())
    data[-100] ^= 0xFF
    db.write_bytes(bytes(data))
    problems = verify_version(version)
    assert any("checksum" in p for p in problems)


def test_another_embedder_is_refused(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    _write(index, fake_embedder, _doc("a.pdf", "Paracetamol for fever."))
    other = dataclasses.replace(fake_embedder.info, fingerprint="0" * 16)
    with pytest.raises(EmbedderMismatch):
        other.check_compatible(json.loads((layout.current_dir(index) / layout.MANIFEST).read_text())["embedder"])
    with pytest.raises(EmbedderMismatch):
        with IndexWriter(index, other, PARAMS.to_dict()):
            pass


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexNotFound, match="gqa ingest"):
        IndexReader.open(tmp_path / "nothing")


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from rag.index.writer import IndexWriter
from tests.support.fake_embedder import FakeEmbedder
from tests.support.index import PARAMS, Doc, Page, doc_parts
embedder = FakeEmbedder()
half = Doc("half.pdf", "Half written", "WHO", 2020, (Page("Half written.", (), "x"), Page("HALF WRITTEN.", (), "y")))
with IndexWriter(Path(sys.argv[1]), embedder.info, PARAMS.to_dict()) as writer:
    writer.remove("a.pdf")
    writer.add(*doc_parts(half, embedder))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_mid_write_leaves_the_previous_version(tmp_path, fake_embedder):
    index = tmp_path / "idx"
    _write(index, fake_embedder, _doc("a.pdf", "Ceftriaxone for meningitis."))
    # `python -c` puts its working directory first on sys.path: the checkout's `tests` package imports from there.
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(index)], cwd=ROOT)
    assert proc.returncode == -9
    assert list(layout.versions_dir(index).glob("staging-*"))  # the dead writer's leftovers
    reader = IndexReader.open(index)
    assert [d.source for d in reader.documents.values()] == ["a.pdf"]
    assert verify_version(reader.dir) == []
    _write(index, fake_embedder, _doc("b.pdf", "Next write."))
    assert not list(layout.versions_dir(index).glob("staging-*"))  # cleaned by the next writer
