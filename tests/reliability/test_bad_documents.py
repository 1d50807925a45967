"""Malformed guideline files: ingest finishes, names each bad file with a clear reason, and the
index stays valid. Then the parsing, chunking and lexical-query entry points are fuzzed."""

from __future__ import annotations

import sqlite3
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ingest.blocks import Block
from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.parsers.formats import SUPPORTED_SUFFIXES, parse_file
from ingest.pipeline import ingest
from rag.errors import BadDocument
from rag.index import layout
from rag.index.fts import fts_query
from rag.settings import Settings
from rag.text.stopwords import QUERY_STOPWORDS
from tests.support.hostile import GOOD, MARKERS, write_bad_corpus

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory, embedder):
    """The bad corpus ingested once, on top of an index that already holds one good guideline."""
    base = tmp_path_factory.mktemp("bad")
    good = base / "good"
    good.mkdir()
    (good / "ors.md").write_text(f"# Diarrhoea\n\n{GOOD}\n", encoding="utf-8")
    index = base / "index"
    ingest([good / "ors.md"], embedder, Settings(index=index))
    inputs = write_bad_corpus(base / "corpus")
    report = ingest([base / "corpus"], embedder, Settings(index=index, max_pages=50))
    return inputs, report, index


def test_every_bad_input_is_reported_with_a_reason_naming_it(bad_run):
    inputs, report, _ = bad_run
    assert len(inputs) >= 30
    by_source = {f.source: f for f in report.files}
    for item in inputs:
        line = by_source.get(item.source)
        if not item.statuses:  # folder oddities: never taken for guidelines
            assert not any(s.startswith(item.source) for s in by_source), item.source
            continue
        assert line is not None, f"{item.source} missing from the report"
        assert line.status in item.statuses, (item.source, line.status, line.reason)
        if line.status == "failed":
            assert Path(item.source).name in line.reason, (item.source, line.reason)
        if item.reason:
            assert any(word in (line.reason or "").lower() for word in item.reason), (item.source, line.reason)
    assert report.count("failed") >= 15 and report.count("ingested") >= 15


def test_index_stays_valid_and_keeps_what_it_had(bad_run):
    _, _, index = bad_run
    from api.cli import build_app


    app = build_app()
    verify = CliRunner().invoke(app, ["index", "verify", "--index", str(index)])
    assert verify.exit_code == 0, verify.output
    db = sqlite3.connect(layout.current_dir(index) / layout.CHUNKS_DB)
    sources = {r[0] for r in db.execute("SELECT source FROM documents")}
    texts = " ".join(r[0] for r in db.execute("SELECT text FROM chunks"))
    assert "ors.md" in sources and "text/scripts.html" in sources
    assert not [m for m in MARKERS if m in texts], "script, style or iframe content was indexed"


def test_ingest_refuses_past_the_size_limit(tmp_path, embedder):
    big = tmp_path / "c" / "big.md"
    big.parent.mkdir()
    big.write_text(("# Big\n\n" + GOOD + "\n") * 12_000, encoding="utf-8")
    report = ingest([big.parent], embedder, Settings(index=tmp_path / "i", max_file_mb=1))
    [line] = report.files
    assert line.status == "failed" and "big.md" in line.reason and "limit" in line.reason


# --- fuzzing the project's own entry points (bounded: a few hundred examples, seconds each)
@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)),
       prefix=st.sampled_from([b"", b"%PDF-1.7\n", b"<html>", b"# ", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_parse_file_either_parses_or_says_bad_document(tmp_path_factory, data, suffix, prefix):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(prefix + data)
    try:
        doc = parse_file(path, max_pages=20)
    except BadDocument as exc:
        assert path.name in str(exc) or str(path) in str(exc)
        return
    assert all(isinstance(b.text, str) for b in doc.blocks)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=3000)


@FUZZ
@given(texts=st.lists(_TEXT, min_size=1, max_size=6), tokens=st.integers(32, 300),
       sections=st.lists(st.text(string.ascii_letters, max_size=10), max_size=3))
def test_chunker_keeps_every_chunk_within_the_embedder_limit(texts, tokens, sections):
    params = ChunkerParams(chunk_tokens=tokens, chunk_overlap=min(20, tokens - 1), max_tokens=max(tokens, 64))
    blocks = [Block(text=t, section=tuple(sections)) for t in texts]
    count = lambda s: len(s.split()) + len(s) // 8  # noqa: E731  (a tokenizer-like count: words and long runs)
    chunks = chunk_blocks(blocks, doc_id="d" * 64, title="T", count_tokens=count, params=params)
    for c in chunks:
        assert c.text.strip()
        assert count(f"{c.header}\n{c.text}") <= params.max_tokens or len(c.text) < 2
    assert len({c.chunk_id for c in chunks}) == len(chunks)


@FUZZ
@given(question=st.text(max_size=500))
def test_lexical_query_is_inert_fts5_for_any_text(api_index, question):
    from rag.index.reader import IndexReader

    reader = IndexReader.open(api_index)
    match = fts_query(question, QUERY_STOPWORDS, prefix=True)
    if match is not None:
        rows = reader.lexical_search(match, 5)  # FTS5 syntax in user text must never raise
        assert len(rows) <= 5
