"""Split the project's own questions once, by a fixed seed, into a tuning half and a validation half.

    python -m benchmarks.questions.split        # raw/*.jsonl -> tuning.jsonl, validation.jsonl

Within each (document, answerable) group the items are ordered by a hash of the seed and their id and dealt
alternately, so both halves cover every document and hold about half of the unanswerable items. The hash,
not the file order, decides: adding questions later moves none of the existing ones to the other half unless
their group's order changes, and the same files always give the same halves.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
SEED = "gqa-issue-14"


def _order(qid: str) -> str:
    return hashlib.sha256(f"{SEED}:{qid}".encode()).hexdigest()


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    """(tuning, validation), each sorted by id."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for d in items:
        groups[(d.get("doc") or "", d.get("type") == "unanswerable")].append(d)
    halves: tuple[list[dict], list[dict]] = ([], [])
    turn = 0
    for key in sorted(groups):
        for d in sorted(groups[key], key=lambda d: _order(d["id"])):
            halves[turn % 2].append(d)
            turn += 1
    return tuple(sorted(h, key=lambda d: d["id"]) for h in halves)  # type: ignore[return-value]


def main() -> None:
    items = [json.loads(x) for f in sorted((HERE / "raw").glob("*.jsonl"))
             for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    for name, half in zip(("tuning", "validation"), split(items)):
        path = HERE / f"{name}.jsonl"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in half), encoding="utf-8")
        tmp.replace(path)
        unanswerable = sum(d.get("type") == "unanswerable" for d in half)
        print(f"{path.name}: {len(half)} questions ({unanswerable} unanswerable)")


if __name__ == "__main__":
    main()
