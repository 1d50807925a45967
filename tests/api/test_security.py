"""API keys, CORS, body and question limits, rate limits: each answered with a clear JSON body."""

from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts

from api.app import create_app
from tests.support.servers import asgi_client

pytestmark = pytest.mark.anyio

KEY = "k-" + "s3cret" * 4
DOC = "a" * 64


def v1_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every /v1 route the app has, path parameters filled in."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path.startswith("/v1"):
            concrete = path.replace("{doc_id}", DOC).replace("{n}", "1").replace("{job_id}", "x")
            found += [(method, concrete) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def request_args(method: str) -> dict:
    return {"json": {"question": "malaria"}} if method == "POST" else {"params": {"q": "malaria"}}


async def test_every_v1_route_refuses_a_missing_or_wrong_key(make_settings, embedder):
    app = create_app(make_settings(api_keys=[KEY, "other-key"]), embedder=embedder)
    routes = v1_routes(app)
    assert {"/v1/search", "/v1/ask", "/v1/documents"} <= {p for _, p in routes}
    async with asgi_client(app) as client:
        for method, path in routes:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {KEY}x"},
                            {"Authorization": KEY}):
                r = await client.request(method, path, headers=headers, **request_args(method))
                assert r.status_code == 401, (method, path, headers, r.text)
                assert r.json()["error"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"
            r = await client.request(method, path, headers={"Authorization": f"Bearer {KEY}"}, **request_args(method))
            assert r.status_code != 401, (method, path)
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/widget.js")).status_code == 200


async def test_without_keys_the_api_is_open(make_client):
    async with make_client() as client:
        r = await client.get("/v1/search", params={"q": "cholera"})
    assert r.status_code == 200


async def test_cors_allows_only_listed_origins(make_client):
    allowed, other = "https://intranet.hospital.example", "https://evil.example"
    async with make_client(cors_origins=[allowed]) as client:
        pre_ok = await client.options("/v1/ask", headers={"Origin": allowed, "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type,authorization"})
        pre_bad = await client.options("/v1/ask", headers={"Origin": other, "Access-Control-Request-Method": "POST"})
        get_ok = await client.get("/v1/search", params={"q": "cholera"}, headers={"Origin": allowed})
        get_bad = await client.get("/v1/search", params={"q": "cholera"}, headers={"Origin": other})
    assert pre_ok.status_code == 200 and pre_ok.headers["access-control-allow-origin"] == allowed
    assert "authorization" in pre_ok.headers["access-control-allow-headers"].lower()
    assert pre_bad.status_code == 400 and "access-control-allow-origin" not in pre_bad.headers
    assert get_ok.headers["access-control-allow-origin"] == allowed
    assert "access-control-allow-origin" not in get_bad.headers


async def test_errors_carry_cors_headers_too(make_client):
    origin = "https://portal.ngo.example"
    async with make_client(cors_origins=[origin], api_keys=[KEY]) as client:
        r = await client.get("/v1/search", params={"q": "cholera"}, headers={"Origin": origin})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == origin


async def test_oversized_body_is_413(make_client):
    big = {"question": "malaria", "padding": "x" * 5000}
    async with make_client(max_body_bytes=2048) as client:
        declared = await client.post("/v1/ask", json=big)

        async def chunks():  # no Content-Length: the limit must hold while the body streams in
            for _ in range(10):
                yield b"x" * 1000

        streamed = await client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    for r in (declared, streamed):
        assert r.status_code == 413, r.text
        assert r.json()["error"] == "payload_too_large" and "2048" in r.json()["message"]


async def test_long_or_empty_question_is_422(make_client):
    async with make_client(max_question_chars=50) as client:
        long_ask = await client.post("/v1/ask", json={"question": "malaria " * 20})
        long_search = await client.get("/v1/search", params={"q": "malaria " * 20})
        blank = await client.post("/v1/ask", json={"question": "   "})
        missing = await client.post("/v1/ask", json={"top_k": 3})
        bad_k = await client.get("/v1/search", params={"q": "malaria", "k": 0})
    for r in (long_ask, long_search, blank, missing, bad_k):
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error"] == "invalid_request" and body["message"] and body["details"]
        assert "malaria malaria" not in r.text  # the question is not echoed back
    assert "50 characters" in long_ask.json()["message"]


@pytest.mark.parametrize("shared", [False, True], ids=["in-process", "sqlite"])
async def test_rate_limit_per_key_is_429_with_retry_after(make_client, tmp_path, shared):
    db = tmp_path / "limits.sqlite" if shared else None
    async with make_client(rate_limit_per_minute=3, api_keys=[KEY, "second"], rate_limit_db=db) as client:
        first = [await client.get("/v1/documents", headers={"Authorization": f"Bearer {KEY}"}) for _ in range(3)]
        over = await client.get("/v1/documents", headers={"Authorization": f"Bearer {KEY}"})
        other_key = await client.get("/v1/documents", headers={"Authorization": "Bearer second"})
        health = await client.get("/healthz")
    assert [r.status_code for r in first] == [200, 200, 200]
    assert over.status_code == 429 and over.json()["error"] == "rate_limited"
    assert int(over.headers["retry-after"]) >= 1
    assert other_key.status_code == 200 and health.status_code == 200


async def test_apps_naming_one_rate_limit_db_share_each_keys_budget(make_client, tmp_path):
    """What `gqa serve --workers N` relies on: each worker's limiter is its own SQLite connection."""
    settings = {"rate_limit_per_minute": 4, "api_keys": [KEY], "rate_limit_db": tmp_path / "limits.sqlite"}
    headers = {"Authorization": f"Bearer {KEY}"}
    async with make_client(**settings) as one, make_client(**settings) as two:
        statuses = [(await client.get("/v1/documents", headers=headers)).status_code for client in (one, two) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]



def test_a_worker_opening_the_rate_limit_file_while_another_writes_it_waits(tmp_path):
    """Workers of `gqa serve --workers N` open the shared bucket file at about the same moment. SQLite answers
    "database is locked" at once, busy timeout or not, to a switch to WAL while another connection holds a
    write lock (CI saw a worker die that way): the limiter must wait for it, not fail."""
    import sqlite3
    import threading

    from api.security import SharedRateLimiter

    path = tmp_path / "limits.sqlite"
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE IF NOT EXISTS buckets (caller TEXT PRIMARY KEY, tokens REAL, at REAL)")
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    limiter = SharedRateLimiter(path, 3)
    assert [limiter.take("k") == 0 for _ in range(4)] == [True, True, True, False]
