"""Indexes the API tests share, each built once per session: the real WHO hypertension PDF (page-image and
viewer tests) and two generated editions of one guideline (documents and widget edition tests)."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.editions import write_new_edition, write_old_edition
from tests.support.index import ingest_folder
from tests.support.real_pdf import PDF, ingest_real_pdf


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, corpus_dir, fake_embedder):
    return ingest_real_pdf(corpus_dir, tmp_path_factory.mktemp("real-pdf"), fake_embedder)


@pytest.fixture(scope="session")
def doc_id(corpus_dir) -> str:
    return hashlib.sha256((corpus_dir / PDF).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def editions_index(tmp_path_factory, embedder):
    """tests.support.editions' second and third editions, ingested with the real embedder."""
    base = tmp_path_factory.mktemp("editions-api")
    write_old_edition(base / "g"), write_new_edition(base / "g")
    ingest_folder(base / "g", base / "index", embedder)
    return base / "index"
