"""The FTS5 query built from a question: stopwords left out, content words kept."""

from __future__ import annotations

from rag.index.fts import fts_query
from rag.text.stopwords import QUERY_STOPWORDS


def test_query_stopwords_leave_content_words():
    assert fts_query("What is the dose of zinc for a child?", QUERY_STOPWORDS) == '"dose" OR "zinc" OR "child"'
    assert fts_query("what is the", QUERY_STOPWORDS) is None
