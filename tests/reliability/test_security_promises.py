"""What SECURITY.md promises: keys compared in constant time and never logged, questions not logged
by default, no request path reads a file outside the index, document ids validated."""

from __future__ import annotations

import inspect
import logging

import pytest

from api import security

pytestmark = pytest.mark.anyio
KEY = "k-" + "Zq7" * 10
QUESTION = "Patient Jane Roe, 34, pregnant: artesunate dose for severe malaria?"
PASSWD = "root:x:0:0"


def test_keys_are_compared_in_constant_time():
    source = inspect.getsource(security.api_key)
    assert "hmac.compare_digest" in source and "== key" not in source and "given in keys" not in source


@pytest.mark.parametrize("log_queries", [False, True])
async def test_keys_never_logged_and_questions_only_when_asked(make_client, caplog, log_queries):
    caplog.set_level(logging.DEBUG)
    async with make_client(api_keys=[KEY], log_queries=log_queries) as client:
        auth = {"Authorization": f"Bearer {KEY}"}
        await client.post("/v1/ask", json={"question": QUESTION}, headers=auth)
        await client.get("/v1/search", params={"q": QUESTION}, headers=auth)
        await client.get("/v1/search", params={"q": QUESTION}, headers={"Authorization": f"Bearer {KEY}x"})
        await client.post("/v1/ask", json={"question": QUESTION, "top_k": 0}, headers=auth)  # a 422
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the test's client
    logged = " ".join(f"{r.getMessage()} {r.args}" for r in server)
    assert KEY not in logged
    assert ("Jane" in logged) is log_queries  # off by default; the switch really switches


TRAVERSALS = [
    "/v1/documents/..%2F..%2F..%2Fetc%2Fpasswd", "/v1/documents/../../../../etc/passwd",
    "/v1/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd/file", "/v1/documents/" + "a" * 64 + "/file",
    "/v1/documents/" + "A" * 64, "/v1/documents/" + "a" * 63 + "/pages/1", "/v1/documents/" + "g" * 64 + "/file",
    "/widget.js/../../../../etc/passwd", "/static/../../../../etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
    "/v1/documents/" + "a" * 64 + "/pages/1?format=../../etc/passwd", "//etc/passwd", "/v1/search/../../etc/passwd",
    "/api/static/index.html/../../../etc/passwd", "/v1/batch/..%2F..%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_no_request_path_reads_a_file_outside_the_index(make_client, path):
    async with make_client() as client:
        r = await client.get(path)
    assert r.status_code in (404, 405, 422), (path, r.status_code, r.text[:200])
    assert PASSWD not in r.text


async def test_a_document_file_is_only_ever_the_ingested_one(make_client):
    async with make_client() as client:
        docs = (await client.get("/v1/documents")).json()["documents"]
        files = [await client.get(f"/v1/documents/{d['doc_id']}/file") for d in docs]
        bad_ids = [await client.get(f"/v1/documents/{bad}") for bad in ("x", "a" * 65, "../" + "a" * 61, "a" * 64)]
    assert files and all(r.status_code == 200 for r in files)
    assert [r.status_code for r in bad_ids] == [422, 422, 404, 404]
