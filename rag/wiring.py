"""The one place that builds the heavy objects: embedder, live index, retriever, generator, QA, verifier.

The CLI, the API's lifespan, `gqa batch` and the Ray actors all come here, so each gets the same
objects from the same settings (the query encoder on ONNX Runtime with `search_threads`, the
reranker, the generator). Process-wide switches (offline hub flags, PyTorch's thread count, quiet
library loggers) are set by `configure_process`, which only the entry points call.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from rag.settings import Settings

if TYPE_CHECKING:  # the builders import what they build, so `configure_process` stays cheap to import
    from rag.answering.generators.base import Generator
    from rag.embedding.embedder import Embedder
    from rag.index.reader import LiveIndex
    from rag.qa import QA
    from rag.retrieval.retriever import Retriever
    from rag.verify.judge import Judge
    from rag.verify.verifier import Verifier


def configure_process(settings: Settings) -> None:
    """Process-wide settings, for entry points only (the CLI, `gqa serve`, a Ray actor)."""
    # Models come from local folders; a library that looks for a newer copy on the hub must not try.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar (read when transformers loads)
    # pypdf logs every recoverable oddity of real-world PDFs at WARNING; ingest's report says what matters.
    # Set before ingest forks its parse worker, which inherits it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)


def load_embedder(settings: Settings, *, queries: bool = True) -> Embedder:
    """The embedder the settings name; `queries` adds the ONNX Runtime query encoder that serving uses."""
    from rag.embedding.embedder import load_embedder as load

    return load(settings.embedding_model, settings.embed_batch_size,
                query_threads=settings.search_threads if queries else None)


def open_index(settings: Settings, *, check: bool = True) -> LiveIndex:
    """The live index at `settings.index`; with `check`, `IndexNotFound` is raised now, before any
    model loads (a server passes False: it starts without an index and answers 503 until one exists)."""
    from rag.index.reader import LiveIndex

    index = LiveIndex(settings.index)
    if check:
        index.get()
    return index


def build_retriever(settings: Settings, embedder: Embedder | None = None, index: LiveIndex | None = None) -> Retriever:
    """The retriever the settings describe: live index, embedder (loaded unless given), optional reranker."""
    from rag.retrieval.rerank import load_reranker
    from rag.retrieval.retriever import Retriever

    index = index if index is not None else open_index(settings)
    embedder = embedder if embedder is not None else load_embedder(settings)
    return Retriever(index, embedder, settings, reranker=load_reranker(settings.reranker_model))


def build_generator(settings: Settings, embedder: Embedder | None = None) -> Generator:
    """The generator `settings.generator` names (extractive, openai, vllm); the extractive one ranks its
    candidate sentences with `embedder` too when given (the retriever's, already loaded)."""
    from rag.answering.generators.base import FACTORIES

    if settings.generator == "extractive" and embedder is not None:
        from rag.answering.generators.extractive import ExtractiveGenerator

        return ExtractiveGenerator(settings, embedder)
    return FACTORIES[settings.generator](settings)


def build_qa(settings: Settings, *, retriever: Retriever | None = None, generator: Generator | None = None,
             retrieval: bool = True) -> QA:
    """Question answering: a retriever (built unless given; none with `retrieval=False`, for a stage that
    only generates and checks) and the configured generator (unless given)."""
    from rag.qa import QA

    if retrieval and retriever is None:
        retriever = build_retriever(settings)
    if generator is None:
        generator = build_generator(settings, retriever.embedder if retriever is not None else None)
    return QA(retriever if retrieval else None, generator, settings, judge=build_judge(settings))


def build_judge(settings: Settings) -> Judge | None:
    """The LLM judge for claims the rules leave undecided, when `settings.verify_judge` is on; else None."""
    if not settings.verify_judge:
        return None
    from rag.verify.judge import Judge

    return Judge(settings)


def build_verifier(settings: Settings, retriever: Retriever | None = None, *, k: int | None = None) -> Verifier:
    """The claim verifier over `retriever` (built unless given), `k` passages per claim (default
    rag.verify.verifier.K), with the LLM judge when the settings turn it on."""
    from rag.verify.verifier import K, Verifier

    retriever = retriever if retriever is not None else build_retriever(settings)
    return Verifier(retriever, k=k or K, judge=build_judge(settings))
