"""POST /v1/verify: any text (a model's free answer) split into claims, each verified against the guidelines.

`{"text": "..."}` -> `{"sentences": [{"text", "verdict", "reason", "evidence": [passage fields + "quote"]}],
"disclaimer"}`. The same keys, rate limits, body limit and errors as the other /v1 routes; the text
has the question's length limit (settings.max_question_chars) and is never logged.
"""

from __future__ import annotations

import threading
from functools import partial

from anyio import to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import RetrieverDep, SearchLimiterDep, SettingsDep
from api.schemas import ERRORS, FiltersModel, VerifyResponse
from api.security import check_question
from rag.settings import Settings
from rag.types import DISCLAIMER
from rag.verify.verifier import Verifier
from rag.wiring import build_verifier

router = APIRouter(prefix="/v1", tags=["verify"])
_lock = threading.Lock()


class VerifyRequest(BaseModel):
    """Text to verify: each sentence is a claim checked against passages it retrieves itself."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "Give artesunate 2.4 mg/kg IV or IM for severe malaria. Zinc is given for 10 to 14 days."}]})
    text: str = Field(..., min_length=1, description="The text (length limit: settings.max_question_chars).")
    top_k: int | None = Field(None, ge=1, le=50, description="Passages retrieved per claim (default 8).")
    filters: FiltersModel | None = None


def _verifier(request: Request, retriever, settings: Settings) -> Verifier:
    # One per app, over the app's own retriever (models loaded once), with the LLM judge if the settings
    # turn it on (rag.wiring.build_verifier); built on first use.
    state = request.app.state
    with _lock:
        if getattr(state, "verifier", None) is None or state.verifier.retriever is not retriever:
            state.verifier = build_verifier(settings, retriever)
        return state.verifier


@router.post("/verify", response_model=VerifyResponse, responses=ERRORS, summary="Verify claims against the guidelines")
async def verify(body: VerifyRequest, request: Request, retriever: RetrieverDep, settings: SettingsDep,
                 limiter: SearchLimiterDep) -> dict:
    """Each sentence of `text`: supported | contradicted | unsupported, why, and the verbatim evidence."""
    check_question(body.text, settings, ("body", "text"))
    verifier = _verifier(request, retriever, settings)
    filters = body.filters.to_filters() if body.filters else None
    if body.top_k:
        verifier = verifier.with_k(body.top_k)  # the same judge, not a new client per request
    run = partial(verifier.verify_text, body.text, filters)
    verified = await to_thread.run_sync(run, limiter=limiter)
    return {"sentences": [v.to_dict() for v in verified], "disclaimer": DISCLAIMER}
