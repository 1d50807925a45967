"""Search latency in process over the full corpus index: p50/p95/p99, 1 and 8 concurrent callers.

  .venv/bin/python -m benchmarks.search --index INDEX [--rounds 5] [--threads 1 8]

Questions are those of ../shared/eval/dev.jsonl (all 60, in a fixed shuffled order, repeated for
`--rounds`). Each query's time is split into the retriever's stages (embed, dense, lexical, fuse,
rerank). Goals without rerank on the 2-core machine: p50 <= 20 ms, p99 <= 60 ms.
Writes benchmarks/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.common import index_arg, out_arg, percentile, questions_arg, read_jsonl
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.wiring import build_retriever

STAGES = ("embed", "dense", "lexical", "fuse", "rerank", "total")


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 (benchmarks.common.percentile), mean and count of one stage's timings in ms."""
    return {**{f"p{q}": round(percentile(values, q), 2) for q in (50, 95, 99)},
            "mean": round(statistics.fmean(values), 2), "n": len(values)}


def run(retriever: Retriever, questions: list[str], threads: int) -> dict:
    """Every question once per caller slot; stage timings from the retriever, wall time from here."""
    def one(q: str) -> dict[str, float]:
        t0 = time.perf_counter()
        timings = retriever.search(q, k=10).timings
        return {**timings, "wall": (time.perf_counter() - t0) * 1000}

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(one, questions))
    seconds = time.perf_counter() - t0
    out = {stage: percentiles([r[stage] for r in results]) for stage in STAGES}
    out["wall"] = percentiles([r["wall"] for r in results])
    out["queries_per_second"] = round(len(questions) / seconds, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    questions_arg(parser)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8])
    out_arg(parser, "search.json")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings(index=args.index)
    retriever = build_retriever(settings)
    questions = [item["question"] for item in read_jsonl(args.questions)]
    random.Random(0).shuffle(questions)
    for q in questions[:10]:  # warm-up: model graphs, SQLite pages, FAISS memory
        retriever.search(q)
    reader = retriever.reader()
    report = {
        "index": str(args.index), "index_version": reader.version, "chunks": reader.manifest["counts"]["chunks"],
        "questions": len(questions), "rounds": args.rounds, "cpu_count": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
        "settings": {k: getattr(settings, k) for k in ("retrieval_mode", "candidates", "rrf_k", "faiss_index",
                                                       "reranker_model", "query_translation", "torch_threads")},
        "concurrency": {},
    }
    for threads in args.threads:
        report["concurrency"][str(threads)] = run(retriever, questions * args.rounds, threads)
        c = report["concurrency"][str(threads)]
        print(f"{threads} caller(s): total p50 {c['total']['p50']} ms, p95 {c['total']['p95']} ms, "
              f"p99 {c['total']['p99']} ms; {c['queries_per_second']} q/s; "
              + ", ".join(f"{s} p50 {c[s]['p50']}" for s in STAGES[:-1]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
