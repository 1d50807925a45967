"""Request bodies and response models, each with an OpenAPI example.

The JSON of passages, citations, answers and documents is defined once, by the models in
rag.types (what `to_dict()` and the CLI's `--json` print). The response models here are built
from those (same fields, order and rounding) and only add a description and an example, so
routes can return the domain objects with `response_model=` and FastAPI documents, checks and
serialises exactly that JSON. Examples come from a real index (api/openapi_examples.json, made
by `python -m api.openapi_examples --index DIR`); they are read when the schema is built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from rag.types import AnswerJSON, CitationJSON, DocumentJSON, Filters, PassageJSON, SentenceJSON, VerifiedJSON

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")


@cache
def examples() -> dict[str, Any]:
    """The generated examples, by name (see api/openapi_examples.py)."""
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def _example(name: str) -> Callable[[dict], None]:
    """Puts example `name` into a model's schema when the schema is built (the file is read then, not at import)."""
    def add(schema: dict) -> None:
        schema["examples"] = [examples()[name]]
    return add


def _documented(shape: type[BaseModel], name: str, doc: str, example: str, *nested: type[BaseModel]) -> type[BaseModel]:
    """`shape` (a JSON model of rag.types) as response model `name` with a real example; its list
    fields of a shape documented in `nested` hold that model, so nested schemas have examples too."""
    documented = {model.__base__: model for model in nested}
    swapped = {}
    for field, info in shape.model_fields.items():
        item = get_args(info.annotation)[0] if get_origin(info.annotation) is list else None
        if item in documented:
            swapped[field] = (list[documented[item]], info)
    return create_model(name, __base__=shape, __module__=__name__, __doc__=doc,
                        __cls_kwargs__={"json_schema_extra": _example(example)}, **swapped)


class FiltersModel(BaseModel):
    """Metadata filters, applied before the top-k is cut."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"organisation": "WHO", "year": 2025}]})
    organisation: str | None = Field(None, max_length=200, description="Organisation, e.g. WHO or MSF.")
    doc: str | None = Field(None, max_length=500, description="A document id or source path.")
    year: int | None = Field(None, ge=1900, le=2200, description="Publication year.")
    language: str | None = Field(None, max_length=20, description="Language code, e.g. en or fr.")

    def to_filters(self) -> Filters:
        return Filters(self.organisation, self.doc, self.year, self.language)


class AskRequest(BaseModel):
    """A question; with `stream: true` (or `Accept: text/event-stream`) the answer comes as Server-Sent Events."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "What is the dose of artesunate for severe malaria?", "top_k": 5},
        {"question": "First-line treatment of uncomplicated falciparum malaria in children",
         "filters": {"organisation": "WHO"}, "stream": True},
    ]})
    question: str = Field(..., min_length=1, description="The question (length limit: settings.max_question_chars).")
    # strict: pydantic would otherwise read `true` as 1 passage and "yes" as streaming on
    top_k: int | None = Field(None, ge=1, le=100, strict=True, description="Passages retrieved (default: settings.top_k).")
    filters: FiltersModel | None = None
    stream: bool = Field(False, strict=True, description="Answer as Server-Sent Events: passages, tokens, then the answer.")


PassageOut = _documented(PassageJSON, "PassageOut", "One retrieved passage with its full citation (the `gqa search "
                         "--json` shape).", "passage")
CitationOut = _documented(CitationJSON, "CitationOut", "A numbered citation with a verbatim quote of the cited passage.",
                          "citation")
SentenceOut = _documented(SentenceJSON, "SentenceOut", "One sentence of the answer and the support of its citations.",
                          "sentence")
AskResponse = _documented(AnswerJSON, "AskResponse", "The answer, the same JSON as `gqa ask --json`.", "ask",
                          CitationOut, SentenceOut, PassageOut)
VerifiedOut = _documented(VerifiedJSON, "VerifiedOut", "One checked sentence: its verdict, why, and the evidence span(s).",
                          "verified")


class VerifyResponse(BaseModel):
    """One verdict per sentence of the text, with the evidence it was checked against, and the disclaimer."""

    model_config = ConfigDict(json_schema_extra=_example("verify"))
    sentences: list[VerifiedOut]
    disclaimer: str


DocumentOut = _documented(DocumentJSON, "DocumentOut", "One indexed guideline file; `doc_id` is the sha256 of its bytes.",
                          "document")


class SearchResponse(BaseModel):
    """Ranked passages, the same JSON as `gqa search --json` (plus timings)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=_example("search"))
    passages: list[PassageOut]
    timings: dict[str, float] = Field(description="Milliseconds per retrieval stage.")


class DocumentsResponse(BaseModel):
    """Every document in the served index version."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=_example("documents"))
    version: str = Field(description="The served index version.")
    documents: list[DocumentOut]


class PageOut(BaseModel):
    """The text of one page as indexed, so anyone can check a citation."""

    model_config = ConfigDict(json_schema_extra=_example("page"))
    doc_id: str
    page: int = Field(description="Physical, 1-based page (unpaged formats: 1 is the whole text).")
    label: str | None = Field(description="The printed page label, where known.")
    text: str
    title: str
    source: str
    organisation: str | None
    year: int | None
    page_count: int | None


class ErrorOut(BaseModel):
    """Every error: a stable code and a message for people."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"error": "rate_limited", "message": "rate limit of 600 requests per minute exceeded; retry in 1.0 s"}]})
    error: str
    message: str


class HealthOut(BaseModel):
    """The process is up."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: str


class ReadyOut(BaseModel):
    """Whether requests can be served: index loaded; generator reachable or extractive."""

    model_config = ConfigDict(json_schema_extra=_example("ready"))
    ready: bool
    index: dict[str, Any] = Field(description="ok, and version, documents, chunks, last_error; or the error.")
    generator: dict[str, Any] = Field(description="ok, name and detail.")


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 413, 422, 429, 503)}
