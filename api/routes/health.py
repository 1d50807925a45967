"""Open routes: /healthz (process up), /readyz (index loaded, generator usable), /metrics."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import MetricsDep, ServicesDep
from api.schemas import ERRORS, HealthOut, ReadyOut
from api.security import api_key, bearer
from api.services import Services
from rag.errors import GuidelineQAError
from rag.settings import Settings

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut, summary="The process is up")
def healthz() -> dict:
    """Always 200 while the process runs; never needs a key."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, summary="Ready to answer", responses={503: {"model": ReadyOut}})
def readyz(services: ServicesDep, response: Response) -> ReadyOut:
    """200 when the index is loaded and the generator is reachable (or extractive), else 503 saying why."""
    index = _index_status(services)
    generator = generator_status(services.settings)
    ready = index["ok"] and generator["ok"]
    response.status_code = 200 if ready else 503
    return ReadyOut(ready=ready, index=index, generator=generator)


async def metrics_key(request: Request,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """With settings.metrics_require_key (and keys set), the same key check as /v1."""
    if request.app.state.settings.metrics_require_key:
        await api_key(request, credentials)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, dependencies=[Depends(metrics_key)],
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: ERRORS[401]})
def metrics(metrics: MetricsDep) -> Response:
    """Requests, latency by route and stage, index size, generator errors (behind the API keys with
    GQA_METRICS_REQUIRE_KEY=true)."""
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


def _index_status(services: Services) -> dict:
    try:
        reader = services.reader()
        services.retriever()
    except GuidelineQAError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "version": reader.version, "documents": len(reader.documents), "chunks": reader.dense.ntotal,
            "last_error": services.index.last_error}


def generator_status(settings: Settings) -> dict:
    """Extractive needs nothing; an OpenAI-compatible server must answer GET /models on some base URL."""
    if settings.generator == "extractive":
        return {"ok": True, "name": "extractive", "detail": "no LLM needed"}
    if settings.generator == "vllm":
        return {"ok": True, "name": "vllm", "detail": "in-process engine"}
    failures = []
    for base in settings.llm_base_url:
        try:
            reply = httpx.get(f"{base.rstrip('/')}/models", timeout=2.0,
                              headers={"Authorization": f"Bearer {settings.llm_api_key}"})
            if reply.status_code == 200:
                return {"ok": True, "name": "openai", "detail": f"{base} answers"}
            failures.append(f"{base}: HTTP {reply.status_code}")
        except httpx.HTTPError as exc:
            failures.append(f"{base}: {type(exc).__name__}")
    return {"ok": False, "name": "openai", "detail": "; ".join(failures) or "no base URL configured"}
