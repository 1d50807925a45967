"""POST /v1/verify over a real index (the served corpus), and the verdicts /v1/ask carries, through create_app."""

from __future__ import annotations

import pytest

from api.app import create_app, include_v1
from api.routes.verify import router as verify_router
from rag.types import DISCLAIMER
from tests.support.servers import asgi_client, parse_sse

pytestmark = pytest.mark.anyio

PASSAGE_KEYS = {"rank", "score", "text", "source", "pages", "page_labels", "lines", "section", "title",
                "organisation", "year", "chunk_id"}
TEXT = ("Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose. "
        "Children weighing less than 20 kg should receive a higher dose of artesunate, 5 mg/kg per dose. "
        "Do not treat adults and children with severe malaria with intravenous or intramuscular artesunate.")


@pytest.fixture
def client(make_settings, embedder):
    def make(**overrides):
        app = create_app(make_settings(**overrides), embedder=embedder)
        include_v1(app, verify_router)  # what api/app.py does once the router is listed there
        return asgi_client(app)
    return make


async def test_verify_returns_a_verdict_reason_and_evidence_per_sentence(client):
    async with client() as c:
        r = await c.post("/v1/verify", json={"text": TEXT})
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["sentences", "disclaimer"] and body["disclaimer"] == DISCLAIMER
    verdicts = [s["verdict"] for s in body["sentences"]]
    assert verdicts == ["supported", "contradicted", "contradicted"], [s["reason"] for s in body["sentences"]]
    for s in body["sentences"]:
        assert set(s) == {"text", "verdict", "reason", "evidence"} and s["reason"]
        ev = s["evidence"][0]
        assert set(ev) >= PASSAGE_KEYS | {"quote"} and ev["source"] == "who/malaria.md" and ev["lines"]
        assert " ".join(ev["quote"].split()) in " ".join(ev["text"].split())
    assert body["sentences"][1]["reason"] == "the guideline says 3 mg/kg, the claim says 5 mg/kg"
    assert "not" in body["sentences"][2]["reason"]


async def test_verify_keeps_the_limits_and_errors_of_the_other_routes(client):
    async with client(max_question_chars=50) as c:
        empty = await c.post("/v1/verify", json={"text": "   "})
        long = await c.post("/v1/verify", json={"text": "artesunate " * 10})
        extra = await c.post("/v1/verify", json={"text": "artesunate", "question": "x"})
        missing = await c.post("/v1/verify", json={})
    assert empty.status_code == 422 and long.status_code == 422 and extra.status_code == 422 and missing.status_code == 422
    assert "longer than 50" in long.text and long.json()["error"] == empty.json()["error"]


async def test_verify_needs_a_key_when_keys_are_set(client):
    async with client(api_keys=["k1"]) as c:
        without = await c.post("/v1/verify", json={"text": "Give artesunate."})
        with_key = await c.post("/v1/verify", json={"text": "Give artesunate."}, headers={"Authorization": "Bearer k1"})
    assert without.status_code == 401 and with_key.status_code == 200


async def test_ask_sentences_carry_verdicts_and_the_stream_keeps_them(client):
    question = {"question": "What dose of artesunate for children under 20 kg with severe malaria?"}
    async with client() as c:
        plain = (await c.post("/v1/ask", json=question)).json()
        stream = await c.post("/v1/ask", json={**question, "stream": True})
    assert not plain["abstained"] and plain["withheld"] is None
    for s in plain["sentences"]:
        assert s["verdict"] in ("supported", "contradicted", "unsupported") and s["supported"] == (s["verdict"] == "supported")
    assert any(s["verdict"] == "supported" and s["evidence"] and s["evidence"][0]["quote"] for s in plain["sentences"])
    final = [data for name, data in parse_sse(stream.text) if name == "answer"][-1]
    assert [s["verdict"] for s in final["sentences"]] == [s["verdict"] for s in plain["sentences"]]
