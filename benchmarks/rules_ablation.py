"""Every retrieval rule re-measured on both halves of the project's questions: on, then off.

    .venv/bin/python -m benchmarks.rules_ablation --index INDEX

Each variant is the default settings with one rule switched off (or its weight set to neutral); the
report gives recall@1/5 and MRR@10 overall, English, paraphrase and non-English, on the tuning and the
validation half, and the verdict rule: a rule is kept when switching it off lowers validation MRR@10
(English or non-English, whichever the rule is for) by more than the noise margin, else it is a candidate to
drop. Models and the index are loaded once; only the retriever's settings change between variants.
Writes benchmarks/results/rules_ablation.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.common import RESULTS, index_arg, question_halves, retrieval_summary
from rag.retrieval.evaluation import run_eval, search_modes
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.wiring import build_retriever, configure_process

MARGIN = 0.01  # MRR@10 changes smaller than this are noise on ~180 questions
VARIANTS = {  # name -> (settings switched, which group it is meant to help)
    "defaults": ({}, "en"),
    "no source boost (named guideline)": ({"source_boost": 0.0}, "en"),
    "no fr/es glossary": ({"query_translation": "none"}, "non_en"),
    "no navigation demotion": ({"demote_navigation": False, "demote_evidence_apparatus": False}, "en"),
    "no evidence-apparatus demotion": ({"demote_evidence_apparatus": False}, "en"),
    "no lexical prefix": ({"lexical_prefix": False}, "en"),
    "no bare numbers in lexical": ({"lexical_numbers": False}, "en"),
    "no near-duplicate removal": ({"dedup_threshold": 1.01}, "en"),
    "dense only": ({"retrieval_mode": "dense"}, "en"),
    "lexical only": ({"retrieval_mode": "lexical"}, "en"),
    "lexical weight 0.5": ({"lexical_weight": 0.5}, "en"),
    "dense weight 0.5": ({"dense_weight": 0.5}, "en"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--out", type=Path, default=RESULTS / "rules_ablation.json")
    args = parser.parse_args()
    base = Settings(index=args.index)
    configure_process(base)
    wired = build_retriever(base)
    halves = question_halves()
    out: dict = {"index": str(args.index), "margin": MARGIN, "variants": {}}
    for name, (change, group) in VARIANTS.items():
        t0 = time.perf_counter()
        retriever = Retriever(wired.index, wired.embedder, base.model_copy(update=change), reranker=wired.reranker)
        row = {"settings": change, "group": group}
        for half, items in halves.items():
            row[half] = retrieval_summary(run_eval(items, search_modes(retriever, ablation=False)))
        row["seconds"] = round(time.perf_counter() - t0, 1)
        out["variants"][name] = row
        v = row["validation"]
        print(f"{name:40s} val en R@1 {v['en']['recall@1']:.3f} R@5 {v['en']['recall@5']:.3f} "
              f"MRR {v['en']['mrr@10']:.3f} | non-en R@5 {(v['non_en'] or {}).get('recall@5', 0):.3f} "
              f"MRR {(v['non_en'] or {}).get('mrr@10', 0):.3f} ({row['seconds']} s)", flush=True)
    default = out["variants"]["defaults"]
    for name, row in out["variants"].items():
        if name == "defaults" or not row["settings"]:
            continue
        g = row["group"]
        delta = {h: round((default[h][g] or {}).get("mrr@10", 0) - (row[h][g] or {}).get("mrr@10", 0), 4)
                 for h in halves}
        row["rule_gain_mrr"] = delta  # what the default (rule on) gains over this variant
        row["verdict"] = "keep" if delta["validation"] > MARGIN else ("drop" if delta["validation"] < -MARGIN else "neutral")
    for row in out["variants"].values():
        for half in halves:
            row[half].pop("ranks", None) if row is not default else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
