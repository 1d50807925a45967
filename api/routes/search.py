"""GET /v1/search: ranked passages for the lookup widget, the same JSON as `gqa search --json`.

The route returns the Passage objects; its response model (api.schemas.SearchResponse, built from
rag.types.PassageJSON) reads and serialises them, so the JSON is the one `Passage.to_dict()` gives.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Query

from api.deps import MetricsDep, RetrieverDep, SearchLimiterDep, SettingsDep
from api.filter_check import check_filters
from api.schemas import ERRORS, SearchResponse
from api.security import check_question
from rag.types import Filters

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Ranked guideline passages")
async def search(
    q: Annotated[str, Query(min_length=1, description="The question or keywords.", examples=["artesunate severe malaria"])],
    retriever: RetrieverDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    limiter: SearchLimiterDep,
    k: Annotated[int | None, Query(ge=1, le=100, description="Passages returned (default: settings.top_k).")] = None,
    org: Annotated[str | None, Query(max_length=200, description="Only this organisation.", examples=["WHO"])] = None,
    doc: Annotated[str | None, Query(max_length=500, description="Only this document (id or source path).")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Only this publication year.")] = None,
    lang: Annotated[str | None, Query(max_length=20, description="Only this language.")] = None,
    mode: Annotated[Literal["hybrid", "dense", "lexical"] | None, Query(description="Retrievers to run.")] = None,
) -> dict:
    """Passages ranked for `q`, each with organisation, title, year, section and pages."""
    question = check_question(q, settings, ("query", "q"))
    filters = Filters(org, doc, year, lang)
    check_filters(retriever.index.get().documents.values(), filters)  # a 400 naming what is indexed
    # On a thread (it is CPU work), at most search_concurrency at once: the rest wait here, in order.
    search_now = partial(retriever.search, question, k=k, filters=filters, mode=mode)
    result = await to_thread.run_sync(search_now, limiter=limiter)
    metrics.observe_stages("/v1/search", result.timings)
    return {"passages": result.passages, "timings": result.timings}  # serialised by SearchResponse
