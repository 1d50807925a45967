"""Reciprocal rank fusion and near-duplicate collapse, on hand-made rankings and texts."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import collapse_duplicates, fingerprint_cache, rrf, shingles


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert [i for i, _ in fused] == [1, 3, 2]
    assert dict(fused)[3] == pytest.approx(1 / 63 + 1 / 61)
    weighted = rrf([[1, 2], [2, 1]], k=1, weights=[1.0, 3.0])
    assert [i for i, _ in weighted] == [2, 1]


def test_collapse_keeps_best_rank_within_a_document_and_newest_across():
    texts = {1: "give zinc for ten days to children", 2: "give zinc for ten days to children now",
             3: "oxygen below 90", 4: "give zinc for ten days to children"}
    years = {1: 2010, 2: 2010, 3: 2010, 4: 2020}
    docs = {1: "a", 2: "a", 3: "a", 4: "b"}
    kept = collapse_duplicates([1, 2, 3, 4], texts.get, years.get, docs.get, 0.8)
    assert kept == [4, 3]
    cached = fingerprint_cache(size=2)
    assert collapse_duplicates([1, 2, 3, 4], texts.get, years.get, docs.get, 0.8, cached) == [4, 3]
    assert len(cached(texts[3])) == len(shingles(texts[3])) and cached.cache_info().hits >= 1


def test_within_a_document_a_later_passage_goes_only_when_it_adds_little():
    rec = "give rectal artesunate 10 mg/kg before referral to children under six years"
    summary = f"Summary of recommendations. {rec}. Treat severe malaria with injectable artesunate for at least 24 hours."
    texts = {1: rec, 2: summary, 3: rec + " now"}
    same = collapse_duplicates([1, 2, 3], texts.get, lambda i: 2025, lambda i: "who", 0.8)
    assert same == [1, 2]  # the summary holds more than the kept passage: it stays; the near-copy goes
    across = collapse_duplicates([1, 2], texts.get, {1: 2015, 2: 2025}.get, {1: "old", 2: "new"}.get, 0.8)
    assert across == [2]  # another edition saying the same thing: the newest stands for both
