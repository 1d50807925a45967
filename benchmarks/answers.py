"""What the reader gets from the extractive generator, on the project's own questions (issue 17).

  .venv/bin/python -m benchmarks.answers --index /work/cache/base-index [--half validation|tuning|both]

For each answerable question of the half, `ask` with the extractive generator and measure:
- evidence: the answer text holds one of the question's gold evidence phrases (the eval README's
  normalisation: NFKC, dashes and quotes straightened, line-end hyphens joined or kept, case folded);
  the text is compared as shown (`display_text` when the answer has one) and as generated, either counts;
- gold page: a citation from the gold document (or an `alt` place) overlapping its pages or lines;
- repeats: two lines of the answer whose content words are >= 0.8 contained one in the other;
- length: mean and median characters of the answer text; abstention (false, on answerable questions).
Writes benchmarks/results/answers.json (the command, the figures per half and one row per question).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from benchmarks.common import RESULTS, question_halves
from rag.answering import compose
from rag.retrieval.evaluation import EvalItem, has_evidence, is_strict_hit
from rag.settings import Settings
from rag.text.words import content_words
from rag.types import Answer
from rag.wiring import build_qa, configure_process

_MARKER = re.compile(r"\s*\[\d+\]\s*$")
REPEAT = 0.8  # content-word containment at which two lines say the same


def answer_lines(text: str) -> list[str]:
    """The answer's lines without their bullet and trailing [n]."""
    return [_MARKER.sub("", line).lstrip("-• ").strip() for line in text.splitlines() if line.strip()]


def repeats(text: str) -> bool:
    """Whether two lines of the answer state the same thing (content words >= REPEAT contained)."""
    bags = [set(content_words(line)) for line in answer_lines(text)]
    for i, a in enumerate(bags):
        for b in bags[i + 1:]:
            small, big = (a, b) if len(a) <= len(b) else (b, a)
            if small and len(small & big) / len(small) >= REPEAT:
                return True
    return False


def row(item: EvalItem, answer: Answer, ms: float) -> dict:
    shown = getattr(answer, "display_text", None) or answer.text
    return {"id": item.id, "question": item.question, "lang": item.lang, "type": item.type,
            "abstained": answer.abstained,
            "evidence": not answer.abstained and (has_evidence(shown, item.evidence)
                                                  or has_evidence(answer.text, item.evidence)),
            "gold_page": not answer.abstained and any(is_strict_hit(c.to_dict(), item) for c in answer.citations),
            "repeats": not answer.abstained and repeats(answer.text),
            "chars": len(shown) if not answer.abstained else 0, "ms": round(ms, 1),
            "answer": shown}


def summary(rows: list[dict]) -> dict:
    answered = [r for r in rows if not r["abstained"]]
    share = lambda k, rs: round(sum(r[k] for r in rs) / len(rs), 4) if rs else None  # noqa: E731
    chars = [r["chars"] for r in answered]
    return {"n": len(rows), "answered": len(answered),
            "false_abstention": round(1 - len(answered) / len(rows), 4) if rows else None,
            "evidence_in_answer": share("evidence", rows), "evidence_in_answered": share("evidence", answered),
            "cites_gold_page": share("gold_page", rows), "cites_gold_page_answered": share("gold_page", answered),
            "repeating_answers": sum(r["repeats"] for r in answered), "repeat_share": share("repeats", answered),
            "chars_mean": round(statistics.mean(chars), 1) if chars else None,
            "chars_median": statistics.median(chars) if chars else None,
            "ms_median": statistics.median(r["ms"] for r in rows) if rows else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("/work/cache/base-index"))
    parser.add_argument("--half", choices=("tuning", "validation", "both"), default="validation")
    parser.add_argument("--out", type=Path, default=RESULTS / "answers.json")
    parser.add_argument("--embed-weight", type=float, default=None,
                        help="override compose.EMBED_WEIGHT (the question-candidate cosine's weight), to measure it")
    parser.add_argument("--rank-bonus", type=float, default=None, help="override compose.RANK_BONUS")
    parser.add_argument("--min-share", type=float, default=None, help="override compose.MIN_SHARE")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of each half (0: all)")
    args = parser.parse_args(argv)
    if args.embed_weight is not None:
        compose.EMBED_WEIGHT = args.embed_weight
    if args.rank_bonus is not None:
        compose.RANK_BONUS = args.rank_bonus
    if args.min_share is not None:
        compose.MIN_SHARE = args.min_share
    settings = Settings(index=args.index, generator="extractive")
    configure_process(settings)
    qa = build_qa(settings)
    halves = question_halves()
    out = {"command": " ".join(["python -m benchmarks.answers", *(argv if argv is not None else sys.argv[1:])]),
           "index": str(args.index), "embed_weight": compose.EMBED_WEIGHT,
           "rank_bonus": compose.RANK_BONUS, "min_share": compose.MIN_SHARE, "halves": {}}
    for half in ("tuning", "validation") if args.half == "both" else (args.half,):
        items = [i for i in halves[half] if i.answerable][: args.limit or None]
        rows = []
        for item in items:
            t0 = time.perf_counter()
            answer = qa.ask(item.question)
            rows.append(row(item, answer, (time.perf_counter() - t0) * 1000))
        out["halves"][half] = {"summary": summary(rows), "rows": rows}
        print(half, json.dumps(out["halves"][half]["summary"]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
