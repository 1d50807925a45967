"""Soak: N concurrent clients on 127.0.0.1 against /v1/search and /v1/ask (extractive) for a bounded
time, with a batch job and an ingest (hot swap) running while the server answers.

Reports requests, errors, p50/p99 per window (stable p99?) and the server's RSS after warm-up and
at the end. The server is a real `gqa serve` subprocess over a private copy of the index.

    .venv/bin/python -m benchmarks.soak --index INDEX --minutes 10 --clients 32 --out benchmarks/results/soak.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks.common import (
    ROOT,
    dev_questions_path,
    free_port,
    index_arg,
    out_arg,
    percentile,
    read_jsonl,
)

FALLBACK_QUESTIONS = ["artesunate dose severe malaria children", "oral rehydration salts cholera",
                      "first-line antihypertensive drugs", "zinc for diarrhoea in children"]
EXTRA_DOC = "# Soak test note\n\n## Snakebite\n\nGive antivenom to patients with signs of systemic envenoming.\n"


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def questions() -> list[str]:
    """The dev set's questions, or a few fixed ones where the shared folder is absent."""
    path = dev_questions_path()
    if path.exists():
        return [item["question"] for item in read_jsonl(path)]
    return FALLBACK_QUESTIONS


def private_copy(index: Path, into: Path) -> Path:
    """Copy the index symlink and its versions folder, so the soak may publish new versions."""
    versions = index.parent / f"{index.name}.versions"
    shutil.copytree(versions, into / versions.name, symlinks=True, ignore=shutil.ignore_patterns("staging-*", ".lock"))
    os.symlink(os.readlink(index), into / index.name)
    return into / index.name


def start_server(index: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "GQA_INDEX": str(index), "GQA_RATE_LIMIT_PER_MINUTE": "0", "GQA_GENERATOR": "extractive",
           "HF_HUB_OFFLINE": "1", "GQA_BATCH_JOBS_DB": str(index.parent / "jobs.sqlite")}
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gqa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("gqa serve exited")
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gqa serve not ready in 300 s")


class Recorder:
    """Latencies and errors per route and per time window, shared by the client threads."""

    def __init__(self, window_s: float):
        self.window_s = window_s
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.samples: list[tuple[float, str, float, bool]] = []  # (t, route, ms, ok)
        self.errors: list[str] = []

    def add(self, route: str, ms: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.samples.append((time.monotonic() - self.t0, route, ms, ok))
            if not ok and len(self.errors) < 20:
                self.errors.append(f"{route}: {detail}")

    def summary(self, warmup_s: float) -> dict:
        steady = [s for s in self.samples if s[0] >= warmup_s]
        windows: dict[int, list[float]] = {}
        for t, _, ms, _ in steady:
            windows.setdefault(int((t - warmup_s) // self.window_s), []).append(ms)
        p99s = [round(percentile(v, 99), 1) for _, v in sorted(windows.items()) if len(v) >= 20]
        by_route = {}
        for route in sorted({s[1] for s in self.samples}):
            ms = [s[2] for s in steady if s[1] == route]
            by_route[route] = {"requests": sum(1 for s in self.samples if s[1] == route),
                               "errors": sum(1 for s in self.samples if s[1] == route and not s[3]),
                               "p50_ms": round(percentile(ms, 50), 1), "p99_ms": round(percentile(ms, 99), 1)}
        return {"requests": len(self.samples), "errors": sum(1 for s in self.samples if not s[3]),
                "error_samples": self.errors, "routes": by_route, "window_s": self.window_s, "window_p99_ms": p99s,
                "p99_spread": round(max(p99s) / min(p99s), 2) if p99s else None}


def client(base: str, rec: Recorder, stop: threading.Event, qs: list[str], offset: int) -> None:
    """One user: alternate a search and an extractive ask until told to stop."""
    with httpx.Client(base_url=base, timeout=120) as http:
        for n in itertools.count(offset):
            if stop.is_set():
                return
            q = qs[n % len(qs)]
            route = "/v1/search" if n % 2 == 0 else "/v1/ask"
            t = time.perf_counter()
            try:
                r = (http.get(route, params={"q": q, "k": 5}) if route == "/v1/search"
                     else http.post(route, json={"question": q}))
                ok = r.status_code == 200 and ("passages" in r.json())
                rec.add(route, (time.perf_counter() - t) * 1000, ok, f"HTTP {r.status_code} {r.text[:120]}")
            except (httpx.HTTPError, ValueError) as exc:
                rec.add(route, (time.perf_counter() - t) * 1000, False, f"{type(exc).__name__}: {exc}")


def side_jobs(base: str, index: Path, qs: list[str], at_s: float, stop: threading.Event, out: dict) -> None:
    """Mid-run: a batch job over the API, then an ingest of a new file into the served index."""
    if stop.wait(at_s):
        return
    t = time.monotonic()
    with httpx.Client(base_url=base, timeout=60) as http:
        job = http.post("/v1/batch", json={"questions": qs[:20]}).json()
        while not stop.is_set():
            state = http.get(f"/v1/batch/{job['id']}").json()
            if state["status"] == "done":
                break
            time.sleep(1)
        out["batch"] = {"questions": 20, "status": state["status"], "seconds": round(time.monotonic() - t, 1),
                        "errors": sum(1 for r in state.get("results", []) if r.get("error"))}
        folder = index.parent / "extra"
        folder.mkdir(exist_ok=True)
        (folder / "soak-note.md").write_text(EXTRA_DOC)
        t = time.monotonic()
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "gqa"), "ingest", str(folder), "--index", str(index),
                               "--json"], check=False, capture_output=True, text=True,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=900)
        before = http.get("/readyz").json()["index"].get("version")
        out["ingest"] = {"exit": done.returncode, "seconds": round(time.monotonic() - t, 1), "served_version": before}


def run(index: Path, clients: int, seconds: float, out_path: Path | None) -> dict:
    qs = questions()
    with tempfile.TemporaryDirectory(prefix="gqa-soak-") as tmp:
        served = private_copy(index, Path(tmp))
        port = free_port()
        server = start_server(served, port)
        base = f"http://127.0.0.1:{port}"
        try:
            rss_ready = rss_mb(server.pid)
            warmup = min(30.0, seconds / 5)
            rec, stop, side = Recorder(window_s=max(5.0, seconds / 10)), threading.Event(), {}
            threads = [threading.Thread(target=client, args=(base, rec, stop, qs, i * 7), daemon=True)
                       for i in range(clients)]
            threads.append(threading.Thread(target=side_jobs, args=(base, served, qs, seconds / 3, stop, side),
                                            daemon=True))
            for th in threads:
                th.start()
            time.sleep(warmup)
            rss_warm, rss_samples = rss_mb(server.pid), []
            end = time.monotonic() + seconds - warmup
            while time.monotonic() < end:
                time.sleep(min(10.0, max(0.0, end - time.monotonic())))
                rss_samples.append(round(rss_mb(server.pid), 1))
            stop.set()
            for th in threads:
                th.join(timeout=150 if th is not threads[-1] else 1000)  # the side jobs finish their ingest
            rss_end = rss_mb(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    result = {"index": str(index), "clients": clients, "seconds": seconds, "warmup_s": warmup,
              **rec.summary(warmup), "throughput_rps": round(len(rec.samples) / seconds, 1),
              "rss_mb": {"ready": round(rss_ready, 1), "after_warmup": round(rss_warm, 1), "end": round(rss_end, 1),
                         "growth_pct": round(100 * (rss_end - rss_warm) / rss_warm, 2), "samples": rss_samples},
              **side}
    if out_path:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    index_arg(parser)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=None, help="Overrides --minutes.")
    out_arg(parser, None)
    args = parser.parse_args()
    if not args.index.exists():
        sys.exit(f"no index at {args.index}: give --index")
    result = run(args.index, args.clients, args.seconds or args.minutes * 60, args.out)
    print(json.dumps(result, indent=2))
    ok = result["errors"] == 0 and result["rss_mb"]["growth_pct"] < 5
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
