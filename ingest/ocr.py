"""OCR for PDF pages without a text layer: render with pypdfium2, read with the Tesseract CLI.

A scanned page that goes unread is a silent hole in the index, so every OCR'd page says so in
its text and records Tesseract's mean word confidence; a machine without Tesseract gets a
warning naming the pages and the package to install, never zero chunks without a word.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DPI = 300  # Tesseract's accuracy drops sharply below ~200 dpi for 9-11 pt body text
TIMEOUT_SECONDS = 120  # per page; a pathological page must not hang the ingest
MIN_CONFIDENCE = 50  # below this a page's OCR words are mostly noise (figures, photos, stamps)
BLANK_LEVEL = 245  # a rendered page with no pixel darker than this grey holds no ink
INSTALL_HINT = "install Tesseract (Debian/Ubuntu: apt-get install -y tesseract-ocr) or set GQA_OCR=false"


@dataclass(frozen=True)
class OcrPage:
    """The text Tesseract read on one page and its mean word confidence (0-100)."""

    text: str
    confidence: float

    def marked_text(self, cleaned: str) -> str:
        """The page's cleaned text under a first line saying it came from OCR, so a quote from it can be weighed."""
        return f"[OCR text, scanned page, confidence {self.confidence:.0f}%]\n{cleaned}"


def tesseract_path() -> str | None:
    """The tesseract executable, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_page(pdf: Path, index: int, *, language: str = "eng", dpi: int = DPI) -> OcrPage:
    """Render page `index` (0-based) and read it; raises RuntimeError naming the page on failure."""
    import pypdfium2

    exe = tesseract_path()
    if exe is None:
        raise RuntimeError(f"{Path(pdf).name}: page {index + 1} needs OCR: {INSTALL_HINT}")
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        image = document[index].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    if image.convert("L").getextrema()[0] > BLANK_LEVEL:  # nothing darker than paper: a blank page
        return OcrPage("", 0.0)
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        done = subprocess.run([exe, "stdin", "stdout", "-l", language, "--psm", "3", "tsv"], input=png.getvalue(),
                              capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{Path(pdf).name}: OCR of page {index + 1} took over {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        raise RuntimeError(f"{Path(pdf).name}: tesseract failed on page {index + 1}: "
                           f"{done.stderr.decode(errors='replace').strip()[:200]}")
    return parse_tsv(done.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> OcrPage:
    """Tesseract's TSV (one row per word with block/paragraph/line numbers) -> lines of text, mean confidence."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(word)
        try:
            confidences.append(float(row["conf"]))
        except (TypeError, ValueError):
            pass
    text = "\n".join(" ".join(words) for words in lines.values())
    return OcrPage(text, sum(confidences) / len(confidences) if confidences else 0.0)


def read_scanned_pages(pdf: Path, raw: list[str], notes: list[str], *, min_chars: int) -> dict[int, OcrPage]:
    """OCR every page whose text layer has fewer than min_chars characters; raw is updated in place.

    Returns the pages read (0-based index -> OcrPage); notes get one line for the report.
    """
    todo = [i for i, text in enumerate(raw) if len(text.strip()) < min_chars]
    if not todo:
        return {}
    if tesseract_path() is None:
        notes.append(f"OCR skipped for {len(todo)} pages without a text layer: {INSTALL_HINT}")
        return {}
    read: dict[int, OcrPage] = {}
    for index in todo:
        try:
            page = ocr_page(pdf, index)
        except Exception as exc:  # one unreadable page costs that page, not the document
            notes.append(f"page {index + 1}: OCR failed ({exc})")
            continue
        if len(page.text.strip()) >= min_chars and page.confidence >= MIN_CONFIDENCE:
            read[index] = page
            raw[index] = page.text
        elif page.text.strip():  # a figure or a photo read as noise: reported, not indexed
            notes.append(f"page {index + 1}: OCR text dropped (confidence {page.confidence:.0f}% < {MIN_CONFIDENCE}%)")
    if read:
        mean = sum(p.confidence for p in read.values()) / len(read)
        notes.append(f"OCR read {len(read)} of {len(todo)} pages without a text layer "
                     f"(pages {', '.join(str(i + 1) for i in sorted(read))[:200]}; mean confidence {mean:.0f}%)")
    return read
