"""Domain adaptation of a sentence-transformers embedder on pairs mined from an index (`gqa tune`).

The pairs are the corpus's own: a section's heading path ("Severe malaria > Treatment") as the query and
the first chunk under it as the passage, one pair per section, so no two pairs in a batch share a query.
Training is the standard in-batch-negatives objective (MultipleNegativesRankingLoss: each query against
every passage of its batch, cross-entropy towards its own), written as a plain torch loop because
sentence-transformers' trainer needs `datasets` and `accelerate`, which the project does not install.
The tuned model is written to a new folder (write then rename); point GQA_EMBEDDING_MODEL at it and
re-ingest to use it. Nothing is downloaded.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import GuidelineQAError
from rag.text.words import content_words

# Heading words that say nothing about what is under them (content_words' singular forms).
GENERIC = frozenset({"introduction", "content", "remark", "reference", "annex", "summary", "background",
                     "rationale", "note", "table", "figure", "abbreviation", "glossary", "acknowledgement",
                     "foreword", "preface", "index", "bibliography", "appendix", "chapter", "section", "part"})


@dataclass(frozen=True)
class TuneReport:
    """What one `gqa tune` run did."""

    pairs: int
    epochs: int
    steps: int
    seconds: float
    first_loss: float
    last_loss: float
    out: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def heading_query(section: tuple[str, ...]) -> str | None:
    """The query a section's heading path gives: its last two headings, or None for a heading that says
    nothing about the content ("Remarks", "Annex 3", a bare number)."""
    if not section:
        return None
    last = section[-1]
    words = [w for w in content_words(last) if not w.isdigit()]
    if not words or all(w in GENERIC for w in words):
        return None
    query = " > ".join(section[-2:])
    return query if len(query) <= 200 else query[:200]


def _without_heading(text: str, section: tuple[str, ...]) -> str:
    """The passage without the heading lines it opens with: a pair whose passage repeats its query teaches
    nothing."""
    titles = {" ".join(t.split()).casefold() for t in section}
    lines = text.split("\n")
    while lines and (not lines[0].strip() or " ".join(lines[0].split()).casefold().strip("#* ") in titles):
        lines.pop(0)
    return "\n".join(lines).strip()


def mine_pairs(rows, max_pairs: int, seed: int = 14) -> list[tuple[str, str, str]]:
    """(document, heading query, passage text), one per (document, section) whose heading says something,
    a random `max_pairs` of them (seeded)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    pairs = []
    for r in rows:
        key = (r.doc_id, r.section)
        if key in seen or len(r.text) < 80:
            continue
        query = heading_query(r.section)
        if query is None:
            continue
        text = _without_heading(r.text, r.section)
        if len(text) < 80:
            continue
        seen.add(key)
        pairs.append((r.doc_id, query, text))
    random.Random(seed).shuffle(pairs)
    return pairs[:max_pairs]


def batches(pairs: list[tuple[str, str, str]], batch_size: int, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Batches of (query, passage) drawn from one document each, so a query's negatives are its neighbours'
    sections (the same guideline's other chapters), not another guideline's easy-to-tell pages."""
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for doc, query, text in pairs:
        by_doc.setdefault(doc, []).append((query, text))
    out, rest = [], []
    for items in by_doc.values():
        rng.shuffle(items)
        full = len(items) // batch_size * batch_size
        out += [items[i:i + batch_size] for i in range(0, full, batch_size)]
        rest += items[full:]
    rng.shuffle(rest)
    out += [rest[i:i + batch_size] for i in range(0, len(rest) - batch_size + 1, batch_size)]
    rng.shuffle(out)
    return out


def tune(model_dir: Path, pairs: list[tuple[str, str, str]], out: Path, *, epochs: int = 1, batch_size: int = 16,
         lr: float = 2e-5, scale: float = 20.0, seed: int = 14,
         progress: Callable[[int, int, float], None] | None = None) -> TuneReport:
    """Fine-tune the model in `model_dir` on `pairs` with in-batch negatives; write it to `out`."""
    import torch
    import torch.nn.functional as F  # noqa: N812 - torch's own convention
    from sentence_transformers import SentenceTransformer

    if len(pairs) < 2 * batch_size:
        raise GuidelineQAError(f"only {len(pairs)} heading/passage pairs mined: too few to tune on (need "
                               f"{2 * batch_size}); ingest more guidelines first")
    if out.exists():
        raise GuidelineQAError(f"{out} exists: give a new folder for the tuned model")
    torch.manual_seed(seed)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = random.Random(seed)
    plan = [batches(pairs, batch_size, rng) for _ in range(epochs)]
    steps = sum(len(p) for p in plan)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    losses: list[float] = []
    t0 = time.perf_counter()
    step = 0
    for epoch in plan:
        for batch in epoch:
            q = model.preprocess([a for a, _ in batch])
            p = model.preprocess([b for _, b in batch])
            eq = F.normalize(model(q)["sentence_embedding"], dim=-1)
            ep = F.normalize(model(p)["sentence_embedding"], dim=-1)
            loss = F.cross_entropy(eq @ ep.T * scale, torch.arange(len(batch)))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            losses.append(float(loss.detach()))
            step += 1
            if progress is not None:
                progress(step, steps, losses[-1])
    model.eval()
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    head = losses[: max(1, len(losses) // 10)]
    tail = losses[-max(1, len(losses) // 10):]
    report = TuneReport(len(pairs), epochs, step, round(time.perf_counter() - t0, 1),
                        round(sum(head) / len(head), 4), round(sum(tail) / len(tail), 4), str(out))
    (tmp / "gqa_tune.json").write_text(json.dumps(report.to_dict() | {"base": str(model_dir), "lr": lr,
                                                                      "batch_size": batch_size}, indent=1) + "\n")
    tmp.rename(out)
    if not math.isfinite(report.last_loss):
        raise GuidelineQAError(f"tuning diverged (loss {report.last_loss}); the model in {out} is not usable")
    return report
