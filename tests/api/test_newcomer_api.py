"""Issue 19 through a real uvicorn on 127.0.0.1: offline docs pages, metrics labels and key, bodies
without a JSON Content-Type, strict request types, an empty batch question, filters matching nothing."""

from __future__ import annotations

import re
import time

import httpx

from api.docs_assets import ASSETS_URL

ASK = "What dose of artesunate for severe malaria?"


def _metric(text: str, route: str, status: str) -> float:
    pattern = rf'gqa_http_requests_total\{{method="\w+",route="{re.escape(route)}",status="{status}"\}} (\S+)'
    return sum(float(v) for v in re.findall(pattern, text))


def test_docs_and_redoc_load_everything_from_this_server(live_server):
    with live_server() as base:
        for page in ("/docs", "/redoc"):
            r = httpx.get(base + page)
            assert r.status_code == 200, page
            urls = re.findall(r'(?:src|href|url)\s*[=:]\s*["\']([^"\']+)["\']', r.text)
            assert urls, r.text
            assert not [u for u in urls if u.startswith(("http:", "https:", "//"))], (page, urls)
            assert "fonts.googleapis" not in r.text and "cdn." not in r.text
            for url in urls:
                if url.startswith(ASSETS_URL):
                    asset = httpx.get(base + url)
                    assert asset.status_code == 200 and len(asset.content) > 1000, url


def test_metrics_label_docs_openapi_and_413_by_route(live_server):
    with live_server(max_body_bytes=2048) as base:
        httpx.get(base + "/docs")
        httpx.get(base + "/openapi.json")
        big = httpx.post(base + "/v1/ask", content=b"{" + b" " * 5000 + b"}", headers={"Content-Type": "application/json"})
        assert big.status_code == 413
        text = httpx.get(base + "/metrics").text
    assert _metric(text, "/docs", "200") >= 1
    assert _metric(text, "/openapi.json", "200") >= 1
    assert _metric(text, "/v1/ask", "413") >= 1
    assert _metric(text, "unmatched", "413") == 0


def test_metrics_behind_the_keys_when_the_setting_says_so(live_server):
    with live_server(api_keys=["k1"], metrics_require_key=True) as base:
        assert httpx.get(base + "/metrics").status_code == 401
        assert httpx.get(base + "/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert httpx.get(base + "/metrics", headers={"Authorization": "Bearer k1"}).status_code == 200
        assert httpx.get(base + "/healthz").status_code == 200
    with live_server(api_keys=["k1"]) as base:  # default: open, as before
        assert httpx.get(base + "/metrics").status_code == 200


def test_a_json_body_without_a_json_content_type_is_refused_saying_so(live_server, tmp_path):
    with live_server(batch_jobs_db=tmp_path / "jobs.sqlite") as base:
        for route, body in (("/v1/ask", f'{{"question": "{ASK}"}}'), ("/v1/batch", f'{{"questions": ["{ASK}"]}}')):
            for content_type in ("text/plain", "application/x-www-form-urlencoded"):
                r = httpx.post(base + route, content=body, headers={"Content-Type": content_type})
                assert r.status_code == 415, r.text
                error = r.json()
                assert error["error"] == "unsupported_media_type"
                assert "Content-Type: application/json" in error["message"] and content_type in error["message"]
            assert httpx.post(base + route, content=body, headers={"Content-Type": "application/json"}).status_code < 300
        missing = httpx.post(base + "/v1/ask", json={"top_k": 3})  # a JSON body that is wrong stays a 422
        assert missing.status_code == 422 and "question" in missing.json()["message"]


def test_top_k_true_and_stream_yes_are_refused(live_server, tmp_path):
    with live_server(batch_jobs_db=tmp_path / "jobs.sqlite") as base:
        for body in ({"question": ASK, "top_k": True}, {"question": ASK, "stream": "yes"},
                     {"question": ASK, "top_k": "3"}):
            r = httpx.post(base + "/v1/ask", json=body)
            assert r.status_code == 422, (body, r.text)
            assert r.json()["error"] == "invalid_request"
        batch = httpx.post(base + "/v1/batch", json={"questions": [ASK], "top_k": True})
        assert batch.status_code == 422
        assert httpx.post(base + "/v1/batch", json={"questions": [ASK], "top_k": 3}).status_code == 202
        assert httpx.post(base + "/v1/ask", json={"question": ASK, "top_k": 3, "stream": False}).status_code != 422


def test_batch_records_one_empty_question_as_bad_input_and_answers_the_rest(live_server, tmp_path):
    with live_server(batch_jobs_db=tmp_path / "jobs.sqlite") as base:
        r = httpx.post(base + "/v1/batch", json={"questions": [ASK, "", {"id": "blank", "question": "   "},
                                                               "Which antibiotic shortens cholera?"]})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["total"] == 4
        deadline = time.monotonic() + 120
        while (state := httpx.get(base + job["links"]["self"]).json())["status"] != "done":
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
    results = {rec["id"]: rec for rec in state["results"]}
    assert set(results) == {"row1", "row2", "blank", "row4"}
    for bad in ("row2", "blank"):
        assert results[bad]["error_type"] == "bad_input" and results[bad]["answer"] is None
        assert "empty" in results[bad]["error"]
    for good in ("row1", "row4"):
        assert results[good]["error"] is None and results[good]["answer"]


def test_filters_that_match_no_document_say_what_is_indexed(live_server):
    with live_server() as base:
        search = httpx.get(base + "/v1/search", params={"q": "malaria", "org": "UNICEF"})
        ask = httpx.post(base + "/v1/ask", json={"question": ASK, "filters": {"organisation": "UNICEF"}})
        year = httpx.get(base + "/v1/search", params={"q": "malaria", "year": 1999})
        both = httpx.get(base + "/v1/search", params={"q": "malaria", "org": "MSF", "year": 2021})
        fine = httpx.get(base + "/v1/search", params={"q": "malaria", "org": "who"})
    for r in (search, ask):
        assert r.status_code == 400, r.text
        message = r.json()["message"]
        assert message.startswith("no indexed document from organisation UNICEF; indexed: ")
        assert "MSF" in message and "WHO" in message
    assert year.status_code == 400 and "indexed years: 2018, 2021, 2025" in year.json()["message"]
    assert both.status_code == 400 and "at once" in both.json()["message"]
    assert fine.status_code == 200 and fine.json()["passages"]
