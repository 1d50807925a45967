"""The answer a user gets: text, checked sentences, verbatim citations, and the disclaimer.

`Answer.to_dict()` is the `gqa ask --json` / `POST /v1/ask` contract (see DESIGN.md); extra
fields are added after the fixed ones. The disclaimer is set by our code, never by a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.types import Passage

DISCLAIMER = (
    "Research use only: not medical advice. Answers quote WHO/MSF and other clinical guidelines "
    "and may be incomplete or out of date; check the cited pages and local protocols before acting."
)
ABSTAIN_TEXT = "The indexed guidelines do not answer this."


@dataclass(frozen=True)
class Citation:
    """One cited passage: `n` is its number in the prompt, `quote` a verbatim span of its text."""

    n: int
    passage: Passage
    quote: str
    support: float = 0.0  # best lexical support of a sentence that cites it, 0..1

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n, "source": p.source, "pages": p.pages, "lines": p.lines, "section": p.section,
            "title": p.title, "quote": self.quote, "chunk_id": p.chunk_id,
            "organisation": p.organisation, "year": p.year, "page_labels": p.page_labels,
            "support": round(self.support, 3),
        }


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the answer, the passage numbers it cites and whether they support it."""

    text: str
    citations: tuple[int, ...] = ()
    supported: bool = False
    support: float = 0.0
    dropped_citations: tuple[int, ...] = ()  # [n] markers that pointed at no given passage

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported,
                "support": round(self.support, 3), "dropped_citations": list(self.dropped_citations)}


@dataclass(frozen=True)
class Answer:
    """Everything `ask` returns; build it with `Answer(...)` and show it with `to_dict()`."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    sentences: tuple[AnswerSentence, ...] = ()
    passages: tuple[Passage, ...] = ()
    related: tuple[Passage, ...] = ()  # nearest passages shown when abstaining
    generator: str = "extractive"
    model: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    abstain_signals: dict[str, float] = field(default_factory=dict)
    disclaimer: str = DISCLAIMER

    def to_dict(self) -> dict[str, Any]:
        """The fixed `ask` contract first, then our extra fields."""
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "disclaimer": self.disclaimer,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "sentences": [s.to_dict() for s in self.sentences],
            "related": [p.to_dict() for p in self.related],
            "generator": self.generator,
            "model": self.model,
            "usage": dict(self.usage),
            "notices": list(self.notices),
            "abstain_signals": {k: round(v, 4) for k, v in self.abstain_signals.items()},
        }
