"""`Depends` aliases, so routes read as sentences: `def search(q: str, retriever: RetrieverDep)`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api.metrics import Metrics
from api.services import Services
from rag.index_reader import IndexReader
from rag.settings import Settings


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_reader(services: Annotated[Services, Depends(get_services)]) -> IndexReader:
    return services.reader()


def get_retriever(services: Annotated[Services, Depends(get_services)]) -> Any:
    return services.retriever()


def get_qa(services: Annotated[Services, Depends(get_services)]) -> Any:
    return services.qa()


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ReaderDep = Annotated[IndexReader, Depends(get_reader)]
RetrieverDep = Annotated[Any, Depends(get_retriever)]
QADep = Annotated[Any, Depends(get_qa)]
