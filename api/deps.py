"""`Depends` aliases, so routes read as sentences: `def search(q: str, retriever: RetrieverDep)`.

The cheap ones are `async def`: FastAPI runs a plain `def` dependency on its thread pool, and a thread
hop per dependency cost more than the lookup itself (several per request on the search hot path).
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import CapacityLimiter
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.metrics import Metrics
from api.services import Services
from rag.index.reader import IndexReader
from rag.settings import Settings


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_search_limiter(request: Request) -> CapacityLimiter:
    return request.app.state.search_limiter


def get_reader(services: Annotated[Services, Depends(get_services)]) -> IndexReader:
    return services.reader()


async def get_retriever(services: Annotated[Services, Depends(get_services)]) -> Any:
    # Built at start-up; only a server started before its index existed builds it here, off the event loop.
    return services.built_retriever or await run_in_threadpool(services.retriever)


async def get_qa(services: Annotated[Services, Depends(get_services)]) -> Any:
    return services.built_qa or await run_in_threadpool(services.qa)


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
SearchLimiterDep = Annotated[CapacityLimiter, Depends(get_search_limiter)]
ReaderDep = Annotated[IndexReader, Depends(get_reader)]
RetrieverDep = Annotated[Any, Depends(get_retriever)]
QADep = Annotated[Any, Depends(get_qa)]
