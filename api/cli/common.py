"""Options and helpers every `gqa` command shares."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from rag.settings import Settings
from rag.wiring import configure_process

IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index directory (default: $GQA_INDEX, else indexes/default).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def load_settings(index: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment (and $GQA_CONFIG), with command-line values on top."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if index is not None:
        values["index"] = index
    settings = Settings(**values)
    configure_process(settings)  # the CLI is an entry point: the one place process-wide switches are set
    return settings


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()
