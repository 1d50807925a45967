"""The vocabulary-gap levers of issue 14 (item 3), each off and on at a few weights, on both question halves.

    .venv/bin/python -m benchmarks.levers --index INDEX

Levers: WordNet synonym expansion of the lexical query (`lexical_synonyms`, `synonym_weight`) and the
whole-page view fused as a third ranking (`page_view_weight`). Each variant is the default settings with
the lever's settings changed; the report gives recall@1/5 and MRR@10 (overall, English, paraphrase,
non-English) on the tuning and the validation half, and search latency (p50/p90 ms per query, measured
around `Retriever.search` during the runs, after one warm-up pass that builds the per-index caches).
Weights are chosen on the tuning half; the validation half decides whether a lever is kept.
Writes benchmarks/results/levers.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.common import RESULTS, index_arg, percentile, question_halves, retrieval_summary
from rag.retrieval.evaluation import run_eval
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.text.synonyms import ExpansionRules
from rag.wiring import build_retriever, configure_process

MARGIN = 0.01  # MRR@10 changes smaller than this are noise on ~160 questions
VARIANTS = {  # name -> (settings changed, expansion rules or None for the default rules)
    "off": ({}, None),
    "synonyms w0.2": ({"lexical_synonyms": True, "synonym_weight": 0.2}, None),
    "synonyms w0.3": ({"lexical_synonyms": True, "synonym_weight": 0.3}, None),
    "synonyms w0.5": ({"lexical_synonyms": True, "synonym_weight": 0.5}, None),
    "synonyms w0.3 rare words only": ({"lexical_synonyms": True, "synonym_weight": 0.3}, ExpansionRules(rare_sources=True)),
    "synonyms w0.3 all senses": ({"lexical_synonyms": True, "synonym_weight": 0.3}, ExpansionRules(clinical_only=False)),
    "page view w0.3 all chunks": ({"page_view_weight": 0.3, "page_view_chunks": 0}, None),
    "page view w0.6 all chunks": ({"page_view_weight": 0.6, "page_view_chunks": 0}, None),
    "page view w1.0 all chunks": ({"page_view_weight": 1.0, "page_view_chunks": 0}, None),
    "page view w0.3": ({"page_view_weight": 0.3}, None),
    "page view w0.6": ({"page_view_weight": 0.6}, None),
    "page view w1.0": ({"page_view_weight": 1.0}, None),
    "synonyms w0.3 + page view w0.6 all chunks": ({"lexical_synonyms": True, "synonym_weight": 0.3,
                                                   "page_view_weight": 0.6, "page_view_chunks": 0}, None),
}


def timed_search(retriever: Retriever, latencies: list[float]):
    """question -> passage dicts, recording each search's wall time in ms."""
    def search(question: str) -> list[dict]:
        t0 = time.perf_counter()
        passages = retriever.search(question, k=10).passages
        latencies.append((time.perf_counter() - t0) * 1000)
        return [p.to_dict() for p in passages]
    return search


LATENCY = {"off": {}, "synonyms w0.3": {"lexical_synonyms": True, "synonym_weight": 0.3},
           "page view w0.3": {"page_view_weight": 0.3}}


def interleaved_latency(wired, base: Settings, items: list, rounds: int) -> dict:
    """p50/p90 search ms of each lever, the configurations taking turns on each question, so the machine's
    load (shared cores) falls on all of them alike; the per-index caches are warmed first."""
    retrievers = {name: Retriever(wired.index, wired.embedder, base.model_copy(update=change), reranker=wired.reranker)
                  for name, change in LATENCY.items()}
    for r in retrievers.values():
        for item in items[:5]:
            r.search(item.question)
    times: dict[str, list[float]] = {name: [] for name in retrievers}
    for _ in range(rounds):
        for item in items:
            for name, r in retrievers.items():
                t0 = time.perf_counter()
                r.search(item.question, k=10)
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: {"p50": _ms(t, 50), "p90": _ms(t, 90)} for name, t in times.items()}


def _ms(values: list[float], q: float) -> float:
    """The q-th percentile (common.percentile's nearest-rank rule) in ms, to 0.01."""
    return round(percentile(values, q), 2) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--out", type=Path, default=RESULTS / "levers.json")
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the interleaved latency comparison (0 = skip)")
    args = parser.parse_args()
    base = Settings(index=args.index)
    configure_process(base)
    wired = build_retriever(base)
    halves = question_halves()
    out: dict = {"index": str(args.index), "margin": MARGIN, "variants": {}}
    if args.only and args.out.is_file():  # a partial run updates the variants it runs, keeps the others
        out["variants"] = json.loads(args.out.read_text())["variants"]
    for name, (change, rules) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        retriever = Retriever(wired.index, wired.embedder, base.model_copy(update=change), reranker=wired.reranker)
        if rules is not None:
            retriever.synonym_rules = rules
        for item in halves["tuning"][:5]:  # warm-up: WordNet, the page view and the counters' first use
            retriever.search(item.question)
        row: dict = {"settings": change, "rules": rules.__dict__ if rules else None}
        latencies: list[float] = []
        for half, items in halves.items():
            row[half] = retrieval_summary(run_eval(items, {name: timed_search(retriever, latencies)}))
        row["latency_ms"] = {"p50": _ms(latencies, 50), "p90": _ms(latencies, 90),
                             "mean": round(statistics.fmean(latencies), 2) if latencies else 0.0}
        out["variants"][name] = row
        t, v = row["tuning"], row["validation"]
        print(f"{name:34s} tun en R@1 {t['en']['recall@1']:.3f} R@5 {t['en']['recall@5']:.3f} MRR {t['en']['mrr@10']:.3f}"
              f" para R@5 {t['paraphrase']['recall@5']:.3f} | val en R@1 {v['en']['recall@1']:.3f} "
              f"R@5 {v['en']['recall@5']:.3f} MRR {v['en']['mrr@10']:.3f} para R@5 {v['paraphrase']['recall@5']:.3f} "
              f"non-en R@5 {(v['non_en'] or {}).get('recall@5', 0):.3f} | p50 {row['latency_ms']['p50']} ms", flush=True)
    out["latency_interleaved"] = interleaved_latency(wired, base, halves["tuning"], args.rounds) if args.rounds else \
        out.get("latency_interleaved")
    off = out["variants"].get("off")
    for name, row in out["variants"].items():
        if off is None or name == "off":
            continue
        row["gain_mrr"] = {h: round(row[h]["overall"]["mrr@10"] - off[h]["overall"]["mrr@10"], 4) for h in halves}
        row["verdict"] = ("helps" if row["gain_mrr"]["validation"] > MARGIN else
                          "hurts" if row["gain_mrr"]["validation"] < -MARGIN else "neutral")
    for row in out["variants"].values():
        for half in halves:
            row[half].pop("ranks", None)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
