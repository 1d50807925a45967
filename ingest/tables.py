"""Pipe tables cut between rows: every piece repeats the header rows and the row-group label of its rows.

A dosing table torn from its header ('0.6 ml | 1.2 ml' without 'Age' and 'Weight') cannot tell
which dose is for which child, so a table is never split inside a row and every piece starts with
the rows that say what the columns are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# A body row that says what the columns are: 'Weight | 3 to < 6 kg | 6 to < 10 kg'.
_BAND_LABEL = re.compile(r"^(age|weight|body weight|weight band|age group|bsa|height)\b", re.IGNORECASE)
_BAND_CELL = re.compile(r"(kg|years?|months?|weeks?|days?|cm|m²|y)\s*(\(\w\))?$", re.IGNORECASE)
MAX_EXTRA_HEADER_ROWS = 3


@dataclass(frozen=True)
class Row:
    """One table row as it stands in the source (a wrapped row keeps its continuation lines)."""

    text: str
    line: int  # offset of its first line in the table's lines

    def cells(self) -> list[str]:
        inner = self.text.replace("\n", " ").strip().strip("|")
        return [re.sub(r"[*_`]", "", cell).strip() for cell in inner.split("|")]


@dataclass(frozen=True)
class Table:
    header: list[Row]  # the rows above the |---| line, the separator, and band rows (Age/Weight) below it
    body: list[Row]


def parse_table(text: str) -> Table:
    """Split a pipe table's text into header rows and body rows."""
    rows: list[Row] = []
    for offset, line in enumerate(text.split("\n")):
        if line.lstrip().startswith("|") or not rows:
            rows.append(Row(line, offset))
        else:  # a cell wrapped onto the next line belongs to its row
            rows[-1] = Row(rows[-1].text + "\n" + line, rows[-1].line)
    separator = next((i for i, row in enumerate(rows) if _SEPARATOR.match(row.text.strip())), None)
    if separator is None:
        return Table([], rows)
    end = separator + 1
    while end < len(rows) and end - separator <= MAX_EXTRA_HEADER_ROWS and _is_band_row(rows[end]):
        end += 1
    return Table(rows[:end], rows[end:])


def _is_band_row(row: Row) -> bool:
    """'**Weight** | 3 to < 6 kg | ...': a second header row written as a body row."""
    first, *rest = row.cells() or [""]
    values = [cell for cell in rest if cell]
    if not values:
        return False
    return bool(_BAND_LABEL.match(first)) or all(_BAND_CELL.search(cell) for cell in values)


def _compact(row: Row) -> Row:
    """Column padding and long '|-----|' rules cost tokens, not meaning: '| a    |' -> '| a |', '|---|'."""
    text = re.sub(r"-{3,}", "---", row.text) if _SEPARATOR.match(row.text.strip()) else row.text
    return Row(re.sub(r"[ \t]{2,}", " ", text), row.line)


def is_group_row(row: Row) -> bool:
    """A row that only names what follows ('**Paracetamol**' with every other cell empty)."""
    first, *rest = row.cells() or [""]
    return bool(first) and bool(rest) and not any(rest)


def split_table(text: str, fits: Callable[[str], bool]) -> list[tuple[str, int, int]]:
    """Pieces of a table that fit, cut between rows, each repeating the header rows and its row group.

    Returns (text, first line offset, last line offset) per piece; offsets count lines of `text`.
    A single row too long even alone is returned as it is (the caller cuts it further).
    """
    table = parse_table(text)
    if fits(text) or not table.body:
        return [(text, 0, text.count("\n"))]
    table = Table([_compact(row) for row in table.header], [_compact(row) for row in table.body])
    head = [row.text for row in table.header]
    first_line = table.header[0].line if table.header else None
    pieces: list[tuple[str, int, int]] = []
    rows: list[Row] = []
    carried: Row | None = None  # the row-group label repeated at the top of the current piece
    group: Row | None = None  # the row-group label in force

    def render(body: list[Row], label: Row | None) -> str:
        return "\n".join(head + ([label.text] if label is not None else []) + [row.text for row in body])

    for row in table.body:
        if rows and not fits(render([*rows, row], carried)):
            last = rows[-1]
            pieces.append((render(rows, carried), rows[0].line if first_line is None else first_line,
                           last.line + last.text.count("\n")))
            rows, carried = [], None
        if is_group_row(row):
            group = row
        elif not rows:
            carried = group  # a piece starting inside a group repeats the group's label
        rows.append(row)
    if rows:
        last = rows[-1]
        pieces.append((render(rows, carried), rows[0].line if first_line is None else first_line,
                       last.line + last.text.count("\n")))
    return pieces
