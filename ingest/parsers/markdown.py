"""Markdown -> ParsedDocument: blocks with exact line spans and a recovered section path.

Markdown exported from PDFs (e.g. the MSF clinical guidelines) has few '#' headings: chapters are
plain "Chapter N: Title" lines followed by a table of contents listing the chapter's topics (and,
indented or bulleted, their subtopics). A later line standing alone that repeats the next announced
title starts that topic. '#' headings nest below the topic. Sub-headings that no contents list
announces ("Clinical features", "Treatment") stay inside their topic, as in the printed book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.blocks import Block, ParsedDocument
from ingest.clean import normalize_unicode
from ingest.metadata import fill_text_facts

_CHAPTER = re.compile(r"^(chapter|chapitre|cap[ií]tulo)\s+\d+\s*[:\-–—]\s*\S.{0,100}$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s+|\s*[-*+•]\s+)")
_MAX_TITLE = 120  # a contents entry is a title, not a sentence
FRONT_LINES = 200  # authors, copyright and licence notices come first
TOPIC_WINDOW = 3  # how many announced topics may be missing before the next one is recognised


def title_key(line: str) -> str:
    """Compare titles ignoring Markdown emphasis, list markers, case and spacing."""
    line = re.sub(r"^\s*[-*+•]\s+", "", line)
    return re.sub(r"\s+", " ", re.sub(r"[*_`#]", "", line)).strip().casefold()


def _title_like(line: str) -> bool:
    """A contents entry: short, no sentence punctuation at the end, not a table row."""
    text = line.strip()
    return 0 < len(text) <= _MAX_TITLE and not text.startswith("|") and not text.endswith((".", ":", ";", ","))


@dataclass
class _Topic:
    title: str
    children: list[str] = field(default_factory=list)


@dataclass
class _Outline:
    """Where we are in the document while reading it line by line."""

    chapter: str | None = None
    topics: list[_Topic] = field(default_factory=list)
    collecting: bool = False  # reading the chapter's contents list
    topic: int = -1
    subtopic: str | None = None
    headings: list[tuple[int, str]] = field(default_factory=list)

    def path(self) -> tuple[str, ...]:
        """The section path at the current line."""
        parts = [self.chapter] if self.chapter else []
        if 0 <= self.topic < len(self.topics):
            parts.append(self.topics[self.topic].title)
        if self.subtopic:
            parts.append(self.subtopic)
        return (*parts, *(title for _, title in self.headings))

    def feed(self, line: str, standalone: bool) -> None:
        """Update the position with one line of the file."""
        stripped = line.strip()
        if not stripped:
            return
        if (m := _HEADING.match(stripped)) and m.group(2):
            if self._maybe_start(m.group(2)):  # some topics did keep their '#' heading
                return
            level = len(m.group(1))
            self.headings = [h for h in self.headings if h[0] < level] + [(level, m.group(2))]
        elif _CHAPTER.match(stripped):
            self.chapter, self.topics, self.collecting = stripped, [], True
            self.topic, self.subtopic, self.headings = -1, None, []
        elif self.collecting:
            self._collect(line)
        elif standalone:
            self._maybe_start(stripped)

    def _collect(self, line: str) -> None:
        """One line of a chapter's contents list; the list ends when its first title comes back."""
        key = title_key(line)
        if self.topics and key == title_key(self.topics[0].title):
            self.collecting = False
            self.topic = 0
        elif not _title_like(line):
            self.collecting = False
        elif _LIST_ITEM.match(line) and self.topics:
            self.topics[-1].children.append(title_key(line))
        else:
            self.topics.append(_Topic(re.sub(r"[*_`]", "", line).strip()))

    def _maybe_start(self, stripped: str) -> bool:
        """A standalone line repeating one of the next announced topics, or a subtopic of this one, starts it."""
        key = title_key(stripped)
        # Only the next few topics: a sub-heading that happens to share a later topic's name
        # ("Fever") must not jump ahead; a topic whose title line was lost may be skipped.
        for following in range(self.topic + 1, min(self.topic + 1 + TOPIC_WINDOW, len(self.topics))):
            if key == title_key(self.topics[following].title):
                self.topic, self.subtopic, self.headings = following, None, []
                return True
        if 0 <= self.topic < len(self.topics) and key in self.topics[self.topic].children:
            self.subtopic, self.headings = stripped.strip("*_ "), []
            return True
        return False


def parse_markdown(path: Path, text: str | None = None) -> ParsedDocument:
    """Parse a Markdown file into section blocks (tables in blocks of their own) with line spans."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = normalize_unicode(text).split("\n")
    if len(lines) != text.count("\n") + 1:  # NFKC never adds newlines, but line spans depend on it
        lines = text.split("\n")
    blocks = _blocks(lines)
    doc = ParsedDocument(format="markdown", blocks=blocks, page_texts=["\n".join(lines)])
    doc.title = _title(lines, path)
    fill_text_facts(doc, "\n".join(lines[:FRONT_LINES]))
    return doc


def _blocks(lines: list[str]) -> list[Block]:
    """Group lines into blocks that change at each section start and around each table."""
    outline = _Outline()
    blocks: list[Block] = []
    start, section, kind = 0, outline.path(), "text"
    for i, line in enumerate(lines):
        standalone = _standalone(lines, i)
        outline.feed(line, standalone)
        new_kind = _line_kind(lines, i, kind)
        new_section = outline.path()
        if new_section != section or new_kind != kind:
            _add(blocks, lines, start, i, section, kind)
            start, section = i, new_section
        kind = new_kind
    _add(blocks, lines, start, len(lines), section, kind)
    return blocks


def _standalone(lines: list[str], i: int) -> bool:
    """A line that is its own paragraph start: not a list item, table row or continuation of one."""
    line = lines[i]
    if not line.strip() or line[:1].isspace() or _LIST_ITEM.match(line) or line.lstrip().startswith("|"):
        return False
    return _title_like(line)


def _line_kind(lines: list[str], i: int, previous: str) -> str:
    """'table' for table rows (and the wrapped continuation of an open row), else 'text'."""
    line = lines[i].strip()
    if line.startswith("|"):
        return "table"
    if previous == "table" and line and i > 0 and not lines[i - 1].rstrip().endswith("|"):
        return "table"  # a cell that wraps onto the next line belongs to its row
    return "text"


def _add(blocks: list[Block], lines: list[str], start: int, end: int, section: tuple[str, ...], kind: str = "text") -> None:
    """Append lines[start:end] as a block, trimmed of blank edge lines; spans are 1-based inclusive."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    if start < end:
        blocks.append(Block(text="\n".join(lines[start:end]), section=section, line_start=start + 1, line_end=end,
                            kind=kind if lines[start].lstrip().startswith("|") else "text"))


_ITALIC = re.compile(r"(?<![*_\w])[*_](?![*_\s])([^*_\n]{3,100}?)(?<![\s*_])[*_](?![*_\w])")


def _title(lines: list[str], path: Path) -> str:
    """The first level-1 '#' heading, else a work's title set in italics in the opening sentence ("The
    *Clinical guidelines* has been developed by ..."), else the first non-empty line, else the file name."""
    for line in lines:
        if (m := _HEADING.match(line.strip())) and len(m.group(1)) == 1:
            return m.group(2)
    first = next((line.strip() for line in lines if line.strip()), "")
    if (m := _ITALIC.search(first)) and len(m.group(1).split()) >= 2:
        return m.group(1).strip()
    return first.strip("*_ ") if _title_like(first) and len(first) <= 100 else path.stem.replace("_", " ")
