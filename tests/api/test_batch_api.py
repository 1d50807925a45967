"""POST /v1/batch and GET /v1/batch/{id}[/results] over a real index and a real SQLite jobs DB,
including a job interrupted by a shutdown and resumed by a second app over the same DB."""

from __future__ import annotations

import json
import time

import anyio
import httpx
import pytest

from api.app import create_app
from rag.batch.jobs import JobStore
from tests.support.servers import API_QUESTIONS as QUESTIONS
from tests.support.servers import asgi_client as client
from tests.support.servers import running_server

pytestmark = pytest.mark.anyio


async def wait_done(c: httpx.AsyncClient, job_id: str, headers: dict | None = None, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = (await c.get(f"/v1/batch/{job_id}", headers=headers)).json()
        if body["status"] == "done":
            return body
        assert time.monotonic() < deadline, body
        await anyio.sleep(0.1)


def stop_jobs(app) -> None:
    jobs = getattr(app.state, "batch_jobs", None)  # None when no request needed the jobs DB
    if jobs is not None:
        jobs.stop()
        jobs.store.close()


async def test_job_lifecycle_results_in_input_order_and_jsonl_download(make_settings, embedder, tmp_path):
    app = create_app(make_settings(batch_jobs_db=tmp_path / "jobs.sqlite", batch_concurrency=2), embedder=embedder)
    async with client(app) as c:
        questions = [QUESTIONS[0], {"id": "chol", "question": QUESTIONS[1], "filters": {"organisation": "MSF"}},
                     *QUESTIONS[2:]]
        r = await c.post("/v1/batch", json={"questions": questions, "top_k": 3})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] == "queued" and job["total"] == 5 and job["links"]["results"].endswith("/results")
        body = await wait_done(c, job["id"])
        assert body["done"] == 5 and body["answered"] + body["abstained"] == 5 and body["failed"] == 0
        assert [x["id"] for x in body["results"]] == ["row1", "chol", "row3", "row4", "row5"]
        msf = body["results"][1]["citations"]
        assert msf and all(c_["source"].startswith("msf/") for c_ in msf)
        assert not any(x["error"] for x in body["results"])
        download = await c.get(f"/v1/batch/{job['id']}/results")
        assert download.status_code == 200 and download.headers["content-type"].startswith("application/x-ndjson")
        assert "attachment" in download.headers["content-disposition"]
        lines = [json.loads(line) for line in download.text.splitlines()]
        assert lines == body["results"]
        assert (await c.get("/v1/batch/not-a-job")).status_code == 404
    stop_jobs(app)


async def test_limits_and_validation(make_settings, embedder, tmp_path):
    app = create_app(make_settings(batch_jobs_db=tmp_path / "jobs.sqlite", batch_max_questions=3), embedder=embedder)
    async with client(app) as c:
        assert (await c.post("/v1/batch", json={"questions": QUESTIONS[:4]})).status_code == 422
        assert (await c.post("/v1/batch", json={"questions": []})).status_code == 422
        # One empty question is a bad_input record of the job (as in `gqa batch`), not a refusal of the batch.
        assert (await c.post("/v1/batch", json={"questions": ["ok", "   "]})).status_code == 202
        dup = [{"id": "a", "question": "x y"}, {"id": "a", "question": "y z"}]
        r = await c.post("/v1/batch", json={"questions": dup})
        assert r.status_code == 422 and "duplicate id" in r.json()["message"]
    stop_jobs(app)


async def test_keys_guard_batch_and_jobs_belong_to_their_key(make_settings, embedder, tmp_path):
    app = create_app(make_settings(batch_jobs_db=tmp_path / "jobs.sqlite", api_keys=["k1", "k2"]), embedder=embedder)
    async with client(app) as c:
        assert (await c.post("/v1/batch", json={"questions": QUESTIONS[:1]})).status_code == 401
        r = await c.post("/v1/batch", json={"questions": QUESTIONS[:1]}, headers={"Authorization": "Bearer k1"})
        job_id = r.json()["id"]
        assert (await c.get(f"/v1/batch/{job_id}")).status_code == 401
        assert (await c.get(f"/v1/batch/{job_id}", headers={"Authorization": "Bearer k2"})).status_code == 404
        assert (await c.get(f"/v1/batch/{job_id}/results", headers={"Authorization": "Bearer k2"})).status_code == 404
        await wait_done(c, job_id, headers={"Authorization": "Bearer k1"})
    stop_jobs(app)


async def test_a_job_interrupted_by_a_shutdown_resumes_in_the_next_app(make_settings, embedder, tmp_path):
    db = tmp_path / "jobs.sqlite"
    n = 200
    questions = [{"id": f"q{i}", "question": QUESTIONS[i % len(QUESTIONS)]} for i in range(n)]
    first = create_app(make_settings(batch_jobs_db=db, batch_concurrency=2), embedder=embedder)
    async with client(first) as c:
        job_id = (await c.post("/v1/batch", json={"questions": questions})).json()["id"]
        deadline = time.monotonic() + 300
        while (await c.get(f"/v1/batch/{job_id}")).json()["done"] < 3:
            assert time.monotonic() < deadline
            await anyio.sleep(0.02)
    stop_jobs(first)  # what a shutdown does: finish the questions in flight, take no new ones

    store = JobStore(db)
    interrupted = store.job(job_id)
    assert interrupted["status"] == "running" and 3 <= interrupted["done"] < n
    kept = {r["id"]: r for r in store.results(job_id)}

    second = create_app(make_settings(batch_jobs_db=db, batch_concurrency=2), embedder=embedder)
    with running_server(second) as url:  # the lifespan resumes the job before any request
        deadline = time.monotonic() + 300
        while store.job(job_id)["done"] == interrupted["done"]:
            assert time.monotonic() < deadline, "the job did not resume"
            await anyio.sleep(0.05)
        async with httpx.AsyncClient(base_url=url, timeout=30) as live:
            body = await wait_done(live, job_id)
    store.close()
    ids = [r["id"] for r in body["results"]]
    assert ids == [f"q{i}" for i in range(n)]  # each question once, in input order
    assert all(body["results"][i] == kept[r] for i, r in enumerate(ids) if r in kept)  # answers kept, not redone
    assert body["done"] == n and body["failed"] == 0
