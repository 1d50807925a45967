"""The SQLite schema of `chunks.sqlite` and the FAISS file built from its vectors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import faiss
import numpy as np

from rag.index.fts import FTS_TOKENIZE

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,          -- sha256 of the file's bytes
    source TEXT NOT NULL UNIQUE,      -- path relative to the ingested folder
    title TEXT NOT NULL,
    organisation TEXT, year INTEGER, edition TEXT, language TEXT, licence TEXT, source_url TEXT,
    format TEXT NOT NULL, page_count INTEGER, bytes INTEGER NOT NULL,
    file_path TEXT,                   -- absolute path at ingest time, to serve the original
    warnings TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page INTEGER NOT NULL,            -- physical, 1-based; unpaged formats have one page 1
    label TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, page)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the FAISS id
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    header TEXT NOT NULL,
    section TEXT NOT NULL,                  -- JSON list of headings
    page_start INTEGER, page_end INTEGER,
    page_labels TEXT NOT NULL,              -- JSON list
    line_start INTEGER, line_end INTEGER,
    n_tokens INTEGER NOT NULL,
    embedding BLOB NOT NULL                 -- float32, normalised; dense.faiss is rebuilt from these
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(body, tokenize="{FTS_TOKENIZE}");
"""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection; read-only ones open the file immutable (a committed version never changes)."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        # Readers hold one connection per server thread; SQLite's default 2 MiB cache each made
        # RSS grow with the thread pool (40 threads: +92 MiB, vs +34 MiB at 256 KiB, same
        # latency): the OS page cache already holds the file.
        conn.execute("PRAGMA cache_size = -256")
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.row_factory = sqlite3.Row
    return conn


def build_faiss(conn: sqlite3.Connection, dim: int, kind: str = "flat") -> faiss.Index:
    """An ID-mapped inner-product index over every chunk's stored vector."""
    rows = conn.execute("SELECT id, embedding FROM chunks ORDER BY id").fetchall()
    base = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT) if kind == "hnsw" else faiss.IndexFlatIP(dim)
    index = faiss.IndexIDMap2(base)
    if rows:
        ids = np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.vstack([np.frombuffer(r["embedding"], dtype=np.float32) for r in rows])
        index.add_with_ids(vectors, ids)
    return index
