"""Checks that an index version is whole: files, checksums, counts, and SQLite integrity."""

from __future__ import annotations

import json
from pathlib import Path

import faiss

from rag.index import layout
from rag.index.schema import connect


def verify_version(version_dir: Path) -> list[str]:
    """Every mismatch found in one version folder; an empty list means it is sound."""
    try:
        manifest = json.loads((version_dir / layout.MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        return [f"{version_dir / layout.MANIFEST}: unreadable ({exc})"]
    problems = _check_files(version_dir, manifest)
    if problems:
        return problems
    conn = connect(version_dir / layout.CHUNKS_DB, readonly=True)
    try:
        problems += _check_counts(conn, manifest)
        dense = faiss.read_index(str(version_dir / layout.DENSE))
        chunks = manifest["counts"]["chunks"]
        if dense.ntotal != chunks:
            problems.append(f"{layout.DENSE}: {dense.ntotal} vectors but {chunks} chunks")
        if dense.d != manifest["embedder"]["dim"]:
            problems.append(f"{layout.DENSE}: dimension {dense.d}, manifest says {manifest['embedder']['dim']}")
    finally:
        conn.close()
    return problems


def _check_files(version_dir: Path, manifest: dict) -> list[str]:
    problems = []
    optional = [layout.LEXICAL] if layout.LEXICAL in manifest.get("files", {}) else []  # versions before it lack it
    for name in (layout.CHUNKS_DB, layout.DENSE, *optional):
        path = version_dir / name
        expected = manifest.get("files", {}).get(name)
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif expected is None:
            problems.append(f"{name}: no checksum in the manifest")
        elif layout.sha256_file(path) != expected["sha256"]:
            problems.append(f"{name}: checksum differs from the manifest (file changed or corrupt)")
    return problems


def _check_counts(conn, manifest: dict) -> list[str]:
    problems = []
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append(f"{layout.CHUNKS_DB}: SQLite integrity check failed")
    actual = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("documents", "pages", "chunks")}
    for table, n in actual.items():
        if manifest["counts"].get(table) != n:
            problems.append(f"{table}: {n} rows, manifest says {manifest['counts'].get(table)}")
    fts = conn.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    if fts != actual["chunks"]:
        problems.append(f"chunks_fts: {fts} rows for {actual['chunks']} chunks")
    orphans = conn.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
    if orphans:
        problems.append(f"chunks: {orphans} rows point at no document")
    listed = {d["doc_id"] for d in manifest["documents"]}
    stored = {r[0] for r in conn.execute("SELECT doc_id FROM documents")}
    if listed != stored:
        problems.append(f"documents: manifest lists {len(listed)}, database holds {len(stored)} (ids differ)")
    return problems
