"""Retrieval evaluation with the rules of shared/eval/README.md: recall@1/3/5/10 and MRR@10.

A passage is a hit when it comes from the gold document and overlaps the gold pages (or Markdown
lines), or when its text holds one of the item's evidence phrases after normalisation. "strict"
counts the first rule only. Passages are the dicts of the `search` contract, so the same scorer
reads `gqa search --questions --json` output.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import BadRequest

KS = (1, 3, 5, 10)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—−"), "-")
_QUOTES = {ord("‘"): "'", ord("’"): "'", ord("‚"): "'", ord("‛"): "'", ord("“"): '"', ord("”"): '"', ord("„"): '"'}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    doc: str | None
    pages: tuple[int, ...] = ()
    lines: tuple[int, int] | None = None
    evidence: tuple[str, ...] = ()
    style: str = ""
    lang: str = "en"
    type: str = ""
    alt: tuple[tuple[str, tuple[int, ...], tuple[int, int] | None], ...] = ()  # other (doc, pages, lines) that answer

    @property
    def answerable(self) -> bool:
        return self.doc is not None and self.type != "unanswerable"


def load_items(path: Path) -> list[EvalItem]:
    """The questions of an eval JSONL file."""
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            items.append(EvalItem(id=str(d["id"]), question=d["question"], doc=d.get("doc"),
                                  pages=tuple(d.get("pages") or ()), lines=tuple(d["lines"]) if d.get("lines") else None,
                                  evidence=tuple(d.get("evidence") or ()), style=d.get("style", ""),
                                  lang=d.get("lang", "en"), type=d.get("type", ""),
                                  alt=tuple((a["doc"], tuple(a.get("pages") or ()), tuple(a["lines"]) if a.get("lines") else None)
                                            for a in d.get("alt") or ())))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadRequest(f"{path}:{n}: not an eval item ({exc})") from exc
    return items


def normalize_versions(text: str) -> tuple[str, ...]:
    """The README's normalisation; two versions for hyphens at line breaks (joined, kept)."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    joined = re.sub(r"-[ \t]*\r?\n\s*", "", text)
    kept = re.sub(r"-[ \t]*\r?\n\s*", "-", text)
    return tuple(dict.fromkeys(_SPACE.sub(" ", v).strip().casefold() for v in (joined, kept)))


def has_evidence(text: str, evidence: Iterable[str]) -> bool:
    """Whether any evidence phrase is a substring of either normalised version of the text."""
    versions = normalize_versions(text)
    for phrase in evidence:
        wanted = normalize_versions(phrase)
        if any(w and w in v for w in wanted for v in versions):
            return True
    return False


def _overlaps(passage: dict, doc: str | None, pages: tuple[int, ...], lines: tuple[int, int] | None) -> bool:
    if passage.get("source") != doc:
        return False
    if lines and passage.get("lines"):
        first, last = passage["lines"]
        return first <= lines[1] and last >= lines[0]
    return bool(pages and passage.get("pages") and set(pages) & set(passage["pages"]))


def is_strict_hit(passage: dict, item: EvalItem) -> bool:
    """From the gold document (or an alternative gold) and overlapping its pages or lines."""
    return _overlaps(passage, item.doc, item.pages, item.lines) or any(
        _overlaps(passage, doc, pages, lines) for doc, pages, lines in item.alt)


def is_hit(passage: dict, item: EvalItem) -> bool:
    """Either README rule: gold place, or an evidence phrase from any document."""
    return is_strict_hit(passage, item) or has_evidence(passage.get("text", ""), item.evidence)


def first_hit_rank(passages: list[dict], item: EvalItem, hit: Callable[[dict, EvalItem], bool] = is_hit) -> int | None:
    """1-based rank of the first hit within the top 10, or None."""
    for rank, p in enumerate(passages[:10], start=1):
        if hit(p, item):
            return rank
    return None


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """recall@k and MRR@10 from first-hit ranks (None = no hit in the top 10)."""
    n = len(ranks)
    out: dict[str, float] = {"n": n}
    for k in KS:
        out[f"recall@{k}"] = round(sum(r is not None and r <= k for r in ranks) / n, 4) if n else 0.0
    out["mrr@10"] = round(sum(1 / r for r in ranks if r is not None) / n, 4) if n else 0.0
    return out


@dataclass
class ModeReport:
    """Scores of one retrieval configuration over the answerable items."""

    ranks: dict[str, int | None] = field(default_factory=dict)
    strict_ranks: dict[str, int | None] = field(default_factory=dict)
    top: dict[str, list[dict]] = field(default_factory=dict)  # top-3 passages per item, for the misses

    def add(self, item: EvalItem, passages: list[dict]) -> None:
        self.ranks[item.id] = first_hit_rank(passages, item)
        self.strict_ranks[item.id] = first_hit_rank(passages, item, is_strict_hit)
        self.top[item.id] = [{k: p.get(k) for k in ("source", "pages", "lines", "section", "score")}
                             | {"text": " ".join(p.get("text", "").split()[:30])} for p in passages[:3]]

    def summary(self, items: list[EvalItem], miss_k: int = 5) -> dict:
        """Overall, strict, by style, by language (and English vs the rest), and the misses."""
        scored = [i for i in items if i.id in self.ranks]
        groups = {"by_style": lambda i: i.style, "by_lang": lambda i: i.lang,
                  "by_lang_group": lambda i: "en" if i.lang == "en" else "non_en", "by_type": lambda i: i.type,
                  "by_doc": lambda i: i.doc or ""}
        out = {"overall": metrics([self.ranks[i.id] for i in scored]),
               "strict": metrics([self.strict_ranks[i.id] for i in scored])}
        for name, key in groups.items():
            out[name] = {g: metrics([self.ranks[i.id] for i in scored if key(i) == g])
                         for g in sorted({key(i) for i in scored})}
        out["misses"] = [_miss(i, self.ranks[i.id], self.top[i.id]) for i in scored
                         if self.ranks[i.id] is None or self.ranks[i.id] > miss_k]
        out["ranks"] = {i.id: self.ranks[i.id] for i in scored}
        return out


def _miss(item: EvalItem, rank: int | None, top: list[dict]) -> dict:
    gold = {"doc": item.doc, "pages": list(item.pages) or None, "lines": list(item.lines) if item.lines else None}
    return {"id": item.id, "question": item.question, "style": item.style, "lang": item.lang, "gold": gold,
            "evidence": list(item.evidence), "first_hit_rank": rank, "top3": top}


def evaluate(items: list[EvalItem], search: Callable[[str], list[dict]]) -> ModeReport:
    """Run `search` (question -> passages as dicts, best first) over the answerable items."""
    report = ModeReport()
    for item in items:
        if item.answerable:
            report.add(item, search(item.question))
    return report


def search_modes(retriever, ablation: bool, k: int = 10) -> dict[str, Callable[[str], list[dict]]]:
    """Question -> passages functions: the configured retriever, or every ablation variant of it."""
    from rag.retrieval.retriever import Retriever

    def run(r, mode: str | None) -> Callable[[str], list[dict]]:
        return lambda q: [p.to_dict() for p in r.search(q, k=k, mode=mode).passages]

    if not ablation:
        name = retriever.settings.retrieval_mode + ("+rerank" if retriever.reranker else "")
        return {name: run(retriever, None)}
    plain = Retriever(retriever.index, retriever.embedder, retriever.settings, reranker=None)
    modes = {"dense": run(plain, "dense"), "lexical": run(plain, "lexical"), "hybrid": run(plain, "hybrid")}
    if retriever.reranker is not None:
        modes["hybrid+rerank"] = run(retriever, "hybrid")
    return modes


def run_eval(items: list[EvalItem], modes: dict[str, Callable[[str], list[dict]]]) -> dict:
    """The JSON report: per mode, the metrics (overall, strict, by style/language/type/document) and misses."""
    answerable = [i for i in items if i.answerable]
    report = {"items": len(items), "answerable": len(answerable), "modes": {}}
    for name, search in modes.items():
        report["modes"][name] = evaluate(items, search).summary(answerable)
    return report


def abstention_report(items: list[EvalItem], abstains: Callable[[str], bool]) -> dict:
    """Abstention on unanswerable items and false abstention on answerable ones, with the wrong decisions."""
    decided = {i.id: abstains(i.question) for i in items}
    unanswerable = [i for i in items if not i.answerable]
    answerable = [i for i in items if i.answerable]
    rate = lambda group: round(sum(decided[i.id] for i in group) / len(group), 4) if group else None  # noqa: E731
    return {"unanswerable": len(unanswerable), "answerable": len(answerable),
            "abstention": rate(unanswerable), "false_abstention": rate(answerable),
            "answered_unanswerable": [{"id": i.id, "question": i.question} for i in unanswerable if not decided[i.id]],
            "abstained_answerable": [{"id": i.id, "question": i.question} for i in answerable if decided[i.id]],
            "decisions": decided}


def compare_ranks(old: dict, new: dict, mode: str | None = None) -> list[dict]:
    """Per-question first-hit rank changes between two `gqa eval` reports (same mode, the last by default)."""
    def ranks(report: dict) -> dict:
        modes = report["modes"]
        return modes[mode if mode in modes else list(modes)[-1]]["ranks"]

    before, after = ranks(old), ranks(new)
    key = lambda r: r if r is not None else 11  # noqa: E731 - a miss ranks below the top 10
    changes = [{"id": q, "before": before.get(q), "after": after.get(q)} for q in sorted(set(before) | set(after))
               if before.get(q) != after.get(q)]
    return sorted(changes, key=lambda c: (key(c["after"]) - key(c["before"]), c["id"]))


def labelled(items: list[EvalItem]) -> bool:
    """Whether any item carries a gold label (a document, pages, lines or evidence) or is marked unanswerable."""
    return any(i.doc or i.evidence or i.type == "unanswerable" for i in items)
