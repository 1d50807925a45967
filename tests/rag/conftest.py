"""Fixtures of the rag tests: the small index with the fake embedder, extractive QA over the answer
index, and the llama.cpp server."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory, fake_embedder) -> Path:
    """tests.support.index.DOCS with the fake embedder: same chunks as `small_index`, vectors without meaning."""
    from tests.support.index import build_index

    return build_index(tmp_path_factory.mktemp("small-fake") / "index", fake_embedder)


@pytest.fixture(scope="session")
def qa(answer_index, embedder):
    """Extractive question answering over the answer index (top_k 4), the real embedder."""
    from rag.answering.generators.extractive import ExtractiveGenerator
    from rag.index.reader import LiveIndex
    from rag.qa import QA
    from rag.retrieval.retriever import Retriever
    from rag.settings import Settings

    settings = Settings(index=answer_index, top_k=4)
    return QA(Retriever(LiveIndex(answer_index), embedder, settings), ExtractiveGenerator(settings), settings)


@pytest.fixture(scope="session")
def llama_url(tmp_path_factory):
    """llama.cpp's server with SmolLM2 on 127.0.0.1, once per session (skips when it is not installed)."""
    from tests.support.llm_servers import llama_server

    with llama_server(tmp_path_factory.mktemp("llama")) as url:
        yield url
