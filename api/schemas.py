"""Request bodies and the documented response shapes (with OpenAPI examples on every model).

Responses are the domain objects' own `to_dict()` (the same JSON as the CLI's `--json`); these
models describe them for the OpenAPI docs and allow extra fields, as the contract does.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rag.types import Filters

_PASSAGE = {
    "rank": 1, "score": 0.0325, "text": "Treat adults and children with severe malaria with intravenous or "
    "intramuscular artesunate for at least 24 h.", "source": "who/who_guidelines_for_malaria_2025-08-13.pdf",
    "pages": [112], "page_labels": ["98"], "lines": None, "section": "5 Treatment > 5.3 Severe malaria",
    "title": "WHO guidelines for malaria", "organisation": "WHO", "year": 2025, "edition": "13 August 2025",
    "language": "en", "chunk_id": "3f9c2a1b7d4e5f60", "doc_id": "9b1d" + "0" * 60,
}
_CITATION = {"n": 1, "source": _PASSAGE["source"], "pages": [112], "lines": None, "section": _PASSAGE["section"],
             "title": _PASSAGE["title"], "quote": "intravenous or intramuscular artesunate for at least 24 h",
             "chunk_id": _PASSAGE["chunk_id"], "organisation": "WHO", "year": 2025}
_DISCLAIMER = "Research use only: not medical advice. ..."
_DOCUMENT = {"doc_id": _PASSAGE["doc_id"], "source": _PASSAGE["source"], "title": _PASSAGE["title"],
             "organisation": "WHO", "year": 2025, "edition": "13 August 2025", "language": "en", "licence": "CC BY-NC-SA 3.0 IGO",
             "source_url": None, "format": "pdf", "page_count": 480, "bytes": 5242880}


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": list(examples)})


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
    top_k: int | None = Field(None, ge=1, le=100, description="Passages retrieved (default: settings.top_k).")
    filters: FiltersModel | None = None
    stream: bool = Field(False, description="Answer as Server-Sent Events: passages, tokens, then the answer.")


class PassageOut(BaseModel):
    """One retrieved passage with its full citation (the `gqa search --json` shape)."""

    model_config = _examples(_PASSAGE)
    rank: int
    score: float
    text: str
    source: str
    pages: list[int] | None = Field(description="Physical, 1-based pages; null for unpaged formats.")
    page_labels: list[str]
    lines: list[int] | None = Field(description="[first, last] lines for unpaged formats, else null.")
    section: str
    title: str
    organisation: str | None
    year: int | None
    chunk_id: str
    doc_id: str


class SearchResponse(BaseModel):
    """Ranked passages, the same JSON as `gqa search --json` (plus timings)."""

    model_config = _examples({"passages": [_PASSAGE], "timings": {"embed": 9.1, "dense": 0.8, "lexical": 2.2}})
    passages: list[PassageOut]


class CitationOut(BaseModel):
    """A numbered citation with a verbatim quote of the cited passage."""

    model_config = _examples(_CITATION)
    n: int
    source: str
    pages: list[int] | None
    lines: list[int] | None
    section: str
    title: str
    quote: str
    chunk_id: str


class AskResponse(BaseModel):
    """The answer, the same JSON as `gqa ask --json`."""

    model_config = _examples({"answer": "Give intravenous or intramuscular artesunate for at least 24 h [1].",
                              "abstained": False, "citations": [_CITATION], "passages": [_PASSAGE],
                              "disclaimer": _DISCLAIMER, "timings": {"retrieve": 35.2, "generate": 4.1}})
    answer: str
    abstained: bool
    citations: list[CitationOut]
    passages: list[PassageOut]
    disclaimer: str
    timings: dict[str, float]


class DocumentOut(BaseModel):
    """One indexed guideline file; `doc_id` is the sha256 of its bytes."""

    model_config = _examples(_DOCUMENT)
    doc_id: str
    source: str
    title: str
    organisation: str | None
    year: int | None
    format: str
    page_count: int | None


class DocumentsResponse(BaseModel):
    """Every document in the served index version."""

    model_config = _examples({"version": "v-20260101T000000-1a2b", "documents": [_DOCUMENT]})
    version: str
    documents: list[DocumentOut]


class PageOut(BaseModel):
    """The text of one page as indexed, so anyone can check a citation."""

    model_config = _examples({"doc_id": _DOCUMENT["doc_id"], "page": 112, "label": "98", "text": "5.3 Severe malaria ...",
                              "title": _DOCUMENT["title"], "source": _DOCUMENT["source"], "page_count": 480})
    doc_id: str
    page: int
    label: str | None
    text: str


class ErrorOut(BaseModel):
    """Every error: a stable code and a message for people."""

    model_config = _examples({"error": "rate_limited", "message": "rate limit of 600 requests per minute exceeded; retry in 1.0 s"})
    error: str
    message: str


class HealthOut(BaseModel):
    """The process is up."""

    model_config = _examples({"status": "ok"})
    status: str


class ReadyOut(BaseModel):
    """Whether requests can be served: index loaded; generator reachable or extractive."""

    model_config = _examples({"ready": True, "index": {"ok": True, "version": "v-20260101T000000-1a2b", "documents": 11,
                                                       "chunks": 24000, "last_error": None},
                              "generator": {"ok": True, "name": "extractive", "detail": "no LLM needed"}})
    ready: bool
    index: dict
    generator: dict


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 413, 422, 429, 503)}
