"""The whole-page view: BM25 over pages of a real index (SQLite pages table, FTS5-equal tokens), its chunk
ranking, and its place in the retriever's fusion (fake embedder: the dense leg is not what is tested)."""

from __future__ import annotations

import random

import pytest

from rag.index.bm25 import fts_tokens
from rag.index.fts import query_phrases
from rag.index.reader import IndexReader, LiveIndex
from rag.retrieval.page_view import build_page_view, page_tokens
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.text.stopwords import QUERY_STOPWORDS
from rag.types import Filters
from tests.support.index import Doc, Page, build_index

FILLER = " ".join(f"Monitoring note {n}: record the respiratory rate, pulse and temperature." for n in range(30))
# The page answering "antivenom dose for snakebite" holds the three words far apart, in different chunks.
PAGED_DOCS = (
    Doc("who/snakebite.pdf", "Snakebite guideline", "WHO", 2016, (
        Page("Snakebite envenoming. " + FILLER + " Antivenom: the initial dose is 10 vials.", ("Snakebite",), "4"),
        Page("Snakebite first aid: immobilise the limb and carry the patient to hospital.", ("First aid",), "5"),
    )),
    Doc("msf/drugs.pdf", "Essential drugs", "MSF", 2023, (
        Page("Zinc sulfate dose: 20 mg once daily for 10 days.", ("Zinc",), "9"),
    )),
)


@pytest.fixture(scope="module")
def paged_index(tmp_path_factory, fake_embedder):
    return build_index(tmp_path_factory.mktemp("paged") / "index", fake_embedder, PAGED_DOCS)


@pytest.fixture(scope="module")
def view(paged_index):
    return build_page_view(IndexReader.open(paged_index).db)


def _phrases(text: str):
    return query_phrases(text, QUERY_STOPWORDS, prefix=True)


def test_page_tokens_are_the_fts5_tokens():
    rng = random.Random(3)
    alphabet = "abcdeéèêëàçñüöÅØßİıΣσ0123456789 _-/<>.,'’\u0301\u00a0\n"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert page_tokens(text) == fts_tokens(text), text


def test_pages_rank_by_their_whole_text(view, paged_index):
    reader = IndexReader.open(paged_index)
    snakebite, drugs = reader.by_source["who/snakebite.pdf"].doc_id, reader.by_source["msf/drugs.pdf"].doc_id
    top = [key for key, _ in view.search(_phrases("antivenom dose snakebite"))]
    assert top[0] == (snakebite, 1) and set(top) == {(snakebite, 1), (snakebite, 2), (drugs, 1)}
    assert view.search(_phrases("zinc"))[0][0][1] == 1 and len(view.search(_phrases("zinc"))) == 1
    assert view.search(_phrases("nothingmatchesthis")) == []


def test_the_page_ranking_lists_the_top_pages_chunks_page_by_page(view, paged_index):
    reader = IndexReader.open(paged_index)
    first_page = view.chunks[view.search(_phrases("antivenom dose snakebite"))[0][0]]
    assert len(first_page) >= 2  # the long page is cut into several chunks
    ranking = view.ranking(_phrases("antivenom dose snakebite"), {first_page[-1]: 1}, per_page=0)
    assert ranking[0] == first_page[-1]  # within a page, the best chunk-level rank first
    assert set(ranking[: len(first_page)]) == set(first_page)
    one = view.ranking(_phrases("antivenom dose snakebite"), {first_page[-1]: 1})
    assert one[0] == first_page[-1] and not set(one) & set(first_page[:-1])  # one chunk a page by default
    assert all(reader.chunks([i])[i].page_start is not None for i in ranking)


def test_a_document_filter_keeps_other_documents_pages_out(view, paged_index):
    reader = IndexReader.open(paged_index)
    drugs = reader.by_source["msf/drugs.pdf"].doc_id
    assert {d for (d, _), _ in view.search(_phrases("dose"), allowed_docs={drugs})} == {drugs}


def _retriever(index, embedder, **settings) -> Retriever:
    # model_copy: until rag/settings.py declares page_view_weight, the constructor drops it.
    return Retriever(LiveIndex(index), embedder, Settings(index=index, retrieval_mode="lexical").model_copy(update=settings))


def test_the_page_view_joins_the_fusion_and_respects_filters(paged_index, fake_embedder):
    question = "antivenom dose for snakebite"
    off = _retriever(paged_index, fake_embedder).search(question, k=10).passages
    on = _retriever(paged_index, fake_embedder, page_view_weight=1.0, page_view_chunks=0).search(question, k=10).passages
    assert on[0].pages == [1] and on[0].source == "who/snakebite.pdf"
    assert {p.chunk_id for p in on} >= {p.chunk_id for p in off}
    assert [p.chunk_id for p in on] != [p.chunk_id for p in off]  # the third ranking moved something
    filtered = _retriever(paged_index, fake_embedder, page_view_weight=1.0).search(
        question, k=10, filters=Filters(doc="msf/drugs.pdf")).passages
    assert {p.source for p in filtered} == {"msf/drugs.pdf"}
