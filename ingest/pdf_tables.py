"""Ruled tables on PDF pages -> pipe-table text, and the page lines they replace.

pypdf reads a dosing table as loose lines ('6 to < 10 kg 180/90 mg ...'); once the chunker
cuts them, a row no longer says which column is the weight and which the dose. pdfplumber
finds tables from ruling lines and character positions, so a table can become a pipe table
that `ingest/tables.py` splits between rows, repeating the header rows in every piece.

pdfplumber re-parses a page (about 0.1 s, three times pypdf's cost), so it only looks at
candidate pages: ones whose pypdf text has several lines holding two or more numbers and
whose content stream draws enough lines or rectangles to rule a grid. A table found
there is kept only if it looks like a table and its words and numbers are exactly those
of whole lines of the pypdf page text: those lines leave the prose, the table takes their place,
so no text is lost or doubled, and every number on the page is still there.

pypdf reads in content-stream order, which need not be the printed order: a page may draw its
headings before the tables printed above them. So each table also records which page lines are
printed before it and which after (from pdfplumber's positions), and pdf.py files the table under
the last heading printed above it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ingest import clean

MIN_NUMERIC_LINES = 3  # lines with 2+ numbers: fewer, and there is no table of values to keep together
MIN_RULING_OPS = 20  # line-to and rectangle operators in the page's content stream: fewer rarely rule a grid
MIN_COLUMNS = 2
MIN_BODY_ROWS = 2
MIN_FILLED_SHARE = 0.6  # of the body cells: a sparser grid is a layout box or a form, not a table of values
MAX_MEAN_CELL_CHARS = 150  # longer cells on average: a page of prose drawn inside a frame
MAX_CELL_CHARS = 600
# pdfplumber (pdfminer) costs 3-8x pypdf per page: giving it more than this share of a document's text
# (in characters, a proxy for the content both parse) would add more than ~10% to the parse time;
# the pages with most numeric lines go first. The budget is in characters, not seconds, so the
# same file always gets the same tables; a small document may spend one page's worth (a fraction of a second).
MAX_TEXT_SHARE = 0.025
MIN_BUDGET_CHARS = 3000
MIN_TOKEN_SHARE = 0.9  # of the table's words found on whole lines of the page text, else the two readings disagree

# A value as tables print them ('2.5', '120/60', '10'); not a year, an ISBN or a page range of a reference.
_NUMBER_LINE = re.compile(r"(?<![\d.,/])(?!(?:19|20)\d\d(?!\d))\d{1,4}(?:[.,/]\d+)?(?![\d])")
_REFERENCE = re.compile(r"https?:|www\.|doi|\(\d{4}\)|\b(?:19|20)\d\d;", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# Path construction operators that draw rulings: 're' (rectangle), 'l' (line to).
_RULING_OP = re.compile(rb"(?<![A-Za-z])(?:re|l)(?![A-Za-z])")


@dataclass(frozen=True)
class PageTable:
    """A table accepted on a page: its rows as cleaned cell text, the first `header_rows` are its header.

    caption: the text of leading rows that span the table (a title, a list's section heading), one line each.
    """

    rows: list[list[str]]
    header_rows: int = 1
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    caption: tuple[str, ...] = ()

    def pipe_text(self) -> str:
        """The caption lines, then '| a | b |' per row, the '|---|' separator under the header rows."""
        lines = ["| " + " | ".join(row) + " |" for row in self.rows]
        separator = "|" + "---|" * len(self.rows[0])
        return "\n".join([*self.caption, *lines[: self.header_rows], separator, *lines[self.header_rows:]])


@dataclass(frozen=True)
class PlacedTable:
    """A table and the line numbers (0-based, in the cleaned page text) whose words it holds.

    before / after: the other page lines printed before / after the table in reading order;
    a line in neither could not be found on the page (it is not printed as one line, or more than once).
    """

    table: PageTable
    lines: tuple[int, ...]
    before: frozenset[int] = frozenset()
    after: frozenset[int] = frozenset()


def numbers(text: str) -> Counter[str]:
    """The multiset of digit sequences in a text: what must survive the move into a table."""
    return Counter(_DIGITS.findall(text))


def numeric_lines(text: str) -> int:
    """Lines holding two or more numbers: rows of a table of doses, ages or weights."""
    return sum(1 for line in text.split("\n") if not _REFERENCE.search(line) and len(_NUMBER_LINE.findall(line)) >= 2)


def is_candidate(text: str, ruling_ops: int) -> bool:
    """Cheap test on pypdf's text and the content stream: enough numeric lines and enough rulings."""
    return ruling_ops >= MIN_RULING_OPS and numeric_lines(text) >= MIN_NUMERIC_LINES


def candidate_pages(pages: list[str], pdf_pages, skip: Iterable[int] = ()) -> list[int]:
    """The pages worth giving to pdfplumber (0-based, in page order), at most the budget's worth.

    pdf_pages: pypdf's reader.pages (for the content streams). skip: pages whose text is not
    pypdf's (OCR) or empty. Over budget, the pages with the most numeric lines are kept.
    """
    skipped = set(skip)
    scored = []
    for index, text in enumerate(pages):
        if index in skipped:
            continue
        count = numeric_lines(text)
        if count < MIN_NUMERIC_LINES:
            continue  # the text test first: it needs no stream decoding
        if ruling_ops(pdf_pages[index]) >= MIN_RULING_OPS:
            scored.append((count, index))
    if not scored:
        return []
    budget = max(MIN_BUDGET_CHARS, MAX_TEXT_SHARE * sum(map(len, pages)))
    chosen, spent = [], 0
    for _, index in sorted(scored, key=lambda s: (-s[0], s[1])):
        size = len(pages[index])
        if spent + size <= budget:  # a page too big for what is left is skipped, a smaller one may fit
            chosen.append(index)
            spent += size
    return sorted(chosen)


def ruling_ops(page) -> int:
    """Rectangle and line operators in a pypdf page's content stream (a byte scan, no parsing).

    Counts a little too much (an 're' inside a text string), which only makes a page a candidate
    that pdfplumber then rejects; it never misses a ruled grid drawn on the page itself.
    Grids drawn inside form XObjects are not seen: those pages keep their text as before.
    """
    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except Exception:  # a broken stream: no candidate (pypdf already warned while extracting text)
        return 0
    return len(_RULING_OP.findall(data))


def find_tables(path: Path, pages: dict[int, str]) -> dict[int, list[PlacedTable]]:
    """Tables on the given pages (0-based index -> cleaned pypdf page text), opening the PDF once.

    Returns only pages with an accepted table. A page pdfplumber cannot read keeps its text.
    """
    if not pages:
        return {}
    import pdfplumber  # lazy: only documents with a candidate page pay for the import

    found: dict[int, list[PlacedTable]] = {}
    with pdfplumber.open(str(path)) as pdf:
        for index in sorted(pages):
            page = pdf.pages[index]
            try:
                placed = place_tables(page_tables(page), pages[index])
                boxes = line_boxes(page, pages[index]) if placed else []
            except Exception:  # pdfminer on a broken content stream: the page stays text, as before
                placed = []
            finally:
                page.close()  # frees the parsed objects of the page
            if placed:
                found[index] = [_in_reading_order(p, boxes) for p in placed]
    return found


def page_tables(page) -> list[PageTable]:
    """pdfplumber's ruled tables on one page that pass the quality gates."""
    x0, top, x1, bottom = page.bbox
    accepted = []
    for table in page.find_tables():  # default settings: rulings ('lines') for rows and columns
        bx0, btop, bx1, bbottom = table.bbox
        if bx0 < x0 - 1 or btop < top - 1 or bx1 > x1 + 1 or bbottom > bottom + 1:
            continue  # a clipping path far off the page, read as a frame around everything
        converted = convert(table.extract())
        if converted is not None:
            accepted.append(replace(converted, bbox=tuple(table.bbox)))
    return accepted


def convert(raw: list[list[str | None]]) -> PageTable | None:
    """pdfplumber's rows (None = covered by a merged cell) -> a cleaned table, or None if it is no table."""
    if not raw or "|" in "".join(cell or "" for row in raw for cell in row):
        return None  # a '|' in a cell would break the pipe table's columns
    merged = [[cell is None for cell in row] for row in raw]
    rows = [[cell_text(cell) for cell in row] for row in raw]
    keep_cols = [c for c in range(max(len(r) for r in rows)) if any(c < len(r) and r[c] for r in rows)]
    keep_rows = [i for i, r in enumerate(rows) if any(r)]
    rows = [[rows[i][c] if c < len(rows[i]) else "" for c in keep_cols] for i in keep_rows]
    merged = [[merged[i][c] if c < len(merged[i]) else False for c in keep_cols] for i in keep_rows]
    captions = _caption_rows(rows)
    caption = tuple(row[0] for row in rows[:captions])
    rows, merged = rows[captions:], merged[captions:]
    if len(keep_cols) < MIN_COLUMNS or len(rows) < 1 + MIN_BODY_ROWS:
        return None
    header_rows = 2 if len(rows) > 2 + MIN_BODY_ROWS and any(merged[0]) else 1  # a spanning label has sub-labels below
    body = [cell for row in rows[header_rows:] for cell in row]
    if sum(1 for cell in body if cell) < MIN_FILLED_SHARE * len(body):
        return None
    filled = [cell for row in rows for cell in row if cell]
    if max(map(len, filled)) > MAX_CELL_CHARS or sum(map(len, filled)) / len(filled) > MAX_MEAN_CELL_CHARS:
        return None
    return PageTable(_carry_header(rows, merged, header_rows), header_rows, caption=caption)


def _caption_rows(rows: list[list[str]]) -> int:
    """How many leading rows are captions: text in the first cell only, above a row that fills most columns.

    pdfplumber reads a title or a list's section heading drawn across the table as its first row;
    as the header it would be repeated over every piece of the table in place of the column labels.
    A spanning label over some columns ('' | 'Daily dose' | None) is not first, so it stays a header.
    """
    count = 0
    while count < len(rows) and rows[count][0] and not any(rows[count][1:]):
        count += 1
    if count == len(rows) or sum(1 for cell in rows[count] if cell) * 2 <= len(rows[count]):
        return 0
    return count


def cell_text(cell: str | None) -> str:
    """One cell as one line: Unicode as pdf.py normalises it, hyphenated breaks joined, spaces collapsed."""
    if not cell:
        return ""
    text = clean.join_hyphenation(clean.collapse_spaces(clean.normalize_unicode(cell)))
    return " ".join(text.split())


def _carry_header(rows: list[list[str]], merged: list[list[bool]], header_rows: int) -> list[list[str]]:
    """Fill the cells a spanning header label covers: right along its row, down from a label above.

    Only labels without digits are carried: a copied '3 to < 6 kg' would read as a second band
    (and the page would seem to hold more numbers than it does).
    """
    rows = [list(row) for row in rows]
    for r in range(header_rows):
        for c in range(1, len(rows[r])):
            if not rows[r][c] and merged[r][c] and rows[r][c - 1] and not _DIGITS.search(rows[r][c - 1]):
                rows[r][c] = rows[r][c - 1]
    for r in range(1, header_rows):
        for c in range(len(rows[r])):
            if not rows[r][c] and rows[r - 1][c] and not _DIGITS.search(rows[r - 1][c]):
                rows[r][c] = rows[r - 1][c]
    return rows


def _tokens(text: str) -> list[str]:
    return text.split()


def place_tables(tables: Iterable[PageTable], page_text: str) -> list[PlacedTable]:
    """Match each table to the whole lines of the page text that hold its words; drop tables that do not match.

    A line belongs to the table when every word of it is one of the table's words not yet used.
    The table is kept when those lines hold nearly all of its words and exactly its numbers,
    so taking the lines out of the prose and adding the table loses and doubles nothing.
    """
    lines = page_text.split("\n")
    taken: set[int] = set()
    placed = []
    for table in tables:
        original = _original_cells(table)
        bag = Counter(_tokens(original))
        total = sum(bag.values())
        own: list[int] = []
        for i, line in enumerate(lines):
            words = Counter(_tokens(line))
            if i in taken or not words or any(bag[w] < n for w, n in words.items()):
                continue
            bag -= words
            own.append(i)
        if not own or sum(bag.values()) > (1 - MIN_TOKEN_SHARE) * total:
            continue
        if numbers("\n".join(lines[i] for i in own)) != numbers(table.pipe_text()):
            continue  # a number only one reading has, or a carried label: not safe to swap
        taken.update(own)
        placed.append(PlacedTable(table, tuple(own)))
    return placed


def _original_cells(table: PageTable) -> str:
    """The table's words once each (carried header labels are copies, not words of the page)."""
    words = list(table.caption)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            carried = r < table.header_rows and cell and (
                (c > 0 and row[c - 1] == cell) or (r > 0 and table.rows[r - 1][c] == cell))
            if not carried:
                words.append(cell)
    return " ".join(words)


def line_boxes(page, page_text: str) -> list[tuple[float, float, float] | None]:
    """Where each line of the page text is printed, (x0, top, x1), or None if pdfplumber's lines do not hold it once."""
    printed: list[tuple[str, list[dict]]] = []  # per pdfplumber line: its text without spaces, the char at each position
    for line in page.extract_text_lines(return_chars=True):
        text, owners = "", []
        for char in line["chars"]:
            key = _squashed(char["text"])
            text += key
            owners.extend([char] * len(key))
        printed.append((text, owners))
    boxes: list[tuple[float, float, float] | None] = []
    for line in page_text.split("\n"):
        chars = _locate(_squashed(line), printed)
        boxes.append((min(c["x0"] for c in chars), min(c["top"] for c in chars), max(c["x1"] for c in chars))
                     if chars else None)
    return boxes


def _locate(key: str, printed: list[tuple[str, list[dict]]]) -> list[dict] | None:
    """The chars of the one pdfplumber line that is key, else of the one place a line holds it, else None.

    Compared without spaces, since pypdf and pdfplumber space words differently; a part of a line
    because pdfplumber joins text printed side by side (columns) into one line.
    """
    if not key:
        return None
    whole = [owners for text, owners in printed if text == key]
    if whole:
        return whole[0] if len(whole) == 1 else None
    parts = [owners[i:i + len(key)] for text, owners in printed for i in _occurrences(text, key)]
    return parts[0] if len(parts) == 1 else None


def _squashed(text: str) -> str:
    return "".join(clean.normalize_unicode(text).split())


def _occurrences(text: str, key: str) -> list[int]:
    """Start of every (possibly overlapping) occurrence of key in text."""
    starts, i = [], text.find(key)
    while i >= 0:
        starts.append(i)
        i = text.find(key, i + 1)
    return starts


def _in_reading_order(placed: PlacedTable, boxes: list[tuple[float, float, float] | None]) -> PlacedTable:
    """The table with the page lines printed before and after it (its own lines in neither)."""
    x0, top, x1, _ = placed.table.bbox
    own = set(placed.lines)
    before = {n for n, box in enumerate(boxes) if box and n not in own and _reads_before(box, x0, top, x1)}
    after = {n for n, box in enumerate(boxes) if box and n not in own and n not in before}
    return replace(placed, before=frozenset(before), after=frozenset(after))


def _reads_before(box: tuple[float, float, float], x0: float, top: float, x1: float) -> bool:
    """A line is read before the table if it is in a column to its left, or above it and not in a column to its right."""
    line_x0, line_top, line_x1 = box
    return line_x1 <= x0 or (line_top < top and line_x0 < x1)
