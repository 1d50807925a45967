"""Writes the next version of an index: copy the current one, apply changes, switch."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from rag.embedding.embedder import EmbedderInfo
from rag.errors import EmbedderMismatch, IndexNotFound
from rag.index import layout
from rag.index.bm25 import build_term_matrix, save_term_matrix
from rag.index.fts import FTS_TOKENIZE, LEXICAL_VERSION, index_text
from rag.index.schema import SCHEMA, build_faiss, connect
from rag.types import Chunk, DocumentMeta


class IndexWriter:
    """Stage changes to an index and publish them as one new version.

    Use as a context manager: leaving with an exception discards the staging folder and the
    current version stays what it was.
    """

    def __init__(self, index: Path, embedder: EmbedderInfo, chunker: dict, faiss_kind: str = "flat", keep_versions: int = 3):
        self.index = index
        self.embedder = embedder
        self.chunker = chunker
        self.faiss_kind = faiss_kind
        self.keep_versions = keep_versions
        self.changed = False
        self._lock = None
        self.staging: Path | None = None
        self.conn: sqlite3.Connection | None = None
        self._previous_superseded: dict[str, str] = {}  # what the current version marks
        self._superseded: dict[str, str] | None = None  # set by `supersede`; None: carry the current marks over

    def __enter__(self) -> IndexWriter:
        self._lock = layout.writer_lock(self.index)
        self._lock.__enter__()
        layout.prune_versions(self.index, self.keep_versions)  # clears staging left by a killed writer
        self.staging = Path(tempfile.mkdtemp(prefix="staging-", dir=layout.versions_dir(self.index)))
        previous = self._previous_dir()
        if previous is not None:
            self._check_previous(previous)
            shutil.copy2(previous / layout.CHUNKS_DB, self.staging / layout.CHUNKS_DB)
        self.conn = connect(self.staging / layout.CHUNKS_DB)
        self.conn.executescript(SCHEMA)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.conn is not None:
                self.conn.close()
            if self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.__exit__(exc_type, exc, tb)

    def _previous_dir(self) -> Path | None:
        try:
            return layout.current_dir(self.index)
        except IndexNotFound:  # the first version of a new index
            return None

    def _check_previous(self, previous: Path) -> None:
        manifest = json.loads((previous / layout.MANIFEST).read_text())
        # Versions written before editions were compared have no `superseded_by`: none marked.
        self._previous_superseded = {d["doc_id"]: d["superseded_by"] for d in manifest.get("documents", [])
                                     if d.get("superseded_by")}
        try:
            self.embedder.check_compatible(manifest["embedder"])
        except EmbedderMismatch as exc:
            raise EmbedderMismatch(f"cannot update {self.index} in place: {exc}") from exc

    # --- reading what is there
    def documents(self) -> dict[str, str]:
        """source -> doc_id of every document in the index being built."""
        return {r["source"]: r["doc_id"] for r in self.conn.execute("SELECT source, doc_id FROM documents")}

    def editions(self) -> list[tuple[str, str, str | None, int | None, str | None]]:
        """(doc_id, title, organisation, year, edition) of every document: what `ingest.metadata.superseded` compares."""
        return [tuple(r) for r in self.conn.execute("SELECT doc_id, title, organisation, year, edition FROM documents"
                                                    " ORDER BY source")]

    # --- changes
    def remove(self, source: str) -> None:
        """Drop a document and its pages, chunks and lexical rows."""
        ids = [r[0] for r in self.conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d USING (doc_id) WHERE d.source = ?", (source,))]
        self.conn.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
        self.conn.execute("DELETE FROM documents WHERE source = ?", (source,))
        self.changed = True

    def add(
        self,
        meta: DocumentMeta,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        page_texts: Sequence[str],
        page_labels: Sequence[str | None] = (),
        file_path: str | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Insert one document with its chunks (and their vectors) in one transaction."""
        if len(chunks) != len(vectors):
            raise ValueError(f"{meta.source}: {len(chunks)} chunks but {len(vectors)} vectors")
        with self.conn:
            self.conn.execute(
                "INSERT INTO documents (doc_id, source, title, organisation, year, edition, language, licence,"
                " source_url, format, page_count, bytes, file_path, warnings) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (meta.doc_id, meta.source, meta.title, meta.organisation, meta.year, meta.edition, meta.language,
                 meta.licence, meta.source_url, meta.format, meta.page_count, meta.bytes, file_path,
                 json.dumps(list(warnings))),
            )
            labels = list(page_labels) + [None] * (len(page_texts) - len(page_labels))
            self.conn.executemany(
                "INSERT INTO pages (doc_id, page, label, text) VALUES (?,?,?,?)",
                [(meta.doc_id, i + 1, labels[i], text) for i, text in enumerate(page_texts)],
            )
            for chunk, vector in zip(chunks, vectors):
                row = self.conn.execute(
                    "INSERT INTO chunks (chunk_id, doc_id, seq, text, header, section, page_start, page_end,"
                    " page_labels, line_start, line_end, n_tokens, embedding) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (chunk.chunk_id, chunk.doc_id, chunk.seq, chunk.text, chunk.header, json.dumps(list(chunk.section)),
                     chunk.page_start, chunk.page_end, json.dumps(list(chunk.page_labels)), chunk.line_start,
                     chunk.line_end, chunk.n_tokens, np.asarray(vector, dtype=np.float32).tobytes()),
                )
                self.conn.execute("INSERT INTO chunks_fts (rowid, body) VALUES (?, ?)",
                                  (row.lastrowid, index_text(chunk.header, chunk.text)))
        self.changed = True

    def supersede(self, newest: dict[str, str]) -> None:
        """Mark older editions: {doc_id: doc_id of the newest edition}, over ALL documents of this version.

        Published in the manifest with the next commit; a change of marks alone is a change (an index
        written before editions were compared gets them on its next ingest)."""
        self._superseded = dict(newest)
        if self._superseded != self._previous_superseded:
            self.changed = True

    def _marks(self) -> dict[str, str]:
        """The marks this version will publish: those given to `supersede`, else the current version's,
        kept only while both documents are still there."""
        present = set(self.documents().values())
        marks = self._previous_superseded if self._superseded is None else self._superseded
        return {old: new for old, new in marks.items() if old in present and new in present}

    # --- publishing
    def commit(self) -> Path | None:
        """Write FAISS and the manifest, rename the staging folder to a version, switch to it."""
        if not self.changed and self._previous_dir() is not None:
            return None
        self.conn.execute("PRAGMA optimize")
        faiss_index = build_faiss(self.conn, self.embedder.dim, self.faiss_kind)
        save_term_matrix(build_term_matrix(self.conn), self.staging / layout.LEXICAL)
        manifest = self._manifest(faiss_index)
        self.conn.commit()
        self.conn.close()
        self.conn = None
        faiss.write_index(faiss_index, str(self.staging / layout.DENSE))
        for name in (layout.CHUNKS_DB, layout.DENSE, layout.LEXICAL):
            layout.fsync_file(self.staging / name)
            manifest["files"][name] = {"sha256": layout.sha256_file(self.staging / name),
                                       "bytes": (self.staging / name).stat().st_size}
        version = layout.versions_dir(self.index) / layout.next_version_name(self.index)
        manifest["version"] = version.name
        _write_json(self.staging / layout.MANIFEST, manifest)
        os.rename(self.staging, version)
        self.staging = None
        layout.switch(self.index, version)
        layout.prune_versions(self.index, self.keep_versions)
        return version

    def _manifest(self, faiss_index: faiss.Index) -> dict:
        docs = [dict(r) for r in self.conn.execute(
            "SELECT d.doc_id, source, title, organisation, year, edition, language, licence, source_url, format,"
            " page_count, bytes, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id) AS chunks"
            " FROM documents d ORDER BY source")]
        marks = self._marks()
        for doc in docs:
            doc["superseded_by"] = marks.get(doc["doc_id"])
        count = lambda table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: E731
        return {
            "format_version": layout.FORMAT_VERSION,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "embedder": self.embedder.to_dict(),
            "chunker": self.chunker,
            "lexical": {"tokenize": FTS_TOKENIZE, "version": LEXICAL_VERSION},
            "dense": {"kind": self.faiss_kind, "metric": "inner_product", "ntotal": int(faiss_index.ntotal)},
            "counts": {"documents": count("documents"), "pages": count("pages"), "chunks": count("chunks")},
            "documents": docs,
            "files": {},
        }


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    layout.fsync_file(tmp)
    os.replace(tmp, path)
