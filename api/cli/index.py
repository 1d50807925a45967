"""`gqa index list|info|verify`: look at an index and check it is whole."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.index import layout
from rag.index.verify import verify_version

index_app = typer.Typer(help="Inspect and verify an index.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")


@index_app.command("list")
def list_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """List the versions on disk; the current one is marked."""
    settings = load_settings(index)
    current = layout.current_dir(settings.index)
    rows = []
    for version in layout.list_versions(settings.index):
        m = json.loads((version / layout.MANIFEST).read_text())
        rows.append({"version": version.name, "current": version == current, "created_at": m["created_at"], **m["counts"]})
    if as_json:
        print_json({"index": str(settings.index), "versions": rows})
        return
    columns = ("version", "current", "created_at", "documents", "pages", "chunks")
    table = Table(title=str(settings.index))
    for col in columns:
        table.add_column(col)
    for r in rows:
        table.add_row(*("*" if c == "current" and r[c] else "" if c == "current" else str(r[c]) for c in columns))
    Console().print(table)


@index_app.command("info")
def info_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """Show the current version's manifest: embedder, chunker, counts, documents."""
    settings = load_settings(index)
    manifest = json.loads((layout.current_dir(settings.index) / layout.MANIFEST).read_text())
    if as_json:
        print_json(manifest)
        return
    console = Console()
    console.print(f"[bold]{settings.index}[/] version {manifest['version']} ({manifest['created_at']})")
    console.print(f"embedder {manifest['embedder']['name']} dim {manifest['embedder']['dim']}; "
                  f"chunker {manifest['chunker']}; counts {manifest['counts']}")
    table = Table()
    for col in ("source", "organisation", "year", "pages", "chunks", "title"):
        table.add_column(col, overflow="fold")
    for d in manifest["documents"]:
        table.add_row(d["source"], d["organisation"] or "", str(d["year"] or ""), str(d["page_count"] or ""),
                      str(d["chunks"]), d["title"])
    console.print(table)


@index_app.command("verify")
def verify_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """Recompute checksums and counts; exit 1 on any mismatch."""
    settings = load_settings(index)
    version = layout.current_dir(settings.index)
    problems = verify_version(version)
    if as_json:
        print_json({"version": version.name, "ok": not problems, "problems": problems})
    elif problems:
        Console().print(f"[bold red]{version.name}: {len(problems)} problem(s)[/]")
        for p in problems:
            Console().print(f"  - {p}")
    else:
        Console().print(f"[green]{version.name}: ok[/]")
    if problems:
        raise typer.Exit(1)
