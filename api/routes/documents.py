"""Documents, their pages and original files: so anyone can check a citation.

Document ids are validated as sha256 hex; files are served only from the path the index
recorded at ingest time, never from a path in the request.
"""

from __future__ import annotations

import html
import os
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import ReaderDep
from api.schemas import ERRORS, DocumentOut, DocumentsResponse, PageOut
from rag.index.reader import IndexReader
from rag.types import DocumentMeta, place

router = APIRouter(prefix="/v1", tags=["documents"])

DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the document's bytes (hex).")]
_MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
          "text": "text/plain; charset=utf-8"}
CONTEXT_LINES = 3  # shown around cited lines


def _document(reader: IndexReader, doc_id: str) -> DocumentMeta:
    doc = reader.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id} in index version {reader.version}")
    return doc


@router.get("/documents", response_model=DocumentsResponse, responses=ERRORS, summary="Indexed documents")
def list_documents(reader: ReaderDep) -> dict:
    """Every document of the served index version."""
    return {"version": reader.version, "documents": sorted(reader.documents.values(), key=lambda d: d.source)}


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS, summary="One document")
def get_document(doc_id: DocId, reader: ReaderDep) -> DocumentMeta:
    """A document's metadata."""
    return _document(reader, doc_id)


@router.get("/documents/{doc_id}/pages/{n}", response_model=PageOut, responses=ERRORS, summary="The text of one page",
            response_description="JSON, or an HTML page with `?format=html` (what a citation link opens for non-PDFs).")
def get_page(doc_id: DocId, n: Annotated[int, Path(ge=1, le=100_000)], reader: ReaderDep,
             format: Annotated[str, Query(pattern="^(json|html)$")] = "json",
             lines: Annotated[str | None, Query(pattern=r"^\d{1,7}(-\d{1,7})?$", description=(
                 "Only lines a-b (1-based, as a citation's `lines`): JSON `text` holds exactly those lines; "
                 f"HTML shows them marked (class `hl`) with {CONTEXT_LINES} lines of context either side."))] = None):
    """The indexed text of physical page `n` (unpaged formats: page 1 is the whole text)."""
    doc = _document(reader, doc_id)
    found = reader.page(doc_id, n)
    if found is None:
        raise HTTPException(404, f"document {doc_id} has no page {n}")
    text, label = found
    if lines is not None:
        all_lines = _citable_text(reader, doc, text).split("\n")
        first, last = _line_range(lines, len(all_lines), doc)
        if format == "html":
            start = max(1, first - CONTEXT_LINES)
            shown = all_lines[start - 1:min(len(all_lines), last + CONTEXT_LINES)]
            return HTMLResponse(_page_html(doc, n, label, "\n".join(shown), start, (first, last)))
        text = "\n".join(all_lines[first - 1:last])
    elif format == "html":
        return HTMLResponse(_page_html(doc, n, label, _citable_text(reader, doc, text)))
    return PageOut(doc_id=doc_id, page=n, label=label, text=text, title=doc.title, source=doc.source,
                   organisation=doc.organisation, year=doc.year, page_count=doc.page_count)


@router.get("/documents/{doc_id}/file", responses={**ERRORS, 200: {"content": {"application/pdf": {}}}},
            response_class=FileResponse, summary="The original file (open a PDF at #page=N)")
def get_file(doc_id: DocId, reader: ReaderDep) -> FileResponse:
    """The original guideline file as ingested; link to `...#page=N` to open a cited page."""
    doc = _document(reader, doc_id)
    path = reader.file_path(doc_id)
    if not path or not os.path.isfile(path):
        raise HTTPException(404, f"the original file of {doc.source} is no longer where it was ingested from")
    filename = os.path.basename(doc.source) or f"{doc_id}.{doc.format}"
    return FileResponse(path, media_type=_MEDIA.get(doc.format, "application/octet-stream"),
                        filename=filename, content_disposition_type="inline")


def _citable_text(reader: IndexReader, doc: DocumentMeta, page_text: str) -> str:
    """Markdown and text cite lines of the original file, so show those; PDFs and HTML, the indexed text."""
    if doc.format not in ("markdown", "text"):
        return page_text
    path = reader.file_path(doc.doc_id)
    if not path or not os.path.isfile(path):
        return page_text
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def _line_range(lines: str, count: int, doc: DocumentMeta) -> tuple[int, int]:
    """(first, last) of `a-b` or `a`, last clipped to the text; 422 when reversed, 404 past the end."""
    first, _, last = lines.partition("-")
    a, b = int(first), int(last or first)
    if a < 1 or b < a:
        raise RequestValidationError([{"loc": ("query", "lines"), "type": "value_error",
                                       "msg": f"lines {lines!r}: give a-b with 1 <= a <= b"}])
    if a > count:
        raise HTTPException(404, f"{doc.source} has {count} lines; there is no line {a}")
    return a, min(b, count)


def _page_html(doc: DocumentMeta, n: int, label: str | None, text: str, start: int = 1,
               marked: tuple[int, int] | None = None) -> str:
    # Line anchors (#L12) let a citation to lines of an unpaged document open at the right place;
    # `marked` lines (a citation's) get class "hl".
    def css(i: int) -> str:
        return "l hl" if marked and marked[0] <= i <= marked[1] else "l"

    lines = "\n".join(f'<span id="L{i}" class="{css(i)}"><a href="#L{i}">{i}</a>{html.escape(line)}</span>'
                      for i, line in enumerate(text.split("\n"), start))
    where = html.escape(place([n], [label] if label else None))
    meta = " · ".join(html.escape(str(x)) for x in (doc.organisation, doc.title, doc.edition, doc.year) if x)
    if doc.superseded_by:  # an older edition of a guideline indexed with its newer one
        newer = html.escape(doc.superseded_by_label or "a newer edition")
        href = f"/v1/documents/{html.escape(doc.superseded_by)}/pages/1?format=html"
        meta += f' <mark class="superseded">superseded by <a href="{href}">{newer}</a></mark>'
    return f"""<!doctype html><html lang="{html.escape(doc.language or 'en')}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(doc.title)}, {where}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:1rem;max-width:60rem}}pre{{white-space:pre-wrap;word-break:break-word}}
.l{{display:block}}.l a{{display:inline-block;width:3.5em;color:#777;text-decoration:none;user-select:none}}
.l:target,.hl{{background:#fff3b0}}</style></head><body>
<p><strong>{meta}</strong><br>{html.escape(doc.source)}, {where}</p>
<p><em>Research use only: not medical advice. The text below is as indexed; check the original document.</em></p>
<pre>{lines}</pre></body></html>"""
