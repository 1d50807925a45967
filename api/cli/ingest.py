"""`gqa ingest PATH...`: build or update an index from guideline files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from ingest.pipeline import IngestReport, find_files, ingest
from rag.wiring import load_embedder

STATUS_STYLE = {"ingested": "green", "unchanged": "dim", "skipped": "yellow", "failed": "bold red", "removed": "cyan"}


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Guideline files or folders (searched recursively).")],
    index: IndexOption = None,
    manifest: Annotated[Path | None, typer.Option(help="YAML/JSON: source path -> title, organisation, year, ...")] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Drop indexed files that are not among PATHS.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit non-zero if any file fails.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Parse, chunk and embed guideline files into a new index version (unchanged files are skipped)."""
    settings = load_settings(index)
    err = Console(stderr=True)
    embedder = load_embedder(settings, queries=False)
    total = len(find_files(paths))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=as_json) as progress:
        task = progress.add_task("ingesting", total=total)

        def advance(line) -> None:
            progress.update(task, advance=0 if line.status == "removed" else 1, description=line.source[-50:])

        report = ingest(paths, embedder, settings, manifest_path=manifest, prune=prune, on_file=advance)
    if as_json:
        print_json(report.to_dict())
    else:
        Console().print(summary_table(report))
        Console().print(f"index {settings.index} -> {report.version or 'unchanged'}; try: gqa search \"your question\"")
    failed = report.count("failed")
    nothing = failed and not (report.count("ingested") or report.count("unchanged"))
    if nothing or (strict and failed):
        raise typer.Exit(1)


def summary_table(report: IngestReport) -> Table:
    table = Table(title=f"ingest: {report.seconds:.1f} s", show_lines=False)
    for name in ("file", "status", "pages", "chunks", "reason"):
        table.add_column(name, overflow="fold")
    for f in report.files:
        style = STATUS_STYLE.get(f.status, "")
        table.add_row(f.source, f"[{style}]{f.status}[/]", str(f.pages or ""), str(f.chunks or ""), f.reason or "")
    counts = ", ".join(f"{report.count(s)} {s}" for s in STATUS_STYLE if report.count(s))
    table.caption = counts + "  |  " + ", ".join(f"{k} {v:.1f}s" for k, v in report.stages.items())
    return table
