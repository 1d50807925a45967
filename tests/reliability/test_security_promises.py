"""What SECURITY.md promises, exercised through the app: keys compared in constant time against every
configured key and never logged, questions not logged by default, no request path reads a file
outside the index, document ids validated."""

from __future__ import annotations

import hmac
import logging

import pytest

from tests.support.hostile import TRAVERSALS

pytestmark = pytest.mark.anyio
KEY = "k-" + "Zq7" * 10
QUESTION = "Patient Jane Roe, 34, pregnant: artesunate dose for severe malaria?"
PASSWD = "root:x:0:0"


async def test_keys_are_compared_in_constant_time(make_client, monkeypatch):
    keys = [KEY, "k-second-" + "x" * 20, "k-third-" + "y" * 20]
    real, compared = hmac.compare_digest, []

    def spy(given, key):
        compared.append((given, key))
        return real(given, key)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    async with make_client(api_keys=keys) as client:
        for given in (KEY, keys[2], KEY + "x", ""):
            compared.clear()
            headers = {"Authorization": f"Bearer {given}"} if given else {}
            r = await client.get("/v1/documents", headers=headers)
            assert r.status_code == (200 if given in keys else 401), given
            # Every key, once, whether the first matched or none did: the time taken says nothing.
            assert sorted(key for _, key in compared) == sorted(k.encode() for k in keys), given
            assert {g for g, _ in compared} == {given.encode()}
        # compare_digest's verdict is the only one: no `==` or `in` decides beside it.
        monkeypatch.setattr(hmac, "compare_digest", lambda given, key: False)
        assert (await client.get("/v1/documents", headers={"Authorization": f"Bearer {KEY}"})).status_code == 401
        monkeypatch.setattr(hmac, "compare_digest", lambda given, key: True)
        assert (await client.get("/v1/documents", headers={"Authorization": "Bearer not-a-key"})).status_code == 200


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
