"""Guideline QA core, by stage: `index/` (the on-disk format), `embedding/`, `retrieval/`,
`answering/` (prompt, generators, citation checks, abstention), `batch/`, `text/` (words,
languages); `qa.py` runs one question through them and `wiring.py` builds them.

The front door: `from rag import QA, build_qa, Settings`. Names load on first use (PEP 562), so
importing `rag.errors` or `rag.settings` does not pull in FAISS, torch or the generators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "QA": "rag.qa",
    "Retrieved": "rag.qa",
    "build_qa": "rag.wiring",
    "build_retriever": "rag.wiring",
    "Answer": "rag.types",
    "AnswerSentence": "rag.types",
    "Citation": "rag.types",
    "Passage": "rag.types",
    "Filters": "rag.types",
    "DocumentMeta": "rag.types",
    "Chunk": "rag.types",
    "DISCLAIMER": "rag.types",
    "Settings": "rag.settings",
    "GuidelineQAError": "rag.errors",
    "IndexNotFound": "rag.errors",
    "IndexBusy": "rag.errors",
    "IndexCorrupt": "rag.errors",
    "EmbedderMismatch": "rag.errors",
    "BadDocument": "rag.errors",
    "BadRequest": "rag.errors",
    "GeneratorUnavailable": "rag.errors",
    "ModelNotFound": "rag.errors",
    "ExtraNotInstalled": "rag.errors",
}
__all__ = [
    "Answer",
    "AnswerSentence",
    "BadDocument",
    "BadRequest",
    "Chunk",
    "Citation",
    "DISCLAIMER",
    "DocumentMeta",
    "EmbedderMismatch",
    "ExtraNotInstalled",
    "Filters",
    "GeneratorUnavailable",
    "GuidelineQAError",
    "IndexBusy",
    "IndexCorrupt",
    "IndexNotFound",
    "ModelNotFound",
    "Passage",
    "QA",
    "Retrieved",
    "Settings",
    "build_qa",
    "build_retriever",
]

if TYPE_CHECKING:
    from rag.errors import (
        BadDocument,
        BadRequest,
        EmbedderMismatch,
        ExtraNotInstalled,
        GeneratorUnavailable,
        GuidelineQAError,
        IndexBusy,
        IndexCorrupt,
        IndexNotFound,
        ModelNotFound,
    )
    from rag.qa import QA, Retrieved
    from rag.settings import Settings
    from rag.types import DISCLAIMER, Answer, AnswerSentence, Chunk, Citation, DocumentMeta, Filters, Passage
    from rag.wiring import build_qa, build_retriever


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
