"""Sentences: verbatim (start, end) spans of the sentences of a passage, Markdown headings apart."""

from __future__ import annotations

import re

# Sentence ends: . ! ? ; followed by space and a capital/digit/bullet, or a blank line / bullet line.
_SENT_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[]?[A-Z0-9•▪–-])|\n\s*\n|\n(?=\s*[•▪●◦\-–*]\s)|\n(?=\s*\d+[.)]\s)")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|approx|incl|max|min|Dr|No|vs|cf|Fig|Tab|resp)\.)$", re.IGNORECASE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, trimmed, so text[start:end] is verbatim."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if _ABBREV.search(text, 0, m.start()):
            continue  # "e.g. AL" is one sentence
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in _split_headings(text, spans):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _split_headings(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A Markdown heading line is a span of its own, never glued to the sentence under it."""
    out = []
    for s, e in spans:
        while True:
            m = re.search(r"(?m)^[ \t]*#", text[s:e])
            if m is None:
                out.append((s, e))
                break
            head = s + m.start()
            nl = text.find("\n", head, e)
            if head > s:
                out.append((s, head))
            out.append((head, e if nl < 0 else nl))
            if nl < 0:
                break
            s = nl + 1
    return out
