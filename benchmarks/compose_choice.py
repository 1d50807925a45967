"""Where the extractive answer loses the gold evidence: retrieval, candidate making, or the choice (issue 17).

  .venv/bin/python -m benchmarks.compose_choice --index INDEX [--half validation|tuning|both]

For each answerable question of the half, over the passages `QA.retrieve` gives the generator:
- passages: a retrieved passage's text holds a gold evidence phrase (the ceiling of any extractive answer);
- candidates: one of compose's candidate spans holds it (what candidate making keeps);
- chosen: one of the chosen spans holds it (what the reader gets, abstention aside);
- rank: the scored position of the first candidate holding it (1 is the top).
Writes benchmarks/results/compose_choice.json: the command, the shares per half, one row per question.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from benchmarks.common import index_arg, out_arg, question_halves
from rag.answering import compose
from rag.retrieval.evaluation import has_evidence
from rag.settings import Settings
from rag.text.question import as_question
from rag.wiring import build_qa, configure_process


def diagnose(qa, item) -> dict:
    """One question's row: where along retrieval, candidates and choice the evidence is last seen."""
    r = qa.retrieve(item.question)
    gen = qa.generator
    question = as_question(r.question, gen.settings.max_question_chars, gen.settings.query_translation)
    words = question.query.lexical
    passages = r.passages
    cands = compose.candidates(passages)
    scored = compose.score(words, cands, passages, gen.embedder)
    chosen = compose.choose(scored, gen.max_sentences)
    span = lambda c: passages[c.n - 1].text[c.start:c.end]  # noqa: E731
    rank = next((i for i, c in enumerate(scored, start=1) if has_evidence(span(c), item.evidence)), None)
    return {"id": item.id, "lang": item.lang, "refused": r.refuse,
            "passages": any(has_evidence(p.text, item.evidence) for p in passages),
            "candidates": any(has_evidence(span(c), item.evidence) for c in cands),
            "chosen": any(has_evidence(span(c), item.evidence) for c in chosen),
            "rank": rank, "n_scored": len(scored)}


def summary(rows: list[dict]) -> dict:
    share = lambda k: round(sum(bool(r[k]) for r in rows) / len(rows), 4) if rows else None  # noqa: E731
    ranks = [r["rank"] for r in rows if r["rank"]]
    return {"n": len(rows), "passages": share("passages"), "candidates": share("candidates"),
            "chosen": share("chosen"), "rank_median": statistics.median(ranks) if ranks else None,
            "rank_le_4": round(sum(x <= 4 for x in ranks) / len(rows), 4) if rows else None,
            "rank_le_8": round(sum(x <= 8 for x in ranks) / len(rows), 4) if rows else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    index_arg(parser)
    parser.add_argument("--half", choices=("tuning", "validation", "both"), default="both")
    out_arg(parser, "compose_choice.json")
    args = parser.parse_args(argv)
    settings = Settings(index=args.index, generator="extractive")
    configure_process(settings)
    qa = build_qa(settings)
    halves = question_halves()
    out = {"command": " ".join(["python -m benchmarks.compose_choice", *(argv if argv is not None else sys.argv[1:])]),
           "index": str(args.index), "halves": {}}
    for half in ("tuning", "validation") if args.half == "both" else (args.half,):
        rows = [diagnose(qa, i) for i in halves[half] if i.answerable]
        out["halves"][half] = {"summary": summary(rows), "rows": rows}
        print(half, json.dumps(out["halves"][half]["summary"]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
