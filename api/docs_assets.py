"""/docs (Swagger UI) and /redoc served from files installed with the package, never from a CDN.

FastAPI's own pages load their JS and CSS from a CDN and the favicon from another site: blank
without internet, and every visitor's address sent elsewhere. The files come from the
`fastapi-offline` wheel (Swagger UI and ReDoc bundles, MIT), served under /docs-assets; the
one address ReDoc's bundle still fetches from outside (its logo) is pointed at our favicon.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def assets_dir() -> Path:
    """The folder holding the Swagger UI and ReDoc bundles."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@cache
def redoc_bundle(folder: Path, logo_url: str) -> bytes:
    """ReDoc's bundle with its remote logo replaced by `logo_url` (read once per process)."""
    return (folder / "redoc.standalone.js").read_bytes().replace(_REDOC_LOGO, logo_url.encode())


def install(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve /docs, its OAuth2 redirect page, /redoc and their assets from this machine.

    The app must be built with docs_url=None and redoc_url=None (so FastAPI's CDN pages are not added)."""
    folder = assets_dir()
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"API docs assets missing from {folder}: {', '.join(missing)}; pip install fastapi-offline")

    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    async def redoc_js() -> Response:  # before the mount, so this route answers for that one file
        return Response(redoc_bundle(folder, f"{ASSETS_URL}/favicon.png"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount(ASSETS_URL, StaticFiles(directory=folder), name="docs-assets")
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    def root(request: Request) -> str:
        return request.scope.get("root_path", "")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=f"{base}{app.openapi_url}", title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{base}{redirect_url}",
            swagger_js_url=f"{base}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters)

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        return get_redoc_html(openapi_url=f"{base}{app.openapi_url}", title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{base}{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{base}{ASSETS_URL}/favicon.png", with_google_fonts=False)
