"""`gqa serve`: the HTTP API and the widget, with uvicorn."""

from __future__ import annotations

import ctypes
import logging
from typing import Annotated

import typer

from api.cli_common import IndexOption, load_settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas: by default each of the ~40 request threads may get its own, and
    their fragments keep RSS creeping up (150-s soak, 32 clients: +4.96% without the cap, +3.05% with
    it, most of either from the mid-run index swap). No-op off glibc."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def serve(
    index: IndexOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default: $GQA_HOST, else 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: $GQA_PORT, else 8000).")] = None,
) -> None:
    """Serve the API (/v1, /docs) and the widget demo (/) over an index."""
    import uvicorn

    from api.app import create_app

    settings = load_settings(index, host=host, port=port)
    _limit_malloc_arenas()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(f"Guideline QA on http://{settings.host}:{settings.port}/ (API docs: /docs) over {settings.index}", err=True)
    # uvicorn's own access log prints query strings, which can hold questions: ours (api.metrics) does not.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False,
                log_level="info", timeout_graceful_shutdown=5)
