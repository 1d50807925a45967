"""Hybrid retrieval over a small index: citations, filters, fusion, dedup, languages.

Tests about ranking by meaning use `small_index` and the real embedder; tests of filters, fusion
arithmetic, lexical search and threading use `fake_index` and the fake embedder.
"""

from __future__ import annotations

import threading

import pytest

from rag.errors import BadRequest, EmbedderMismatch
from rag.index.fts import fts_query
from rag.index.reader import LiveIndex
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.types import Filters
from rag.wiring import build_retriever


def _retriever(index, embedder, reranker=None, **settings) -> Retriever:
    return Retriever(LiveIndex(index), embedder, Settings(index=index, **settings), reranker=reranker)


def test_top_passage_carries_its_full_citation(small_index, embedder):
    result = _retriever(small_index, embedder).search("How many days of zinc for acute diarrhoea?", k=3)
    top = result.passages[0]
    assert (top.source, top.organisation, top.year, top.title) == (
        "msf/essential_drugs.pdf", "MSF", 2023, "Essential drugs: practical guide")
    assert top.pages == [1] and top.page_labels == ["210"] and top.lines is None
    assert top.section == "Oral drugs > Zinc sulfate"
    assert "for 10 days" in top.text and top.chunk_id
    assert [p.rank for p in result.passages] == [1, 2, 3]
    assert set(result.timings) >= {"embed", "dense", "lexical", "fuse", "rerank", "total"}
    assert top.to_dict()["pages"] == [1] and top.to_dict()["rank"] == 1


def test_every_passage_has_a_dense_score_for_the_abstain_check(fake_index, fake_embedder):
    result = _retriever(fake_index, fake_embedder).search("artesunate dose children", k=6)
    assert all("dense" in p.scores and -1.0 <= p.scores["dense"] <= 1.0 for p in result.passages)


@pytest.mark.parametrize("filters, expected_sources, count", [
    (Filters(organisation="msf"), {"msf/essential_drugs.pdf", "msf/guide_fr.pdf"}, 2),
    (Filters(doc="other/oxygen_manual.pdf"), {"other/oxygen_manual.pdf"}, 2),
    (Filters(year=2015), {"who/malaria_2015.pdf"}, 1),
    (Filters(language="fr"), {"msf/guide_fr.pdf"}, 1),
])
def test_filters_apply_before_the_top_k_cut(fake_index, fake_embedder, filters, expected_sources, count):
    # The question is about WHO malaria text; the filter must still fill k from the allowed documents.
    result = _retriever(fake_index, fake_embedder).search("artesunate dose severe malaria children", k=2, filters=filters)
    assert {p.source for p in result.passages} <= expected_sources
    assert len(result.passages) == count


def test_filter_matching_nothing_returns_no_passages(fake_index, fake_embedder):
    assert _retriever(fake_index, fake_embedder).search("zinc", filters=Filters(organisation="UNICEF")).passages == []


def test_hybrid_scores_are_the_fusion_of_both_rankings(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder, dedup_threshold=1.01)
    question = "amoxicillin mg/kg pneumonia"
    dense = [p.chunk_id for p in r.search(question, k=20, mode="dense").passages]
    lexical = [p.chunk_id for p in r.search(question, k=20, mode="lexical").passages]
    hybrid = r.search(question, k=5, mode="hybrid").passages
    expected = {c: 0.0 for c in dense + lexical}
    for ranking in (dense, lexical):
        for rank, c in enumerate(ranking, start=1):
            expected[c] += 1 / (60 + rank)
    best = sorted(expected, key=lambda c: -expected[c])[:5]
    assert [p.chunk_id for p in hybrid] == best
    assert hybrid[0].score == pytest.approx(expected[best[0]])


def test_unit_tokens_make_doses_searchable(fake_index, fake_embedder):
    assert "lt20" in fts_query("artesunate <20 kg")
    top = _retriever(fake_index, fake_embedder).search("<20 kg", k=1, mode="lexical").passages[0]
    assert "< 20 kg" in top.text
    assert "mgkgdose" in fts_query("30 mg/kg/dose")


def test_near_duplicates_collapse_to_the_newest_edition(small_index, embedder):
    r = _retriever(small_index, embedder)
    passages = r.search("higher dose of artesunate for children weighing less than 20 kg", k=5).passages
    with_rec = [p for p in passages if "equivalent exposure" in p.text]
    # The 2015 edition's copy collapses into the 2025 one; within 2025 the summary's copy and the dosing
    # page (the same recommendation and more) both stay, since the dosing page adds to it.
    assert with_rec and {p.year for p in with_rec} == {2025}
    # The older edition stays reachable with a filter, and with deduplication off.
    old = r.search("artesunate children 20 kg", k=1, filters=Filters(year=2015)).passages
    assert old[0].source == "who/malaria_2015.pdf"
    every = _retriever(small_index, embedder, dedup_threshold=1.01).search(
        "higher dose of artesunate for children weighing less than 20 kg", k=5).passages
    assert {p.source for p in every if "equivalent exposure" in p.text} == {"who/malaria_2025.pdf", "who/malaria_2015.pdf"}


@pytest.mark.parametrize("question", ["artesunate dose for children under 20 kg", "zinc diarrhoea days",
                                      "oxygen saturation threshold"])
def test_lexical_beside_the_embedding_ranks_as_one_after_the_other(fake_index, fake_embedder, question):
    parallel = _retriever(fake_index, fake_embedder, parallel_lexical=2).search(question, k=5)
    serial = _retriever(fake_index, fake_embedder, parallel_lexical=0).search(question, k=5)
    assert [(p.chunk_id, p.scores) for p in parallel.passages] == [(p.chunk_id, p.scores) for p in serial.passages]
    assert parallel.timings["lexical"] > 0 and parallel.timings["embed"] > 0


def test_every_request_thread_searches_faiss_on_search_threads(fake_index, fake_embedder):
    """OpenMP's thread count is per thread: a request thread that never set it would search with a
    team of all cores, which spins against the other requests on a small machine."""
    import faiss

    retriever = _retriever(fake_index, fake_embedder, search_threads=1)
    seen = []

    def request_thread() -> None:
        retriever.search("zinc diarrhoea days", k=3)
        seen.append(faiss.omp_get_max_threads())

    threads = [threading.Thread(target=request_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1, 1, 1]


@pytest.mark.parametrize("question, source", [
    ("À partir de quelle saturation en oxygène faut-il donner de l'oxygène à un enfant ?", "other/oxygen_manual.pdf"),
    ("¿Cuántos días de zinc para un niño con diarrea aguda?", "msf/essential_drugs.pdf"),
])
def test_french_and_spanish_questions_find_english_pages(small_index, embedder, question, source):
    result = _retriever(small_index, embedder, query_translation="glossary").search(question, k=1)
    assert result.passages[0].source == source


def test_bad_requests_and_a_foreign_embedder_are_refused(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    with pytest.raises(BadRequest):
        r.search("   ")
    with pytest.raises(BadRequest):
        r.search("zinc", mode="sparse")

    class Other:
        info = fake_embedder.info.__class__(**{**fake_embedder.info.to_dict(), "fingerprint": "0" * 16})
    with pytest.raises(EmbedderMismatch):
        Retriever(LiveIndex(fake_index), Other(), Settings(index=fake_index)).search("zinc")


def test_build_retriever_reads_the_settings(fake_index, fake_embedder):
    r = build_retriever(Settings(index=fake_index, top_k=2), embedder=fake_embedder)
    assert r.reranker is None and len(r.search("oxygen saturation").passages) == 2


def test_prefix_query_matches_other_word_forms(fake_index, fake_embedder):
    assert fts_query("preventive months", prefix=True) == '"prevent" * OR "month" *'
    assert fts_query("give 30 mg/kg", numbers=False) == '"give" OR "mg" OR "kg" OR "mgkg"'
    # "distribution" is not in the text; its stem finds "distributed" only with the prefix query.
    exact = _retriever(fake_index, fake_embedder, lexical_prefix=False).search("distribution", mode="lexical")
    stemmed = _retriever(fake_index, fake_embedder, lexical_prefix=True).search("distribution", mode="lexical")
    assert exact.passages == [] and "distributed free of charge" in stemmed.passages[0].text
