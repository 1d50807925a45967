"""POST /v1/batch (a bounded list of questions -> a job id), GET /v1/batch/{id} (progress, then results),
GET /v1/batch/{id}/results (JSONL download). Jobs live in SQLite (rag.batch.jobs) and survive restarts.

A job is visible only with the API key that created it (when keys are on). The job runner starts
with the app (resuming unfinished jobs) or, under a test client without lifespan, on first use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.schemas import ERRORS, FiltersModel
from api.security import api_key, check_question
from rag.batch.engine import error_record
from rag.batch.files import BatchItem
from rag.batch.jobs import JobRunner, JobStore, jobs_db_path, owner_of

_LOCK = threading.Lock()


def runner(app: FastAPI) -> JobRunner:
    """The app's job runner, created (and unfinished jobs resumed) once."""
    if getattr(app.state, "batch_jobs", None) is None:
        with _LOCK:
            if getattr(app.state, "batch_jobs", None) is None:
                settings, services = app.state.settings, app.state.services
                jobs = JobRunner(JobStore(jobs_db_path(settings)), services.qa, settings)
                jobs.start()
                app.state.batch_jobs = jobs
    return app.state.batch_jobs


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if jobs_db_path(app.state.settings).exists():  # resume jobs a previous process left unfinished
        await run_in_threadpool(runner, app)  # (no DB yet: nothing to resume, and nothing created until used)
    yield
    jobs = getattr(app.state, "batch_jobs", None)
    if jobs is not None:
        await run_in_threadpool(jobs.stop)
        jobs.store.close()
        app.state.batch_jobs = None


router = APIRouter(prefix="/v1", tags=["batch"], lifespan=lifespan)


class BatchQuestion(BaseModel):
    """One question of a batch, with an optional id (default: row<n>) and filters."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "q1", "question": "artesunate dose severe malaria", "filters": {"organisation": "WHO"}}]})
    id: str | None = Field(None, min_length=1, max_length=200)
    question: str = Field(..., description="An empty one is recorded as a `bad_input` error, the rest answered.")
    filters: FiltersModel | None = None


class BatchRequest(BaseModel):
    """Questions (strings or objects) answered in the background; at most settings.batch_max_questions."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"questions": [
        "What is the dose of artesunate for severe malaria?",
        {"id": "q2", "question": "Zinc for diarrhoea in children", "filters": {"organisation": "MSF"}}]}]})
    questions: list[BatchQuestion | str] = Field(..., min_length=1)
    top_k: int | None = Field(None, ge=1, le=100, strict=True)


def _items(body: BatchRequest, settings) -> list[BatchItem]:
    if len(body.questions) > settings.batch_max_questions:
        raise RequestValidationError([{"loc": ("body", "questions"), "type": "too_long",
                                       "msg": f"at most {settings.batch_max_questions} questions per batch"}])
    items, seen = [], set()
    for n, q in enumerate(body.questions, start=1):
        q = BatchQuestion.model_construct(id=None, question=q, filters=None) if isinstance(q, str) else q
        item_id = q.id or f"row{n}"
        if item_id in seen:
            raise RequestValidationError([{"loc": ("body", "questions", n - 1, "id"), "type": "value_error",
                                           "msg": f"duplicate id {item_id!r}"}])
        seen.add(item_id)
        filters = q.filters.to_filters() if q.filters else None
        if not q.question.strip():  # as `gqa batch` does: a bad_input record for this one, the others answered
            items.append(BatchItem(n, item_id, "", filters, error="empty or missing 'question'"))
            continue
        text = check_question(q.question, settings, ("body", "questions", n - 1, "question"))
        items.append(BatchItem(n, item_id, text, filters))
    return items


def _job(request: Request, job_id: str, key: str | None) -> tuple[JobRunner, dict]:
    jobs = runner(request.app)
    job = jobs.store.job(job_id)
    if job is None or job["owner"] != owner_of(key):
        raise HTTPException(404, f"no batch job {job_id!r}")
    return jobs, job


def _public(job: dict) -> dict:
    return {k: v for k, v in job.items() if k != "owner"}


@router.post("/batch", status_code=202, responses=ERRORS, summary="Queue a batch of questions")
def create_batch(body: BatchRequest, request: Request, key: Annotated[str | None, Depends(api_key)]) -> JSONResponse:
    """Store the questions and queue the job; poll GET /v1/batch/{id} for progress and results."""
    items = _items(body, request.app.state.settings)
    jobs = runner(request.app)
    job_id = jobs.store.create(items, owner_of(key), body.top_k)
    for item in items:
        if item.error:  # recorded now, never asked (a runner that raced us to it records the same bad_input)
            jobs.store.save(job_id, error_record(item, item.error, "bad_input"))
    jobs.submit(job_id)
    return JSONResponse({"id": job_id, "status": "queued", "total": len(items),
                         "links": {"self": f"/v1/batch/{job_id}", "results": f"/v1/batch/{job_id}/results"}},
                        status_code=202)


@router.get("/batch/{job_id}", responses=ERRORS, summary="Progress of a batch job, and its results once done")
def get_batch(job_id: str, request: Request, key: Annotated[str | None, Depends(api_key)]) -> JSONResponse:
    """Status (queued, running, done), counts, and with status done the results in input order."""
    jobs, job = _job(request, job_id, key)
    body = _public(job)
    if job["status"] == "done":
        body["results"] = list(jobs.store.results(job_id))
    return JSONResponse(body)


@router.get("/batch/{job_id}/results", responses={**ERRORS, 200: {"content": {"application/x-ndjson": {}}}},
            summary="The results so far as JSON Lines (one record per question)")
def batch_results(job_id: str, request: Request, key: Annotated[str | None, Depends(api_key)]) -> StreamingResponse:
    """One JSON object per finished question, in input order; the `gqa batch` record shape."""
    jobs, job = _job(request, job_id, key)

    def lines() -> Iterator[bytes]:
        for record in jobs.store.results(job_id):
            yield (json.dumps(record, ensure_ascii=False) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="batch-{job_id}.jsonl"',
                                      "X-Batch-Status": job["status"]})
