"""Faults: the model server down, slow, failing, cutting its stream or citing what it was not given;
the index broken or deleted under a running server; the disk full during ingest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rag.index import layout
from rag.index.verify import verify_version
from rag.types import DISCLAIMER
from tests.reliability.fault_server import fault_server
from tests.support.servers import free_port, parse_sse

pytestmark = pytest.mark.anyio
QUESTION = "What is the dose of artesunate for severe malaria in children weighing less than 20 kg?"
LLM = dict(generator="openai", llm_timeout=1.0, llm_retries=1, llm_max_tokens=32)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("mode", ["down", "500", "slow"])
async def test_model_faults_give_a_bounded_503_with_a_reason_and_leak_nothing(make_client, mode):
    url = f"http://127.0.0.1:{free_port()}/v1"  # "down": nothing listens there
    with fault_server(mode if mode != "down" else "500", delay=3.0) as served:
        async with make_client(**LLM, llm_base_url=[served if mode != "down" else url]) as client:
            first = await client.post("/v1/ask", json={"question": QUESTION}, timeout=60)
            threads, fds = threading.active_count(), open_fds()
            replies = [await client.post("/v1/ask", json={"question": QUESTION}, timeout=60) for _ in range(6)]
            stream = await client.post("/v1/ask", json={"question": QUESTION, "stream": True}, timeout=60)
            ready = await client.get("/readyz")
    for r in [first, *replies]:
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"] == "generator_unavailable" and "LLM server" in body["message"], body
    events = parse_sse(stream.text)
    assert events[0][0] == "passages" and events[-1][0] == "error" and "LLM" in events[-1][1]["message"]
    assert threading.active_count() <= threads + 2 and open_fds() <= fds + 4
    if mode == "down":
        assert ready.status_code == 503 and not ready.json()["generator"]["ok"]


async def test_a_stream_cut_mid_answer_ends_with_an_error_event(make_client):
    with fault_server("broken_stream") as url:
        async with make_client(**LLM, llm_base_url=[url]) as client:
            r = await client.post("/v1/ask", json={"question": QUESTION, "stream": True}, timeout=60)
    names = [name for name, _ in parse_sse(r.text)]
    assert names[0] == "passages" and "token" in names and names[-1] == "error" and "answer" not in names
    assert "stream broke" in parse_sse(r.text)[-1][1]["message"]


@pytest.mark.parametrize("stream", [False, True])
async def test_citations_to_passages_never_given_are_dropped_and_reported(make_client, stream):
    with fault_server("bad_citations") as url:
        async with make_client(**LLM, llm_base_url=[url]) as client:
            r = await client.post("/v1/ask", json={"question": QUESTION, "stream": stream}, timeout=60)
    assert r.status_code == 200, r.text
    body = parse_sse(r.text)[-1][1] if stream else r.json()
    assert body["disclaimer"] == DISCLAIMER
    given = len(body["passages"])
    assert all(1 <= c["n"] <= given for c in body["citations"])
    assert "[7]" not in body["answer"] and "[42]" not in body["answer"]


def _corrupt_new_version(index: Path) -> Path:
    """Publish a new version whose vectors are garbage, as a bad copy or a dying disk leaves it."""
    current = layout.current_dir(index)
    broken = current.parent / "v999999"
    shutil.copytree(current, broken)
    (broken / layout.DENSE).write_bytes(b"not a faiss index")
    layout.switch(index, broken)
    return broken


async def test_a_broken_or_deleted_index_keeps_the_served_version_and_says_so(make_client, copied_index):
    async with make_client(index=copied_index) as client:
        before = (await client.get("/v1/search", params={"q": "artesunate"})).json()
        version = (await client.get("/readyz")).json()["index"]["version"]
        _corrupt_new_version(copied_index)
        during = await client.get("/v1/search", params={"q": "artesunate"})
        ready = (await client.get("/readyz")).json()
        shutil.rmtree(layout.versions_dir(copied_index))  # every file of every version, gone
        after = await client.get("/v1/search", params={"q": "artesunate"})
        ask = await client.post("/v1/ask", json={"question": QUESTION})
    assert during.status_code == 200 and during.json()["passages"] == before["passages"]
    assert ready["index"]["version"] == version and "cannot read the index" in ready["index"]["last_error"]
    assert after.status_code == 200 and after.json()["passages"] == before["passages"]
    assert ask.status_code == 200 and ask.json()["disclaimer"] == DISCLAIMER


_FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: writes fail with EFBIG instead of a kill
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.argv = ["gqa", *sys.argv[2:]]
from api.cli import main
main()
"""


def test_disk_full_during_ingest_leaves_the_old_index(copied_index, tmp_path):
    version = layout.current_dir(copied_index)
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "long.md").write_text("# Long\n\n" + "Give oral rehydration salts after each loose stool. " * 4000)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", _FULL_DISK, str(256 * 1024), "ingest", str(folder), "--index",
                           str(copied_index)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert layout.current_dir(copied_index) == version
    assert verify_version(version) == []
    assert not list(layout.versions_dir(copied_index).glob("staging-*")), "staging folder left behind"
