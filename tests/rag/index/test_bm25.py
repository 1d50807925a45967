"""BM25 from the term matrix ranks exactly as FTS5's bm25() over the same index (small index, real FTS5;
the fake embedder, since no vector is read)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from rag.index import layout
from rag.index.bm25 import build_term_matrix, fts_tokens
from rag.index.fts import FTS_TOKENIZE, phrases_to_fts, query_phrases
from rag.index.reader import IndexReader
from rag.index.verify import verify_version
from rag.text.stopwords import QUERY_STOPWORDS
from tests.support.index import build_index

QUESTIONS = [
    "artesunate dose for children under 20 kg", "How many days of zinc for acute diarrhoea?",
    "oxygen saturation threshold SpO2 < 90%", "¿Cuántos días de zinc para un niño con diarrea?",
    "fièvre enfant paludisme grave", "30 mg/kg/dose amoxicillin", "insecticide-treated nets free of charge",
    "preventive treatment months", "artesunate <2.5 kg",  # "lt2_5" is a two-token phrase: FTS5 answers it
]


@pytest.fixture(scope="module")
def reader(fake_index):
    return IndexReader.open(fake_index)


def test_ingest_writes_the_matrix_and_verify_checks_it(reader):
    assert (reader.dir / layout.LEXICAL).is_file() and layout.LEXICAL in reader.manifest["files"]
    assert reader.term_matrix is not None and verify_version(reader.dir) == []


@pytest.mark.parametrize("prefix", [True, False])
@pytest.mark.parametrize("question", QUESTIONS)
def test_matrix_ranks_as_fts5(reader, question, prefix):
    phrases = query_phrases(question, QUERY_STOPWORDS, prefix=prefix)
    fts = reader.lexical_search(phrases_to_fts(phrases), 20)
    ours = reader.bm25_search(phrases, 20)
    assert [i for i, _ in ours] == [i for i, _ in fts]
    assert [s for _, s in ours] == pytest.approx([s for _, s in fts], rel=1e-9)
    assert fts  # every question matches something in the small corpus


def test_document_filter_ranks_as_fts5(reader):
    source = next(iter(reader.by_source))
    doc_ids = [reader.by_source[source].doc_id]
    phrases = query_phrases("artesunate zinc oxygen children", QUERY_STOPWORDS, prefix=True)
    ours = reader.bm25_search(phrases, 20, doc_ids)
    assert [i for i, _ in ours] == [i for i, _ in reader.lexical_search(phrases_to_fts(phrases), 20, doc_ids)]
    assert {reader.chunks([i])[i].doc_id for i, _ in ours} <= set(doc_ids)
    assert reader.bm25_search(phrases, 20, []) == []


def test_an_index_without_the_matrix_is_searched_through_fts5(tmp_path, fake_embedder):
    index = build_index(tmp_path / "index", fake_embedder)
    (layout.current_dir(index) / layout.LEXICAL).unlink()
    old = IndexReader.open(index)
    assert old.term_matrix is None
    phrases = query_phrases("zinc diarrhoea days", QUERY_STOPWORDS, prefix=True)
    assert old.bm25_search(phrases, 5) == old.lexical_search(phrases_to_fts(phrases), 5)


def test_query_tokens_are_folded_as_the_fts5_tokenizer_folds_them():
    rng = random.Random(7)
    alphabet = "abcdeéèêëàçñüöÅØßİıΣσ日本0123456789 _-/<>.,'’\u0301\u00a0"
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize=\"{FTS_TOKENIZE}\")")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    texts += ["Fièvre", "NIÑO días", "SpO2<90%", "mg/kg", "Œdème", "naïve café"]
    for n, text in enumerate(texts, start=1):
        conn.execute("INSERT INTO t (rowid, body) VALUES (?, ?)", (n, text))
    matrix = build_term_matrix(conn, "t")
    for n, text in enumerate(texts):
        columns = [t for t in range(len(matrix.terms)) if n in matrix.rows[matrix.starts[t]:matrix.starts[t + 1]]]
        assert sorted(set(fts_tokens(text))) == sorted(str(matrix.terms[t]) for t in columns), repr(text)
