"""Printed page numbers: /PageLabels where they agree with the page, else the number the page prints.

A reader finds a page by the number printed in its running header or footer, not by the PDF's
physical index. /PageLabels are often right, sometimes wrong (the WHO pocket book labels its
page printed '86' as 'cx') and often absent (the IMCI handbook prints '34 ▼ IMCI HANDBOOK' on
PDF page 44). A number at the edge of a page counts as printed only when its neighbours agree
(a run of +1 per page), so a dose or a list number near the edge is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import EDGE_LINES, is_page_number

MAX_NEIGHBOUR = 2  # a neighbour this many pages away may confirm a number (figure pages print none)
MAX_GAP = 4  # pages without a number between two agreeing ones are filled in
WINDOW = 5  # pages either side that may vote for a candidate
MIN_RUN = 3  # numbered pages in a row before a run counts as page numbering
_ROMAN = re.compile(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_ROMAN_DIGITS = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_DIGITS = re.compile(r"\d{1,4}")
_LEADING = re.compile(r"^(\d{1,4})\s+(?=\D)")  # '34 ▼ IMCI HANDBOOK' (not '4. COUGH': a dot follows)
_TRAILING = re.compile(r"(?<=\D)\s(\d{1,4})$")  # 'IMCI HANDBOOK ▼ 35', 'Guideline page 3'

PAGELABELS, PRINTED, NONE = "pagelabels", "printed", "none"


@dataclass
class PageNumbers:
    """One label per physical page, where each came from, and what was noticed on the way."""

    labels: list[str | None]
    sources: list[str]  # pagelabels | printed | none
    warnings: list[str]

    def summary(self) -> str:
        """'page labels: 98 printed, 12 pagelabels, 3 none' for the ingest report."""
        counts = {s: self.sources.count(s) for s in (PRINTED, PAGELABELS, NONE) if self.sources.count(s)}
        return "page labels: " + ", ".join(f"{n} {s}" for s, n in counts.items())


def _roman_value(text: str) -> int | None:
    """'xiv' -> 14; None for anything that is not a lowercase or uppercase roman numeral."""
    text = text.strip().lower()
    if not text or not _ROMAN.fullmatch(text):
        return None
    values = [_ROMAN_DIGITS[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def edge_candidates(page: str) -> set[tuple[str, int]]:
    """Numbers standing alone or at the start/end of a page's first and last lines: ('arabic'|'roman', n)."""
    lines = [line.strip() for line in page.split("\n") if line.strip()]
    found: set[tuple[str, int]] = set()
    for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]:
        if is_page_number(line) and (digits := _DIGITS.findall(line)):
            found.add(("arabic", int(digits[0])))  # '- 12 -', 'Page 3 / 663': the first number is the page
        elif (roman := _roman_value(line)) is not None:
            found.add(("roman", roman))
        elif m := _LEADING.match(line) or _TRAILING.search(line):
            found.add(("arabic", int(m.group(1))))
    return {(kind, n) for kind, n in found if n > 0}


def printed_numbers(pages: list[str]) -> list[str | None]:
    """The printed number of each page, kept only inside a run of at least MIN_RUN pages counting up by one."""
    candidates = [edge_candidates(page) for page in pages]
    confirmed: list[tuple[str, int] | None] = [None] * len(pages)
    for i, numbers in enumerate(candidates):
        # The candidate most neighbours agree with: a contents line ending '51' loses to the page's 'iv'.
        support = {(kind, n): sum(1 for k in range(-WINDOW, WINDOW + 1)
                                  if k and 0 <= i + k < len(pages) and (kind, n + k) in candidates[i + k])
                   for kind, n in numbers}
        best = max(support, key=lambda c: (support[c], c[0] == "arabic", -c[1]), default=None)
        if best is not None and support[best] and any(
                0 <= i + k < len(pages) and (best[0], best[1] + k) in candidates[i + k]
                for k in range(-MAX_NEIGHBOUR, MAX_NEIGHBOUR + 1) if k):
            confirmed[i] = best
    kept = _long_runs(confirmed)
    return [None if c is None else str(c[1]) if c[0] == "arabic" else _roman(c[1]) for c in _fill_gaps(kept)]


def _long_runs(confirmed: list[tuple[str, int] | None]) -> list[tuple[str, int] | None]:
    """Drop runs shorter than MIN_RUN: two contents-page lines ending '51' and '52' are not page numbers."""
    out: list[tuple[str, int] | None] = [None] * len(confirmed)
    run: list[int] = []

    def close() -> None:
        if len(run) >= MIN_RUN:
            for i in run:
                out[i] = confirmed[i]

    for i, c in enumerate(confirmed):
        if c is None:
            continue
        if run:
            last = confirmed[run[-1]]
            if not (c[0] == last[0] and i - run[-1] <= MAX_GAP + 1 and c[1] - last[1] == i - run[-1]):
                close()
                run = []
        run.append(i)
    close()
    return out


def _fill_gaps(found: list[tuple[str, int] | None]) -> list[tuple[str, int] | None]:
    """A page between two numbered pages of the same run (a full-page figure) gets its number."""
    known = [i for i, c in enumerate(found) if c is not None]
    out = list(found)
    for a, b in zip(known, known[1:]):
        (kind_a, n_a), (kind_b, n_b) = found[a], found[b]
        if 1 < b - a <= MAX_GAP + 1 and kind_a == kind_b and n_b - n_a == b - a:
            for i in range(a + 1, b):
                out[i] = (kind_a, n_a + (i - a))
    return out


def page_numbers(pages: list[str], declared: list[str | None]) -> PageNumbers:
    """Combine /PageLabels (declared, None where absent) with the numbers printed on the pages."""
    printed = printed_numbers(pages)
    both = [(d, p) for d, p in zip(declared, printed) if d is not None and p is not None]
    wrong = [1 for d, p in both if d != p]
    warnings: list[str] = []
    trust = bool(both) and len(wrong) * 2 <= len(both) or not both
    if both and not trust:
        first = next(i for i, (d, p) in enumerate(zip(declared, printed)) if d is not None and p is not None and d != p)
        warnings.append(f"/PageLabels disagree with the printed page numbers on {len(wrong)} of {len(both)} pages "
                        f"(PDF page {first + 1} prints {printed[first]}, labelled {declared[first]!r}): "
                        "printed numbers used")
    labels: list[str | None] = []
    sources: list[str] = []
    for d, p in zip(declared, printed):
        if p is not None and d != p:
            labels.append(str(p))
            sources.append(PRINTED)
        elif d is not None and trust:
            labels.append(d)
            sources.append(PAGELABELS)
        else:
            labels.append(None)
            sources.append(NONE)
    result = PageNumbers(labels, sources, warnings)
    if PRINTED in sources:  # the document's record of where its labels came from
        result.warnings.append(result.summary())
    return result
