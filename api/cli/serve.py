"""`gqa serve`: the HTTP API and the widget, with uvicorn, in one process or several (`--workers`, api.workers)."""

from __future__ import annotations

import copy
import ctypes
import logging.config
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import IndexOption, load_settings
from rag.settings import Settings


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
    os.environ.setdefault("MALLOC_ARENA_MAX", str(arenas))  # the same for worker processes, read as they start


def _log_config() -> dict:
    """uvicorn's logging plus ours (INFO, one line each); applied in every worker process too."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["gqa"] = {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["gqa"] = {"class": "logging.StreamHandler", "formatter": "gqa", "stream": "ext://sys.stderr"}
    config["root"] = {"handlers": ["gqa"], "level": "INFO"}
    config["loggers"]["faiss.loader"] = {"level": "WARNING"}  # five lines per process about CPU builds
    return config


@contextmanager
def _worker_environment(settings: Settings) -> Iterator[None]:
    """Hand the settings to the app's process(es) (they read GQA_* like any process) and give several
    workers what they must share: one metrics directory and one rate-limit file, removed at the end."""
    os.environ["GQA_INDEX"] = str(Path(settings.index).absolute())
    os.environ["GQA_WORKERS"] = str(settings.workers)  # each worker takes its share of the cores (search_slots)
    if settings.workers == 1:
        yield
        return
    shared = Path(tempfile.mkdtemp(prefix="gqa-serve-"))
    try:
        (shared / "metrics").mkdir()
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(shared / "metrics"))
        os.environ.setdefault("GQA_RATE_LIMIT_DB", str(shared / "rate-limits.sqlite"))
        if os.environ["GQA_RATE_LIMIT_DB"] == str(shared / "rate-limits.sqlite"):
            from api.security import open_bucket_db

            open_bucket_db(shared / "rate-limits.sqlite").close()  # in WAL before the workers race to open it
        yield
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def serve(
    index: IndexOption = None,
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default: $GQA_HOST, else 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default: $GQA_PORT, else 8000).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64,
                                                help="Server processes (default: $GQA_WORKERS, else 1).")] = None,
) -> None:
    """Serve the API (/v1, /docs) and the widget demo (/) over an index."""
    import uvicorn

    from api.workers import APP, Supervisor

    settings = load_settings(index, host=host, port=port, workers=workers)
    _limit_malloc_arenas()
    plural = f", {settings.workers} workers" if settings.workers > 1 else ""
    typer.echo(f"Guideline QA on http://{settings.host}:{settings.port}/ (API docs: /docs) over {settings.index}{plural}",
               err=True)
    # uvicorn's own access log prints query strings, which can hold questions: ours (api.metrics) does not.
    config = {"access_log": False, "log_config": _log_config(), "log_level": "info", "timeout_graceful_shutdown": 5}
    logging.config.dictConfig(config["log_config"])
    with _worker_environment(settings):
        if settings.workers == 1:
            uvicorn.run(APP, factory=True, host=settings.host, port=settings.port, **config)
        else:
            Supervisor(settings.host, settings.port, settings.workers, config).run()
