"""How many of the top 5 passages are a heading, a caption or a lone index entry with nothing under it.

Counted over a half of the project's questions, with the heading rules on (a heading-only chunk joined
to the chunk it heads, else demoted) and off (the retriever as it was). Run:
    .venv/bin/python -m benchmarks.heading_only --index INDEX [--half tuning|validation]
"""

from __future__ import annotations

import argparse
import json
import time
from unittest import mock

from benchmarks.common import QUESTIONS, RESULTS, index_arg, read_jsonl
from rag.retrieval import retriever as retriever_module
from rag.retrieval.demotion import is_heading_only
from rag.settings import Settings
from rag.wiring import build_retriever, load_embedder


def count(retriever, questions: list[dict], k: int = 5) -> dict:
    """Heading-only passages among each question's top k, and examples of them."""
    alone, total, examples = 0, 0, []
    for q in questions:
        for p in retriever.search(q["question"], k=k).passages:
            total += 1
            if is_heading_only(p.text):
                alone += 1
                examples.append({"id": q["id"], "text": p.text[:80]})
    return {"passages": total, "heading_only": alone, "examples": examples[:10]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    index_arg(parser)
    parser.add_argument("--half", choices=["tuning", "validation"], default="tuning")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    questions = read_jsonl(QUESTIONS / f"{args.half}.jsonl")
    settings = Settings(index=args.index)
    embedder = load_embedder(settings)
    t0 = time.perf_counter()
    after = count(build_retriever(settings, embedder=embedder), questions)
    with mock.patch.object(retriever_module, "attach_headings", lambda order, rows, fetch: order), \
         mock.patch.object(retriever_module, "is_heading_only", lambda text: False):
        before = count(build_retriever(settings, embedder=embedder), questions)
    result = {"command": f"python -m benchmarks.heading_only --index {args.index} --half {args.half}",
              "questions": len(questions), "half": args.half, "rules_off": before, "rules_on": after,
              "seconds": round(time.perf_counter() - t0, 1)}
    out = args.out or RESULTS / f"heading_only_{args.half}.json"
    with open(out, "w") as handle:
        json.dump(result, handle, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k not in ("rules_off", "rules_on")}),
          f"heading-only in top 5: off {before['heading_only']}/{before['passages']},",
          f"on {after['heading_only']}/{after['passages']}")


if __name__ == "__main__":
    main()
