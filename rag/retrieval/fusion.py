"""Rank fusion and near-duplicate suppression: pure functions over ranked lists of row ids."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)


def rrf(rankings: Sequence[Sequence[int]], k: int, weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: sum of weight / (k + rank) over the lists an id appears in, best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, row_id in enumerate(ranking, start=1):
            scores[row_id] = scores.get(row_id, 0.0) + weight / (k + rank)
    # Ties (same fused score) keep the first list's order: stable sort on insertion order.
    return sorted(scores.items(), key=lambda item: -item[1])


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    """Word n-grams of a case-folded, NFKC-normalised text (the fingerprint near-duplicates share)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    # Tuples from zip, not joined strings: this runs on 30+ passages of every query.
    return frozenset(zip(*(words[i:] for i in range(n))))


def shingle_hashes(text: str) -> frozenset[int]:
    """The shingles of a text as hashes: what a fingerprint cache keeps (ints, not tuples of strings)."""
    return frozenset(map(hash, shingles(text)))


def fingerprint_cache(size: int = 2048) -> Callable[[str], frozenset[int]]:
    """A bounded memo of `shingle_hashes`: the same top passages recur across queries (~0.07 ms each to cut)."""
    return lru_cache(maxsize=size)(shingle_hashes)


def collapse_duplicates(
    ranked: Sequence[int],
    text_of: Callable[[int], str],
    year_of: Callable[[int], int | None],
    doc_of: Callable[[int], str],
    threshold: float,
    fingerprint: Callable[[str], frozenset] = shingles,
) -> list[int]:
    """Keep one of each group of near-identical texts, at the group's best rank.

    Within a group the representative is the newest edition (highest year of another document);
    in the same document (a guideline repeating itself) the best-ranked one stays, and a later
    passage goes only when its own text is mostly in a kept one: a summary page that holds the
    kept recommendation and others stays. The others are dropped from this ranking only: a filter
    on their document or year still finds them.
    """
    kept: list[int] = []
    prints: list[frozenset] = []
    for row_id in ranked:
        fp = fingerprint(text_of(row_id))
        doc = doc_of(row_id)
        match = next((i for i, other in enumerate(prints)
                      if _duplicate(fp, other, doc == doc_of(kept[i]), threshold)), None)
        if match is None:
            kept.append(row_id)
            prints.append(fp)
            continue
        holder = kept[match]
        newer = (year_of(row_id) or 0) > (year_of(holder) or 0) and doc != doc_of(holder)
        if newer:
            kept[match] = row_id
            prints[match] = fp
    return kept


def _duplicate(later: frozenset, kept: frozenset, same_document: bool, threshold: float) -> bool:
    """Across editions: the two overlap (relative to the smaller); in one document: the later adds little."""
    if not later or not kept:
        return False
    base = len(later) if same_document else min(len(later), len(kept))
    return len(later & kept) / base >= threshold
