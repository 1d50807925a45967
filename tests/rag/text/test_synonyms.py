"""WordNet synonym expansion: the real WordNet 3.0 database files (Debian `wordnet-base`), a real index
(SQLite + FTS5 + term matrix) and the fake embedder, since only the lexical leg is read."""

from __future__ import annotations

import pytest

from rag.index import layout
from rag.index.fts import query_phrases
from rag.index.reader import IndexReader, LiveIndex
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.text.stopwords import QUERY_STOPWORDS
from rag.text.synonyms import ExpansionRules, expand
from rag.text.wordnet import DEFAULT_DIR, load_wordnet
from tests.support.index import Doc, Page, build_index

pytestmark = pytest.mark.skipif(not (DEFAULT_DIR / "index.noun").is_file(),
                                reason="WordNet not installed: apt-get install -y wordnet-base")

LAY_DOCS = (
    Doc("msf/drugs.pdf", "Essential drugs", "MSF", 2023, (
        Page("Haemorrhoids. Give a stool softener and advise a diet rich in fibre.", ("Haemorrhoids",), "10"),
        Page("Hypertension in adults: start a thiazide diuretic at low dose.", ("Hypertension",), "11"),
        Page("Treats of the season: children like sweets. Sweets are given after meals.", ("Food",), "12"),
        Page("Convulsions in a child with fever: give diazepam rectally.", ("Convulsions",), "13"),
    )),
)


@pytest.fixture(scope="module")
def wordnet():
    return load_wordnet()


@pytest.fixture(scope="module")
def lay_index(tmp_path_factory, fake_embedder):
    return build_index(tmp_path_factory.mktemp("lay") / "index", fake_embedder, LAY_DOCS)


def _corpus(counts: dict[str, int]):
    return lambda term: counts.get(term, 0)


def test_wordnet_files_are_read_with_senses_and_inflections(wordnet):
    lemmas = {lemma for s in wordnet.synsets("piles", "n") for lemma in s.lemmas}
    assert {"haemorrhoid", "hemorrhoid"} <= lemmas
    assert "haemorrhoid" in wordnet.base_forms("haemorrhoids", "n")
    assert "hypertension" in {lemma for s in wordnet.synsets("high_blood_pressure", "n") for lemma in s.lemmas}
    assert wordnet.synsets("no_such_lemma_here", "n") == []


def test_lay_terms_expand_to_the_corpus_words(wordnet):
    corpus = _corpus({"haemorrhoid": 3, "hypertension": 5, "diuretic": 2, "convulsion": 4})
    found = expand("water pill for high blood pressure; also piles", wordnet, corpus, 1000)
    assert {(e.term, e.source) for e in found} >= {("hypertension", "high blood pressure"), ("diuretic", "water pill"),
                                                   ("haemorrhoid", "piles")}
    assert "convulsion" in {e.term for e in expand("my child had a fit", wordnet, corpus, 1000)}


def test_terms_absent_from_or_common_in_the_corpus_are_not_added(wordnet):
    assert expand("What treats piles?", wordnet, _corpus({}), 1000) == []
    assert expand("What treats piles?", wordnet, _corpus({"haemorrhoid": 400}), 1000) == []  # in 40% of chunks
    words = {e.term for e in expand("hypertension", wordnet, _corpus({"hypertension": 5}), 1000)}
    assert "hypertension" not in words  # the question's own word is not an expansion of itself


def test_senses_outside_clinical_domains_are_skipped_unless_asked(wordnet):
    corpus = _corpus({"haemorrhoid": 1, "heaps": 1, "loads": 1})
    clinical = {e.term for e in expand("piles", wordnet, corpus, 1000)}
    assert "haemorrhoid" in clinical and not clinical & {"heaps", "loads"}  # "piles" = lots is noun.quantity
    everything = {e.term for e in expand("piles", wordnet, corpus, 1000, ExpansionRules(clinical_only=False))}
    assert {"haemorrhoid", "heaps", "loads"} <= everything


def _lexical(index, embedder, **settings):
    # model_copy: until rag/settings.py declares lexical_synonyms and synonym_weight, the constructor drops them.
    return Retriever(LiveIndex(index), embedder,
                     Settings(index=index, retrieval_mode="lexical").model_copy(update=settings))


def test_a_lay_question_finds_the_clinical_passage_only_with_synonyms(lay_index, fake_embedder):
    question = "What helps with piles?"
    assert not any("Haemorrhoids" in p.text for p in _lexical(lay_index, fake_embedder).search(question).passages)
    on = _lexical(lay_index, fake_embedder, lexical_synonyms=True, synonym_weight=0.4).search(question).passages
    assert on and on[0].text.startswith("Haemorrhoids")


def test_expansions_weigh_less_than_the_questions_own_words(lay_index):
    reader = IndexReader.open(lay_index)
    phrases = query_phrases("treats haemorrhoid", QUERY_STOPWORDS, prefix=True)
    even = reader.bm25_search(phrases, 5)
    rows = reader.chunks([i for i, _ in even])
    weighted = dict(reader.bm25_search(phrases, 5, weights=[1.0, 0.3]))
    by_text = {rows[i].text.split(".")[0]: s for i, s in even}
    assert weighted[next(i for i in rows if rows[i].text.startswith("Haemorrhoids"))] == pytest.approx(
        by_text["Haemorrhoids"] * 0.3, rel=1e-9)
    with pytest.raises(ValueError, match="2 weights for 1 phrases"):
        reader.bm25_search(phrases[:1], 5, weights=[1.0, 0.5])


def test_weighted_search_through_fts5_ranks_as_the_term_matrix(tmp_path, fake_embedder):
    index = build_index(tmp_path / "index", fake_embedder, LAY_DOCS)
    matrix = IndexReader.open(index)
    phrases = query_phrases("sweets for a child with haemorrhoids and fever", QUERY_STOPWORDS, prefix=True)
    weights = [1.0 if k % 2 else 0.3 for k in range(len(phrases))]
    expected = matrix.bm25_search(phrases, 10, weights=weights)
    (layout.current_dir(index) / layout.LEXICAL).unlink()
    fts = IndexReader.open(index)
    assert fts.term_matrix is None
    got = fts.bm25_search(phrases, 10, weights=weights)
    assert [i for i, _ in got] == [i for i, _ in expected] and len(got) >= 3
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-6)
