"""Fit the abstention model on the tuning half, report it on the validation half.

    .venv/bin/python -m benchmarks.abstain_model --index INDEX            # fit, write the model, report
    .venv/bin/python -m benchmarks.abstain_model --index INDEX --no-write # report only

Tuning data: benchmarks/questions/tuning.jsonl plus the dev set (when present). Features: the answerability
signals `QA.retrieve` records (rag/answering/answerability.py). Model: scikit-learn's logistic regression on
standardised features, class weights balanced, its regularisation chosen by 5-fold cross-validation on the
tuning data; the threshold is the highest whose cross-validated false abstention on the tuning data stays at
or under --max-false (so the validation half never picks it). Writes rag/answering/abstain_model.json and
benchmarks/results/abstain_model.json (coefficients, both halves' rates, the validation curve, the old
threshold rule on both halves for comparison, and the feature-group ablation on validation).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from benchmarks.common import QUESTIONS, RESULTS, dev_questions_path, index_arg, read_jsonl
from rag.answering import abstain, answerability
from rag.settings import Settings
from rag.wiring import build_qa, configure_process

GROUPS = {  # feature groups for the ablation: each dropped in turn
    "retrieval scores": ("dense_top", "dense_margin", "both_legs"),
    "word coverage": ("coverage", "rare_coverage", "rare_in_one", "absent_share"),
    "unknown names": ("unknown_terms",),
    "fact asked vs stated": ("asks_dose", "dose_near", "asks_duration", "duration_near", "asks_threshold",
                             "threshold_near", "regimen_near"),
}


def signals_of(qa, items: list[dict]) -> list[dict]:
    """Each item's abstention signals over what retrieval found."""
    out = []
    for d in items:
        r = qa.retrieve(d["question"])
        out.append({"id": d["id"], "answerable": d.get("type") != "unanswerable" and d.get("doc") is not None,
                    "signals": r.signals, "threshold_rule": abstain.threshold_abstain(r.signals, qa.settings)})
    return out


def matrix(rows: list[dict], features: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[r["signals"].get(f"f_{f}", 0.0) for f in features] for r in rows], dtype=float)
    y = np.array([r["answerable"] for r in rows], dtype=int)
    return x, y


def rates(p: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    abstains = p < threshold
    return {"abstention": round(float(abstains[y == 0].mean()), 4) if (y == 0).any() else None,
            "false_abstention": round(float(abstains[y == 1].mean()), 4) if (y == 1).any() else None}


def fit(x: np.ndarray, y: np.ndarray, max_false: float) -> tuple[object, float, dict]:
    """(pipeline, threshold, cv info): C by 5-fold CV log-loss, threshold from cross-validated probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = StratifiedKFold(5, shuffle=True, random_state=14)
    make = lambda c: make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000))  # noqa: E731
    scores = {c: float(cross_val_score(make(c), x, y, cv=folds, scoring="neg_log_loss").mean())
              for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)}
    best = max(scores, key=scores.get)
    p_cv = cross_val_predict(make(best), x, y, cv=folds, method="predict_proba")[:, 1]
    candidates = sorted(set(np.round(p_cv, 4)) | {0.5})
    ok = [t for t in candidates if rates(p_cv, y, t)["false_abstention"] <= max_false]
    threshold = float(max(ok)) if ok else 0.5
    model = make(best).fit(x, y)
    return model, threshold, {"C": best, "cv_neg_log_loss": scores, "cv_rates": rates(p_cv, y, threshold)}


def to_model(pipeline, features: tuple[str, ...], threshold: float) -> abstain.AbstainModel:
    scaler, lr = pipeline.steps[0][1], pipeline.steps[1][1]
    return abstain.AbstainModel(features, tuple(map(float, scaler.mean_)), tuple(map(float, scaler.scale_)),
                                tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]), threshold)


def curve(p: np.ndarray, y: np.ndarray) -> list[dict]:
    return [{"threshold": t, **rates(p, y, t)} for t in np.round(np.linspace(0.05, 0.95, 19), 2).tolist()]


def setup(index: Path):
    """(QA over `index` with the threshold rule recorded beside the features, tuning items, validation items):
    the tuning items are the tuning half plus the dev set when it is present."""
    settings = Settings(index=index, abstain_model="thresholds")
    configure_process(settings)
    qa = build_qa(settings)
    tuning = read_jsonl(QUESTIONS / "tuning.jsonl")
    if dev_questions_path().exists():
        tuning += read_jsonl(dev_questions_path())
    return qa, tuning, read_jsonl(QUESTIONS / "validation.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--max-false", type=float, default=0.04, help="false abstention allowed on tuning (CV)")
    parser.add_argument("--no-write", action="store_true", help="do not overwrite rag/answering/abstain_model.json")
    parser.add_argument("--out", type=Path, default=RESULTS / "abstain_model.json")
    args = parser.parse_args()
    qa, tuning, validation = setup(args.index)
    t0 = time.perf_counter()
    rows_t, rows_v = signals_of(qa, tuning), signals_of(qa, validation)
    seconds = time.perf_counter() - t0
    features = answerability.FEATURES
    xt, yt = matrix(rows_t, features)
    xv, yv = matrix(rows_v, features)
    pipeline, threshold, cv = fit(xt, yt, args.max_false)
    model = to_model(pipeline, features, threshold)
    pv = np.array([model.probability(r["signals"]) for r in rows_v])
    pt = np.array([model.probability(r["signals"]) for r in rows_t])
    from sklearn.metrics import roc_auc_score

    old = lambda rows: {  # noqa: E731
        "abstention": round(float(np.mean([r["threshold_rule"] for r in rows if not r["answerable"]])), 4),
        "false_abstention": round(float(np.mean([r["threshold_rule"] for r in rows if r["answerable"]])), 4)}
    ablation = {}
    for group, names in GROUPS.items():
        keep = tuple(f for f in features if f not in names)
        pipe, thr, _ = fit(matrix(rows_t, keep)[0], yt, args.max_false)
        m = to_model(pipe, keep, thr)
        ablation[f"without {group}"] = rates(np.array([m.probability(r["signals"]) for r in rows_v]), yv, thr)
    report = {
        "index": str(args.index), "tuning_items": len(rows_t), "tuning_unanswerable": int((yt == 0).sum()),
        "validation_items": len(rows_v), "validation_unanswerable": int((yv == 0).sum()),
        "model": model.to_dict() | {"C": cv["C"]},
        "coefficients": dict(zip(features, [round(c, 3) for c in model.coef], strict=True)),
        "tuning": rates(pt, yt, threshold) | {"cross_validated": cv["cv_rates"], "auc": round(roc_auc_score(yt, pt), 4)},
        "validation": rates(pv, yv, threshold) | {"auc": round(roc_auc_score(yv, pv), 4)},
        "threshold_rule": {"tuning": old(rows_t), "validation": old(rows_v)},
        "validation_curve": curve(pv, yv),
        "ablation_validation": {"all features": rates(pv, yv, threshold)} | ablation,
        "validation_errors": {
            "answered_unanswerable": [r["id"] for r, p in zip(rows_v, pv, strict=True) if not r["answerable"] and p >= threshold],
            "abstained_answerable": [r["id"] for r, p in zip(rows_v, pv, strict=True) if r["answerable"] and p < threshold]},
        "signal_seconds": round(seconds, 1),
    }
    if not args.no_write:
        tmp = abstain.MODEL_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(model.to_dict(), indent=1) + "\n")
        tmp.replace(abstain.MODEL_FILE)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("coefficients", "tuning", "validation", "threshold_rule",
                                              "ablation_validation")}, indent=1))


if __name__ == "__main__":
    main()
