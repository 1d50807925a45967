"""The default generator: no model, composes an answer from verbatim spans of the retrieved passages.

rag/answering/compose.py finds the candidates (sentences, a list with all its items, table windows;
never a heading alone or a sentence about the document), scores them by the question's words, the
passage's rank, the embedder's cosine when one is given, and the condition the question names, and
chooses the best few that do not repeat each other. Each is quoted verbatim, one per line, with the
number of its passage; any `[digits]` of the source's own (a footnote marker) is removed from the
quote first, so the only marker on a line is ours. A French or Spanish question is scored by its
English search words (rag/text/translation.py), as the passages are in English.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from rag.answering import compose
from rag.answering.compose import MAX_QUOTE, Candidate
from rag.answering.generators.base import Generation
from rag.settings import Settings
from rag.text.display import neutralise_markers
from rag.text.question import Question, as_question
from rag.types import Passage

__all__ = ["MAX_QUOTE", "ExtractiveGenerator", "render", "select"]

_SPACE = re.compile(r"\s+")


def select(question: str, passages: list[Passage], max_sentences: int, embedder=None) -> list[Candidate]:
    """The chosen candidates for `question` (English search words), in passage then reading order."""
    scored = compose.score(question, compose.candidates(passages), passages, embedder)
    return compose.choose(scored, max_sentences)


def render(chosen: list[Candidate], passages: list[Passage]) -> str:
    """One line per quoted span, whitespace collapsed and source footnote markers removed, with its [n]."""
    lines = (_SPACE.sub(" ", neutralise_markers(passages[c.n - 1].text[c.start:c.end])).strip() for c in chosen)
    return "\n".join(f"- {line} [{c.n}]" for line, c in zip(lines, chosen) if line)


class ExtractiveGenerator:
    """Quotes spans of the retrieved passages; runs anywhere, needs no model (an embedder helps rank)."""

    name = "extractive"

    def __init__(self, settings: Settings, embedder=None):
        self.settings = settings
        self.max_sentences = settings.extractive_max_sentences
        self.embedder = embedder

    def generate(self, question: str | Question, passages: list[Passage]) -> Generation:
        """Select and quote the spans that answer the question."""
        t0 = time.perf_counter()
        question = as_question(question, self.settings.max_question_chars, self.settings.query_translation)
        words = question.query.lexical  # English words for English passages
        text = render(select(words, passages, self.max_sentences, self.embedder), passages)
        return Generation(text, tuple(passages), self.name, None, {},
                          {"generate": (time.perf_counter() - t0) * 1000}, abstain=not text, quoted_lines=True)

    def stream(self, question: str | Question, passages: list[Passage]) -> Iterator[str | Generation]:
        """The same answer, one line at a time."""
        generation = self.generate(question, passages)
        yield from generation.text.splitlines(keepends=True)
        yield generation
