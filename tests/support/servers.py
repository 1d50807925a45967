"""The served test corpus and ways to serve it: in-process (httpx's ASGI transport), a real uvicorn
on 127.0.0.1, or `gqa serve` as a real process; plus a Server-Sent Events parser for the answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.pdf import make_simple_pdf

MALARIA_MD = """# Guidelines for the treatment of malaria

## Severe malaria

Treat adults and children with severe malaria with intravenous or intramuscular artesunate for at least 24 hours.
Once a patient has received at least 24 hours of parenteral therapy and can tolerate oral therapy, complete treatment with 3 days of an artemisinin-based combination therapy.
Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose.

## Uncomplicated malaria

Treat children and adults with uncomplicated Plasmodium falciparum malaria with an artemisinin-based combination therapy.
Artemether-lumefantrine is given twice daily for three days.
"""  # noqa: E501

CHOLERA_HTML = """<!doctype html><html lang="en"><head><title>Management of a cholera epidemic</title></head><body>
<h1>Management of a cholera epidemic</h1>
<h2>Rehydration</h2>
<p>Oral rehydration salts are the basis of the treatment of cholera for patients with some dehydration.</p>
<p>Patients with severe dehydration receive intravenous Ringer lactate, 100 ml/kg in 3 hours for adults.</p>
<h2>Antibiotics</h2>
<p>Doxycycline as a single dose is given to patients with severe dehydration to shorten the illness.</p>
</body></html>"""

HYPERTENSION_PAGES = [
    ["Guideline for the pharmacological treatment of hypertension in adults", "World Health Organization 2021"],
    ["Recommendation 1: initiation of treatment",
     "WHO recommends initiation of antihypertensive treatment in individuals with a confirmed diagnosis",
     "of hypertension and systolic blood pressure of 140 mmHg or higher or diastolic of 90 mmHg or higher."],
    ["Recommendation 2: first-line drugs",
     "For adults with hypertension requiring treatment, WHO recommends the use of drugs from any of",
     "the following three classes: thiazide and thiazide-like agents, ACE inhibitors or ARBs,",
     "and long-acting dihydropyridine calcium channel blockers."],
]

MANIFEST = """\
who/malaria.md: {organisation: WHO, year: 2025, title: Guidelines for the treatment of malaria}
msf/cholera.html: {organisation: MSF, year: 2018, title: Management of a cholera epidemic}
who/hypertension.pdf: {organisation: WHO, year: 2021, title: Guideline for the pharmacological treatment of hypertension in adults}
"""  # noqa: E501

EXTRA_MD = """# Snakebite envenoming

## Antivenom

Give antivenom to patients with signs of systemic envenoming such as incoagulable blood after a snakebite.
"""

# Questions the served corpus answers (batch jobs send them).
API_QUESTIONS = [
    "What dose of artesunate for severe malaria?",
    "How much Ringer lactate for severe dehydration in cholera?",
    "When should antihypertensive treatment be started?",
    "Which antibiotic shortens cholera?",
    "How long is artemether-lumefantrine given?",
]


def write_corpus(root: Path) -> Path:
    """Three small guideline files (Markdown, HTML, PDF) and their corpus manifest; returns the manifest path."""
    (root / "who").mkdir(parents=True, exist_ok=True)
    (root / "msf").mkdir(parents=True, exist_ok=True)
    (root / "who" / "malaria.md").write_text(MALARIA_MD, encoding="utf-8")
    (root / "msf" / "cholera.html").write_text(CHOLERA_HTML, encoding="utf-8")
    make_simple_pdf(root / "who" / "hypertension.pdf", HYPERTENSION_PAGES, line_height=7)
    manifest = root.parent / f"{root.name}-manifest.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    return manifest


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def asgi_client(app) -> httpx.AsyncClient:
    """An httpx client talking to the app in-process (no lifespan: services load on first use)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@contextmanager
def running_server(app) -> Iterator[str]:
    """Serve `app` with a real uvicorn on a free 127.0.0.1 port for the duration of the block."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def gqa_serve(index: Path, log: Path, *args: str, workers: int = 1, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`gqa serve` as a real process on a free 127.0.0.1 port, its output in `log`, until every worker
    has started (each loads its models before it accepts); stopped with SIGTERM after the block."""
    port = free_port()
    gqa = Path(sys.executable).with_name("gqa")
    with log.open("w") as out:
        proc = subprocess.Popen([str(gqa), "serve", "--port", str(port), "--workers", str(workers), *args],
                                env={**os.environ, "GQA_INDEX": str(index), "HF_HUB_OFFLINE": "1", **env},
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180 * workers  # each worker loads its models; a loaded CI machine is slow
        while log.read_text().count("Application startup complete") < workers:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gqa serve did not start:\n" + log.read_text()
            time.sleep(0.3)
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
