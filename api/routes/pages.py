"""Page images of PDF documents with a quote highlighted, and the citation viewer page (`/viewer`).

Pixels and boxes come from api.page_images; this module picks the file (only the path the index
recorded, never one from the request), caches per app, and answers errors that say what to open instead.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import page_images
from api.deps import ReaderDep
from api.routes.widget import STATIC
from api.schemas import ERRORS, ErrorOut
from rag.index.reader import IndexReader
from rag.types import DocumentMeta

router = APIRouter(prefix="/v1", tags=["documents"])
viewer_router = APIRouter(tags=["widget"], include_in_schema=False)

MAX_QUOTE = 2000
MAX_AGE = 3600  # a page of a given document (id = hash of its bytes) never changes
DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the document's bytes (hex).")]
PageNo = Annotated[int, Path(ge=1, le=100_000, description="Physical, 1-based page.")]
Width = Annotated[int | None, Query(ge=1, le=100_000, description=(
    f"Render this many pixels wide (clamped to {page_images.MIN_WIDTH}..{page_images.MAX_WIDTH}); "
    f"default: scale {page_images.DEFAULT_SCALE} (108 dpi). Pass the same value to /highlights."))]
COORDINATES = (f"Pixels of the PNG that `/image` renders (at its default scale {page_images.DEFAULT_SCALE}, "
               "or the `width` given), origin top-left, x to the right, y down.")


class HighlightsOut(BaseModel):
    """Where a quote is on a rendered page: one box per line it covers."""

    # Real: a two-line sentence on page 11 of WHO's 2021 hypertension guideline.
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"width": 893, "height": 1263, "boxes": [[125, 340, 705, 358], [125, 360, 401, 377]]}]})
    width: int = Field(description="Width of the rendered page image in pixels.")
    height: int = Field(description="Height of the rendered page image in pixels.")
    boxes: list[list[int]] = Field(description="[x0, y0, x1, y1] per line; empty when the quote is not on the page. "
                                               + COORDINATES)


class PageImages:
    """Rendered pages and found boxes of one app, cached in memory (document ids are content hashes)."""

    def __init__(self, pages: int = 8, pngs: int = 64, boxes: int = 512):
        self.page = lru_cache(maxsize=pages)(self._page)
        self.png = lru_cache(maxsize=pngs)(self._png)
        self.boxes = lru_cache(maxsize=boxes)(self._boxes)

    def _page(self, doc_id: str, path: str, index: int, scale: float):
        return page_images.render_page(path, index, scale)

    def _png(self, doc_id: str, path: str, index: int, scale: float, boxes: tuple) -> bytes:
        return page_images.encode_png(self.page(doc_id, path, index, scale), boxes)

    def _boxes(self, doc_id: str, path: str, index: int, quote: str, scale: float) -> page_images.PageBoxes:
        return page_images.find_boxes(path, index, quote, scale)


async def get_page_images(request: Request) -> PageImages:
    # One per app, made on first use: create_app stays as it is and two apps never share a cache.
    state = request.app.state
    if getattr(state, "page_images", None) is None:
        state.page_images = PageImages()
    return state.page_images


PageImagesDep = Annotated[PageImages, Depends(get_page_images)]


def _pdf_page(reader: IndexReader, doc_id: str, n: int) -> tuple[DocumentMeta, str]:
    """The document and the path of its PDF, or the 404/409 that says why there is no page image."""
    doc = reader.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id} in index version {reader.version}")
    if doc.format != "pdf":
        raise HTTPException(409, f"page images exist for PDFs only; {doc.source} is {doc.format}: "
                                 f"open /v1/documents/{doc_id}/pages/{n}?format=html instead")
    if doc.page_count is not None and n > doc.page_count:
        raise HTTPException(404, f"{doc.source} ({doc.title}) has {doc.page_count} pages; there is no page {n}")
    path = reader.file_path(doc_id)
    if not path or not os.path.isfile(path):
        raise HTTPException(404, f"the original file of {doc.source} is no longer where it was ingested from; "
                                 "re-ingest it to get page images")
    return doc, path


async def _scale(path: str, n: int, width: int | None, doc: DocumentMeta) -> float:
    if width is None:
        return page_images.DEFAULT_SCALE
    try:
        return await run_in_threadpool(page_images.scale_for, path, n - 1, width)
    except page_images.PageOutOfRange as exc:
        raise HTTPException(404, f"{doc.source} ({doc.title}) has {exc.page_count} pages; there is no page {n}") from None


async def _find(images: PageImages, doc: DocumentMeta, path: str, n: int, quote: str, scale: float):
    try:
        return await run_in_threadpool(images.boxes, doc.doc_id, path, n - 1, quote, scale)
    except page_images.PageOutOfRange as exc:
        raise HTTPException(404, f"{doc.source} ({doc.title}) has {exc.page_count} pages; there is no page {n}") from None


@router.get("/documents/{doc_id}/pages/{n}/highlights", response_model=HighlightsOut, summary="Where a quote is on a page",
            responses={**ERRORS, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
            description="Boxes of `quote` on PDF page `n`, one per line, for drawing over `/image`. " + COORDINATES
            + " Matching ignores case, whitespace, line breaks, hyphenation and punctuation; a quote with `...` "
              "is matched part by part. 409 for documents that are not PDFs.")
async def get_highlights(doc_id: DocId, n: PageNo, reader: ReaderDep, images: PageImagesDep,
                         quote: Annotated[str, Query(min_length=1, max_length=MAX_QUOTE, description="The quoted text.")],
                         width: Width = None) -> HighlightsOut:
    doc, path = _pdf_page(reader, doc_id, n)
    scale = await _scale(path, n, width, doc)
    found = await _find(images, doc, path, n, quote, scale)
    return HighlightsOut(width=found.width, height=found.height, boxes=[list(b) for b in found.boxes])


@router.get("/documents/{doc_id}/pages/{n}/image", response_class=Response, summary="A PDF page as PNG, a quote marked",
            responses={**ERRORS, 200: {"content": {"image/png": {}}}, 304: {"description": "Not modified (ETag)."},
                       404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
            description="PDF page `n` rendered to PNG; with `highlight`, that quote's lines are marked in yellow "
                        "(the boxes `/highlights` returns). " + COORDINATES + " 409 for documents that are not PDFs: "
                        "open `/v1/documents/{id}/pages/{n}?format=html` instead.")
async def get_image(doc_id: DocId, n: PageNo, reader: ReaderDep, images: PageImagesDep, request: Request,
                    highlight: Annotated[str | None, Query(max_length=MAX_QUOTE, description="A quote to mark.")] = None,
                    width: Width = None) -> Response:
    doc, path = _pdf_page(reader, doc_id, n)
    scale = await _scale(path, n, width, doc)
    etag = '"' + hashlib.sha256(f"{doc_id}\0{n}\0{scale}\0{highlight or ''}".encode()).hexdigest()[:32] + '"'
    headers = {"Cache-Control": f"private, max-age={MAX_AGE}", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    boxes = (await _find(images, doc, path, n, highlight, scale)).boxes if highlight and highlight.strip() else ()
    try:
        png = await run_in_threadpool(images.png, doc_id, path, n - 1, scale, boxes)
    except page_images.PageOutOfRange as exc:
        raise HTTPException(404, f"{doc.source} ({doc.title}) has {exc.page_count} pages; there is no page {n}") from None
    return Response(png, media_type="image/png", headers=headers)


@viewer_router.get("/viewer")
def viewer() -> FileResponse:
    """The citation viewer: `/viewer#doc=ID&page=N&q=QUOTE` (or `&lines=a-b` for Markdown and text)."""
    return FileResponse(STATIC / "viewer.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@viewer_router.get("/viewer.js")
def viewer_script() -> FileResponse:
    """The viewer's script (a file of its own, so a strict Content-Security-Policy can allow it)."""
    return FileResponse(STATIC / "viewer.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})
