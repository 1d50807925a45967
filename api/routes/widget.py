"""The widget (`/widget.js`, one script tag) and its demo page (`/`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["widget"], include_in_schema=False)
STATIC = Path(__file__).parents[1] / "static"  # api/static, package data of `api`


@router.get("/widget.js")
def widget() -> FileResponse:
    """The `<guideline-lookup>` web component."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})


@router.get("/")
def demo() -> FileResponse:
    """A demo page embedding the widget."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")
