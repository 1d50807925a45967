"""Fixtures shared across the test packages: the network guard, the embedders, and real indexes.

The real MiniLM embedder is loaded once per session, on first use; unit tests that only need
vectors take `fake_embedder` instead. Every index here is built once per session (the
full-corpus one, ../shared/corpus, takes minutes); tests that write to an index take
`copied_index`. The served-API fixtures sit here because tests/api and tests/reliability share them.
Helpers (builders, servers, PDFs) are in tests/support/, never imported from a conftest.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GQA_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
EVAL_SET = SHARED / "eval" / "dev.jsonl"


def _is_local(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost: would need DNS, i.e. the network


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    """Fail any test that reaches past 127.0.0.1: nothing may depend on a hub download."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def vllm_url(tmp_path_factory):
    """vLLM's own OpenAI server (tests.support.llm_servers.vllm_server), started once per session: it takes
    about five minutes to start on this CPU, so the tests that need it share one."""
    from tests.support.llm_servers import vllm_server

    with vllm_server(tmp_path_factory.mktemp("vllm")) as url:
        yield url


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2: for integration tests and assertions about semantic ranking."""
    from rag.embedding.embedder import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def fake_embedder():
    """A deterministic hashed bag of words (tests/support/fake_embedder.py): for tests that only need vectors."""
    from tests.support.fake_embedder import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "SOURCES.md").exists():
        pytest.skip(f"no shared corpus at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def eval_set() -> Path:
    if not EVAL_SET.exists():
        pytest.skip(f"no eval set at {EVAL_SET}")
    return EVAL_SET


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, corpus_dir, embedder) -> Path:
    """An index of the whole ../shared/corpus, built once per session (several minutes).

    Set GQA_TEST_CORPUS_INDEX to a prebuilt index to skip the build while developing.
    """
    from ingest.pipeline import ingest
    from rag.settings import Settings

    prebuilt = os.environ.get("GQA_TEST_CORPUS_INDEX")
    if prebuilt:
        return Path(prebuilt)
    index = tmp_path_factory.mktemp("corpus") / "index"
    report = ingest([corpus_dir], embedder, Settings(index=index))
    failed = [f for f in report.files if f.status == "failed"]
    assert not failed, failed
    return index


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, embedder) -> Path:
    """tests.support.index.DOCS (five generated guidelines) with the real embedder."""
    from tests.support.index import build_index

    return build_index(tmp_path_factory.mktemp("small") / "index", embedder)


@pytest.fixture(scope="session")
def answer_index(tmp_path_factory, embedder) -> Path:
    """The answer tests' Markdown folder (tests.support.index.ANSWER_FILES) ingested with the real embedder."""
    from tests.support.index import build_answer_index

    return build_answer_index(tmp_path_factory.mktemp("answers"), embedder)


# --- the served API (tests/api, tests/reliability) ------------------------------------------------
@pytest.fixture(scope="session")
def api_index(tmp_path_factory, embedder) -> Path:
    """The served corpus (tests.support.servers.write_corpus: PDF, Markdown, HTML), ingested once per session."""
    from tests.support.index import ingest_folder
    from tests.support.servers import write_corpus

    base = tmp_path_factory.mktemp("api-corpus")
    manifest = write_corpus(base / "corpus")
    index = base / "index"
    ingest_folder(base / "corpus", index, embedder, manifest)
    return index


@pytest.fixture
def make_settings(api_index) -> Callable:
    """`make_settings(**overrides)`: Settings over the served index, without rate limits."""
    from rag.settings import Settings

    def make(**overrides):
        return Settings(**{"index": api_index, "rate_limit_per_minute": 0, **overrides})

    return make


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_client(make_settings, embedder):
    """`async with make_client(**settings) as client`: an in-process client over a fresh app."""
    from api.app import create_app
    from tests.support.servers import asgi_client

    def make(**overrides):
        return asgi_client(create_app(make_settings(**overrides), embedder=embedder))

    return make


@pytest.fixture
def live_server(make_settings, embedder):
    """`with live_server(**settings) as base_url`: a real uvicorn over a fresh app."""
    from api.app import create_app
    from tests.support.servers import running_server

    def start(**overrides):
        return running_server(create_app(make_settings(**overrides), embedder=embedder))

    return start


@pytest.fixture
def copied_index(api_index, tmp_path) -> Path:
    """A private copy of the served index, for tests that write new versions."""
    target = tmp_path / "index-copy"
    shutil.copytree(api_index.parent, target, symlinks=True)
    return target / api_index.name
