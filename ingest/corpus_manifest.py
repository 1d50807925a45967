"""A corpus manifest (YAML or JSON): source path -> metadata fields that override the file's own."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from rag.errors import BadRequest

FIELDS = {"title", "organisation", "year", "edition", "language", "licence", "source_url"}


def load_manifest(path: Path | None) -> dict[str, dict]:
    """Read and validate a manifest; keys are sources relative to the ingested folder."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise BadRequest(f"{path}: cannot read the corpus manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise BadRequest(f"{path}: a corpus manifest maps file paths to fields, e.g. 'who/x.pdf: {{organisation: WHO}}'")
    out = {}
    for source, fields in data.items():
        if not isinstance(fields, dict):
            raise BadRequest(f"{path}: entry {source!r} must be a mapping of fields")
        unknown = set(fields) - FIELDS
        if unknown:
            raise BadRequest(f"{path}: entry {source!r} has unknown fields {sorted(unknown)}; allowed: {sorted(FIELDS)}")
        if fields.get("year") is not None:
            fields = {**fields, "year": int(fields["year"])}
        out[str(source).replace("\\", "/")] = fields
    return out
