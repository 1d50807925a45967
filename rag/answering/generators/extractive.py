"""The default generator: no model, quotes the retrieved sentences that answer the question.

A sentence scores by the question's content words it contains, weighted by how rare each
word is among the retrieved passages (a word every passage has tells little), plus a small
bonus for the passage's retrieval rank. A question that asks for a quantity (a dose, how long,
a threshold) is answered by a sentence with a number, so sentences without one weigh less.
PDF tables and lists come out as long runs of lines with no full stop: such a "sentence" is cut
to the window of its lines that holds the question's words. The best few are quoted verbatim,
one per line, each with the number of its passage. A French or Spanish question is scored by
its English search words (rag/text/translation.py), as the passages are in English.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from rag.answering.generators.base import Generation
from rag.settings import Settings
from rag.text.question import Question, as_question
from rag.text.sentences import sentence_spans
from rag.text.words import content_words
from rag.types import Passage

_SPACE = re.compile(r"\s+")
_RANK_BONUS = 0.15  # the top passage's edge over a lower one with the same words
_MIN_SHARE = 0.5  # a quoted sentence holds at least this share of the best sentence's score
MAX_QUOTE = 320  # characters; a longer run of lines (a table) is cut to its best window of lines
_NO_NUMBER = 0.6  # score factor for a sentence without a number when the question asks for a quantity
_QUANTITY = frozenset("""dose dosage dosing much many long often duration threshold level strength target
cut rate amount volume concentration frequency interval mg ml kg""".split())


@dataclass(frozen=True)
class Scored:
    score: float
    n: int  # 1-based passage number
    start: int
    end: int


def _weights(question_words: set[str], passages: list[Passage]) -> dict[str, float]:
    docs = [set(content_words(p.text)) for p in passages]
    return {w: 1.0 + math.log((1 + len(docs)) / (1 + sum(w in d for d in docs))) for w in question_words}


def _line_windows(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The span itself if short, else every run of its whole lines that fits MAX_QUOTE."""
    if e - s <= MAX_QUOTE:
        return [(s, e)]
    starts = [s] + [s + m.end() for m in re.finditer(r"\n", text[s:e])]
    ends = [st - 1 for st in starts[1:]] + [e]
    out = []
    for i, a in enumerate(starts):
        j = i
        while j + 1 < len(ends) and ends[j + 1] - a <= MAX_QUOTE:
            j += 1
        out.append((a, ends[j]))
    return out


def _join_colons(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A span ending in ':' ("Injection (heat stable):") runs on into the next, which holds its value."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and text[out[-1][1] - 1] == ":" and e - out[-1][0] <= MAX_QUOTE:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def score_sentences(question: str, passages: list[Passage]) -> list[Scored]:
    """Every sentence (or best window of a long one) of every passage, scored, best first."""
    qwords = set(content_words(question))
    if not qwords:
        return []
    weights = _weights(qwords, passages)
    total = sum(weights.values())
    wants_number = bool(qwords & _QUANTITY)
    out = []
    for i, p in enumerate(passages):
        bonus = _RANK_BONUS / (1 + i)
        for s, e in _join_colons(p.text, sentence_spans(p.text)):
            if p.text.startswith("#", s):
                continue  # a Markdown heading names the topic, it does not answer
            best = None
            for a, b in _line_windows(p.text, s, e):
                words = set(content_words(p.text[a:b]))
                overlap = sum(weights[w] for w in qwords & words) / total
                if wants_number and not any(w[0].isdigit() for w in words):
                    overlap *= _NO_NUMBER
                if overlap > 0 and len(words) >= 3 and (best is None or overlap > best.score - bonus):
                    best = Scored(overlap + bonus, i + 1, *_trim(p.text, a, b))
            if best is not None:
                out.append(best)
    return sorted(out, key=lambda x: (-x.score, x.n, x.start))


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


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
        self.settings = settings
        self.max_sentences = settings.extractive_max_sentences

    def generate(self, question: str | Question, passages: list[Passage]) -> Generation:
        """Select and quote the sentences that answer the question."""
        t0 = time.perf_counter()
        question = as_question(question, self.settings.max_question_chars, self.settings.query_translation)
        words = question.query.lexical  # English words for English passages
        text = render(select(words, passages, self.max_sentences), passages)
        return Generation(text, tuple(passages), self.name, None, {},
                          {"generate": (time.perf_counter() - t0) * 1000}, abstain=not text)

    def stream(self, question: str | Question, passages: list[Passage]) -> Iterator[str | Generation]:
        """The same answer, one line at a time."""
        generation = self.generate(question, passages)
        yield from generation.text.splitlines(keepends=True)
        yield generation
