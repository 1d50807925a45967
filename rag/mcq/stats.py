"""Accuracy with a Wilson 95% interval, and paired closed-vs-rag counts with an exact McNemar test."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (0, 1) when n is 0."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts b and c (binomial, p = 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def mode_summary(records: list[dict]) -> dict:
    """n, correct, accuracy, ci95 and unparsed over one mode's records (unparsed count as wrong)."""
    n = len(records)
    correct = sum(bool(r["correct"]) for r in records)
    lo, hi = wilson(correct, n)
    return {"n": n, "correct": correct, "accuracy": round(correct / n, 4) if n else None,
            "ci95": [round(lo, 4), round(hi, 4)], "unparsed": sum(r["choice"] is None for r in records)}


def paired(closed: dict[str, bool], rag: dict[str, bool]) -> dict:
    """Counts over the items answered in both modes (keyed by item), and McNemar's p."""
    both = sorted(set(closed) & set(rag))
    b = sum(rag[k] and not closed[k] for k in both)
    c = sum(closed[k] and not rag[k] for k in both)
    return {"n": len(both), "rag_right_closed_wrong": b, "closed_right_rag_wrong": c,
            "both_right": sum(rag[k] and closed[k] for k in both),
            "both_wrong": sum(not rag[k] and not closed[k] for k in both),
            "mcnemar_p": round(mcnemar_exact(b, c), 6)}


def summarize(records: list[dict], modes: list[str]) -> dict:
    """The `gqa mcq --json` summary over final records: per mode, paired, and the same by dataset."""
    def block(rows: list[dict]) -> dict:
        by_mode = {m: [r for r in rows if r["mode"] == m] for m in modes}
        out = {"n": len({r["key"] for r in rows}),
               "modes": {m: mode_summary(rs) for m, rs in by_mode.items()}}
        if "closed" in by_mode and "rag" in by_mode:
            out["paired"] = paired({r["key"]: bool(r["correct"]) for r in by_mode["closed"]},
                                   {r["key"]: bool(r["correct"]) for r in by_mode["rag"]})
        return out

    ok = [r for r in records if not r.get("error")]
    summary = block(ok)
    datasets = sorted({r.get("dataset") or "" for r in ok})
    if len(datasets) > 1 or datasets and datasets[0]:
        summary["by_dataset"] = {d: block([r for r in ok if (r.get("dataset") or "") == d]) for d in datasets}
    summary["errors"] = len(records) - len(ok)
    return summary
