"""`gqa mcq FILE`: multiple-choice accuracy closed-book and with retrieved guideline passages, paired."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.errors import BadRequest


def register(app: typer.Typer) -> None:
    app.command("mcq")(mcq_command)


def _table(summary: dict, console: Console) -> None:
    table = Table(title=f"{summary['n']} items ({summary['model']}, {summary['api']}, "
                        f"constrained: {summary['constrained'] or 'no'})")
    for col in ("mode", "n", "accuracy", "ci95", "unparsed"):
        table.add_column(col, justify="left" if col == "mode" else "right")
    for mode, m in summary["modes"].items():
        acc = f"{m['accuracy']:.3f}" if m["accuracy"] is not None else "-"
        table.add_row(mode, str(m["n"]), acc, f"{m['ci95'][0]:.3f}-{m['ci95'][1]:.3f}", str(m["unparsed"]))
    console.print(table)
    if p := summary.get("paired"):
        console.print(f"paired over {p['n']}: rag right & closed wrong {p['rag_right_closed_wrong']}, "
                      f"closed right & rag wrong {p['closed_right_rag_wrong']}, McNemar exact p = {p['mcnemar_p']:.4g}",
                      highlight=False)
    if summary["errors"]:
        console.print(f"[yellow]{summary['errors']} request(s) failed[/]; re-run with the same -o to retry them")


def mcq_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="MIRAGE benchmark.json ({dataset: {id: "
                                         "{question, options, answer}}}) or JSONL of {id, question, options, answer}.")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="Only this dataset of a MIRAGE file (e.g. medqa).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="The first N items (file order).")] = None,
    modes: Annotated[str, typer.Option("--modes", help="closed (question and options), rag (plus retrieved "
                                       "passages), or both, comma-separated.")] = "closed,rag",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Item records (JSONL), one per (item, mode); "
                                                "re-running with the same file skips the pairs already done.")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Requests in flight.")] = 8,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=50, help="Passages retrieved per question (rag).")] = 5,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, help="Tokens generated per reply.")] = 8,
    constrained: Annotated[str, typer.Option("--constrained", help="auto: restrict the reply to the option letters "
                                             "when the server (vLLM) honours it; on: require it; off.")] = "auto",
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible base URL(s), comma-separated "
                                                 "(default: $GQA_LLM_BASE_URL).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Served model name (default: $GQA_LLM_MODEL).")] = None,
    api: Annotated[str | None, typer.Option("--api", help="completions (base-model few-shot prompt) or chat "
                                            "(default: $GQA_LLM_API).")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Multiple-choice accuracy with and without the guidelines (MIRAGE's protocol), paired McNemar test."""
    from rag.mcq.items import load_items
    from rag.mcq.run import MCQOptions, MCQRunner, run_items

    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    settings = load_settings(index, llm_base_url=base_url, llm_model=model, llm_api=api)
    items = load_items(file, dataset, limit)
    if not items:
        raise BadRequest(f"{file}: no items")
    retriever = None
    if "rag" in chosen:
        from rag.wiring import build_retriever

        retriever = build_retriever(settings)
    runner = MCQRunner(settings, MCQOptions(chosen, concurrency, k, max_tokens, constrained), retriever)
    console = Console(stderr=True)
    bar = Progress(TextColumn("[bold]mcq"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                   TextColumn("unparsed {task.fields[unparsed]} failed {task.fields[failed]}"), TimeElapsedColumn(),
                   console=console, disable=no_progress)
    with bar:
        task = bar.add_task("mcq", total=None, unparsed=0, failed=0)
        counts, lock = {"unparsed": 0, "failed": 0}, threading.Lock()

        def on_record(record: dict) -> None:  # from worker threads
            with lock:
                counts["failed"] += bool(record.get("error"))
                counts["unparsed"] += bool(record.get("unparsed"))
                bar.update(task, advance=1, **counts)

        _, summary = run_items(runner, items, output, on_start=lambda n: bar.update(task, total=n), on_record=on_record)
    print_json(summary) if as_json else _table(summary, Console())
