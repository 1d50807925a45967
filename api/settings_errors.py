"""Bad settings as one line for people: which variable, the value given, and what is allowed.

pydantic's ValidationError is a multi-line report aimed at programmers; `gqa` and `gqa serve`
show this instead and exit 2 (a usage error, like a bad command-line flag).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Literal, NoReturn, get_args, get_origin

from pydantic import ValidationError

from rag.settings import Settings


def _allowed(field: str) -> str:
    """What a field accepts, from its annotation and bounds (e.g. 'an integer from 1 to 65535')."""
    info = Settings.model_fields.get(field)
    if info is None:
        return ""
    annotation = info.annotation
    kind = annotation
    if get_origin(annotation) is not Literal and get_args(annotation):  # X | None: describe X
        kind = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(v) for v in get_args(kind))
    names = {int: "an integer", float: "a number", bool: "true or false", str: "text"}
    text = names.get(kind, getattr(kind, "__name__", str(kind)))
    bounds = {}
    for rule in info.metadata:
        for name in ("ge", "gt", "le", "lt"):
            if getattr(rule, name, None) is not None:
                bounds[name] = getattr(rule, name)
    low = f">= {bounds['ge']}" if "ge" in bounds else f"> {bounds['gt']}" if "gt" in bounds else ""
    high = f"<= {bounds['le']}" if "le" in bounds else f"< {bounds['lt']}" if "lt" in bounds else ""
    return " and ".join(part for part in (f"{text} {low}".strip(), high) if part)


def _origin(field: str, cli_names: dict[str, str]) -> str:
    """Where the value came from: the command line, a GQA_ variable or the $GQA_CONFIG file."""
    env = f"GQA_{field.upper()}"
    if field in cli_names:
        return cli_names[field]
    if env in os.environ or env.lower() in {k.lower() for k in os.environ}:
        return env
    if os.environ.get("GQA_CONFIG"):
        return f"{field} in {os.environ['GQA_CONFIG']} (GQA_CONFIG)"
    return env


def describe(exc: ValidationError, cli_names: dict[str, str] | None = None) -> str:
    """One line naming each bad setting, its value and what is allowed."""
    parts = []
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err.get("loc") else ""
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "(missing)"
        message = err.get("msg", "invalid").removeprefix("Value error, ")
        allowed = _allowed(field)
        where = _origin(field, cli_names or {}) if field else "settings"
        parts.append(f"{where}={shown}: {message}" + (f" (allowed: {allowed})" if allowed else ""))
    return "bad setting: " + "; ".join(parts)


def settings_or_exit(**values: Any) -> Settings:
    """Settings from the environment; on a bad value one `error:` line on stderr and exit 2 (entry points only)."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        exit_with(describe(exc))


def exit_with(message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(2)


def quiet_model_loading() -> None:
    """No tqdm bars while models load ("Loading weights" from transformers): set before it is imported,
    it reads the flag then; switched off directly too if something imported it already."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
