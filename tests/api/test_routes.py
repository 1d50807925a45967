"""Every route through create_app with httpx's ASGI transport, over a real index."""

from __future__ import annotations

import json
import logging

import pytest

from api.app import create_app
from rag.settings import Settings
from tests.api.conftest import MALARIA_MD

pytestmark = pytest.mark.anyio

PASSAGE_KEYS = {"rank", "score", "text", "source", "pages", "page_labels", "lines", "section", "title",
                "organisation", "year", "chunk_id"}
ASK_KEYS = {"answer", "abstained", "citations", "passages", "disclaimer", "timings"}
CITATION_KEYS = {"n", "source", "pages", "lines", "section", "title", "quote", "chunk_id"}


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """(event, data) pairs of a text/event-stream body."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().split("\n")
        name = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "message")
        data = "\n".join(ln[5:].lstrip() for ln in lines if ln.startswith("data:"))
        if data:
            events.append((name, json.loads(data)))
    return events


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
        r = await client.post("/v1/ask", json={"question": "What dose of artesunate for children under 20 kg with severe malaria?"})
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
    from tests.api.conftest import free_port

    no_index = create_app(Settings(index=tmp_path / "nothing"), embedder=embedder)
    dead_llm = create_app(Settings(index=api_index, generator="openai",
                                   llm_base_url=f"http://127.0.0.1:{free_port()}/v1"), embedder=embedder)
    import httpx

    for app, part in ((no_index, "index"), (dead_llm, "generator")):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            r = await client.get("/readyz")
            search = await client.get("/v1/search", params={"q": "malaria"})
        assert r.status_code == 503 and not r.json()["ready"] and not r.json()[part]["ok"]
    assert search.status_code == 200  # an unreachable LLM does not stop the lookup
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=no_index), base_url="http://t") as client:
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


def run_cli(*args: str) -> dict:
    """A `gqa` command through its real entry point, its JSON output parsed."""
    from typer.testing import CliRunner

    from api.cli import build_app

    
    app = build_app()
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_search_and_ask_answer_the_same_json_as_the_cli(make_client, api_index):
    question = "artesunate severe malaria children"
    cli_search = run_cli("search", question, "-k", "4", "--json", "--index", str(api_index))
    cli_ask = run_cli("ask", question, "--json", "--index", str(api_index))
    async with make_client() as client:
        api_search = (await client.get("/v1/search", params={"q": question, "k": 4})).json()
        api_ask = (await client.post("/v1/ask", json={"question": question})).json()
    assert api_search["passages"] == cli_search["passages"]
    for key in ("answer", "abstained", "citations", "passages", "disclaimer"):
        assert api_ask[key] == cli_ask[key], key


async def test_page_views_show_what_citations_point_at(make_client):
    async with make_client() as client:
        md = (await client.get("/v1/search", params={"q": "artesunate 3 mg/kg children under 20 kg", "doc": "who/malaria.md"})).json()["passages"][0]
        html_doc = (await client.get("/v1/search", params={"q": "Ringer lactate", "org": "MSF"})).json()["passages"][0]
        md_view = (await client.get(f"/v1/documents/{md['doc_id']}/pages/1", params={"format": "html"})).text
        html_view = (await client.get(f"/v1/documents/{html_doc['doc_id']}/pages/1", params={"format": "html"})).text
    first = md["lines"][0]
    source_line = MALARIA_MD.split("\n")[first - 1]
    assert f'<span id="L{first}" class="l"><a href="#L{first}">{first}</a>{source_line}</span>' in md_view
    assert "Ringer lactate" in html_view and "&lt;p&gt;" not in html_view  # the indexed text, not the markup

