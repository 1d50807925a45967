"""HTTP benchmark of `gqa serve` on 127.0.0.1: /v1/search and /v1/ask (extractive) under 1, 8 and 32
concurrent clients for a bounded time each, the time to the first streamed event of /v1/ask, and the
server's memory over a soak.

  .venv/bin/python -m benchmarks.api [--index INDEX] [--seconds 15] [--soak 300] [--workers 2]

Reports throughput, p50/p95/p99 latency, errors, server RSS (all its processes) at the start and end
of each run, and CPU per request of the server and of this load generator, which shares the cores.
Goals (issue 5): /v1/search >= 50 req/s with p99 <= 150 ms at 8 clients, zero errors, no memory
growth over 5 minutes; first streamed event of /v1/ask < 100 ms after retrieval.
Writes benchmarks/results/api.json. Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import (
    RESULTS,
    dev_questions_path,
    free_port,
    index_arg,
    out_arg,
    percentile,
    read_jsonl,
)

FALLBACK_QUESTIONS = ["artesunate dose severe malaria children", "oral rehydration salts cholera",
                      "first-line antihypertensive drugs", "amoxicillin dose pneumonia child"]


def questions() -> list[str]:
    """The dev set's questions, or a few fixed ones where the shared folder is absent."""
    path = dev_questions_path()
    if path.exists():
        return [item["question"] for item in read_jsonl(path)]
    return FALLBACK_QUESTIONS


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes."""
    total = 0.0
    for p in _tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    return total


def _proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # the fields after "(comm)", which may hold spaces


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its worker processes so far: per-request cost that
    does not depend on what else the machine is running, unlike latency."""
    ticks = 0
    for p in _tree(pid):
        try:
            fields = _proc_stat(p)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """The process and its children (uvicorn's workers)."""
    return [pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(int(p.name)) == pid]


def _ppid(pid: int) -> int | None:
    try:
        return int(_proc_stat(pid)[1])
    except (OSError, ValueError, IndexError):
        return None


def start_server(index: Path, workers: int = 1) -> tuple[subprocess.Popen, str]:
    """`gqa serve` on a free port, once every worker has loaded its models (its output: benchmarks/results/serve.log)."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GQA_INDEX": str(index), "GQA_GENERATOR": "extractive",
           "GQA_RATE_LIMIT_PER_MINUTE": "0", "GQA_API_KEYS": ""}
    gqa = Path(sys.executable).with_name("gqa")
    log = RESULTS / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(gqa), "serve", "--port", str(port), "--workers", str(workers)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while log.read_text().count("Application startup complete") < workers:
        if proc.poll() is not None:
            raise SystemExit(f"gqa serve exited with {proc.returncode}; see {log}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"gqa serve did not start; see {log}")
        time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}"


async def load(base: str, route: str, clients: int, seconds: float, qs: list[str]) -> dict:
    """`clients` concurrent closed-loop clients for `seconds`; latency per request in ms."""
    latencies: list[float] = []
    overheads: list[float] = []  # client latency minus the server's own pipeline time: what HTTP + FastAPI add
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(client: httpx.AsyncClient, offset: int) -> None:
        i = offset
        while time.perf_counter() < deadline:
            q = qs[i % len(qs)]
            i += clients
            t0 = time.perf_counter()
            try:
                if route == "search":
                    r = await client.get("/v1/search", params={"q": q, "k": 10})
                else:
                    r = await client.post("/v1/ask", json={"question": q})
                if r.status_code != 200:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                    continue
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            overheads.append(latencies[-1] - r.json().get("timings", {}).get("total", 0.0))

    started, client_cpu = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(*(client_loop(client, n) for n in range(clients)))
    elapsed, client_cpu = time.perf_counter() - started, time.process_time() - client_cpu
    return {"route": f"/v1/{route}", "clients": clients, "seconds": round(elapsed, 2), "requests": len(latencies),
            "throughput_rps": round(len(latencies) / elapsed, 2), "errors": errors,
            **{f"p{q}_ms": round(percentile(latencies, q), 1) for q in (50, 95, 99)},
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "outside_pipeline_p50_ms": round(percentile(overheads, 50), 1),
            "client_cpu_ms_per_request": round(client_cpu * 1000 / max(len(latencies), 1), 2)}


def first_event(base: str, qs: list[str], n: int) -> dict:
    """Time to the first SSE event (the passages) of /v1/ask, against the server's own retrieval time."""
    ttfe, retrieval, overhead = [], [], []
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in qs[:n]:
            t0 = time.perf_counter()
            first = None
            body = b""
            with client.stream("POST", "/v1/ask", json={"question": q, "stream": True}) as r:
                for chunk in r.iter_bytes():
                    if first is None:
                        first = (time.perf_counter() - t0) * 1000
                    body += chunk
            final = [b for b in body.decode().split("\n\n") if b.startswith("event: answer")]
            if not final:
                continue
            timings = json.loads(final[0].split("data: ", 1)[1])["timings"]
            spent = timings.get("retrieve", 0.0)  # the server's own retrieval time (embed, search, fuse)
            ttfe.append(first)
            retrieval.append(spent)
            overhead.append(first - spent)
    return {"requests": len(ttfe), "ttfe_p50_ms": round(percentile(ttfe, 50), 1),
            "ttfe_p95_ms": round(percentile(ttfe, 95), 1), "server_retrieval_p50_ms": round(percentile(retrieval, 50), 1),
            "after_retrieval_p50_ms": round(percentile(overhead, 50), 1),
            "after_retrieval_p95_ms": round(percentile(overhead, 95), 1)}


def soak(base: str, pid: int, seconds: float, qs: list[str]) -> dict:
    """/v1/search at 8 clients for `seconds`, sampling the server's RSS every 10 s."""
    samples = [round(rss_mb(pid), 1)]
    runs = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        runs.append(asyncio.run(load(base, "search", 8, min(10.0, end - time.monotonic()), qs)))
        samples.append(round(rss_mb(pid), 1))
    errors = sum(sum(r["errors"].values()) for r in runs)
    growth = round(samples[-1] - samples[1 if len(samples) > 2 else 0], 1)
    return {"seconds": seconds, "rss_mb_samples": samples, "rss_growth_mb": growth,
            "requests": sum(r["requests"] for r in runs), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    index_arg(parser)
    parser.add_argument("--seconds", type=float, default=15.0, help="Duration of each (route, clients) run.")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--soak", type=float, default=60.0, help="Memory soak duration (the goal is stated for 300 s).")
    parser.add_argument("--workers", type=int, default=1, help="gqa serve --workers.")
    out_arg(parser, "api.json")
    args = parser.parse_args()
    qs = questions()
    proc, base = start_server(args.index, args.workers)
    try:
        ready = httpx.get(f"{base}/readyz").json()
        asyncio.run(load(base, "search", 2, 3, qs))  # warm up caches and the thread pool
        rss_start = rss_mb(proc.pid)
        runs = []
        for route in ("search", "ask"):
            for clients in (int(c) for c in args.clients.split(",")):
                before, cpu_before = rss_mb(proc.pid), cpu_seconds(proc.pid)
                run = asyncio.run(load(base, route, clients, args.seconds, qs))
                cpu_ms = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(run["requests"], 1)
                run.update(rss_start_mb=round(before, 1), rss_end_mb=round(rss_mb(proc.pid), 1),
                           server_cpu_ms_per_request=round(cpu_ms, 2))
                print(json.dumps(run), flush=True)
                runs.append(run)
        stream = first_event(base, qs, 20)
        print(json.dumps({"first_event": stream}), flush=True)
        soaked = soak(base, proc.pid, args.soak, qs) if args.soak > 0 else None
        print(json.dumps({"soak": soaked}), flush=True)
        result = {"index": str(args.index), "index_version": ready["index"].get("version"),
                  "chunks": ready["index"].get("chunks"), "documents": ready["index"].get("documents"),
                  "cpu_count": os.cpu_count(), "workers": args.workers, "load_average_at_end": os.getloadavg(),
                  "seconds_per_run": args.seconds,
                  "server_rss_mb": {"start": round(rss_start, 1), "end": round(rss_mb(proc.pid), 1)},
                  "runs": runs, "first_streamed_event": stream, "soak": soaked}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
