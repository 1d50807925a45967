"""`gqa`: the one command line. Each command lives in a module of this package; errors are mapped here, once."""

from __future__ import annotations

import sqlite3
import sys

import typer
from rich.console import Console

from rag.errors import GuidelineQAError

HELP = "Guideline QA: question answering over WHO and MSF clinical guidelines. Research use only."


def build_app() -> typer.Typer:
    """The `gqa` Typer app with every command registered (a new one each call, nothing module-global)."""
    # Imported here, not at module top, so `import api.cli` stays cheap and each module owns one command.
    from api.cli import ask, batch, index, ingest, mcq, search, serve, tune, verify

    app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
    for module in (ingest, index, ask, search, batch, serve, verify, mcq, tune):
        module.register(app)
    return app


def main() -> None:
    """Entry point of the `gqa` console script."""
    app = build_app()
    try:
        app()
    except GuidelineQAError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)
    except (OSError, sqlite3.OperationalError) as exc:  # disk full, read-only or vanished: a message, not a traceback
        Console(stderr=True).print(f"[bold red]error:[/] file system: {type(exc).__name__}: {exc}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        sys.exit(130)
