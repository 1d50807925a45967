"""`gqa ingest PATH...`: build or update an index from guideline files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from api.settings_errors import exit_with
from ingest.pipeline import IngestReport, find_files, ingest, nothing_to_ingest
from rag.wiring import load_embedder

STATUS_STYLE = {"ingested": "green", "unchanged": "dim", "skipped": "yellow", "failed": "bold red", "removed": "cyan"}


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Guideline files or folders (searched recursively).")],
    index: IndexOption = None,
    manifest: Annotated[Path | None, typer.Option(help="YAML/JSON: source path -> title, organisation, year, ...")] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Drop indexed files that are not among PATHS.", metavar="")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit non-zero if any file fails.", metavar="")] = False,
    as_json: JsonOption = False,
) -> None:
    """Parse, chunk and embed guideline files into a new index version (unchanged files are skipped)."""
    settings = load_settings(index)
    files = find_files(paths)
    reason = nothing_to_ingest(paths, files)
    if reason and not prune:  # say so before any model loads, on one line; exit 2, no index version written
        exit_with(reason)
    err = Console(stderr=True)
    embedder = load_embedder(settings, queries=False)
    with _progress(err, as_json) as progress:
        task = progress.add_task("ingest", total=None)
        done = {"files": 0}

        def file_done(line) -> None:
            if line.status == "removed":
                return
            done["files"] += 1
            progress.update(task, description=line.source[-40:])
            if not err.is_terminal:  # a log, not a bar: one plain line per file
                pages = f", {line.pages} pages" if line.pages else ""
                chunks = f", {line.chunks} chunks" if line.chunks else ""
                why = f": {line.reason}" if line.status in ("failed", "skipped") and line.reason else ""
                err.print(f"ingest: [{done['files']}/{len(files)}] {line.source} {line.status}{pages}{chunks}{why}",
                          markup=False, highlight=False, soft_wrap=True)

        report = ingest(paths, embedder, settings, manifest_path=manifest, prune=prune, on_file=file_done,
                        on_total=lambda pages: progress.update(task, total=pages),
                        on_pages=lambda pages: progress.update(task, advance=pages))
    if as_json:
        print_json(report.to_dict())
    else:
        Console().print(summary_table(report))
        Console().print(_outcome(report, settings.index), highlight=False, soft_wrap=True)
    failed = report.count("failed")
    nothing = failed and not (report.count("ingested") or report.count("unchanged"))
    if nothing or (strict and failed):
        raise typer.Exit(1)


def _progress(console: Console, as_json: bool) -> Progress:
    """Pages embedded, with rate and ETA (a live bar only on a terminal; elsewhere the per-file lines)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), _Pages(), TimeElapsedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=console, transient=as_json, disable=not console.is_terminal)


class _Pages(ProgressColumn):
    """'120/480 pages, 3.2 pages/s'."""

    def render(self, task: Task) -> Text:
        total = f"/{task.total:.0f}" if task.total is not None else ""
        rate = f", {task.speed:.1f} pages/s" if task.speed else ""
        return Text(f"{task.completed:.0f}{total} pages{rate}", style="progress.data.speed")


def _outcome(report: IngestReport, index: Path) -> str:
    if report.version:
        return f"index {index} -> {report.version}; try: gqa search \"your question\""
    if report.count("failed") and not (report.count("ingested") or report.count("removed")):
        return f"index {index}: no new version written: every file failed (see the reasons above)"
    return f"index {index}: unchanged"


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
