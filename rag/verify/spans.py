"""Evidence spans: the one sentence, or the one table row with its header rows, a claim is checked against.

A claim is supported only by what one span says, never by words stitched from unrelated sentences.
A table row alone lacks its column names ("Weight", "Dose (tablets)"), so a row is offered with
the passage's header lines: the lines before the first row that hold no number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.text.sentences import _ABBREV, sentence_spans
from rag.types import Passage
from rag.verify.facts import Facts, facts, words_of

MAX_SPAN = 600  # characters; a longer "sentence" is a run-on table, tried line by line instead
MAX_HEADERS = 3


@dataclass(frozen=True)
class Span:
    """A verbatim piece of a passage (`quote`; header lines first for a table row) and its facts."""

    passage: Passage
    quote: str
    facts: Facts
    row: bool = False  # a table row with its headers


def _has_number(line: str) -> bool:
    return bool(re.search(r"\d|[½¼¾]", line))


def _is_row(line: str) -> bool:
    """A table row: starts with a number, fraction or comparator ("5 to < 15 1", "≥ 35 4"), or holds two numbers."""
    return bool(re.match(r"\s*(?:[<>≤≥]|\d|[½¼¾])", line)) or len(re.findall(r"\d+(?:[.,]\d+)?|[½¼¾]", line)) >= 2


def _rows(text: str) -> list[str]:
    """Table rows with their header lines (the nearest lines above that are not rows), when the passage
    looks like a table (several rows)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    rows = [i for i, ln in enumerate(lines) if _is_row(ln) and _has_number(ln)]
    if len(rows) < 2:
        return []
    out = []
    for i in rows:
        head, j = [], i - 1
        while j >= 0 and len(head) < MAX_HEADERS:
            if not _is_row(lines[j]) and len(lines[j]) < 120:
                head.insert(0, lines[j])
            elif head:
                break  # the headers of this table end at the row above them
            j -= 1
        out.append("\n".join([*head, lines[i]]))
    return out


# A list item's marker at the start of a line: a bullet glyph, "-", "*", "[ ]"/"[x]", "(a)", "a)", "(ii)", "1)",
# "1." (a space after it: "1.5 mg" is a number).
_LIST_ITEM = (r"(?:[•▪●◦‣∙·■□☐✓✔*\[\-–—]|\(?(?:\d{1,2}|[A-Za-z]|[ivxIVX]{2,4})\)|\d{1,2}\.(?=\s))")
# A sentence end at a line end, the next line a list item: "Give 10 mg/kg.\n[ ] Do not exceed 40 mg."
_ITEM_BREAK = re.compile(rf"(?<=[.!?])[ \t]*\r?\n(?=[ \t]*{_LIST_ITEM})")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a passage, as rag.text.sentences has them, and apart where a sentence
    ends a line and a list item ("- ", "• ", "[ ]", "(a)", "1.") starts the next; trimmed, verbatim."""
    out = []
    for s, e in sentence_spans(text):
        start = s
        for m in _ITEM_BREAK.finditer(text, s, e):
            if _ABBREV.search(text, 0, m.start()):
                continue  # "e.g.\n- amoxicillin": the list is the example
            out.append((start, m.start()))
            start = m.end()
        out.append((start, e))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[tuple[str, bool, frozenset[str]], ...]:
    """(quote, is a table row, content words) for every sentence and table row of a passage text (cached:
    the same passages come back for every claim about a topic)."""
    out, seen = [], set()
    for s, e in split_sentences(text):
        piece = text[s:e]
        lines = [ln for ln in piece.split("\n") if ln.strip()]
        # a long run-on, or a table (several numeric lines): never one span, its lines and rows are
        table = sum(1 for ln in lines if _has_number(ln)) >= 3
        parts = lines if len(piece) > MAX_SPAN or table else [piece]
        for part in parts:
            if part not in seen:
                seen.add(part)
                out.append((part, False, frozenset(words_of(part))))
    for row in _rows(text):
        if row not in seen:
            seen.add(row)
            out.append((row, True, frozenset(words_of(row))))
    return tuple(out)


def candidate_spans(passage: Passage) -> list[Span]:
    """Every sentence and table row of a passage, as spans."""
    return [Span(passage, quote, facts(quote), row) for quote, row, _ in _pieces(passage.text)]


def _coverage(claim: Facts, have: frozenset[str]) -> float:
    if not claim.words:
        return 0.0
    weight = lambda w: 2.0 if (w[0].isdigit() or w in claim.drugs) else 1.0  # noqa: E731
    total = sum(weight(w) for w in claim.words)
    return sum(weight(w) for w in claim.words if w in have) / total


def coverage(claim: Facts, span: Facts) -> float:
    """Weighted share of the claim's content words the span holds (numbers and drugs weigh 2)."""
    return _coverage(claim, frozenset(span.words))


def best_spans(claim: Facts, passages: list[Passage], n: int = 5) -> list[tuple[float, Span]]:
    """The `n` spans of `passages` covering the claim best, best first (earlier passages win ties)."""
    scored = []
    for rank, passage in enumerate(passages):
        for quote, row, have in _pieces(passage.text):
            score = _coverage(claim, have)
            if score > 0:
                # a short span beats a long one that holds the same words by chance
                scored.append((score, -rank, -len(quote), passage, quote, row))
    scored.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    return [(score, Span(passage, quote, facts(quote), row)) for score, _, _, passage, quote, row in scored[:n]]
