"""Reads one committed index version: manifest, chunks (SQLite + FTS5) and vectors (FAISS).

`LiveIndex` follows the index symlink, so a server picks up a new version written by
`gqa ingest` on its next request, without a restart.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np

from rag.errors import IndexCorrupt, IndexNotFound
from rag.index import layout
from rag.index.bm25 import fts_tokens, load_term_matrix
from rag.index.fts import phrases_to_fts
from rag.index.schema import connect
from rag.types import DocumentMeta, Filters, Passage, edition_label


@dataclass(frozen=True)
class ChunkRow:
    id: int
    chunk_id: str
    doc_id: str
    seq: int
    text: str
    header: str
    section: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    page_labels: tuple[str, ...]
    line_start: int | None
    line_end: int | None


_PLAIN_WORD = re.compile(r"^\w+$", re.UNICODE)
_CHUNK_COLUMNS = "id, chunk_id, doc_id, seq, text, header, section, page_start, page_end, page_labels, line_start, line_end"


def _chunk_row(r) -> ChunkRow:
    return ChunkRow(r["id"], r["chunk_id"], r["doc_id"], r["seq"], r["text"], r["header"],
                    tuple(json.loads(r["section"])), r["page_start"], r["page_end"],
                    tuple(json.loads(r["page_labels"])), r["line_start"], r["line_end"])


class IndexReader:
    """One immutable index version, safe to share between threads."""

    def __init__(self, version_dir: Path):
        self.dir = version_dir
        try:
            self.manifest = json.loads((version_dir / layout.MANIFEST).read_text())
            self.dense = faiss.read_index(str(version_dir / layout.DENSE))
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"{version_dir}: cannot read the index ({exc}); run `gqa index verify`") from exc
        self._local = threading.local()
        self.term_matrix = load_term_matrix(version_dir / layout.LEXICAL)
        self.documents = _with_editions({d["doc_id"]: _document(d) for d in self.manifest["documents"]})
        self.superseded = {d.doc_id: d.superseded_by for d in self.documents.values() if d.superseded_by}
        self.by_source = {d.source: d for d in self.documents.values()}
        self._derived: dict[str, object] = {}

    @classmethod
    def open(cls, index: Path) -> IndexReader:
        """Open the version `index` points at now."""
        return cls(layout.current_dir(index))

    def derived(self, key: str, build: Callable[[IndexReader], object]) -> object:
        """Data a stage computes once from this immutable version and keeps with it (a race builds it twice)."""
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

    @property
    def version(self) -> str:
        return self.manifest.get("version", self.dir.name)

    @property
    def db(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.dir / layout.CHUNKS_DB, readonly=True)
        return conn

    # --- search primitives
    def dense_search(self, vector: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-n (chunk row id, inner product); `allowed` restricts to those row ids."""
        if self.dense.ntotal == 0 or n <= 0:
            return []
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        scores, ids = self.dense.search(vector.reshape(1, -1).astype(np.float32), min(n, self.dense.ntotal), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lexical_search(self, fts_query: str, n: int, doc_ids: list[str] | None = None) -> list[tuple[int, float]]:
        """Top-n (chunk row id, -bm25) for an FTS5 query; higher is better."""
        sql = "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ?"
        args: list = [fts_query]
        if doc_ids is not None:
            if not doc_ids:
                return []
            # `+rowid`: a plain rowid constraint makes FTS5 re-run the whole MATCH once per allowed row (seconds).
            sql += f" AND +rowid IN (SELECT id FROM chunks WHERE doc_id IN ({','.join('?' * len(doc_ids))}))"
            args += doc_ids
        sql += " ORDER BY s LIMIT ?"
        rows = self.db.execute(sql, [*args, n]).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def bm25_search(self, phrases: list[tuple[str, bool]], n: int, doc_ids: list[str] | None = None,
                    weights: list[float] | None = None) -> list[tuple[int, float]]:
        """Top-n (chunk row id, bm25) for OR-ed (term, is_prefix) phrases: FTS5's ranking, from the term matrix
        when this version has one and every phrase is one token, else from FTS5 itself. `weights` scale each
        phrase's share of the score (query expansion terms count less than the question's own words)."""
        if doc_ids is not None and not doc_ids:
            return []
        if weights is not None and len(weights) != len(phrases):
            raise ValueError(f"bm25_search: {len(weights)} weights for {len(phrases)} phrases")
        tokens = [fts_tokens(t) for t, _ in phrases]
        if self.term_matrix is not None and all(len(ts) == 1 for ts in tokens):
            allowed = self.allowed_ids(doc_ids) if doc_ids is not None else None
            return self.term_matrix.search([(ts[0], p) for ts, (_, p) in zip(tokens, phrases)], n, allowed, weights)
        if weights is None or all(w == 1.0 for w in weights):
            match = phrases_to_fts(phrases)  # multi-token phrases ("lt2_5") need FTS5's adjacency check
            return self.lexical_search(match, n, doc_ids) if match else []
        return self._weighted_fts(phrases, weights, n, doc_ids)

    def _weighted_fts(self, phrases: list[tuple[str, bool]], weights: list[float], n: int,
                      doc_ids: list[str] | None) -> list[tuple[int, float]]:
        # FTS5's bm25 of an OR query is the sum of its phrases' shares (each idf over the whole table), so one
        # query per weight, over every matching row, summed with the weights, ranks as the weighted formula.
        groups: dict[float, list[tuple[str, bool]]] = {}
        for phrase, weight in zip(phrases, weights):
            if weight > 0:
                groups.setdefault(float(weight), []).append(phrase)
        scores: dict[int, float] = {}
        for weight, group in groups.items():
            match = phrases_to_fts(group)
            for row_id, score in self.lexical_search(match, self.chunk_count(), doc_ids) if match else []:
                scores[row_id] = scores.get(row_id, 0.0) + weight * score
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:n]

    def chunks_with_term(self, term: str) -> int:
        """How many chunks hold a word starting with `term` (prefix match covers plurals); 0 for a
        term that is not one plain word, so user text never becomes FTS5 syntax."""
        if not _PLAIN_WORD.match(term) or "." in term:
            return 0
        row = self.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{term}"*',)).fetchone()
        return int(row[0])

    def all_chunks(self) -> Iterator[ChunkRow]:
        """Every chunk of this version, document by document, in reading order."""
        for r in self.db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks ORDER BY doc_id, seq"):
            yield _chunk_row(r)

    def chunk_count(self) -> int:
        """Chunks in this version."""
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def row_documents(self) -> tuple[np.ndarray, list[str]]:
        """Per chunk row id, the position of its document in the returned (sorted) doc_id list; -1 for no row."""
        rows = self.db.execute("SELECT id, doc_id FROM chunks").fetchall()
        doc_ids = sorted({r[1] for r in rows})
        position = {d: n for n, d in enumerate(doc_ids)}
        table = np.full(max((r[0] for r in rows), default=-1) + 1, -1, dtype=np.int32)
        for r in rows:
            table[r[0]] = position[r[1]]
        return table, doc_ids

    def allowed_ids(self, doc_ids: list[str]) -> np.ndarray:
        if not doc_ids:
            return np.zeros(0, dtype=np.int64)
        rows = self.db.execute(f"SELECT id FROM chunks WHERE doc_id IN ({','.join('?' * len(doc_ids))})", doc_ids)
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def filter_documents(self, filters: Filters) -> list[str] | None:
        """doc_ids passing the filters, or None when there are no filters."""
        if filters.is_empty():
            return None
        keep = []
        for d in self.documents.values():
            if filters.organisation and (d.organisation or "").lower() != filters.organisation.lower():
                continue
            if filters.doc and filters.doc not in (d.doc_id, d.source):
                continue
            if filters.year and d.year != filters.year:
                continue
            if filters.language and (d.language or "").lower() != filters.language.lower():
                continue
            keep.append(d.doc_id)
        return keep

    # --- rows
    def chunks(self, ids: list[int]) -> dict[int, ChunkRow]:
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids)
        return {r["id"]: _chunk_row(r) for r in rows}

    def chunk_by_chunk_id(self, chunk_id: str) -> ChunkRow | None:
        r = self.db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return _chunk_row(r) if r else None

    def page(self, doc_id: str, page: int) -> tuple[str, str | None] | None:
        """(text, printed label) of one physical page, or None."""
        r = self.db.execute("SELECT text, label FROM pages WHERE doc_id = ? AND page = ?", (doc_id, page)).fetchone()
        return (r["text"], r["label"]) if r else None

    def file_path(self, doc_id: str) -> str | None:
        r = self.db.execute("SELECT file_path FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return r["file_path"] if r else None

    def passage(self, row: ChunkRow, score: float, rank: int = 0, scores: dict | None = None) -> Passage:
        """A chunk with its full citation."""
        doc = self.documents[row.doc_id]
        pages = list(range(row.page_start, (row.page_end or row.page_start) + 1)) if row.page_start else None
        lines = [row.line_start, row.line_end] if row.line_start else None
        return Passage(
            chunk_id=row.chunk_id, text=row.text, score=score, source=doc.source, title=doc.title,
            organisation=doc.organisation, year=doc.year, section=" > ".join(row.section), pages=pages,
            page_labels=list(row.page_labels), lines=lines, doc_id=doc.doc_id, edition=doc.edition,
            language=doc.language, rank=rank, scores=scores or {}, superseded_by=doc.superseded_by,
            superseded_by_label=doc.superseded_by_label,
        )


def _document(d: dict) -> DocumentMeta:
    fields = {k: d.get(k) for k in ("doc_id", "source", "title", "organisation", "year", "edition", "language",
                                    "licence", "source_url", "page_count", "superseded_by")}
    return DocumentMeta(**fields, format=d.get("format", "pdf"), bytes=d.get("bytes") or 0)


def _with_editions(documents: dict[str, DocumentMeta]) -> dict[str, DocumentMeta]:
    """Older editions get the newest one's name ("Third edition, 2015"); a mark naming a document this
    version does not hold is dropped (versions before the marks read `superseded_by` as null)."""
    out = {}
    for doc_id, doc in documents.items():
        newest = documents.get(doc.superseded_by) if doc.superseded_by else None
        if doc.superseded_by:
            doc = replace(doc, superseded_by=newest and newest.doc_id,
                          superseded_by_label=newest and edition_label(newest.edition, newest.year, newest.title))
        out[doc_id] = doc
    return out


class LiveIndex:
    """The current version of an index, reopened when the symlink moves."""

    def __init__(self, index: Path):
        self.index = index
        self._lock = threading.Lock()
        self._reader: IndexReader | None = None
        self._target: str | None = None
        self.last_error: str | None = None

    def get(self) -> IndexReader:
        """The newest readable version; if a new one is broken, keep serving the old one."""
        target = os.path.realpath(self.index)
        if target == self._target and self._reader is not None:
            return self._reader
        with self._lock:
            if target != self._target:
                try:
                    self._reader = IndexReader(layout.current_dir(self.index))
                    self.last_error = None
                except (IndexNotFound, IndexCorrupt) as exc:
                    if self._reader is None:
                        raise
                    self.last_error = str(exc)
                self._target = target
        return self._reader
