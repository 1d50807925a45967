"""POST /v1/ask: an answer with citations (the `gqa ask --json` JSON), or a Server-Sent Event stream.

Stream events, in order: `passages` (what was retrieved), `token` (answer text as generated),
then `answer` (the final answer with citations and checks) or `error`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from api.deps import MetricsDep, QADep, SettingsDep
from api.errors import classify
from api.filter_check import check_filters
from api.metrics import Metrics
from api.schemas import ERRORS, AskRequest, AskResponse
from api.security import check_question
from rag.errors import GeneratorUnavailable, GuidelineQAError

router = APIRouter(prefix="/v1", tags=["ask"])
log = logging.getLogger("gqa.api")

_SSE_DOC = {"text/event-stream": {"example": 'event: passages\ndata: {"passages": [...]}\n\n'
                                              'event: token\ndata: {"text": "Give "}\n\n'
                                              'event: answer\ndata: {"answer": "...", "citations": [...]}\n\n'}}


@router.post("/ask", response_model=AskResponse, summary="Answer a question with cited guideline passages",
             responses={**ERRORS, 200: {"content": _SSE_DOC}})
def ask(body: AskRequest, qa: QADep, settings: SettingsDep, metrics: MetricsDep,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None):
    """The answer, its numbered citations with verbatim quotes, the passages, and the disclaimer."""
    question = check_question(body.question, settings)
    filters = body.filters.to_filters() if body.filters else None
    check_filters(qa.retriever.index.get().documents.values(), filters)  # a 400 naming what is indexed
    if body.stream or "text/event-stream" in (accept or ""):
        events = _sse(qa.ask_stream(question, k=body.top_k, filters=filters), metrics)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    result = AskResponse.model_validate(qa.ask(question, k=body.top_k, filters=filters))  # = Answer.to_dict()
    metrics.observe_stages("/v1/ask", result.timings)
    return result


def sse_event(name: str, data: dict) -> bytes:
    """One Server-Sent Event; JSON on one `data:` line (json.dumps never emits a raw newline)."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _sse(events: Iterator[tuple[str, dict]], metrics: Metrics) -> Iterator[bytes]:
    # Errors after the 200 has been sent can only be reported in the stream itself.
    try:
        for name, data in events:
            if name == "error" and data.get("type") == GeneratorUnavailable.__name__:
                metrics.generator_errors.inc()
            if name == "answer":
                metrics.observe_stages("/v1/ask", data.get("timings", {}))
            yield sse_event(name, data)
    except GuidelineQAError as exc:
        if isinstance(exc, GeneratorUnavailable):
            metrics.generator_errors.inc()
        status, code = classify(exc)
        yield sse_event("error", {"error": code, "status": status, "message": str(exc)})
    except Exception as exc:  # a stream cannot turn into a 500 any more; say so in it, log the rest
        log.error("internal error in /v1/ask stream: %s", type(exc).__name__, exc_info=exc)
        yield sse_event("error", {"error": "internal_error", "status": 500, "message": "internal error; see the server log"})
