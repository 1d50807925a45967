"""What the benchmarks share: where their inputs and results live, one percentile rule, one free port.

Paths come from arguments or `GQA_` settings, never from one machine's layout: `--index` defaults to
the project's settings (`GQA_INDEX`, else indexes/default), the dev questions to ../shared beside the
repository (`GQA_SHARED` overrides, as in the tests), results to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
from pathlib import Path

from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUESTIONS = ROOT / "benchmarks" / "questions"  # the project's own questions, split into tuning and validation


def shared_dir() -> Path:
    """The shared data folder (corpus, eval set): `GQA_SHARED`, else ../shared beside the repository."""
    return Path(os.environ.get("GQA_SHARED", ROOT.parent / "shared"))


def dev_questions_path() -> Path:
    """The dev question set, eval/dev.jsonl in the shared folder."""
    return shared_dir() / "eval" / "dev.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    """One JSON object per non-blank line."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def index_arg(parser: argparse.ArgumentParser) -> None:
    """`--index DIR`, by default the index the project's settings name (`GQA_INDEX`, else indexes/default)."""
    default = Settings().index
    parser.add_argument("--index", type=Path, default=default,
                        help=f"index directory (default: GQA_INDEX or the settings' default; now {default})")


def questions_arg(parser: argparse.ArgumentParser) -> None:
    """`--questions FILE`, by default the dev question set."""
    default = dev_questions_path()
    parser.add_argument("--questions", type=Path, default=default, help=f"JSONL questions (default: {default})")


def out_arg(parser: argparse.ArgumentParser, name: str | None) -> None:
    """`--out FILE`, by default benchmarks/results/NAME (no default file when `name` is None)."""
    default = RESULTS / name if name else None
    parser.add_argument("--out", type=Path, default=default,
                        help=f"result JSON (default: {default.relative_to(ROOT) if default else 'none'})")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (q in 0..100) by the nearest-rank rule: the smallest value with at least q%
    of the values at or below it (no interpolation, so it is always one measured value). NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = math.ceil(q * len(ordered) / 100)  # q * n first: exact for whole q, so 95% of 100 is rank 95
    return ordered[min(len(ordered), max(rank, 1)) - 1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def question_halves() -> dict:
    """The project's own questions as eval items: {"tuning": [...], "validation": [...]}."""
    from rag.retrieval.evaluation import load_items

    return {half: load_items(QUESTIONS / f"{half}.jsonl") for half in ("tuning", "validation")}


def retrieval_summary(report: dict) -> dict:
    """recall@1/5 and MRR@10 overall, English, paraphrase and non-English (and the ranks) of a one-mode eval report."""
    r = next(iter(report["modes"].values()))
    pick = lambda m: {k: m[k] for k in ("n", "recall@1", "recall@5", "mrr@10")}  # noqa: E731
    return {"overall": pick(r["overall"]), "en": pick(r["by_lang_group"].get("en", r["overall"])),
            "paraphrase": pick(r["by_style"].get("paraphrase", r["overall"])),
            "non_en": pick(r["by_lang_group"]["non_en"]) if "non_en" in r["by_lang_group"] else None,
            "ranks": r["ranks"]}
