"""Session fixtures shared by every test: the real embedder, loaded once, and real indexes.

The full-corpus index (../shared/corpus) is built once per test session, not per test.
"""

from __future__ import annotations

import ipaddress
import os
import socket
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
def embedder():
    from rag.embedding.embedder import load_embedder

    return load_embedder()


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
