"""What a parser hands to the chunker: cleaned text blocks that know where they are."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """A run of cleaned text from one place: one PDF page (or part of one), or a span of lines.

    A block never crosses a page or a section boundary, so every chunk cut from it inherits
    an exact page (or line span) and section path.
    """

    text: str
    section: tuple[str, ...] = ()
    page: int | None = None  # physical page, 1-based (PDF only)
    page_label: str | None = None  # printed page number ("iv", "23"): /PageLabels or the page's own header/footer
    line_start: int | None = None  # 1-based inclusive line span in the source file (Markdown/text)
    line_end: int | None = None
    kind: str = "text"  # text | table (a Markdown pipe table: chunked by rows, header rows repeated)


@dataclass
class ParsedDocument:
    """A parsed guideline file: metadata read from the file, text blocks in reading order."""

    format: str  # pdf | markdown | html | text
    blocks: list[Block]
    title: str | None = None
    organisation: str | None = None
    year: int | None = None
    edition: str | None = None
    language: str | None = None
    licence: str | None = None
    source_url: str | None = None
    page_count: int | None = None
    page_texts: list[str] = field(default_factory=list)  # cleaned text per physical page (PDF), or [full text]
    page_labels: list[str | None] = field(default_factory=list)
    page_label_sources: list[str] = field(default_factory=list)  # per page: pagelabels | printed | none
    pages_without_text: list[int] = field(default_factory=list)
    ocr_confidence: dict[int, float] = field(default_factory=dict)  # physical page -> Tesseract's mean word confidence
    warnings: list[str] = field(default_factory=list)
