"""`gqa batch INPUT -o OUTPUT`: a file of questions answered into a file of results, resumable."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.errors import BadRequest


def register(app: typer.Typer) -> None:
    app.command("batch")(batch_command)


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[rate]} q/s"), TextColumn("failed {task.fields[failed]}"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console)


def _render_summary(summary: dict, console: Console) -> None:
    console.print(
        f"[bold]{summary['answered']}[/] answered, [bold]{summary['abstained']}[/] abstained, "
        f"[bold]{summary['failed']}[/] failed, {summary['skipped']} already done"
        + (f", {summary['duplicates']} duplicate id(s) ignored" if summary["duplicates"] else "")
        + f" in {summary['seconds']:.1f} s ({summary['questions_per_s'] or 0:.2f} questions/s"
        + (f", {summary['tokens_per_s']:.1f} tokens/s" if summary.get("tokens_per_s") else "") + ")"
        + f" -> {summary['output']}", highlight=False)
    if summary.get("repaired_bytes"):
        console.print(f"[yellow]note:[/] cut {summary['repaired_bytes']} bytes of a torn last record "
                      "left by an interrupted run", highlight=False)


def batch_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Questions: JSONL (objects with 'question', "
                                               "optional 'id', 'org', 'doc', 'year', 'lang') or CSV with those columns.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Results: .jsonl (one object per question) or "
                                         ".csv. Re-running with the same file skips ids already answered.")],
    concurrency: Annotated[int | None, typer.Option("--concurrency", "-c", min=1,
                                                    help="Questions in flight (default: settings.batch_concurrency).")] = None,
    k: Annotated[int | None, typer.Option("-k", "--k", min=1, max=100, help="Passages retrieved per question.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds per question (default: "
                                                  "settings.batch_timeout).")] = None,
    passages: Annotated[bool, typer.Option("--passages", help="Also write the retrieved passages (JSONL).", metavar="")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.", metavar="")] = False,
    ray: Annotated[bool, typer.Option("--ray", metavar="", help="Run on Ray Data (pip install "
                                      "'guideline-qa\\[ray]'): retrieval actors, then vLLM (GQA_GENERATOR=vllm, GPUs) "
                                      "or OpenAI-server actors.")] = False,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="An existing Ray cluster ('auto' on a "
                                                    "cluster node); default: a local Ray on this machine.")] = None,
    ray_retrievers: Annotated[int, typer.Option("--ray-retrievers", min=1, help="Retrieval actors (CPU).")] = 1,
    ray_answerers: Annotated[int, typer.Option("--ray-answerers", min=1, help="Answer actors (one GPU each "
                                               "with vLLM).")] = 1,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a file of questions with citations; resumable, bounded concurrency, a summary at the end."""
    from rag.batch.engine import BatchOptions, batch_file
    from rag.wiring import build_qa

    if not input_path.is_file():
        raise BadRequest(f"no question file at {input_path}")
    settings = load_settings(index, batch_concurrency=concurrency, batch_timeout=timeout)
    if ray:
        from rag.batch.ray_data import ray_batch_file

        summary = ray_batch_file(settings, input_path, output, k, ray_address, ray_retrievers, ray_answerers)
        print_json(summary) if as_json else _render_summary(summary, Console())
        return
    qa = build_qa(settings)
    opts = BatchOptions(settings.batch_concurrency, settings.batch_timeout, k, passages)
    console = Console(stderr=True)
    with _progress(console) if not no_progress else _NoProgress() as bar:
        task = bar.add_task("batch", total=None, rate="-", failed=0)
        counts, lock = {"done": 0, "failed": 0}, threading.Lock()

        def on_record(record: dict) -> None:  # called from worker threads
            with lock:
                counts["done"] += 1
                counts["failed"] += bool(record["error"])
                elapsed = bar.tasks[0].elapsed if bar.tasks else None
                rate = f"{counts['done'] / elapsed:.2f}" if elapsed else "-"
                bar.update(task, advance=1, rate=rate, failed=counts["failed"])

        summary = batch_file(qa, input_path, output, opts, settings.batch_fsync_seconds,
                             on_start=lambda n: bar.update(task, total=n), on_record=on_record)
    print_json(summary) if as_json else _render_summary(summary, Console())


class _NoProgress:
    """The progress interface, doing nothing (for --no-progress)."""

    tasks: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None
