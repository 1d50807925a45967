"""Quotes checked against the source as a reader sees it: the pypdf text of the original PDF page, the
original Markdown/text lines, or an HTML page's visible text, modulo whitespace, case and glyph artefacts (ligatures, dashes,
quotes, hyphens at line ends), the normalisation of the evaluation set."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_DASHES = re.compile("[‐‑‒–—−]")


def normalise(text: str) -> tuple[str, str]:
    """Both readings of `text` (hyphen at a line end joined, and kept), NFKC, plain quotes and dashes,
    whitespace collapsed, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    joined = re.sub(r"-\s*\n\s*", "", text)
    kept = re.sub(r"-\s*\n\s*", "-", text)
    squash = lambda t: re.sub(r"\s+", " ", t).strip().casefold()  # noqa: E731
    return squash(joined), squash(kept)


@lru_cache(maxsize=8)
def _pdf(path: str, mtime: float):
    from pypdf import PdfReader  # only when a PDF quote is checked

    return PdfReader(path)


@lru_cache(maxsize=512)
def page_text(path: str, page: int) -> tuple[str, str]:
    """The normalised text of physical page `page` (1-based) of a PDF, as pypdf reads it (cached)."""
    reader = _pdf(path, Path(path).stat().st_mtime)
    if not 1 <= page <= len(reader.pages):
        raise ValueError(f"{path} has {len(reader.pages)} pages, not {page}")
    return normalise(reader.pages[page - 1].extract_text() or "")


@lru_cache(maxsize=64)
def _lines(path: str, mtime: float) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8", errors="replace").split("\n"))


def lines_text(path: str, first: int, last: int) -> tuple[str, str]:
    """The normalised text of lines first..last (1-based, inclusive) of a Markdown or text file."""
    lines = _lines(path, Path(path).stat().st_mtime)
    return normalise("\n".join(lines[max(0, first - 1):last]))


HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@lru_cache(maxsize=16)
def _html(path: str, mtime: float) -> tuple[str, str]:
    from bs4 import BeautifulSoup  # only when an HTML quote is checked

    soup = BeautifulSoup(Path(path).read_text(encoding="utf-8", errors="replace"), "html.parser")
    for tag in soup.find_all(["script", "style", "template", "noscript"]):
        tag.decompose()
    return normalise(soup.get_text("\n"))


def html_text(path: str) -> tuple[str, str]:
    """The normalised visible text of an HTML page: its markup and entities are not what a reader sees, and
    its passages' line numbers count lines of that text, not of the file."""
    return _html(path, Path(path).stat().st_mtime)


def _pieces(quote: str) -> list[str]:
    # A table row quoted with its header lines: each line must be on the page, not the joined text.
    return [p for p in (normalise(part)[0] for part in quote.split("\n")) if p]


def quote_on_source(quote: str, path: str | Path, pages: list[int] | None = None,
                    lines: list[int] | None = None) -> bool:
    """True when every line of `quote` is on one of `pages` of the PDF at `path` (or in `lines`
    of the Markdown/text file), whitespace, case and glyph artefacts aside."""
    path = str(path)
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        texts = [html_text(path)]
    elif pages:
        texts = [page_text(path, p) for p in pages]
    elif lines:
        texts = [lines_text(path, lines[0], lines[-1])]
    else:
        return False
    hay = " ".join(t for pair in texts for t in pair)
    # A page break in the quote: its pieces are on consecutive pages, so test against all of them together.
    flat = re.sub(r"\s+", " ", hay)
    return all(_in(piece, flat) for piece in _pieces(quote))


def _in(piece: str, hay: str) -> bool:
    if piece in hay:
        return True
    # pypdf splits some words ("G ive", "m\nonths") and the index drops glyphs it reads as bullets:
    # compare letters and digits only as a last resort.
    return _bare(piece) in _bare(hay)


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)
