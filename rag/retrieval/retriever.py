"""Hybrid retrieval: dense (FAISS) + lexical (FTS5 BM25), fused by reciprocal rank, optionally
reranked by a cross-encoder, near-duplicates collapsed, filters applied before the top-k cut.
Optional levers (off by default): WordNet synonyms in the lexical query at a lower weight
(rag/text/synonyms.py) and a whole-page BM25 view fused as a third ranking (rag/retrieval/page_view.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import faiss
import numpy as np

from rag.embedding.embedder import Embedder
from rag.errors import BadRequest
from rag.index.fts import query_phrases
from rag.index.reader import ChunkRow, IndexReader, LiveIndex
from rag.retrieval.demotion import (
    attach_headings,
    demote_navigation,
    is_evidence_apparatus,
    is_heading_only,
    is_navigation,
    prefer_newest_edition,
)
from rag.retrieval.fusion import collapse_duplicates, fingerprint_cache, rrf
from rag.retrieval.named_sources import boost as boost_named_sources
from rag.retrieval.page_view import PageView, build_page_view
from rag.settings import Settings
from rag.text.question import Question, as_question
from rag.text.stopwords import QUERY_STOPWORDS
from rag.text.synonyms import ExpansionRules, expand
from rag.text.translation import translate_query
from rag.text.wordnet import load_wordnet
from rag.types import Filters, Passage

MODES = ("hybrid", "dense", "lexical")
DICTIONARY_METHODS = ("dictionary", "glossary+dictionary")


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages (rank 1..k) and the time each stage took, in milliseconds."""

    passages: list[Passage]
    timings: dict[str, float] = field(default_factory=dict)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 3)


@dataclass
class _Candidates:
    """What the first stages found for one question: rankings and their raw scores."""

    dense: list[tuple[int, float]] = field(default_factory=list)
    lexical: list[tuple[int, float]] = field(default_factory=list)
    vector: np.ndarray | None = None
    phrases: list[tuple[str, bool]] = field(default_factory=list)  # the lexical query, expansions included
    weights: list[float] | None = None  # per phrase; None = all 1
    expansions: list = field(default_factory=list)  # WordNet synonyms added to the lexical query


class Retriever:
    """Answers `search(question)` over the live index; thread-safe, models loaded once."""

    def __init__(self, index: LiveIndex, embedder: Embedder, settings: Settings, reranker=None):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker
        self._checked: str | None = None  # index version whose embedder was checked
        self._pool = ThreadPoolExecutor(settings.parallel_lexical, "lexical") if settings.parallel_lexical else None
        self.synonyms = settings.lexical_synonyms
        self.synonym_weight = settings.synonym_weight
        self.page_view_weight = settings.page_view_weight
        self.page_view_chunks = settings.page_view_chunks
        self.synonym_rules = ExpansionRules()
        # Loaded here, once per process (cached), so the first question does not pay for reading WordNet.
        self._wordnet = load_wordnet(settings.wordnet_dir) if self.synonyms else None

    def reader(self) -> IndexReader:
        """The current index version, refused if another embedder built it."""
        reader = self.index.get()
        if self._checked != str(reader.dir):
            self.embedder.info.check_compatible(reader.manifest["embedder"])
            self._checked = str(reader.dir)
        return reader

    def search(self, question: str | Question, k: int | None = None, filters: Filters | None = None,
               mode: str | None = None) -> SearchResult:
        """The top-k passages for a question, each with its full citation and per-stage scores."""
        t_start = time.perf_counter()
        question = as_question(question, self.settings.max_question_chars, self.settings.query_translation)
        mode = mode or self.settings.retrieval_mode
        if mode not in MODES:
            raise BadRequest(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        k = k or self.settings.top_k
        if k < 1:
            raise BadRequest("k must be at least 1")
        reader = self.reader()
        if self.settings.query_translation in DICTIONARY_METHODS and question.query.language != "en":
            # The dictionary's English words are kept only where the indexed corpus has them (it measured
            # worse unrestricted: benchmarks/results/crosslingual.json); that needs the index, so it is done here.
            question = Question(str(question), translate_query(str(question), self.settings.query_translation,
                                                               reader.chunks_with_term))
        doc_ids = reader.filter_documents(filters) if filters is not None else None
        timings = {"embed": 0.0, "dense": 0.0, "lexical": 0.0, "fuse": 0.0, "rerank": 0.0}
        if doc_ids == []:  # filters that match no document: nothing to search
            timings["total"] = _ms(t_start)
            return SearchResult([], timings)
        found = self._first_stage(reader, question, mode, doc_ids, timings)
        t0 = time.perf_counter()
        weights = [self.settings.dense_weight, self.settings.lexical_weight]
        rankings = [[i for i, _ in found.dense], [i for i, _ in found.lexical]]
        if self.page_view_weight > 0 and found.phrases:
            rankings.append(self._page_ranking(reader, found, doc_ids))
            weights.append(self.page_view_weight)
        fused = rrf(rankings, self.settings.rrf_k, weights)
        fused = boost_named_sources(fused, reader, question, self.settings.source_boost)
        # Only the head can reach the top k (after rerank and dedup): fetch and compare just that.
        window = max(3 * k, self.settings.rerank_candidates if self.reranker else 0, 30)
        fused = fused[:window]
        rows = reader.chunks([i for i, _ in fused])
        timings["fuse"] = _ms(t0)
        order, rerank_scores = self._rerank(question, fused, rows, timings)
        t0 = time.perf_counter()
        passages = self._passages(reader, order, rows, dict(fused), rerank_scores, found, k)
        timings["fuse"] = round(timings["fuse"] + _ms(t0), 3)
        timings["total"] = _ms(t_start)
        return SearchResult(passages, timings)

    # --- stages
    def _first_stage(self, reader: IndexReader, question: Question, mode: str, doc_ids: list[str] | None,
                     timings: dict[str, float]) -> _Candidates:
        found = _Candidates()
        n = self.settings.candidates
        query = question.query
        pending = None
        if mode in ("hybrid", "lexical"):
            # ONNX Runtime, SQLite and numpy's loops mostly run without the GIL: BM25 goes beside the embedding.
            if mode == "hybrid" and self._pool is not None:
                pending = self._pool.submit(_timed, self._lexical, reader, query.lexical, n, doc_ids, found)
            else:
                found.lexical, timings["lexical"] = _timed(self._lexical, reader, query.lexical, n, doc_ids, found)
        if mode in ("hybrid", "dense"):
            t0 = time.perf_counter()
            found.vector = self.embedder.embed_query(query.dense)
            timings["embed"] = _ms(t0)
            t0 = time.perf_counter()
            allowed = reader.allowed_ids(doc_ids) if doc_ids is not None else None
            if self.settings.search_threads:
                # OpenMP's thread count belongs to the calling thread, and requests arrive on many: each sets
                # its own. One flat search takes ~1 ms on one thread; a team of two spins against the other
                # requests' threads (1.8 ms of CPU instead of 0.7 alone, 15 ms per search on a busy machine).
                faiss.omp_set_num_threads(self.settings.search_threads)
            found.dense = reader.dense_search(found.vector, n, allowed)
            timings["dense"] = _ms(t0)
        if pending is not None:
            found.lexical, timings["lexical"] = pending.result()
        return found

    def _lexical(self, reader: IndexReader, text: str, n: int, doc_ids: list[str] | None,
                 found: _Candidates) -> list[tuple[int, float]]:
        """BM25 over the question's words and, with lexical_synonyms, its WordNet synonyms at a lower weight."""
        prefix, numbers = self.settings.lexical_prefix, self.settings.lexical_numbers
        phrases = query_phrases(text, QUERY_STOPWORDS, prefix=prefix, numbers=numbers)
        weights = None
        if self._wordnet is not None and self.synonym_weight > 0:
            count = reader.derived("chunks_with_prefix", _prefix_counter)
            found.expansions = expand(text, self._wordnet, count, len(reader.term_matrix.row_ids)
                                      if reader.term_matrix is not None else reader.chunk_count(), self.synonym_rules)
            own = set(phrases)
            extra = [p for p in query_phrases(" ".join(e.term for e in found.expansions), QUERY_STOPWORDS,
                                              prefix=prefix, numbers=numbers) if p not in own]
            if extra:
                phrases, weights = phrases + extra, [1.0] * len(phrases) + [self.synonym_weight] * len(extra)
        found.phrases, found.weights = phrases, weights
        return reader.bm25_search(phrases, n, doc_ids, weights)

    def _page_ranking(self, reader: IndexReader, found: _Candidates, doc_ids: list[str] | None) -> list[int]:
        view: PageView = reader.derived("page_view", lambda r: build_page_view(r.db))
        first: dict[int, int] = {}
        for ranking in (found.dense, found.lexical):
            for rank, (i, _) in enumerate(ranking, start=1):
                first[i] = min(first.get(i, rank), rank)
        return view.ranking(found.phrases, first, allowed_docs=set(doc_ids) if doc_ids is not None else None,
                            weights=found.weights, per_page=self.page_view_chunks)

    def _rerank(self, question: str, fused: list[tuple[int, float]], rows: dict[int, ChunkRow],
                timings: dict[str, float]) -> tuple[list[int], dict[int, float]]:
        order = [i for i, _ in fused if i in rows]
        if self.reranker is None or not order:
            return order, {}
        t0 = time.perf_counter()
        head = order[: self.settings.rerank_candidates]
        scores = self.reranker.score(question, [f"{rows[i].header}\n{rows[i].text}" for i in head])
        by_id = {i: float(s) for i, s in zip(head, scores)}
        # Stable: equal rerank scores keep the fused order.
        head = sorted(head, key=lambda i: -by_id[i])
        timings["rerank"] = _ms(t0)
        return head + order[len(head):], by_id

    def _passages(self, reader: IndexReader, order: list[int], rows: dict[int, ChunkRow], fused: dict[int, float],
                  rerank: dict[int, float], found: _Candidates, k: int) -> list[Passage]:
        if self.settings.demote_navigation:
            order = attach_headings(order, rows, reader.chunks)
            apparatus = (lambda i: is_evidence_apparatus(rows[i].text, rows[i].section)) \
                if self.settings.demote_evidence_apparatus else None
            order = demote_navigation(order, lambda i: is_navigation(rows[i].text, rows[i].section)
                                       or is_heading_only(rows[i].text), apparatus)
        prints = reader.derived("fingerprints", lambda _: fingerprint_cache())
        # Always on: an older edition of a guideline indexed with its newer one answers below it.
        order = prefer_newest_edition(order, lambda i: rows[i].doc_id, reader.superseded, lambda i: prints(rows[i].text),
                                      lambda i: rows[i].section)
        if self.settings.dedup_threshold <= 1.0:
            docs = reader.documents
            order = collapse_duplicates(order, lambda i: rows[i].text, lambda i: docs[rows[i].doc_id].year,
                                        lambda i: rows[i].doc_id, self.settings.dedup_threshold, prints)
        top = order[:k]
        dense, lexical = dict(found.dense), dict(found.lexical)
        if found.vector is not None:
            dense.update(_cosines(reader, [i for i in top if i not in dense], found.vector))
        passages = []
        for rank, i in enumerate(top, start=1):
            scores = {"rrf": fused[i]}
            if i in dense:
                scores["dense"] = dense[i]
            if i in lexical:
                scores["lexical"] = lexical[i]
            if i in rerank:
                scores["rerank"] = rerank[i]
            score = rerank.get(i, fused[i])
            passages.append(reader.passage(rows[i], score, rank=rank, scores=scores))
        return passages


def _timed(search: Callable, *args) -> tuple[list, float]:
    """A search's result and its own duration in ms (it may run on another thread)."""
    t0 = time.perf_counter()
    return search(*args), _ms(t0)


def _prefix_counter(reader: IndexReader) -> Callable[[str], int]:
    """Chunks holding a word that starts with a term, memoised for this index version."""
    matrix = reader.term_matrix
    return lru_cache(maxsize=65536)(matrix.chunks_with if matrix is not None else reader.chunks_with_term)


def _cosines(reader: IndexReader, ids: list[int], vector: np.ndarray) -> dict[int, float]:
    """Dense scores for passages only the lexical retriever found (the abstain check reads them)."""
    out = {}
    for i in ids:
        try:
            out[i] = float(np.dot(reader.dense.reconstruct(int(i)), vector))
        except RuntimeError:  # an index type that cannot reconstruct: leave the score out
            return out
    return out

