"""`gqa serve` as a real process on 127.0.0.1: uvicorn starts and logs routes but never questions; a
port already taken is refused with exit code 2 and a clear message."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.servers import gqa_serve


def test_gqa_serve_starts_uvicorn(api_index, tmp_path):
    log = tmp_path / "serve.log"
    with gqa_serve(api_index, log) as (base, _):
        r = httpx.get(f"{base}/v1/search", params={"q": "Patient Zed cholera doxycycline"})
        assert r.status_code == 200 and r.json()["passages"][0]["source"] == "msf/cholera.html"
    output = log.read_text()
    assert "GET /v1/search 200" in output  # the access log names the route...
    assert "Zed" not in output  # ...never the question


def test_an_address_in_use_is_refused_with_a_clear_message(api_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gqa = Path(sys.executable).with_name("gqa")
        done = subprocess.run([str(gqa), "serve", "--index", str(api_index), "--port", str(port), "--workers", "2"],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
