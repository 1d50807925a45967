"""A whole-page view beside the chunks: BM25 over each PDF page's full text, turned into a chunk ranking.

A chunk holds ~200 word pieces; the words of a question are often spread over a page (a heading, a
table's caption, the dose two paragraphs down) that no single chunk holds together. Ranking pages
finds that page; its chunks, best chunk-level rank first, then join the reciprocal-rank fusion as a
third ranking. The page matrix is built once per index version from its `pages` table, in memory.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np

from rag.index.bm25 import TermMatrix, fts_tokens
from rag.index.fts import index_text

PAGES = 10  # top pages whose chunks form the page ranking


@dataclass(frozen=True)
class PageView:
    """BM25 over pages, and each page's chunks (row ids in reading order)."""

    matrix: TermMatrix
    pages: dict[int, tuple[str, int]]  # page matrix row id -> (doc_id, physical page)
    chunks: dict[tuple[str, int], tuple[int, ...]]  # (doc_id, page) -> chunk row ids overlapping it

    def search(self, phrases: list[tuple[str, bool]], n_pages: int = PAGES, allowed_docs: set[str] | None = None,
               weights: list[float] | None = None) -> list[tuple[tuple[str, int], float]]:
        """Top (doc_id, page) by BM25 for OR-ed (term, is_prefix) phrases; multi-token phrases are skipped."""
        tokens = [fts_tokens(term) for term, _ in phrases]
        kept = [i for i, ts in enumerate(tokens) if len(ts) == 1]
        if not kept:
            return []
        allowed = None
        if allowed_docs is not None:
            allowed = np.array([r for r, (d, _) in self.pages.items() if d in allowed_docs], dtype=np.int64)
        hits = self.matrix.search([(tokens[i][0], phrases[i][1]) for i in kept], n_pages, allowed,
                                  [weights[i] for i in kept] if weights is not None else None)
        return [(self.pages[r], s) for r, s in hits]

    def ranking(self, phrases: list[tuple[str, bool]], first_ranks: dict[int, int], n_pages: int = PAGES,
                allowed_docs: set[str] | None = None, weights: list[float] | None = None,
                per_page: int = 1) -> list[int]:
        """Chunk row ids of the top pages, page by page: each page's `per_page` best by `first_ranks` (best
        chunk-level rank from the other retrievers), then reading order (0 = all its chunks)."""
        out: dict[int, None] = {}
        for key, _ in self.search(phrases, n_pages, allowed_docs, weights):
            chunks = self.chunks.get(key, ())
            best = sorted(chunks, key=lambda c: (first_ranks.get(c, 10**9), chunks.index(c)))
            for row_id in best[:per_page] if per_page else best:
                out.setdefault(row_id)
        return list(out)


def build_page_view(conn: sqlite3.Connection) -> PageView:
    """The page view of one index database, built in memory (~1 s for 2,000 pages; the database is only read)."""
    # Pages of unpaged formats (Markdown: one page 1) are left out: their chunks carry lines, not pages.
    paged = {d for (d,) in conn.execute("SELECT DISTINCT doc_id FROM chunks WHERE page_start IS NOT NULL")}
    keys: dict[int, tuple[str, int]] = {}
    bags: list[Counter] = []
    for doc_id, page, text in conn.execute("SELECT doc_id, page, text FROM pages ORDER BY doc_id, page"):
        if doc_id in paged:
            keys[len(bags)] = (doc_id, int(page))
            bags.append(Counter(page_tokens(index_text("", text or ""))))
    chunks: dict[tuple[str, int], list[int]] = {}
    for row_id, doc_id, start, end in conn.execute(
            "SELECT id, doc_id, page_start, page_end FROM chunks WHERE page_start IS NOT NULL ORDER BY doc_id, seq"):
        for page in range(int(start), int(end or start) + 1):
            chunks.setdefault((doc_id, page), []).append(int(row_id))
    return PageView(_matrix(bags), keys, {k: tuple(v) for k, v in chunks.items()})


_ACCENT = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TOKEN = re.compile(r"[^\W_]+")


def page_tokens(text: str) -> list[str]:
    """`fts_tokens` by regular expression: the same tokens for ordinary text, ~50x faster over whole pages
    (the FTS5 tokenizer itself, through fts5vocab, takes ~30 s for a corpus's pages)."""
    # "Σ" first: str.lower() writes a word-final capital sigma as "ς", FTS5 (character by character) as "σ".
    return _TOKEN.findall(_ACCENT.sub("", unicodedata.normalize("NFKD", text.replace("Σ", "σ").lower())))


def _matrix(bags: list[Counter]) -> TermMatrix:
    terms = sorted({t for bag in bags for t in bag})
    position = {t: k for k, t in enumerate(terms)}
    term_of, row_of, count_of = [], [], []
    for row, bag in enumerate(bags):
        for t, c in bag.items():
            term_of.append(position[t])
            row_of.append(row)
            count_of.append(c)
    term_of_a = np.array(term_of, dtype=np.int64)
    order = np.argsort(term_of_a, kind="stable")  # column-compressed: by term, then page
    starts = np.searchsorted(term_of_a[order], np.arange(len(terms) + 1))
    rows = np.array(row_of, dtype=np.int32)[order]
    counts = np.array(count_of, dtype=np.float32)[order]
    lengths = np.array([sum(bag.values()) for bag in bags], dtype=np.float64)
    return TermMatrix(np.array(terms, dtype=str), starts.astype(np.int64), rows, counts,
                      np.arange(len(bags), dtype=np.int64), lengths)
