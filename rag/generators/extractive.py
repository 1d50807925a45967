"""The default generator: no model, quotes the retrieved sentences that answer the question.

A sentence scores by the question's content words it contains, weighted by how rare each
word is among the retrieved passages (a word every passage has tells little), plus a small
bonus for the passage's retrieval rank. The best few are quoted verbatim, one per line, each
with the number of its passage.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from rag.citations import content_words, sentence_spans
from rag.generators.base import Generation
from rag.settings import Settings
from rag.types import Passage

_SPACE = re.compile(r"\s+")
_RANK_BONUS = 0.15  # the top passage's edge over a lower one with the same words
_MIN_SHARE = 0.5  # a quoted sentence holds at least this share of the best sentence's score


@dataclass(frozen=True)
class Scored:
    score: float
    n: int  # 1-based passage number
    start: int
    end: int


def _weights(question_words: set[str], passages: list[Passage]) -> dict[str, float]:
    docs = [set(content_words(p.text)) for p in passages]
    return {w: 1.0 + math.log((1 + len(docs)) / (1 + sum(w in d for d in docs))) for w in question_words}


def score_sentences(question: str, passages: list[Passage]) -> list[Scored]:
    """Every sentence of every passage, scored against the question, best first."""
    qwords = set(content_words(question))
    if not qwords:
        return []
    weights = _weights(qwords, passages)
    total = sum(weights.values())
    out = []
    for i, p in enumerate(passages):
        bonus = _RANK_BONUS / (1 + i)
        for s, e in sentence_spans(p.text):
            if p.text.startswith("#", s):
                continue  # a Markdown heading names the topic, it does not answer
            words = set(content_words(p.text[s:e]))
            overlap = sum(weights[w] for w in qwords & words) / total
            if overlap > 0 and len(words) >= 3:
                out.append(Scored(overlap + bonus, i + 1, s, e))
    return sorted(out, key=lambda x: (-x.score, x.n, x.start))


def select(question: str, passages: list[Passage], max_sentences: int) -> list[Scored]:
    """The best sentences, in passage then reading order, so the answer reads naturally."""
    scored = score_sentences(question, passages)
    if not scored:
        return []
    floor = scored[0].score * _MIN_SHARE
    chosen = [s for s in scored[:max_sentences] if s.score >= floor]
    return sorted(chosen, key=lambda x: (x.n, x.start))


def render(chosen: list[Scored], passages: list[Passage]) -> str:
    """One line per quoted sentence, whitespace collapsed for reading, with its [n]."""
    lines = (_SPACE.sub(" ", passages[c.n - 1].text[c.start:c.end]) for c in chosen)
    return "\n".join(f"- {line} [{c.n}]" for line, c in zip(lines, chosen))


class ExtractiveGenerator:
    """Quotes sentences of the retrieved passages; runs anywhere, needs no model."""

    name = "extractive"

    def __init__(self, settings: Settings):
        self.max_sentences = settings.extractive_max_sentences

    def generate(self, question: str, passages: list[Passage]) -> Generation:
        """Select and quote the sentences that answer the question."""
        t0 = time.perf_counter()
        text = render(select(question, passages, self.max_sentences), passages)
        return Generation(text, tuple(passages), self.name, None, {},
                          {"generate": (time.perf_counter() - t0) * 1000}, abstain=not text)

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Generation]:
        """The same answer, one line at a time."""
        generation = self.generate(question, passages)
        for line in generation.text.splitlines(keepends=True):
            yield line
        yield generation
