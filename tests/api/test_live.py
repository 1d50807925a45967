"""End to end against a real uvicorn on 127.0.0.1: routes, streaming, auth, the index hot swap.
(`gqa serve` as a process: tests/api/cli/test_serve.py.)"""

from __future__ import annotations

import threading
import time

import httpx

from api.app import create_app
from rag.settings import Settings
from tests.support.index import ingest_folder
from tests.support.servers import EXTRA_MD, parse_sse, running_server

KEY = "live-test-key"


def test_every_route_over_http(live_server):
    with live_server(api_keys=[KEY]) as base, httpx.Client(base_url=base, timeout=60,
                                                            headers={"Authorization": f"Bearer {KEY}"}) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True
        passages = client.get("/v1/search", params={"q": "first-line antihypertensive drug classes", "k": 2}).json()["passages"]
        assert passages[0]["source"] == "who/hypertension.pdf" and passages[0]["pages"]
        doc_id = passages[0]["doc_id"]
        assert client.get(f"/v1/documents/{doc_id}").json()["format"] == "pdf"
        page = client.get(f"/v1/documents/{doc_id}/pages/{passages[0]['pages'][0]}").json()
        assert passages[0]["text"].split()[0] in page["text"]
        assert client.get(f"/v1/documents/{doc_id}/file").content.startswith(b"%PDF")
        answer = client.post("/v1/ask", json={"question": "Which drug classes are first line for hypertension?"}).json()
        assert answer["citations"] and answer["citations"][0]["source"] == "who/hypertension.pdf"
        assert "gqa_http_requests_total" in client.get("/metrics").text
        assert client.get("/", headers={}).status_code == 200
        assert httpx.get(f"{base}/v1/documents").status_code == 401


def test_stream_arrives_in_order_over_a_real_socket(live_server):
    with live_server() as base, httpx.Client(base_url=base, timeout=60) as client:
        chunks = []
        with client.stream("POST", "/v1/ask", json={"question": "oral rehydration salts for cholera", "stream": True}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for chunk in r.iter_text():
                chunks.append(chunk)
    assert chunks[0].startswith("event: passages")
    events = parse_sse("".join(chunks))
    names = [n for n, _ in events]
    assert names[0] == "passages" and names[-1] == "answer" and names.count("token") >= 1
    assert events[-1][1]["citations"]


def test_index_hot_swap_while_requests_run(copied_index, embedder, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "snakebite.md").write_text(EXTRA_MD, encoding="utf-8")
    app = create_app(Settings(index=copied_index, rate_limit_per_minute=0), embedder=embedder)
    statuses: list[int] = []
    stop = threading.Event()

    def hammer(base: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.get("/v1/search", params={"q": "antivenom snakebite"}).status_code)
                statuses.append(client.get("/v1/documents").status_code)

    with running_server(app) as base:
        before = httpx.get(f"{base}/readyz").json()["index"]["version"]
        workers = [threading.Thread(target=hammer, args=(base,)) for _ in range(3)]
        for w in workers:
            w.start()
        try:
            while len(statuses) < 10:
                time.sleep(0.05)
            ingest_folder(extra, copied_index, embedder)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                sources = {d["source"] for d in httpx.get(f"{base}/v1/documents").json()["documents"]}
                if "snakebite.md" in sources:
                    break
                time.sleep(0.1)
            served_during = len(statuses)
        finally:
            stop.set()
            for w in workers:
                w.join()
        after = httpx.get(f"{base}/readyz").json()["index"]
        top = httpx.get(f"{base}/v1/search", params={"q": "antivenom for snakebite envenoming", "k": 1}).json()["passages"][0]
    assert "snakebite.md" in sources and after["version"] != before and after["documents"] == 4
    assert top["source"] == "snakebite.md"
    assert served_during > 10 and set(statuses) == {200}
