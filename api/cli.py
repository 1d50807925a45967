"""`gqa`: the one command line. Commands live in small modules; errors are mapped here, once."""

from __future__ import annotations

import sqlite3
import sys

import typer
from rich.console import Console

from rag.errors import GuidelineQAError

app = typer.Typer(
    help="Guideline QA: question answering over WHO and MSF clinical guidelines. Research use only.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported here, not at module top, so `gqa --help` stays fast and each module owns one command.
    from api import cli_index, cli_ingest, cli_serve

    cli_ingest.register(app)
    cli_index.register(app)
    from api import cli_ask; cli_ask.register(app)  # noqa: E702
    from api import cli_search; cli_search.register(app)  # noqa: E702
    from api import cli_batch; cli_batch.register(app)  # noqa: E702
    cli_serve.register(app)


def main() -> None:
    """Entry point of the `gqa` console script."""
    _register()
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
