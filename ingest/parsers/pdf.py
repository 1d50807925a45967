"""PDF -> ParsedDocument with pypdf: cleaned text per physical page, sections from the outline."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ingest import clean, pdf_tables
from ingest.blocks import Block, ParsedDocument
from ingest.metadata import detect_pdf_metadata
from ingest.ocr import read_scanned_pages
from ingest.page_numbers import page_numbers
from ingest.parsers.pdf_headings import FontRuns, heading_marks
from rag.errors import BadDocument

MIN_PAGE_CHARS = 20  # fewer characters than this: a scanned, blank or figure-only page
MAX_PAGE_CHARS = 200_000  # more than this on one page is a broken text layer, not prose
MAX_OUTLINE_DEPTH = 12  # real outlines are 3-6 deep; deeper (or cyclic) ones are broken
SHALLOW_OUTLINE_PAGES = 20  # fewer outline entries than one per this many pages: use font headings


Box = tuple[float, float, float]  # (x0, top, x1) of a printed line, top growing down the page, as pdf_tables'
CHAR_WIDTH = 0.55  # of the font size: a line's right end is estimated from its characters (pypdf gives no widths)


@dataclass
class _PlacedRuns(FontRuns):
    """FontRuns that also records where each run starts (x) and its size, to place the page's lines.

    pypdf's visitor sees every piece of the plain-mode text in order, so the runs joined are the page text.
    """

    places: list[tuple[float, float]] = field(default_factory=list)  # per run: (x, effective size)

    def __call__(self, text, cm, tm, font_dict, font_size) -> None:
        if not text:
            return
        super().__call__(text, cm, tm, font_dict, font_size)
        try:
            x = float(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])
        except (TypeError, ValueError, IndexError):
            x = math.nan
        self.places.append((x, self.runs[-1][0]))

    def line_boxes(self) -> list[tuple[str, Box | None]]:
        """Per line of the raw page text: its text without spaces and where it is printed (None: unknown)."""
        lines: list[tuple[str, Box | None]] = []
        key, box = "", None
        for (size, text, y), (x, _) in zip(self.runs, self.places):
            pieces = text.split("\n")
            for i, piece in enumerate(pieces):
                if i:
                    lines.append((key, box))
                    key, box = "", None
                squashed = _squashed(piece)
                if not squashed or math.isnan(x) or not math.isfinite(y):
                    key += squashed
                    continue
                right = x + CHAR_WIDTH * size * len(piece)
                box = (x, -y, right) if box is None else (min(box[0], x), box[1], max(box[2], right))
                key += squashed
        lines.append((key, box))
        return lines


@dataclass(frozen=True)
class _Mark:
    """An outline entry: the section path that starts on a physical page (0-based)."""

    page_index: int
    path: tuple[str, ...]
    must_find: bool = False  # a heading found by font: ignored unless its title is on the cleaned page


def parse_pdf(path: Path, *, max_pages: int = 5000, layout: bool = False, ocr: bool = True,
              tables: bool = True) -> ParsedDocument:
    """Parse a PDF into one block per page (split where an outline section starts mid-page).

    ocr: read pages without a text layer with Tesseract (their text is marked as OCR).
    tables: ruled tables on candidate pages become pipe-table blocks of their own (ingest/pdf_tables.py).
    """
    path = Path(path)
    reader = _open(path)
    count = _page_count(reader, path, max_pages)
    warnings: list[str] = []
    fonts = [_PlacedRuns() for _ in range(count)]
    raw = [_extract(reader, i, layout, warnings, fonts[i]) for i in range(count)]
    ocr_notes: list[str] = []
    read = read_scanned_pages(path, raw, ocr_notes, min_chars=MIN_PAGE_CHARS) if ocr else {}
    spaced = _spaced_pages(raw, layout)
    pages = _clean_pages(spaced)
    for index, page in read.items():  # marked after cleaning: the marker must not look like a running header
        if pages[index].strip():
            pages[index] = page.marked_text(pages[index])
    empty = [i + 1 for i, text in enumerate(pages) if len(text.strip()) < MIN_PAGE_CHARS]
    if len(empty) == count:
        failed = [w for w in warnings if "extraction failed" in w]  # e.g. a decompression bomb hit pypdf's limit
        if failed:
            raise BadDocument(f"{path.name}: no page could be read: {'; '.join(failed[:3])}")
        hint = "; ".join(ocr_notes) if ocr_notes else ("OCR is off (GQA_OCR)" if not ocr else "OCR found no text")
        raise BadDocument(f"{path.name}: {count} pages without text: scanned? needs OCR ({hint})")
    if empty:
        warnings.append(f"{len(empty)} of {count} pages without text (scanned, blank or figure-only): {_spans(empty)}")
    warnings.extend(ocr_notes)
    numbers = page_numbers(spaced, _page_labels(reader, count, warnings))
    labels = numbers.labels
    warnings.extend(numbers.warnings)
    marks = _outline_marks(reader, count, warnings)
    if (not marks or len(marks) < count // SHALLOW_OUTLINE_PAGES) and not layout:
        # No (or a token) outline: take the headings from font sizes instead.
        marks = [_Mark(page, path, must_find=True) for page, path in heading_marks([f.runs for f in fonts])]
    found = _tables(path, reader, pages, set(read) | set(i - 1 for i in empty), warnings) if tables else {}
    placed_lines = _placed_lines(pages, fonts, {m.page_index for m in marks} - set(read))
    doc = ParsedDocument(
        format="pdf",
        blocks=_blocks(pages, labels, marks, found, placed_lines),
        page_count=count,
        page_texts=pages,
        page_labels=labels,
        page_label_sources=numbers.sources,
        pages_without_text=empty,
        ocr_confidence={i + 1: round(p.confidence, 1) for i, p in read.items() if p.text.strip()},
        warnings=warnings,
    )
    detect_pdf_metadata(doc, reader)
    return doc


def _placed_lines(pages: list[str], fonts: list[_PlacedRuns], wanted: set[int]) -> dict[int, list[Box | None]]:
    """Where each line of the cleaned page text is printed, on the pages where a section may start.

    A cleaned line takes the position of the one raw line it equals (spaces aside), else of the one
    raw line holding it; a line found nowhere or more than once (joined hyphenation, repeats) gets None.
    """
    found: dict[int, list[Box | None]] = {}
    for index in sorted(wanted):
        raw = fonts[index].line_boxes()
        if not any(box for _, box in raw):
            continue  # layout mode or no text: nothing to place by
        whole: dict[str, list[Box | None]] = {}
        for key, box in raw:
            whole.setdefault(key, []).append(box)
        boxes: list[Box | None] = []
        for line in pages[index].split("\n"):
            key = _squashed(line)
            same = whole.get(key) if key else None
            if same is None and key:
                same = [box for text, box in raw if key in text]
                if len(same) == 1 and sum(text.count(key) for text, _ in raw) != 1:
                    same = None
            boxes.append(same[0] if same and len(same) == 1 else None)
        found[index] = boxes
    return found


def _squashed(text: str) -> str:
    return "".join(clean.normalize_unicode(text).split())


def _tables(path: Path, reader, pages: list[str], skip: set[int], warnings: list[str]):
    """Tables on the candidate pages; a document pdfplumber cannot open keeps its page text."""
    candidates = pdf_tables.candidate_pages(pages, reader.pages, skip)
    try:
        return pdf_tables.find_tables(path, {i: pages[i] for i in candidates})
    except Exception as exc:  # pdfminer fails differently from pypdf on broken files: text as before
        warnings.append(f"table finding failed ({type(exc).__name__}: {exc}); tables kept as text")
        return {}


def _open(path: Path):
    """Open a PDF with pypdf, turning its many failure modes into BadDocument."""
    if not path.is_file():
        raise BadDocument(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise BadDocument(f"{path.name}: empty file")
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:  # readers accept junk before the signature, but not its absence
        raise BadDocument(f"{path.name}: not a PDF (starts with {head[:16]!r}); re-download or convert it")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadDocument(f"{path.name}: encrypted; password needed (save an unencrypted copy and ingest that)")
    except BadDocument:
        raise
    except FileNotDecryptedError as exc:
        raise BadDocument(f"{path.name}: encrypted; password needed ({exc})") from exc
    except DependencyError as exc:
        raise BadDocument(f"{path.name}: encrypted with AES; install 'cryptography' to read it ({exc})") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise BadDocument(f"{path.name}: corrupt or truncated PDF ({type(exc).__name__}: {exc}); "
                          "re-download or re-export it") from exc
    return reader


def _page_count(reader, path: Path, max_pages: int) -> int:
    """The number of pages, refusing empty and oversized documents."""
    try:
        count = len(reader.pages)
    except Exception as exc:  # pypdf raises many types on a broken page tree
        raise BadDocument(f"{path.name}: corrupt page tree ({type(exc).__name__}: {exc}); re-export the PDF") from exc
    if count == 0:
        raise BadDocument(f"{path.name}: PDF has zero pages")
    if count > max_pages:
        raise BadDocument(f"{path.name}: {count} pages, more than the limit of {max_pages} (raise GQA_MAX_PAGES to ingest it)")
    return count


def _extract(reader, index: int, layout: bool, warnings: list[str], fonts: FontRuns | None = None) -> str:
    """Raw text of one page; a page that fails or is absurdly long is reported, not fatal."""
    try:
        if layout:  # pypdf's layout mode calls no visitor
            text = reader.pages[index].extract_text(extraction_mode="layout") or ""
        else:
            text = reader.pages[index].extract_text(extraction_mode="plain", visitor_text=fonts) or ""
    except Exception as exc:  # a single broken content stream must not lose the document
        warnings.append(f"page {index + 1}: text extraction failed ({type(exc).__name__}: {exc})")
        return ""
    if len(text) > MAX_PAGE_CHARS:
        warnings.append(f"page {index + 1}: {len(text)} characters of text, cut to {MAX_PAGE_CHARS}")
        text = text[:MAX_PAGE_CHARS]
    return text


def _spaced_pages(raw: list[str], layout: bool) -> list[str]:
    """Unicode and spacing normalised, page furniture still in place (it holds the printed page numbers)."""
    pages = [clean.normalize_unicode(text.replace("\r\n", "\n").replace("\r", "\n")) for text in raw]
    # Layout mode aligns columns with runs of spaces; keep a two-space gap as the column break.
    return [_squeeze_columns(p) if layout else clean.collapse_spaces(p) for p in pages]


def _clean_pages(pages: list[str]) -> list[str]:
    """Clean every page, removing running headers and footers found across the document."""
    pages = clean.remove_running_headers(pages)
    return [clean.squeeze_blank_lines(clean.strip_page_numbers(clean.join_hyphenation(p))) for p in pages]


def _squeeze_columns(text: str) -> str:
    """Layout-mode spacing: runs of 2+ spaces become two spaces, single spaces stay."""
    text = clean.collapse_spaces(re.sub(r"[ \t\u00a0]{2,}", "\x00", text))
    return text.replace("\x00", "  ").replace("\n  ", "\n").strip(" ")


def _spans(pages: list[int]) -> str:
    """Compact page list: [1, 2, 3, 7] -> '1-3, 7'."""
    spans: list[list[int]] = []
    for p in pages:
        if spans and p == spans[-1][1] + 1:
            spans[-1][1] = p
        else:
            spans.append([p, p])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def _page_labels(reader, count: int, warnings: list[str]) -> list[str | None]:
    """Printed page labels, only when the PDF declares /PageLabels (pypdf invents '1', '2'... otherwise)."""
    try:
        if "/PageLabels" not in reader.root_object:
            return [None] * count
        labels = list(reader.page_labels)
    except Exception as exc:  # a broken label tree costs the labels, not the document
        warnings.append(f"page labels unreadable ({type(exc).__name__})")
        return [None] * count
    return [str(label) if label else None for label in labels[:count]] + [None] * (count - len(labels))


def _outline_marks(reader, count: int, warnings: list[str]) -> list[_Mark]:
    """Outline entries as (page, section path), in page order."""
    try:
        outline = reader.outline
    except (Exception, RecursionError) as exc:  # cyclic or broken outlines: no sections rather than no document
        warnings.append(f"outline unreadable ({type(exc).__name__}); no sections")
        return []
    marks: list[_Mark] = []
    _walk_outline(reader, outline, (), 0, marks, set())
    marks = [m for m in marks if 0 <= m.page_index < count]
    return sorted(marks, key=lambda m: m.page_index)  # stable: outline order within a page


def _walk_outline(reader, items, parent: tuple[str, ...], depth: int, marks: list[_Mark], seen: set[int]) -> None:
    """Depth-first walk of pypdf's nested outline lists, capped in depth and guarded against cycles."""
    if depth > MAX_OUTLINE_DEPTH:
        return
    last_path = parent
    for item in items:
        if isinstance(item, list):
            _walk_outline(reader, item, last_path, depth + 1, marks, seen)
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        title = _clean_title(getattr(item, "title", None) or "")
        if not title or title.startswith("_") or _CAPTION.match(title):
            continue  # Word's hidden bookmarks (_GoBack, _Toc...) and figure/table captions are not sections
        last_path = _nest(parent, title)
        try:
            page = reader.get_destination_page_number(item)
        except Exception:  # a bookmark to nowhere still names a section, but has no page
            continue
        if page is not None and page >= 0:
            marks.append(_Mark(page, last_path))


def _clean_title(title: str) -> str:
    """Outline titles carry tabs, NBSPs and padding from the authoring tool."""
    return clean.heading_text(clean.collapse_spaces(clean.normalize_unicode(str(title)).replace("\n", " ")))


_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
_CAPTION = re.compile(r"^(fig\.?|figure|table|box|chart|panel)\s*[A-Z]?\d", re.IGNORECASE)


_DIVISION = re.compile(r"^(part|chapter|section|book|volume|module)\b", re.IGNORECASE)
_BACK_MATTER = re.compile(r"^(annex|appendix|appendices|annexes)\b", re.IGNORECASE)


def _nest(parent: tuple[str, ...], title: str) -> tuple[str, ...]:
    """Append a title to its parent path, undoing outlines that nest numbered siblings ('2.2' under '2.1'),
    chapters under front matter ('Executive summary > 1 Introduction') and annexes under the last chapter
    ('References > Annex 1')."""
    number = _NUMBER.match(title)
    path = list(parent)
    if (number and "." not in number.group(1)) or _BACK_MATTER.match(title):  # a chapter or an annex
        return (*(p for p in path if _DIVISION.match(p)), title)
    if number:
        depth = number.group(1).count(".")
        while path and (m := _NUMBER.match(path[-1])) and m.group(1).count(".") >= depth:
            path.pop()
    return (*path, title)


def _heading_offset(text: str, title: str, start: int) -> int | None:
    """Where a section title starts a line of the page text, at or after start."""
    words = title.split()[:8]  # long titles wrap differently on the page; the start is enough
    if not words:
        return None
    first = re.escape(words[0].rstrip("."))
    if _NUMBER.match(title):
        first += r"\.?"  # '1\tIntroduction' in the outline is '1. Introduction' on the page
    pattern = r"(?im)^[ \t]*" + first + "".join(r"\s+" + re.escape(w) for w in words[1:])
    found = re.compile(pattern).search(text, start)
    return found.start() if found else None


def _blocks(pages: list[str], labels: list[str | None], marks: list[_Mark],
            tables: dict[int, list[pdf_tables.PlacedTable]] | None = None,
            positions: dict[int, list[Box | None]] | None = None) -> list[Block]:
    """Cut pages into blocks at section starts; every block knows its page and section path.

    tables: per page, tables that replace some of its lines (a table block stands in the section
    printed above it, see _table_parts).
    positions: per page, where each of its lines is printed (see _printed_parts): a line goes under
    the last heading printed above it, whatever order pypdf read them in.
    """
    tables = tables or {}
    positions = positions or {}
    by_page: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_page.setdefault(mark.page_index, []).append(mark)
    blocks: list[Block] = []
    section: tuple[str, ...] = ()
    for index, text in enumerate(pages):
        parts: list[tuple[int, tuple[str, ...], int | None]] = [(0, section, None)]  # (start offset, section, heading line)
        for mark in by_page.get(index, []):
            cut = parts[-1][0]
            offset = _heading_offset(text, mark.path[-1], cut)
            if offset is None and mark.must_find:
                continue  # a big-font line the cleaner removed (running header) or pypdf split oddly
            heading = None if offset is None else text.count("\n", 0, offset)
            parts.append((cut if offset is None else offset, mark.path, heading))  # not found: it starts where we are
        placed = tables.get(index, [])
        taken = {n for p in placed for n in p.lines}
        if len(parts) == 1 and not taken:
            _add_block(blocks, text, section, index, labels)
            continue
        lines = text.split("\n")
        assigned = _printed_parts(lines, parts, positions.get(index))
        members: list[list[int]] = [[] for _ in parts]
        for n, k in enumerate(assigned):
            members[k].append(n)
        for (_, current, _), own_lines, own in zip(parts, members, _table_parts(assigned, members, parts, placed)):
            _add_part(blocks, lines, own_lines, own, taken, current, index, labels)
        section = parts[-1][1]
    return blocks


def _text_order_parts(lines: list[str], parts: list[tuple[int, tuple[str, ...], int | None]]) -> list[int]:
    """Per line, the part it falls in by text order: the last section start at or before it."""
    offsets, offset = [], 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    firsts = [start for start, _, _ in parts]
    out, k = [], 0
    for line_start in offsets:
        while k + 1 < len(firsts) and firsts[k + 1] <= line_start:
            k += 1
        out.append(k)
    return out


def _printed_parts(lines: list[str], parts: list[tuple[int, tuple[str, ...], int | None]],
                   boxes: list[Box | None] | None) -> list[int]:
    """Per line, its part: under the last heading printed above it (reading columns left to right).

    pypdf reads in content-stream order: a heading printed mid-page may come after lines printed
    below it, or lines printed below it before it. With every heading of the page placed, a placed
    line goes to the part of the last heading read before it (columns left to right, then top
    to bottom, see _reading_keys), or to the first part if it is read before them all.
    Lines without a place, and every line of a page with a heading not located or not placed,
    keep the text order.
    """
    order = _text_order_parts(lines, parts)
    if not boxes or len(boxes) != len(lines) or len(parts) < 2:
        return order
    heads = [heading for _, _, heading in parts[1:]]
    if any(h is None or boxes[h] is None for h in heads):
        return order
    keys = _reading_keys(boxes)
    head_keys = [keys[h] for h in heads]
    heading_of = {h: i + 1 for i, h in enumerate(heads)}
    out = list(order)
    for n, key in enumerate(keys):
        if n in heading_of:
            out[n] = heading_of[n]
        elif key is not None:
            above = [i for i, head in enumerate(head_keys) if head <= key]
            out[n] = max(above, key=lambda i: head_keys[i]) + 1 if above else 0
    return out


MIN_COLUMN_SHARE = 0.25  # of a page's placed lines starting right of its middle: a second column


def _reading_keys(boxes: list[Box | None]) -> list[tuple[int, float] | None]:
    """Per placed line, its place in reading order: (column, top); columns read left to right.

    A page has two columns when a good share of its lines start right of the middle of its text
    (a right-aligned number or a table cell now and then does not make one); else one.
    """
    placed = [box for box in boxes if box is not None]
    if not placed:
        return [None] * len(boxes)
    middle = (min(b[0] for b in placed) + max(b[2] for b in placed)) / 2
    two = sum(1 for b in placed if b[0] >= middle) >= MIN_COLUMN_SHARE * len(placed)
    return [None if box is None else (int(two and box[0] >= middle), box[1]) for box in boxes]


def _table_parts(assigned: list[int], members: list[list[int]], parts: list[tuple[int, tuple[str, ...], int | None]],
                 placed: list[pdf_tables.PlacedTable]) -> list[list[tuple[int, pdf_tables.PageTable]]]:
    """Per part of the page, its tables and the line each is emitted before.

    A table stands at its first line, unless that line lies in another section than the one
    printed above the table: pypdf may read a page's later headings before a table drawn above them.
    Then it goes to the part of the last heading printed before it, after the last of that part's
    lines printed before it. When a heading cannot be located on the page, the first line decides.
    """
    headings = [heading for _, _, heading in parts[1:]]  # part i + 1 starts at headings[i]
    out: list[list[tuple[int, pdf_tables.PageTable]]] = [[] for _ in parts]
    for table in placed:
        key = table.lines[0]
        k = assigned[key] if key < len(assigned) else len(parts) - 1
        if all(h is not None and (h in table.before or h in table.after) for h in headings):
            printed = max((i + 1 for i, h in enumerate(headings) if h in table.before), default=0)
            if printed != k:
                k = printed
                before = [n for n in members[k] if n in table.before]
                key = before[-1] + 1 if before else (members[k][0] if members[k] else 0)
        out[k].append((key, table.table))
    return out


def _add_part(blocks: list[Block], lines: list[str], own_lines: list[int], tables: list[tuple[int, pdf_tables.PageTable]],
              taken: set[int], section: tuple[str, ...], index: int, labels: list[str | None]) -> None:
    """Blocks for one part of a page: its lines (numbers, in page order) without the table lines (taken), and its tables.

    tables: (line number, table); a table goes before the part's first line at or after that number, else at the end.
    Every line of the page is in one part only, and keeps its text.
    """
    pending = list(tables)
    prose: list[str] = []
    for n in own_lines:
        due = [t for key, t in pending if key <= n]
        if due:
            _add_block(blocks, "\n".join(prose), section, index, labels)
            prose = []
            for table in due:
                _add_block(blocks, table.pipe_text(), section, index, labels, kind="table")
            pending = [(key, t) for key, t in pending if key > n]
        if n not in taken:
            prose.append(lines[n])
    _add_block(blocks, "\n".join(prose), section, index, labels)
    for _, table in pending:
        _add_block(blocks, table.pipe_text(), section, index, labels, kind="table")


def _add_block(blocks: list[Block], text: str, section: tuple[str, ...], index: int, labels: list[str | None],
               kind: str = "text") -> None:
    """Append a block unless it is blank."""
    text = text.strip("\n")
    if text.strip():
        blocks.append(Block(text=text, section=section, page=index + 1, page_label=labels[index], kind=kind))
