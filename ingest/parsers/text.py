"""Plain text -> ParsedDocument: one block per paragraph, with its line span."""

from __future__ import annotations

from pathlib import Path

from ingest.blocks import Block, ParsedDocument
from ingest.clean import clean_text, normalize_unicode
from ingest.metadata import fill_text_facts

FRONT_CHARS = 5000  # where a title page and copyright notice would be


def parse_text(path: Path, text: str | None = None) -> ParsedDocument:
    """Parse a .txt file into paragraph blocks (blank-line separated) with 1-based line spans."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = normalize_unicode(text.replace("\r\n", "\n")).split("\n")
    blocks = [
        Block(text="\n".join(lines[start:end]), line_start=start + 1, line_end=end)
        for start, end in paragraph_spans(lines)
    ]
    full = "\n".join(lines)
    doc = ParsedDocument(format="text", blocks=blocks, page_texts=[full])
    doc.title = next((line.strip() for line in lines if line.strip()), None) or path.stem
    fill_text_facts(doc, clean_text(full[:FRONT_CHARS]))
    return doc


def paragraph_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) index pairs, end exclusive, of runs of non-blank lines."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(lines)))
    return spans
