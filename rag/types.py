"""The small frozen dataclasses that travel through every layer, and the answer a user gets.

`Answer.to_dict()` is the `gqa ask --json` / `POST /v1/ask` contract (see DESIGN.md); extra
fields are added after the fixed ones. The disclaimer is set by our code, never by a model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DocumentMeta:
    """What we know about one guideline file; `doc_id` is the sha256 of its bytes."""

    doc_id: str
    source: str  # path relative to the folder given to `gqa ingest`, '/'-separated
    title: str
    organisation: str | None = None
    year: int | None = None
    edition: str | None = None
    language: str | None = None
    licence: str | None = None
    source_url: str | None = None
    format: str = "pdf"  # pdf | markdown | html | text
    page_count: int | None = None  # physical pages for PDFs, None for unpaged formats
    bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A piece of one document, small enough for the embedder, with where it came from.

    `text` is the verbatim (cleaned) source text that may be quoted; `header` is the
    contextual line (title, section) that is embedded and indexed with it but never quoted.
    """

    chunk_id: str
    doc_id: str
    seq: int
    text: str
    header: str
    section: tuple[str, ...] = ()
    page_start: int | None = None  # physical, 1-based
    page_end: int | None = None
    page_labels: tuple[str, ...] = ()
    line_start: int | None = None  # 1-based, inclusive, unpaged text formats
    line_end: int | None = None
    n_tokens: int = 0

    @property
    def pages(self) -> list[int] | None:
        if self.page_start is None:
            return None
        return list(range(self.page_start, (self.page_end or self.page_start) + 1))


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its full citation, as every door shows it."""

    chunk_id: str
    text: str
    score: float
    source: str
    title: str
    organisation: str | None
    year: int | None
    section: str
    pages: list[int] | None
    page_labels: list[str]
    lines: list[int] | None
    doc_id: str
    edition: str | None = None
    language: str | None = None
    rank: int = 0
    scores: dict[str, float] = field(default_factory=dict)  # per-stage scores, for debugging

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the `search` contract (plus a few extra fields)."""
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "text": self.text,
            "source": self.source,
            "pages": self.pages,
            "page_labels": self.page_labels,
            "lines": self.lines,
            "section": self.section,
            "title": self.title,
            "organisation": self.organisation,
            "year": self.year,
            "edition": self.edition,
            "language": self.language,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
        }


@dataclass(frozen=True)
class Filters:
    """Metadata filters applied before the top-k is cut; None means any."""

    organisation: str | None = None
    doc: str | None = None  # doc_id or source path
    year: int | None = None
    language: str | None = None

    def is_empty(self) -> bool:
        return not any((self.organisation, self.doc, self.year, self.language))

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
