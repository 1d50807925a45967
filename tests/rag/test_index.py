"""The versioned index format: write, read, verify, hot swap, and crash safety."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.blocks import Block
from rag.index import layout
from rag.errors import EmbedderMismatch, IndexNotFound
from rag.index.reader import IndexReader, LiveIndex
from rag.index.verify import verify_version
from rag.index.writer import IndexWriter
from rag.types import DocumentMeta

PARAMS = ChunkerParams(120, 20, 256)


def _doc(source: str, text: str, embedder):
    meta = DocumentMeta(doc_id=(source.encode().hex() * 8)[:64], source=source, title=f"Title of {source}",
                        organisation="WHO", year=2020, format="pdf", page_count=2, bytes=len(text))
    blocks = [Block(text=text, section=("1. Intro",), page=1, page_label="i"),
              Block(text=text.upper(), section=("2. Dosing",), page=2, page_label="1")]
    chunks = chunk_blocks(blocks, doc_id=meta.doc_id, title=meta.title, count_tokens=embedder.count_tokens, params=PARAMS)
    vectors = embedder.embed_documents([f"{c.header}\n{c.text}" for c in chunks])
    return meta, chunks, vectors, [text, text.upper()]


def _write(index: Path, embedder, *docs, remove=()):
    with IndexWriter(index, embedder.info, PARAMS.to_dict()) as writer:
        for source in remove:
            writer.remove(source)
        for meta, chunks, vectors, pages in docs:
            writer.add(meta, chunks, vectors, pages, ["i", "1"])
        return writer.commit()


def test_write_read_and_verify(tmp_path, embedder):
    index = tmp_path / "idx"
    v1 = _write(index, embedder, _doc("a.pdf", "Oral rehydration salts for diarrhoea.", embedder),
                _doc("b.pdf", "Artesunate for severe malaria.", embedder))
    assert v1.name == "v000001" and index.is_symlink()
    reader = IndexReader.open(index)
    assert reader.manifest["counts"] == {"documents": 2, "pages": 4, "chunks": 4}
    assert verify_version(reader.dir) == []
    hits = reader.dense_search(embedder.embed_query("severe malaria artesunate"), 2)
    top = reader.chunks([hits[0][0]])[hits[0][0]]
    passage = reader.passage(top, hits[0][1])
    assert passage.source == "b.pdf" and passage.pages in ([1], [2])
    assert passage.page_labels in (["i"], ["1"]) and passage.title == "Title of b.pdf"
    lexical = reader.lexical_search('"diarrhoea"', 5)
    assert {reader.chunks([i])[i].doc_id for i, _ in lexical} == {reader.by_source["a.pdf"].doc_id}
    assert reader.page(reader.by_source["a.pdf"].doc_id, 2) == ("ORAL REHYDRATION SALTS FOR DIARRHOEA.", "1")


def test_unchanged_commit_writes_nothing_and_updates_make_new_versions(tmp_path, embedder):
    index = tmp_path / "idx"
    _write(index, embedder, _doc("a.pdf", "Zinc for ten days.", embedder))
    assert _write(index, embedder) is None  # nothing changed: no new version
    old = IndexReader.open(index)
    live = LiveIndex(index)
    assert live.get().version == "v000001"
    v2 = _write(index, embedder, _doc("a.pdf", "Zinc for 10 to 14 days.", embedder), remove=["a.pdf"])
    assert v2.name == "v000002"
    assert live.get().version == "v000002"  # a running reader picks up the new version
    assert old.chunks(list(range(1, 10)))  # the old reader still reads its own version
    new = live.get()
    assert [d.source for d in new.documents.values()] == ["a.pdf"]
    assert all("10 to 14" in r.text or "10 TO 14" in r.text for r in new.chunks(list(range(1, 100))).values())


def test_old_versions_are_pruned(tmp_path, embedder):
    index = tmp_path / "idx"
    for i in range(5):
        _write(index, embedder, _doc(f"d{i}.pdf", f"Document number {i}.", embedder))
    assert [v.name for v in layout.list_versions(index)] == ["v000003", "v000004", "v000005"]


def test_verify_finds_tampering(tmp_path, embedder):
    index = tmp_path / "idx"
    version = _write(index, embedder, _doc("a.pdf", "Amoxicillin for pneumonia.", embedder))
    db = version / layout.CHUNKS_DB
    data = bytearray(db.read_bytes())
    data[-100] ^= 0xFF
    db.write_bytes(bytes(data))
    problems = verify_version(version)
    assert any("checksum" in p for p in problems)


def test_another_embedder_is_refused(tmp_path, embedder):
    index = tmp_path / "idx"
    _write(index, embedder, _doc("a.pdf", "Paracetamol for fever.", embedder))
    other = dataclasses.replace(embedder.info, fingerprint="0" * 16)
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
sys.path.insert(0, {root!r})
from rag.embedding.embedder import load_embedder
from rag.index.writer import IndexWriter
from tests.rag.test_index import PARAMS, _doc
embedder = load_embedder()
with IndexWriter(Path({index!r}), embedder.info, PARAMS.to_dict()) as writer:
    writer.remove("a.pdf")
    writer.add(*_doc("half.pdf", "Half written.", embedder)[:3], ["x", "y"])
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_mid_write_leaves_the_previous_version(tmp_path, embedder):
    index = tmp_path / "idx"
    _write(index, embedder, _doc("a.pdf", "Ceftriaxone for meningitis.", embedder))
    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER.format(root=root, index=str(index))], cwd=root)
    assert proc.returncode == -9
    assert list(layout.versions_dir(index).glob("staging-*"))  # the dead writer's leftovers
    reader = IndexReader.open(index)
    assert [d.source for d in reader.documents.values()] == ["a.pdf"]
    assert verify_version(reader.dir) == []
    _write(index, embedder, _doc("b.pdf", "Next write.", embedder))
    assert not list(layout.versions_dir(index).glob("staging-*"))  # cleaned by the next writer
