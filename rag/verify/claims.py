"""Claims: the sentences of a text (an answer, a model's free output), each with its [n] markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.sentences import sentence_spans
from rag.text.words import content_words

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
MAX_CLAIMS = 200  # a longer text is refused by the doors before it gets here


@dataclass(frozen=True)
class ClaimText:
    """One claim: its text without [n] markers, and the passage numbers those markers named."""

    text: str
    cites: tuple[int, ...] = ()


def marker_numbers(marker: str) -> list[int]:
    """The passage numbers of a citation marker's inside: "2", "1, 3", "2-4" (a short range)."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit() and 0 < int(bounds[1]) - int(bounds[0]) < 20:
            out += list(range(int(bounds[0]), int(bounds[1]) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def split_claims(text: str) -> list[ClaimText]:
    """The sentences of `text` (bullets and lines apart) that say something: content words, not just markers."""
    claims = []
    for line in text.splitlines():
        for s, e in sentence_spans(line):
            piece = line[s:e]
            cites = tuple(dict.fromkeys(n for m in _MARKER.finditer(piece) for n in marker_numbers(m.group(1))))
            clean = re.sub(r"\s+", " ", _MARKER.sub("", piece)).strip(" -•*\t;,:").rstrip(".")
            if content_words(clean):
                claims.append(ClaimText(clean, cites))
    return claims[:MAX_CLAIMS]
