"""`gqa tune`: adapt the embedder to the indexed guidelines on heading/passage pairs mined from the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.embedding.embedder import DEFAULT_MODEL, default_model_path
from rag.embedding.tune import mine_pairs, tune
from rag.errors import GuidelineQAError
from rag.index.reader import IndexReader


def register(app: typer.Typer) -> None:
    app.command("tune")(tune_command)


def tune_command(
    out: Annotated[Path, typer.Option("--out", help="New folder for the tuned model.")],
    index: IndexOption = None,
    max_pairs: Annotated[int, typer.Option("--max-pairs", min=32, help="Heading/passage pairs to train on.")] = 3000,
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=10)] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=2, max=256)] = 16,
    lr: Annotated[float, typer.Option("--lr", min=1e-7, max=1e-3)] = 2e-5,
    as_json: JsonOption = False,
) -> None:
    """Fine-tune the embedder on the index's own heading/passage pairs; write a model folder.

    Use it with GQA_EMBEDDING_MODEL=OUT and a fresh `gqa ingest` (an index built with one embedder refuses
    another)."""
    settings = load_settings(index)
    if settings.embedding_model == DEFAULT_MODEL:
        base = default_model_path()
    elif Path(settings.embedding_model).expanduser().is_dir():
        base = Path(settings.embedding_model).expanduser()
    else:
        raise GuidelineQAError(f"embedding model {settings.embedding_model!r}: only a sentence-transformers model "
                               "(the packaged default or a local folder) can be tuned")
    reader = IndexReader.open(settings.index)
    pairs = mine_pairs(reader.all_chunks(), max_pairs)
    console = Console(stderr=True)
    with Progress(TextColumn("tune"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]:.3f}"),
                  TimeRemainingColumn(), console=console, disable=as_json) as bar:
        task = bar.add_task("tune", total=None, loss=float("nan"))
        report = tune(base, pairs, out.expanduser(), epochs=epochs, batch_size=batch_size, lr=lr,
                      progress=lambda step, total, loss: bar.update(task, completed=step, total=total, loss=loss))
    if as_json:
        print_json(report.to_dict())
        return
    table = Table(title=f"gqa tune -> {report.out}")
    for col in ("pairs", "epochs", "steps", "seconds", "first loss", "last loss"):
        table.add_column(col)
    table.add_row(*(str(v) for v in (report.pairs, report.epochs, report.steps, report.seconds, report.first_loss,
                                     report.last_loss)))
    Console().print(table)
    Console().print(f"use it: GQA_EMBEDDING_MODEL={report.out} gqa ingest FOLDER --index NEW_INDEX "
                    f"({json.dumps(str(base))} was the base)")
