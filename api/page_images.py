"""Page images for citations: render a PDF page to PNG and find where a quote sits on it.

Pure functions over a file path (the routes decide which path; rag never parses a PDF). Boxes are in
pixels of the rendered image, origin top-left. A quote is matched on a normalised character stream
(letters and digits only, NFKC, casefolded), so line breaks, hyphenation ("recom-\\nmended"),
letter-spacing ("RECOMMENDA TION"), ligatures and curly quotes do not stop a match.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import threading
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

DEFAULT_SCALE = 1.5  # 72 dpi points -> 108 dpi pixels: an A4 page is 893 x 1263
MIN_WIDTH, MAX_WIDTH = 400, 2000
MAX_BYTES = 200_000  # a page image above this is re-encoded with 16 colours
PALETTE_COLOURS = 64  # text, greys and the highlight; measured: a corpus page stays well under 200 KB
FILL = (255, 221, 0, 90)  # semi-transparent yellow
OUTLINE = (214, 140, 0, 255)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\])\s*")
_MIN_PARTIAL = 20  # normalised characters a quote must share with a page edge when it runs across pages

# PDFium is not thread-safe: one call into it at a time in this process.
_PDFIUM = threading.Lock()

Box = tuple[int, int, int, int]


class PageOutOfRange(ValueError):
    """The PDF has fewer pages than asked for."""

    def __init__(self, page_index: int, page_count: int):
        super().__init__(f"page {page_index + 1} asked for, the PDF has {page_count} pages")
        self.page_count = page_count


@dataclass(frozen=True)
class PageBoxes:
    """The rendered page's size and the quote's boxes on it (one per line)."""

    width: int
    height: int
    boxes: tuple[Box, ...]


def scale_for(path: str, page_index: int, width: int | None) -> float:
    """The render scale: DEFAULT_SCALE, or the one giving `width` pixels (clamped to MIN_WIDTH..MAX_WIDTH)."""
    if width is None:
        return DEFAULT_SCALE
    width = max(MIN_WIDTH, min(MAX_WIDTH, width))
    with _PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            page = _page(pdf, page_index)
            return width / page.get_width()
        finally:
            pdf.close()


def normalise(text: str) -> str:
    """The matching stream of `text`: letters and digits only, NFKC, casefolded."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def render_png(path: str, page_index: int, scale: float = DEFAULT_SCALE, boxes: tuple[Box, ...] = ()) -> bytes:
    """The page as a palette PNG, with `boxes` (pixels, from find_boxes at the same scale) marked."""
    return encode_png(render_page(path, page_index, scale), boxes)


def render_page(path: str, page_index: int, scale: float = DEFAULT_SCALE):
    """The page as an RGB PIL image."""
    with _PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            page = _page(pdf, page_index)
            return page.render(scale=scale, draw_annots=True).to_pil().convert("RGB")
        finally:
            pdf.close()


def encode_png(image, boxes: tuple[Box, ...] = ()) -> bytes:
    """`image` with `boxes` marked (yellow fill, outline), as an adaptive-palette PNG."""
    from PIL import Image, ImageDraw  # pypdfium2's to_pil needs Pillow anyway

    if boxes:
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for x0, y0, x1, y1 in boxes:
            draw.rectangle((x0, y0, x1, y1), fill=FILL, outline=OUTLINE, width=2)
        image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    # A palette keeps anti-aliased text readable and the file ~4x smaller than RGB.
    for colours in (PALETTE_COLOURS, 16):  # a photo or a shaded chart: fewer colours keep it light on a slow link
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            break
    return out.getvalue()


def find_boxes(path: str, page_index: int, quote: str, scale: float = DEFAULT_SCALE) -> PageBoxes:
    """Where `quote` is on the page: one box per line it covers, every occurrence; none when it is absent."""
    with _PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            page = _page(pdf, page_index)
            width, height = _pixel_size(page, scale)
            textpage = page.get_textpage()
            try:
                spans = _match_spans(textpage, quote)
                boxes = [box for first, last in spans for box in _line_boxes(page, textpage, first, last, width, height)]
            finally:
                textpage.close()
        finally:
            pdf.close()
    return PageBoxes(width, height, tuple(boxes))


def _page(pdf, page_index: int):
    if not 0 <= page_index < len(pdf):
        raise PageOutOfRange(page_index, len(pdf))
    return pdf[page_index]


def _pixel_size(page, scale: float) -> tuple[int, int]:
    # The same arithmetic as PdfPage.render, so boxes and image agree to the pixel.
    return math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale)


def _stream(textpage) -> tuple[str, list[int]]:
    """The page's normalised characters and, for each, the index of the PDF character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if not code or code > 0x10FFFF:
            continue
        for ch in normalise(chr(code)):
            chars.append(ch)
            origin.append(i)
    return "".join(chars), origin


def _match_spans(textpage, quote: str) -> list[tuple[int, int]]:
    """(first, last) PDF character indices of each place the quote (or its ellipsis-separated parts) occurs."""
    stream, origin = _stream(textpage)
    spans: list[tuple[int, int]] = []
    for part in _ELLIPSIS.split(quote):
        needle = normalise(part)
        if not needle:
            continue
        found = _occurrences(stream, needle) or _across_pages(stream, needle)
        tail = _trailing_marks(part)
        spans.extend((origin[start], _extend(textpage, origin[end - 1], tail)) for start, end in found)
    return spans


def _trailing_marks(part: str) -> int:
    """How many punctuation marks end the quote ("target." -> 1): the stream skips them, the box should not."""
    text = part.rstrip()
    return len(text) - len(text.rstrip("".join(ch for ch in text[-3:] if not ch.isalnum() and not ch.isspace())))


def _extend(textpage, last: int, marks: int) -> int:
    count = textpage.count_chars()
    while marks > 0 and last + 1 < count:
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage, last + 1) or 32)
        if ch.isalnum() or ch.isspace():
            break
        last, marks = last + 1, marks - 1
    return last


def _occurrences(stream: str, needle: str) -> list[tuple[int, int]]:
    found, start = [], stream.find(needle)
    while start >= 0:
        found.append((start, start + len(needle)))
        start = stream.find(needle, start + len(needle))
    return found


def _across_pages(stream: str, needle: str) -> list[tuple[int, int]]:
    """A quote running over a page break: its longest head ending this page, or tail starting it."""
    if len(needle) < 2 * _MIN_PARTIAL:
        return []
    for k in range(len(needle) - 1, _MIN_PARTIAL - 1, -1):
        if stream.endswith(needle[:k]):
            return [(len(stream) - k, len(stream))]
    # Running heads come before the page's body text, so look for the tail anywhere, not only at the start.
    for k in range(len(needle) - 1, _MIN_PARTIAL - 1, -1):
        start = stream.find(needle[-k:])
        if start >= 0:
            return [(start, start + k)]
    return []


def _line_boxes(page, textpage, first: int, last: int, width: int, height: int) -> list[Box]:
    """The pixel boxes of characters first..last, merged into one box per line."""
    lines: list[list[int]] = []
    for i in range(first, last + 1):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if code in (0, 0xFFFE, 0xFFFF) or chr(code).isspace() or pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
        except pdfium.PdfiumError:
            continue
        box = _to_device(page, width, height, left, bottom, right, top)
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        if lines and _same_line(lines[-1], box):
            line = lines[-1]
            line[:] = [min(line[0], box[0]), min(line[1], box[1]), max(line[2], box[2]), max(line[3], box[3])]
        else:
            lines.append(list(box))
    return [(max(0, x0), max(0, y0), min(width, x1), min(height, y1)) for x0, y0, x1, y1 in lines]


def _same_line(line: list[int], box: Box) -> bool:
    """A character continues a line when its vertical middle is inside the line and it is not far to its right."""
    middle = (box[1] + box[3]) / 2
    line_height = line[3] - line[1]
    return line[1] <= middle <= line[3] and line[0] - line_height <= box[0] <= line[2] + 3 * line_height


def _to_device(page, width: int, height: int, left: float, bottom: float, right: float, top: float) -> Box:
    # FPDF_PageToDevice applies the page's rotation and crop-box origin exactly as rendering does.
    xs, ys = [], []
    for px, py in ((left, bottom), (right, top), (left, top), (right, bottom)):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page, 0, 0, width, height, 0, px, py, dx, dy)
        xs.append(dx.value)
        ys.append(dy.value)
    return min(xs), min(ys), max(xs), max(ys)
