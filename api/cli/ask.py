"""`gqa ask "QUESTION"`: an answer with numbered, verbatim, checkable citations."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from api.cli.common import IndexOption, JsonOption, TopK, load_settings, print_json
from api.filter_check import check_filters
from rag.errors import GuidelineQAError
from rag.types import Filters, place


def register(app: typer.Typer) -> None:
    app.command("ask")(ask_command)


def _where(c: dict) -> str:
    return place(c.get("pages"), c.get("page_labels"), c.get("lines"))


def _source_line(c: dict) -> str:
    org = f"{c['organisation']}, " if c.get("organisation") else ""
    year = f" ({c['year']})" if c.get("year") else ""
    section = f" — {c['section']}" if c.get("section") else ""
    return f"{org}{c['title']}{year}, {_where(c)}{section}  [{c['source']}]"


_BADGE = {"contradicted": "[red]contradicted by the guideline:[/]",
          "unsupported": "[yellow]not supported by the cited passage:[/]"}


def standing(sentences: list[dict]) -> str:
    """"2 supported of 3 sentences": the count a reader sees before trusting the answer."""
    n = lambda v: sum(s.get("verdict") == v for s in sentences)  # noqa: E731
    parts = [f"{n('supported')} supported of {len(sentences)} sentence{'s' if len(sentences) != 1 else ''}"]
    parts += [f"{n('contradicted')} contradicted by the guideline"] if n("contradicted") else []
    parts += [f"{n('unsupported')} not supported by the cited passage"] if n("unsupported") else []
    return " · ".join(parts)


def render(answer: dict, console: Console, show_text: bool = True) -> None:
    """The answer, each sentence's standing, its citations with pages and quotes, notices and the disclaimer."""
    if show_text:  # the disclaimer first, beside the answer (a streamed answer printed it before its tokens)
        console.print(f"[italic]{escape(answer['disclaimer'])}[/]\n", highlight=False)
        console.print(escape(answer.get("display_text") or answer["answer"]), highlight=False)
    if answer["abstained"]:
        if answer.get("related"):
            console.print("\n[bold]Related passages[/] (they do not answer the question):")
            for p in answer["related"]:
                console.print(f"  - {escape(_source_line(p))}", highlight=False)
    else:
        sentences = answer.get("sentences", [])
        if sentences:
            console.print(f"\n[bold]Checked:[/] {standing(sentences)}", highlight=False)
        for s in sentences:
            if s.get("verdict", "supported") != "supported":
                reason = f" ({escape(s['reason'])})" if s.get("reason") else ""
                console.print(f"  {_BADGE.get(s['verdict'], s['verdict'])} {escape(s.get('display_text') or s['text'])}{reason}",
                              highlight=False)
        console.print("\n[bold]Citations[/]")
        for c in answer["citations"]:
            quote = " ".join(c["quote"].split())
            console.print(f"  [{c['n']}] {escape(_source_line(c))}", highlight=False)
            console.print(f"      \"{escape(quote)}\"", style="dim", highlight=False)
    for note in answer.get("notices", []):
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in your own words.")],
    k: TopK = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's guidelines (WHO, MSF, ...).")] = None,
    stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it is generated.", metavar="")] = False,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a question from the indexed guidelines, citing the pages it quotes."""
    from rag.wiring import build_qa

    qa = build_qa(load_settings(index))
    filters = Filters(organisation=org)
    check_filters(qa.retriever.index.get().documents.values(), filters)  # "no indexed document from organisation X"
    if not stream:
        answer = qa.ask(question, k=k, filters=filters).to_dict()
        print_json(answer) if as_json else render(answer, Console())
        return
    console = Console()
    if not as_json:
        from rag.types import DISCLAIMER

        console.print(f"[italic]{escape(DISCLAIMER)}[/]\n", highlight=False)
    for event, data in qa.ask_stream(question, k=k, filters=filters):
        if as_json:
            print_json({"event": event, "data": data})
        elif event == "token":
            sys.stdout.write(data["text"])
            sys.stdout.flush()
        elif event == "answer":
            streamed = not data["abstained"]  # the tokens are already on screen
            print()
            render(data, console, show_text=not streamed)
        if event == "error":
            raise GuidelineQAError(data["message"])
