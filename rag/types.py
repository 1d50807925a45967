"""The small frozen dataclasses that travel through every layer, and the answer a user gets.

Their JSON is defined once, by the pydantic models at the end (`PassageJSON`, `CitationJSON`,
`SentenceJSON`, `AnswerJSON`, `DocumentJSON`): keys in contract order, types, rounding, and
which attribute each key is read from. `to_dict()` dumps through them (what the CLI prints and
the stream sends); the API's response models are built from the same models (api/schemas.py).
`AnswerJSON` is the `gqa ask --json` / `POST /v1/ask` contract (see DESIGN.md); extra fields
come after the fixed ones. The disclaimer is set by our code, never by a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Annotated, Any, get_type_hints

from pydantic import AfterValidator, AliasChoices, AliasPath, BaseModel, BeforeValidator, ConfigDict, Field, create_model


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
    superseded_by: str | None = None  # doc_id of the newest indexed edition of this guideline, if this is older
    superseded_by_label: str | None = None  # that edition as a reader names it: "Third edition, 2015"

    def to_dict(self) -> dict[str, Any]:
        """Every field, in order (`GET /v1/documents`)."""
        return _dump(DocumentJSON, self)


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


def place(pages: list[int] | None, page_labels: list[str] | None = None, lines: list[int] | None = None) -> str:
    """Where a passage is, as a reader finds it: "p. 86 (PDF p. 110)" when the printed number differs from the
    physical one, "p. 12", "pp. 12-13", "lines 40-52"; "" when unknown."""
    if pages:
        pdf = f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}"
        labels = [x for x in (page_labels or []) if x]
        if not labels or labels[0] == str(pages[0]):
            return pdf
        printed = f"p. {labels[0]}" if len(pages) == 1 or len(labels) == 1 else f"pp. {labels[0]}-{labels[-1]}"
        return f"{printed} (PDF {pdf})"
    if lines:
        return f"lines {lines[0]}-{lines[1]}"
    return ""


def edition_label(edition: str | None, year: int | None, title: str = "") -> str:
    """How a reader names one edition: "Third edition, 2015", "2015", or the title when neither is known."""
    return ", ".join(str(x) for x in (edition, year) if x) or title


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
    superseded_by: str | None = None  # as DocumentMeta: the newest edition's doc_id when this one is older
    superseded_by_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the `search` contract (plus a few extra fields)."""
        return _dump(PassageJSON, self)


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

    @property
    def display_quote(self) -> str:
        """The quote for reading: markup stripped, PDF artefacts repaired (`quote` stays verbatim)."""
        from rag.text.display import display_text

        return display_text(self.quote)

    def to_dict(self) -> dict[str, Any]:
        """Where the cited passage is, the quote and its support."""
        return _dump(CitationJSON, self)


@dataclass(frozen=True)
class Evidence:
    """The verbatim span of a passage a claim was checked against (a table row comes with its header lines)."""

    passage: Passage
    quote: str

    def to_dict(self) -> dict[str, Any]:
        """The passage's search fields plus the quote."""
        return {**self.passage.to_dict(), "quote": self.quote}


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of the answer, the passage numbers it cites and whether they support it.

    `verdict` is the claim verifier's (rag.verify): supported | contradicted | unsupported, with its
    `reason` and `evidence`; `supported` is true exactly when the verdict is supported."""

    text: str
    citations: tuple[int, ...] = ()
    supported: bool = False
    support: float = 0.0
    dropped_citations: tuple[int, ...] = ()  # [n] markers that pointed at no given passage
    verdict: str = "unsupported"
    reason: str = ""
    evidence: tuple[Evidence, ...] = ()

    @property
    def display_text(self) -> str:
        """The sentence for reading: markup stripped, PDF artefacts repaired."""
        from rag.text.display import display_text

        return display_text(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The sentence, its citation numbers and their support."""
        return _dump(SentenceJSON, self)


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
    withheld: str | None = None  # why the answer was withheld (its key sentence contradicted), else None

    @property
    def display_text(self) -> str:
        """The answer for reading: each line's markup stripped and PDF artefacts repaired, [n] markers kept."""
        from rag.text.display import display_answer

        return display_answer(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The fixed `ask` contract first, then our extra fields."""
        return _dump(AnswerJSON, self)


# --- The JSON shapes: one model per dataclass, read from its attributes (`from_attributes`) or
# from its own JSON (so examples validate too). Field order is the key order of the output.

_JSON = ConfigDict(from_attributes=True)


def _round(digits: int) -> AfterValidator:
    """Round a float to `digits` decimals as it is read (the contract's rounding)."""
    return AfterValidator(lambda v: round(v, digits))


_Score = Annotated[float, _round(6)]
_Support = Annotated[float, _round(3)]  # 0..1
_Ms = Annotated[float, _round(3)]
_Signal = Annotated[float, _round(4)]


def _from_passage(name: str, description: str | None = None, **default: Any) -> Any:
    """A citation key read from the cited passage (`citation.passage.<name>`), or from its own JSON;
    keys added after the contract give a `default`, so JSON written before them still reads."""
    return Field(validation_alias=AliasChoices(AliasPath("passage", name), name), description=description, **default)


def _dump(model: type[BaseModel], obj: Any) -> dict[str, Any]:
    return model.model_validate(obj).model_dump()


_PAGES = "Physical, 1-based pages; null for unpaged formats."
_SUPERSEDED_BY = ("doc_id of the newest indexed edition of this guideline when this document is an older one, "
                  "else null.")
_SUPERSEDED_LABEL = "That newest edition as a reader names it (\"Third edition, 2015\"), else null."
_LINES = "[first, last] lines for unpaged formats, else null."


class PassageJSON(BaseModel):
    """A retrieved passage with its full citation: the `gqa search --json` shape (plus extra fields)."""

    model_config = _JSON
    rank: int = Field(description="1-based rank in this result.")
    score: _Score = Field(description="The final ranking score (higher is better); comparable within one result.")
    text: str = Field(description="The verbatim passage text, as quoted.")
    source: str = Field(description="The document's path relative to the ingested folder.")
    pages: list[int] | None = Field(description=_PAGES)
    page_labels: list[str] = Field(description="The printed page labels of those pages, where known.")
    lines: list[int] | None = Field(description=_LINES)
    section: str = Field(description="The section path, joined with ' > '.")
    title: str
    organisation: str | None
    year: int | None
    edition: str | None
    language: str | None
    chunk_id: str
    doc_id: str = Field(description="sha256 of the document's bytes (hex).")
    superseded_by: str | None = Field(None, description=_SUPERSEDED_BY)
    superseded_by_label: str | None = Field(None, description=_SUPERSEDED_LABEL)


class CitationJSON(BaseModel):
    """A numbered citation: where the cited passage is, a verbatim quote of it, and its support."""

    model_config = _JSON
    n: int = Field(description="The passage's number in the prompt and in the answer's [n] markers.")
    source: str = _from_passage("source")
    pages: list[int] | None = _from_passage("pages", _PAGES)
    lines: list[int] | None = _from_passage("lines", _LINES)
    section: str = _from_passage("section")
    title: str = _from_passage("title")
    quote: str = Field(description="A verbatim span of the passage text.")
    chunk_id: str = _from_passage("chunk_id")
    organisation: str | None = _from_passage("organisation")
    year: int | None = _from_passage("year")
    page_labels: list[str] = _from_passage("page_labels")
    support: _Support = Field(description="Best lexical support of a sentence citing it, 0..1.")
    display_quote: str = Field("", description="The quote for reading (markup stripped, PDF hyphenation and "
                                               "letter spacing repaired, footnote markers removed); `quote` "
                                               "stays verbatim.")
    edition: str | None = _from_passage("edition", "The cited document's edition as printed (\"Second edition\").",
                                        default=None)
    superseded_by: str | None = _from_passage("superseded_by", _SUPERSEDED_BY, default=None)
    superseded_by_label: str | None = _from_passage("superseded_by_label", _SUPERSEDED_LABEL, default=None)


_EVIDENCE_EXAMPLE = {  # a real verdict's evidence from the full-corpus index ("Give artesunate 4.4 mg/kg IV or IM ...")
    "rank": 1, "score": 0.032787, "text": "Artesunate\nFor severe malaria\nIV or IM: 2.4 mg/kg 60 mg artesumic acid ...",
    "source": "who/who_pocket_book_hospital_care_children_2nd_ed_2013.pdf", "pages": [381], "page_labels": ["351"],
    "lines": None, "section": "Annex 2. Drug dosages and regimens", "title": "Hospital care for children",
    "organisation": "WHO", "year": 2013, "edition": "2nd", "language": "en", "chunk_id": "example",
    "doc_id": "0" * 64, "superseded_by": None, "superseded_by_label": None,
    "quote": "Artesunate\nFor severe malaria\nIV or IM: 2.4 mg/kg 60 mg artesumic acid"}


class EvidenceJSON(PassageJSON):
    """A passage a claim was checked against (the search fields) and the verbatim span it was checked on."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_EVIDENCE_EXAMPLE]})

    rank: int = Field(0, description="1-based rank in the retrieval that found it (0: a cited passage).")
    quote: str = Field(description="The verbatim sentence, or table row with its header lines, of the passage.")

    @classmethod
    def of(cls, evidence: Any) -> dict[str, Any]:
        return cls.model_validate(evidence.to_dict()).model_dump()


def _evidence_list(items: Any) -> list[dict[str, Any]]:
    return [EvidenceJSON.of(e) if hasattr(e, "passage") else e for e in items]


Verdict = Annotated[str, Field(pattern="^(supported|contradicted|unsupported)$")]


class SentenceJSON(BaseModel):
    """One sentence of the answer, the passage numbers it cites and whether they support it."""

    model_config = _JSON
    text: str
    citations: list[int]
    supported: bool
    support: _Support
    dropped_citations: list[int] = Field(description="[n] markers that pointed at no given passage.")
    verdict: Verdict = Field("unsupported", description="The claim verifier's verdict: supported | contradicted | "
                                                        "unsupported (`supported` is true exactly when supported).")
    reason: str = Field("", description="Why, in words a reader can check (\"the guideline says 5 days, the claim says 10\").")
    evidence: Annotated[list[EvidenceJSON], BeforeValidator(_evidence_list)] = Field(
        default_factory=list, description="The span(s) the sentence was checked against.")
    display_text: str = Field("", description="The sentence for reading: markup stripped, PDF artefacts repaired.")


class AnswerJSON(BaseModel):
    """The answer: the `gqa ask --json` shape, the fixed contract first, then our extra fields."""

    model_config = _JSON
    answer: str = Field(validation_alias=AliasChoices("text", "answer"), description="The answer with [n] markers.")
    abstained: bool
    citations: list[CitationJSON]
    passages: list[PassageJSON] = Field(description="The passages given to the generator, numbered from 1.")
    disclaimer: str
    timings: dict[str, _Ms] = Field(description="Milliseconds per stage.")
    sentences: list[SentenceJSON]
    related: list[PassageJSON] = Field(description="The nearest passages, shown when abstaining.")
    generator: str
    model: str | None
    usage: dict[str, int] = Field(description="Token counts reported by the generator.")
    notices: list[str]
    abstain_signals: dict[str, _Signal]
    withheld: str | None = Field(None, description="Why the answer was withheld (its key sentence is contradicted "
                                                   "by the guideline), else null.")
    display_text: str = Field("", description="The answer for reading: markup stripped, PDF hyphenation and letter "
                                              "spacing repaired, source footnote markers removed; [n] markers kept.")


class VerifiedJSON(BaseModel):
    """One verified claim: the `gqa verify --json` line and a sentence of `POST /v1/verify`."""

    model_config = _JSON
    text: str = Field(validation_alias=AliasChoices("claim", "text"))
    verdict: Verdict
    reason: str
    evidence: Annotated[list[EvidenceJSON], BeforeValidator(_evidence_list)]


def _every_field(cls: type, name: str) -> type[BaseModel]:
    """The JSON model of a dataclass whose JSON is all its fields, in order."""
    hints = get_type_hints(cls)
    return create_model(name, __config__=_JSON, __doc__=cls.__doc__, __module__=__name__,
                        **{f.name: (hints[f.name], ...) for f in fields(cls)})


DocumentJSON = _every_field(DocumentMeta, "DocumentJSON")
