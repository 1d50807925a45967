"""BM25 over a term-frequency matrix read out of the FTS5 index: FTS5's own scores, without its per-query cost.

FTS5 evaluates `bm25()` by walking the position lists of every matching row: ~8 ms of CPU for a
ten-word OR query over 11k chunks, a quarter of a search. The same formula over a sparse
chunk x term matrix of counts costs well under a millisecond. The matrix is taken from the
FTS5 index itself (its `fts5vocab` view), so tokens, case folding and diacritics are exactly
FTS5's; ingest writes it beside the database and readers load it when present, else they
query FTS5 (`IndexReader.bm25_search`).
"""

from __future__ import annotations

import math
import os
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1, B = 1.2, 0.75  # FTS5's bm25() constants
_LAST = "\U0010ffff"  # sorts after every extension of a prefix


@dataclass(frozen=True)
class TermMatrix:
    """Counts of each term in each chunk, column-compressed: term t's chunks are rows[starts[t]:starts[t+1]]."""

    terms: np.ndarray  # sorted vocabulary, FTS5's tokens
    starts: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32 position of the chunk in row_ids
    counts: np.ndarray  # float32 occurrences of the term in that chunk
    row_ids: np.ndarray  # int64 chunk row id (the FTS rowid) of each position
    lengths: np.ndarray  # float64 tokens in each chunk's indexed text (float32 sums shift near-ties)

    @property
    def avg_length(self) -> float:
        return float(self.lengths.sum(dtype=np.float64) / len(self.lengths)) if len(self.lengths) else 0.0

    def search(self, phrases: list[tuple[str, bool]], n: int,
               allowed: np.ndarray | None = None, weights: list[float] | None = None) -> list[tuple[int, float]]:
        """Top-n (chunk row id, bm25) for OR-ed (token, is_prefix) pairs; `allowed` = chunk row ids to keep;
        `weights` scale each pair's share of the score (default 1 each: FTS5's bm25).

        Tokens must be single FTS5 tokens (`fts_tokens`); a phrase of several needs FTS5's position lists.
        """
        total = len(self.row_ids)
        if total == 0 or n <= 0:
            return []
        scores = np.zeros(total, dtype=np.float64)
        norm = K1 * (1 - B + B * self.lengths / max(self.avg_length, 1e-9))
        for k, (token, prefix) in enumerate(phrases):
            weight = 1.0 if weights is None else float(weights[k])
            tf = self._term_counts(token, prefix, total) if weight > 0 else None
            if tf is None:
                continue
            hit = np.flatnonzero(tf)
            idf = math.log((total - len(hit) + 0.5) / (len(hit) + 0.5))
            idf = idf if idf > 0 else 1e-6  # as FTS5: a term in most chunks still counts a little
            f = tf[hit]
            scores[hit] += weight * idf * f * (K1 + 1) / (f + norm[hit])
        if allowed is not None:
            scores[~np.isin(self.row_ids, allowed)] = 0.0
        matched = np.flatnonzero(scores)
        if len(matched) > n:  # keep every row tied with the n-th best, so ties are cut by row id below
            nth = -np.partition(-scores[matched], n - 1)[n - 1]
            matched = matched[scores[matched] >= nth]
        # Best first; equal scores by row id, as FTS5 visits rows.
        order = matched[np.lexsort((self.row_ids[matched], -scores[matched]))][:n]
        return [(int(self.row_ids[i]), float(scores[i])) for i in order]

    def chunks_with(self, token: str, prefix: bool = True) -> int:
        """How many chunks hold `token` (or, with `prefix`, a token starting with it)."""
        lo = int(np.searchsorted(self.terms, token, side="left"))
        hi = int(np.searchsorted(self.terms, token + _LAST, side="left")) if prefix else lo + 1
        if lo >= len(self.terms) or hi <= lo or (not prefix and self.terms[lo] != token):
            return 0
        a, b = int(self.starts[lo]), int(self.starts[hi])
        return b - a if hi == lo + 1 else len(np.unique(self.rows[a:b]))

    def _term_counts(self, token: str, prefix: bool, total: int) -> np.ndarray | None:
        lo = int(np.searchsorted(self.terms, token, side="left"))
        hi = int(np.searchsorted(self.terms, token + _LAST, side="left")) if prefix else lo + 1
        if lo >= len(self.terms) or (not prefix and self.terms[lo] != token) or hi <= lo:
            return None
        a, b = int(self.starts[lo]), int(self.starts[hi])
        return np.bincount(self.rows[a:b], weights=self.counts[a:b], minlength=total)


def fts_tokens(text: str) -> list[str]:
    """A query string cut and folded as FTS5's `unicode61 remove_diacritics 2` tokenizer does."""
    # Character by character, as FTS5 folds: no final-sigma rule, and not casefold (FTS5 keeps "ß").
    decomposed = unicodedata.normalize("NFKD", "".join(ch.lower() for ch in text))
    tokens, current = [], []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category == "Mn":  # a combining accent: dropped, as remove_diacritics does
            continue
        if category[0] in "LN" or category == "Co":
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def build_term_matrix(conn: sqlite3.Connection, table: str = "chunks_fts") -> TermMatrix:
    """Read every (term, chunk, count) out of an FTS5 table through its fts5vocab view."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances USING fts5vocab(main, {table}, instance)")
    try:
        triples = conn.execute(f"SELECT term, doc, count(*) FROM temp.{table}_instances GROUP BY term, doc "
                               "ORDER BY term, doc").fetchall()
    finally:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}_instances")
    # Every row, even one without tokens: FTS5's idf and average length count them all.
    row_ids = np.array([r for (r,) in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")], dtype=np.int64)
    position = {int(r): i for i, r in enumerate(row_ids)}
    terms: list[str] = []
    starts: list[int] = []
    rows = np.empty(len(triples), dtype=np.int32)
    counts = np.empty(len(triples), dtype=np.float32)
    for k, (term, doc, count) in enumerate(triples):
        if not terms or terms[-1] != term:
            terms.append(term)
            starts.append(k)
        rows[k] = position[doc]
        counts[k] = count
    starts.append(len(triples))
    lengths = np.bincount(rows, weights=counts, minlength=len(row_ids))
    return TermMatrix(np.array(terms, dtype=str), np.array(starts, dtype=np.int64), rows, counts, row_ids, lengths)


def save_term_matrix(matrix: TermMatrix, path: Path) -> None:
    """Write the matrix to `path` through a temporary file, so a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, terms=matrix.terms, starts=matrix.starts, rows=matrix.rows, counts=matrix.counts,
                 row_ids=matrix.row_ids, lengths=matrix.lengths)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_term_matrix(path: Path) -> TermMatrix | None:
    """The matrix written next to an index's database, or None for an index built without one."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return TermMatrix(data["terms"], data["starts"], data["rows"], data["counts"], data["row_ids"],
                          data["lengths"].astype(np.float64))
