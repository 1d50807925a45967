"""Does the abstention model gain from synthetic near misses? A lever measured and dropped.

    .venv/bin/python -m benchmarks.abstain_synthetic --index INDEX

Each English answerable tuning question that names a drug gets a twin with that drug swapped for another
drug of the lexicon that the corpus has (3+ chunks) but that never meets the question's other rare words in
one chunk ("rifampicin regimen for whooping cough in an infant"): topic and name both present, the fact
absent, which is what real near misses look like. The model is fitted on the tuning half with and without
the twins (as benchmarks.abstain_model fits it) and both are scored on the validation half. Writes
benchmarks/results/abstain_synthetic.json; the shipped model is not touched.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

from benchmarks.abstain_model import curve, fit, matrix, rates, setup, signals_of, to_model
from benchmarks.common import RESULTS, index_arg
from rag.answering import answerability
from rag.text.words import content_words
from rag.verify.facts import is_drug
from rag.verify.lexicon import DRUGS


def twins(items: list[dict], reader, seed: int = 14) -> list[dict]:
    """Synthetic unanswerable twins of the answerable English items that name a drug."""
    df, n = reader.chunks_with_term, reader.chunk_count()

    def together(a: str, b: str) -> int:
        query = f'"{a}"* AND "{b}"*'
        return int(reader.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (query,)).fetchone()[0])

    pool = sorted(d for d in DRUGS if d.isalpha() and df(d) >= 3)
    rng = random.Random(seed)
    out = []
    for d in items:
        if d.get("type") == "unanswerable" or d.get("doc") is None or d.get("lang", "en") != "en":
            continue
        drugs = [w for w in dict.fromkeys(content_words(d["question"])) if is_drug(w) and df(w) > 0]
        if not drugs:
            continue
        others = [x for x in answerability.rare_words(d["question"], df, n) if x != drugs[0] and df(x) > 0]
        candidates = [c for c in pool if c != drugs[0] and all(together(c, o) == 0 for o in others)] if others else []
        if candidates:
            question = re.sub(rf"\b{re.escape(drugs[0])}\b", rng.choice(candidates), d["question"], flags=re.I)
            out.append({"id": f"syn-{d['id']}", "question": question, "type": "unanswerable", "doc": None})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--max-false", type=float, default=0.04)
    parser.add_argument("--out", type=Path, default=RESULTS / "abstain_synthetic.json")
    args = parser.parse_args()
    qa, tuning, validation = setup(args.index)
    synthetic = twins(tuning, qa.retriever.index.get())
    rows_t, rows_v, rows_s = signals_of(qa, tuning), signals_of(qa, validation), signals_of(qa, synthetic)
    from sklearn.metrics import roc_auc_score

    report = {"index": str(args.index), "synthetic_items": len(synthetic),
              "examples": [s["question"] for s in synthetic[:10]], "variants": {}}
    xv, yv = matrix(rows_v, answerability.FEATURES)
    for name, rows in (("tuning half only", rows_t), ("tuning half + synthetic twins", rows_t + rows_s)):
        xt, yt = matrix(rows, answerability.FEATURES)
        pipeline, threshold, cv = fit(xt, yt, args.max_false)
        model = to_model(pipeline, answerability.FEATURES, threshold)
        pv = np.array([model.probability(r["signals"]) for r in rows_v])
        report["variants"][name] = {"threshold": threshold, "validation": rates(pv, yv, threshold),
                                    "validation_auc": round(float(roc_auc_score(yv, pv)), 4),
                                    "validation_curve": curve(pv, yv)}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: {"validation": v["validation"], "auc": v["validation_auc"]}
                      for k, v in report["variants"].items()}, indent=1))


if __name__ == "__main__":
    main()
