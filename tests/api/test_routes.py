"""Every route through create_app with httpx's ASGI transport, over a real index."""

from __future__ import annotations

import logging

import pytest

from api.app import create_app
from rag.settings import Settings
from rag.types import DISCLAIMER
from tests.support.index import INJECTED_INSTRUCTION
from tests.support.servers import MALARIA_MD, asgi_client, free_port, parse_sse

pytestmark = pytest.mark.anyio

PASSAGE_KEYS = {"rank", "score", "text", "source", "pages", "page_labels", "lines", "section", "title",
                "organisation", "year", "chunk_id"}
ASK_KEYS = {"answer", "abstained", "citations", "passages", "disclaimer", "timings"}
CITATION_KEYS = {"n", "source", "pages", "lines", "section", "title", "quote", "chunk_id"}


async def test_search_returns_the_search_contract(make_client):
    async with make_client() as client:
        r = await client.get("/v1/search", params={"q": "artesunate severe malaria children", "k": 3})
    assert r.status_code == 200, r.text
    passages = r.json()["passages"]
    assert 1 <= len(passages) <= 3
    assert PASSAGE_KEYS <= set(passages[0])
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    assert passages[0]["source"] == "who/malaria.md"
    assert passages[0]["organisation"] == "WHO" and passages[0]["year"] == 2025


async def test_search_filters_by_organisation_and_year(make_client):
    async with make_client() as client:
        msf = (await client.get("/v1/search", params={"q": "treatment", "org": "MSF"})).json()["passages"]
        y2021 = (await client.get("/v1/search", params={"q": "treatment", "year": 2021})).json()["passages"]
    assert msf and {p["organisation"] for p in msf} == {"MSF"}
    assert y2021 and {p["source"] for p in y2021} == {"who/hypertension.pdf"}


async def test_ask_json_is_the_ask_contract_with_citations(make_client):
    async with make_client() as client:
        question = "What dose of artesunate for children under 20 kg with severe malaria?"
        r = await client.post("/v1/ask", json={"question": question})
    assert r.status_code == 200, r.text
    body = r.json()
    assert ASK_KEYS <= set(body)
    assert not body["abstained"]
    assert body["citations"] and CITATION_KEYS <= set(body["citations"][0])
    cited = body["citations"][0]
    passage_text = {p["chunk_id"]: p["text"] for p in body["passages"]}[cited["chunk_id"]]
    assert cited["quote"] and cited["quote"] in passage_text
    assert "not medical advice" in body["disclaimer"].lower()


async def test_ask_stream_sends_passages_then_tokens_then_the_answer(make_client):
    question = {"question": "How is severe dehydration in cholera treated?", "stream": True}
    async with make_client() as client:
        r = await client.post("/v1/ask", json=question)
        plain = (await client.post("/v1/ask", json={**question, "stream": False})).json()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    names = [name for name, _ in events]
    assert names[0] == "passages" and names[-1] == "answer"
    assert "token" in names and set(names[1:-1]) == {"token"}
    final = events[-1][1]
    assert "".join(d["text"] for n, d in events if n == "token").strip() == final["answer"].strip()
    assert final["citations"] and final["citations"] == plain["citations"]
    assert [p["chunk_id"] for p in events[0][1]["passages"]] == [p["chunk_id"] for p in final["passages"]]


async def test_accept_header_alone_turns_on_streaming(make_client):
    async with make_client() as client:
        r = await client.post("/v1/ask", json={"question": "artemether-lumefantrine schedule"},
                              headers={"Accept": "text/event-stream"})
    assert [n for n, _ in parse_sse(r.text)][0] == "passages"


async def test_documents_pages_and_files(make_client):
    async with make_client() as client:
        docs = (await client.get("/v1/documents")).json()
        by_source = {d["source"]: d for d in docs["documents"]}
        assert set(by_source) == {"who/malaria.md", "msf/cholera.html", "who/hypertension.pdf"}
        pdf = by_source["who/hypertension.pdf"]
        one = (await client.get(f"/v1/documents/{pdf['doc_id']}")).json()
        page = (await client.get(f"/v1/documents/{pdf['doc_id']}/pages/3")).json()
        html = await client.get(f"/v1/documents/{pdf['doc_id']}/pages/3", params={"format": "html"})
        original = await client.get(f"/v1/documents/{pdf['doc_id']}/file")
        missing_page = await client.get(f"/v1/documents/{pdf['doc_id']}/pages/99")
    assert docs["version"] and one["title"] == pdf["title"] and one["page_count"] == 3
    assert "thiazide" in page["text"] and page["page"] == 3
    assert html.headers["content-type"].startswith("text/html") and "thiazide" in html.text
    assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
    assert original.content.startswith(b"%PDF") and "inline" in original.headers["content-disposition"]
    assert missing_page.status_code == 404 and missing_page.json()["error"] == "not_found"


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "ABCDEF", "0" * 63, "%2e%2e%2fchunks.sqlite", "g" * 64])
async def test_document_ids_must_be_sha256_hex(make_client, doc_id):
    async with make_client() as client:
        r = await client.get(f"/v1/documents/{doc_id}/file")
    assert r.status_code in (404, 422)
    assert r.json()["error"] in ("invalid_request", "not_found")
    assert "Traceback" not in r.text


async def test_unknown_document_is_a_json_404(make_client):
    async with make_client() as client:
        r = await client.get(f"/v1/documents/{'a' * 64}")
    assert r.status_code == 404 and r.json() == {"error": "not_found", "message": r.json()["message"]}


async def test_health_ready_and_metrics(make_client):
    async with make_client() as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        await client.get("/v1/search", params={"q": "artesunate"})
        metrics = (await client.get("/metrics")).text
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["ready"] and ready.json()["index"]["documents"] == 3
    assert ready.json()["generator"]["name"] == "extractive"
    assert 'gqa_http_requests_total{method="GET",route="/v1/search",status="200"} 1.0' in metrics
    assert "gqa_http_request_seconds_bucket" in metrics and "gqa_stage_seconds_bucket" in metrics
    assert "gqa_index_documents 3.0" in metrics and "gqa_generator_errors_total 0.0" in metrics


async def test_readyz_is_503_without_an_index_or_with_an_unreachable_llm(tmp_path, embedder, api_index):
    no_index = create_app(Settings(index=tmp_path / "nothing"), embedder=embedder)
    dead_llm = create_app(Settings(index=api_index, generator="openai",
                                   llm_base_url=f"http://127.0.0.1:{free_port()}/v1"), embedder=embedder)
    for app, part in ((no_index, "index"), (dead_llm, "generator")):
        async with asgi_client(app) as client:
            r = await client.get("/readyz")
            search = await client.get("/v1/search", params={"q": "malaria"})
        assert r.status_code == 503 and not r.json()["ready"] and not r.json()[part]["ok"]
    assert search.status_code == 200  # an unreachable LLM does not stop the lookup
    async with asgi_client(no_index) as client:
        r = await client.get("/v1/search", params={"q": "malaria"})
    assert r.status_code == 503 and r.json()["error"] == "index_not_found"


async def test_openapi_has_examples_on_every_model(make_client):
    async with make_client() as client:
        spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    ours = {name: s for name, s in schemas.items() if not name.startswith(("HTTPValidationError", "ValidationError"))}
    assert {"AskRequest", "SearchResponse", "AskResponse", "DocumentsResponse", "PageOut", "ErrorOut"} <= set(ours)
    assert [name for name, s in ours.items() if not s.get("examples")] == []
    assert {"/v1/search", "/v1/ask", "/v1/documents", "/v1/documents/{doc_id}/pages/{n}", "/healthz"} <= set(spec["paths"])


async def test_questions_are_not_logged_unless_asked(make_client, caplog):
    secret = "patient Jane Roe 34 weeks pregnant artesunate"
    caplog.set_level(logging.DEBUG)
    async with make_client() as client:
        await client.get("/v1/search", params={"q": secret})
        await client.post("/v1/ask", json={"question": secret})
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # httpx logs the test's own URLs
    assert [r for r in server_side if r.name == "gqa.access"], "the access log should still record the requests"
    assert not [r for r in server_side if "Jane" in r.getMessage()]
    caplog.clear()
    async with make_client(log_queries=True) as client:
        await client.get("/v1/search", params={"q": secret})
    assert [r for r in caplog.records if r.name == "gqa.access" and "Jane" in r.getMessage()]


async def test_widget_and_demo_page_are_served(make_client):
    async with make_client() as client:
        js = await client.get("/widget.js")
        page = await client.get("/")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert 'customElements.define("guideline-lookup"' in js.text
    assert '<script src="/widget.js"' in page.text and "<guideline-lookup" in page.text


async def test_page_views_show_what_citations_point_at(make_client):
    async with make_client() as client:
        md = (await client.get("/v1/search", params={"q": "artesunate 3 mg/kg children under 20 kg",
                                                      "doc": "who/malaria.md"})).json()["passages"][0]
        html_doc = (await client.get("/v1/search", params={"q": "Ringer lactate", "org": "MSF"})).json()["passages"][0]
        md_view = (await client.get(f"/v1/documents/{md['doc_id']}/pages/1", params={"format": "html"})).text
        html_view = (await client.get(f"/v1/documents/{html_doc['doc_id']}/pages/1", params={"format": "html"})).text
    first = md["lines"][0]
    source_line = MALARIA_MD.split("\n")[first - 1]
    assert f'<span id="L{first}" class="l"><a href="#L{first}">{first}</a>{source_line}</span>' in md_view
    assert "Ringer lactate" in html_view and "&lt;p&gt;" not in html_view  # the indexed text, not the markup


async def test_injected_instructions_in_a_passage_do_not_touch_the_disclaimer(make_client, answer_index):
    # The water handbook's storage section tells the reader's model to remove the disclaimer. Served as
    # JSON and as a stream, the answer quotes the storage rule, not the instruction, and keeps the disclaimer.
    question = {"question": "How should treated water be stored in containers?"}
    async with make_client(index=answer_index) as client:
        plain = (await client.post("/v1/ask", json=question)).json()
        stream = parse_sse((await client.post("/v1/ask", json={**question, "stream": True})).text)
    assert stream[-1][0] == "answer", stream[-1]
    for served in (plain, stream[-1][1]):
        assert any(INJECTED_INSTRUCTION in p["text"] for p in served["passages"])  # the injection was retrieved
        assert served["disclaimer"] == DISCLAIMER
        assert not served["abstained"] and "containers" in served["answer"]
        assert "previous instructions" not in served["answer"] and "medical advice" not in served["answer"]
        given = {p["chunk_id"]: p["text"] for p in served["passages"]}
        assert served["citations"] and all(c["quote"] in given[c["chunk_id"]] for c in served["citations"])
