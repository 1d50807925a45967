"""The real WHO hypertension PDF ingested once for the page-image and viewer tests."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.real_pdf import PDF, ingest_real_pdf


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, corpus_dir, fake_embedder):
    return ingest_real_pdf(corpus_dir, tmp_path_factory.mktemp("real-pdf"), fake_embedder)


@pytest.fixture(scope="session")
def doc_id(corpus_dir) -> str:
    return hashlib.sha256((corpus_dir / PDF).read_bytes()).hexdigest()
