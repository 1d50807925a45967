"""Section headings of PDFs without a usable outline, from font sizes.

Most guidelines print their headings in a clearly larger font than the body text. While pypdf
extracts a page, `FontRuns` records each text run's effective size (the font size scaled by the
text and graphics matrices). `heading_marks` then takes the document's body size (the size most
characters are printed in), keeps runs in a clearly larger size that are short and contain words,
joins consecutive runs of one size into one heading, and nests headings by size: a heading closes
every open heading of its size or smaller. The innermost `MAX_DEPTH` open headings are the section
path. Anything odd (no sizes, no larger font) gives no headings, never an error.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest import clean

HEADING_RATIO = 1.15  # a heading is at least this much larger than the body text
MAX_HEADING_CHARS = 120  # longer runs in a big font are pull quotes or cover text, not headings
MAX_HEADING_SHARE = 0.15  # a size holding more of the text than this is body text, not headings
MIN_HEADING_PAGES = 3  # a heading size recurs on at least this many pages (and 1% of them)
LINE_GAP = 1.6  # runs further apart than this many font sizes are separate headings
MAX_DEPTH = 2  # innermost open headings kept in a path (cover titles would otherwise head everything)
_WORD = re.compile(r"[^\W\d_]{2,}")
# Two quantities with units in one big-font line: a table row ("Neonate – 0.5 L/min Infant – 1 – 2 L/min"), not a heading.
_QUANTITY = re.compile(r"\d\s?(?:mg|g|ml|l|kg|mmol|µg|mcg|iu|%|l/min|ml/kg)\b", re.IGNORECASE)


@dataclass
class FontRuns:
    """A pypdf `visitor_text` callback that records (size, text, y) runs of one page in order."""

    runs: list[tuple[float, str, float]] = field(default_factory=list)

    def __call__(self, text, cm, tm, font_dict, font_size) -> None:
        if not text:
            return
        try:
            # Vertical scale of text matrix x graphics matrix: the size the reader sees.
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            size = abs(float(font_size)) * math.hypot(c, d)
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        except (TypeError, ValueError, IndexError):
            size, y = 0.0, 0.0
        self.runs.append((round(size * 2) / 2, text, y))  # half-point buckets: 9.8 and 9.9 are one size


def body_size(pages: list[list[tuple[float, str, float]]]) -> float | None:
    """The size most non-blank characters are printed in."""
    counts: Counter[float] = Counter()
    for runs in pages:
        for size, text, _ in runs:
            counts[size] += len(text.strip())
    counts.pop(0.0, None)
    return counts.most_common(1)[0][0] if counts else None


def _heading_sizes(pages: list[list[tuple[float, str, float]]], body: float) -> set[float]:
    """Sizes clearly above the body size that hold a small share of the text and recur across pages.

    A size seen on one or two pages only is a cover or a one-off chart title: as a heading it
    would head every later page, however unrelated.
    """
    counts: Counter[float] = Counter()
    on_pages: Counter[float] = Counter()
    for runs in pages:
        for size in {size for size, text, _ in runs if _WORD.search(text)}:
            on_pages[size] += 1
        for size, text, _ in runs:
            counts[size] += len(text.strip())
    total = sum(counts.values()) or 1
    min_pages = max(MIN_HEADING_PAGES, len(pages) // 100)
    return {s for s, n in counts.items()
            if s >= body * HEADING_RATIO and n / total <= MAX_HEADING_SHARE and on_pages[s] >= min_pages}


def _page_headings(runs: list[tuple[float, str, float]], sizes: set[float]) -> list[tuple[float, str]]:
    """Consecutive runs of one heading size joined into (size, title); unlikely titles dropped.

    Runs join while each is on the same line as the last or the next line down (a wrapped
    title); a bigger gap starts another heading (a drug page's stacked subheadings).
    """
    found: list[tuple[float, str]] = []
    current: list[str] = []
    current_size, last_y = 0.0, 0.0
    for size, text, y in [*runs, (-1.0, "end", 0.0)]:
        if not text.strip():  # spaces and line breaks between runs belong to either side
            if current:
                current.append(text)
            continue
        if current and (size != current_size or abs(y - last_y) > LINE_GAP * size):
            title = clean.heading_text(clean.collapse_spaces(clean.normalize_unicode("".join(current)).replace("\n", " ")))
            if len(title) <= MAX_HEADING_CHARS and _WORD.search(title) and len(_QUANTITY.findall(title)) < 2:
                found.append((current_size, title))
            current = []
        if size in sizes:
            if not current:
                current_size = size
            current.append(text)
            last_y = y
    return found


def heading_marks(pages: list[list[tuple[float, str, float]]]) -> list[tuple[int, tuple[str, ...]]]:
    """(0-based page, section path) for every heading found by font size, in reading order."""
    body = body_size(pages)
    if not body:
        return []
    sizes = _heading_sizes(pages, body)
    if not sizes:
        return []
    marks: list[tuple[int, tuple[str, ...]]] = []
    stack: list[tuple[float, str]] = []
    for index, runs in enumerate(pages):
        for size, title in _page_headings(runs, sizes):
            while stack and stack[-1][0] <= size:
                stack.pop()
            stack.append((size, title))
            marks.append((index, tuple(t for _, t in stack[-MAX_DEPTH:])))
    return marks
