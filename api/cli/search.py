"""`gqa search`: ranked passages with their citations, for one question or a file of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from api.filter_check import check_filters
from rag.batch.files import jsonl_objects
from rag.errors import BadRequest
from rag.retrieval.retriever import SearchResult
from rag.types import Filters, Passage, place
from rag.wiring import build_retriever


def register(app: typer.Typer) -> None:
    from api.cli.eval import eval_command

    app.command("search")(search_command)
    app.command("eval")(eval_command)


def read_questions(path: Path) -> list[dict]:
    """Objects with `id` and `question`, one per line; blank lines skipped, bad lines refused."""
    items = []
    for n, item in jsonl_objects(path.read_text(encoding="utf-8"), path):
        if not isinstance(item, dict) or "question" not in item:
            raise BadRequest(f"{path}:{n}: expected an object with 'id' and 'question'")
        items.append(item)
    return items


def _pages(p: Passage) -> str:
    return place(p.pages, p.page_labels, p.lines)


def print_table(question: str, result: SearchResult) -> None:
    """The readable form: rank, score, organisation, document, pages, section, first words."""
    table = Table(title=question, show_lines=False)
    for col in ("#", "score", "org", "document", "pages", "section", "text"):
        table.add_column(col, overflow="fold")
    for p in result.passages:
        words = " ".join(p.text.split()[:18])
        table.add_row(str(p.rank), f"{p.score:.4f}", p.organisation or "", f"{p.source} ({p.year or 'n.d.'})",
                      _pages(p), p.section[-60:], words)
    Console().print(table)
    if not result.passages:
        Console().print("no passages found")
    Console(stderr=True).print(f"[dim]{result.timings.get('total', 0):.1f} ms[/]")


def search_command(
    question: Annotated[str | None, typer.Argument(help="The question or keywords.", show_default=False)] = None,
    k: Annotated[int | None, typer.Option("-k", "--top-k", min=1, max=100, help="Passages returned.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation (e.g. WHO, MSF).")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document (source path or id).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only documents of this year.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only documents in this language.")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="hybrid | dense | lexical.")] = None,
    questions: Annotated[Path | None, typer.Option("--questions", exists=True, dir_okay=False,
                                                   help="A JSONL file of {id, question}: one result line each.")] = None,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the guideline passages that answer a question, each with its citation."""
    if (question is None) == (questions is None):
        raise BadRequest("give either a QUESTION or --questions FILE.jsonl")
    settings = load_settings(index)
    filters = Filters(organisation=org, doc=doc, year=year, language=lang)
    items = read_questions(questions) if questions else None
    retriever = build_retriever(settings)
    check_filters(retriever.index.get().documents.values(), filters)  # "no indexed document from organisation X"
    if items is None:
        result = retriever.search(question, k=k, filters=filters, mode=mode)
        if as_json:
            print_json({"passages": [p.to_dict() for p in result.passages]})
        else:
            print_table(question, result)
        return
    for item in items:
        result = retriever.search(str(item["question"]), k=k, filters=filters, mode=mode)
        if as_json:
            print_json({"id": item.get("id"), "passages": [p.to_dict() for p in result.passages]})
        else:
            print_table(f"{item.get('id')}: {item['question']}", result)
