"""Pick the parser for a guideline file by sniffing its bytes and its name."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.blocks import ParsedDocument
from ingest.parsers.html import parse_html
from ingest.parsers.markdown import parse_markdown
from ingest.parsers.pdf import parse_pdf
from ingest.parsers.text import parse_text
from rag.errors import BadDocument

SUPPORTED_SUFFIXES = frozenset({".pdf", ".md", ".markdown", ".html", ".htm", ".txt"})
_TEXT_PARSERS = {"markdown": parse_markdown, "html": parse_html, "text": parse_text}
_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<!--)", re.IGNORECASE)


def parse_file(
    path: Path, *, max_pages: int = 5000, max_bytes: int = 200 * 2**20, pdf_layout: bool = False, ocr: bool = True,
    pdf_tables: bool = True,
) -> ParsedDocument:
    """Parse any supported guideline file; BadDocument says why a file cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise BadDocument(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise BadDocument(f"{path.name}: empty file")
    if size > max_bytes:
        raise BadDocument(
            f"{path.name}: {size / 2**20:.1f} MB, more than the limit of {max_bytes / 2**20:.0f} MB (raise GQA_MAX_FILE_MB)"
        )
    with path.open("rb") as f:
        head = f.read(1024)
    kind = sniff(path, head)
    if kind == "pdf":
        return parse_pdf(path, max_pages=max_pages, layout=pdf_layout, ocr=ocr, tables=pdf_tables)
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # the sniffed head was only the start
        raise BadDocument(f"{path.name}: binary content in a {path.suffix.lower()} file; unsupported format")
    text, warning = decode(data)
    doc = _TEXT_PARSERS[kind](path, text)
    if warning:
        doc.warnings.append(warning)
    return doc


def sniff(path: Path, head: bytes) -> str:
    """The format of a file: 'pdf', 'markdown', 'html' or 'text', from its first bytes and suffix."""
    suffix = path.suffix.lower()
    is_pdf = head.lstrip(b"\x00\t\r\n ")[:1024].startswith(b"%PDF") or b"%PDF-" in head
    if is_pdf:
        return "pdf"
    if suffix == ".pdf":
        raise BadDocument(f"{path.name}: not a PDF (starts with {head[:16]!r}); re-download or rename it")
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise BadDocument(f"{path.name}: unsupported format '{suffix or 'no extension'}' (supported: {supported})")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadDocument(f"{path.name}: binary content in a {suffix} file; unsupported format")
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) and suffix != ".md" and suffix != ".markdown":
        return "html"
    return _BY_SUFFIX[suffix]


def decode(data: bytes) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (with or without BOM), else cp1252 / latin-1 with a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")  # an odd byte count must not escape as UnicodeDecodeError
        return text, ("UTF-16 with undecodable bytes, replaced by \ufffd" if "\ufffd" in text else None)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as cp1252 (Windows-1252); check accented characters"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8: decoded as latin-1; check accented characters"
