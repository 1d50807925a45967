"""The abstention tradeoff: abstain rate (unanswerable) against false abstain rate (answerable)
over a grid of the two thresholds, recomputed from the signals each question recorded.

Used by benchmarks/answer.py (`--sweep` prints it; every run stores it in answer.json). A
question the generator itself declined (no sentence matched) counts as abstained at any threshold.
"""

from __future__ import annotations

from rag.answering import abstain
from rag.settings import Settings

COVERAGE = [round(0.20 + 0.02 * i, 2) for i in range(21)]  # 0.20 .. 0.60
DENSE = [round(0.40 + 0.05 * i, 2) for i in range(9)]  # 0.40 .. 0.80


def rates(rows: list[dict], settings: Settings) -> tuple[float, float]:
    """(abstention rate on unanswerable, false abstention rate on answerable) at these thresholds."""
    out = {"answerable": [0, 0], "unanswerable": [0, 0]}
    for row in rows:
        refused = row["generator_abstained"] or abstain.should_abstain(row["signals"], settings)
        out[row["kind"]][0] += refused
        out[row["kind"]][1] += 1
    return (out["unanswerable"][0] / max(1, out["unanswerable"][1]),
            out["answerable"][0] / max(1, out["answerable"][1]))


def sweep(rows: list[dict], settings: Settings) -> list[dict]:
    """Both rates at every (coverage, dense) threshold pair of the grid."""
    grid = []
    for cov in COVERAGE:
        for dense in DENSE:
            s = settings.model_copy(update={"abstain_threshold": cov, "abstain_dense_threshold": dense})
            abst, false = rates(rows, s)
            grid.append({"abstain_threshold": cov, "abstain_dense_threshold": dense,
                         "abstention_rate": round(abst, 3), "false_abstention_rate": round(false, 3)})
    return grid


def frontier(grid: list[dict]) -> list[dict]:
    """The tradeoff curve: the points no other point beats on both rates, by abstention rate."""
    best: dict[float, dict] = {}
    for g in grid:
        cur = best.get(g["abstention_rate"])
        if cur is None or g["false_abstention_rate"] < cur["false_abstention_rate"]:
            best[g["abstention_rate"]] = g
    curve, floor = [], float("inf")
    for rate in sorted(best, reverse=True):  # keep a point only if it abstains falsely less than all above it
        if best[rate]["false_abstention_rate"] < floor:
            curve.append(best[rate])
            floor = best[rate]["false_abstention_rate"]
    return curve[::-1]


def table(grid: list[dict]) -> str:
    """Rows: coverage threshold; columns: dense threshold; cells: abstain/false-abstain rates."""
    cell = {(g["abstain_threshold"], g["abstain_dense_threshold"]): g for g in grid}
    lines = ["coverage\\dense " + " ".join(f"{d:>9.2f}" for d in DENSE)]
    for cov in COVERAGE:
        cells = (cell[(cov, d)] for d in DENSE)
        lines.append(f"{cov:>14.2f} " + " ".join(f"{c['abstention_rate']:.2f}/{c['false_abstention_rate']:.2f}" for c in cells))
    return "\n".join(lines)
