"""Options and helpers every `gqa` command shares."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from api.settings_errors import describe, exit_with, quiet_model_loading
from rag.settings import Settings
from rag.wiring import configure_process

# The command-line flag of each setting a command may override (for error messages).
FLAGS = {"index": "--index", "host": "--host", "port": "--port", "workers": "--workers",
         "batch_concurrency": "--concurrency", "batch_timeout": "--timeout"}

IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index directory (default: $GQA_INDEX, else indexes/default).", show_default=False),
]
# metavar="": typer's rich help would show a flag as `--json <bool>`, as if it took a value.
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.", metavar="")]
TopK = Annotated[int | None, typer.Option("-k", "--k", min=1, max=100, help="Passages to retrieve (default: settings.top_k).")]


def load_settings(index: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment (and $GQA_CONFIG), with command-line values on top."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if index is not None:
        values["index"] = index
    try:
        settings = Settings(**values)
    except ValidationError as exc:  # one plain line (rich would wrap it), not pydantic's report; exit 2
        exit_with(describe(exc, {k: FLAGS.get(k, k) for k in values}))
    quiet_model_loading()
    configure_process(settings)  # the CLI is an entry point: the one place process-wide switches are set
    return settings


def print_json(data: Any) -> None:
    """One JSON document on one line of stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()
