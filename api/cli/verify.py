"""`gqa verify`: each sentence of a text, or each claim of a JSONL file, checked against the guidelines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.batch.files import jsonl_objects
from rag.errors import BadRequest
from rag.types import DISCLAIMER
from rag.verify.verifier import Verified
from rag.wiring import build_verifier

_STYLE = {"supported": "green", "contradicted": "bold red", "unsupported": "yellow"}
_MARK = {"supported": "✓ supported", "contradicted": "✗ CONTRADICTED", "unsupported": "? unsupported"}


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)


def read_claims(path: Path) -> list[dict]:
    """Objects with `id` and `claim`, one per line; blank lines skipped, bad lines refused with their number."""
    items = []
    for n, item in jsonl_objects(path.read_text(encoding="utf-8"), path):
        if not isinstance(item, dict) or not isinstance(item.get("claim"), str) or not item["claim"].strip():
            raise BadRequest(f"{path}:{n}: expected an object with 'id' and a non-empty 'claim' string")
        items.append(item)
    return items


def _where(v: Verified) -> str:
    if not v.evidence:
        return ""
    p = v.evidence[0].passage
    at = f"p. {p.pages[0]}" if p.pages else (f"l. {p.lines[0]}-{p.lines[1]}" if p.lines else "")
    return f"{p.organisation or ''} {p.title} ({p.year or 'n.d.'}) {at}".strip()


def print_verdicts(verified: list[Verified]) -> None:
    """The readable form: each sentence marked, the reason, and the evidence quote with its page."""
    console = Console()
    for v in verified:
        console.print(f"[{_STYLE[v.verdict]}]{_MARK[v.verdict]}[/] {v.claim}", highlight=False)
        console.print(f"    {v.reason}", style="dim", highlight=False)
        if v.evidence:
            quote = " ".join(v.evidence[0].quote.split())
            console.print(f'    "{quote[:300]}" — {_where(v)}', highlight=False)
    if not verified:
        console.print("no checkable sentence in the text")
    Console(stderr=True).print(f"[dim]{DISCLAIMER}[/]")


def verify_command(
    text: Annotated[str | None, typer.Argument(help="The text to verify (each sentence is a claim).", show_default=False)] = None,
    claims: Annotated[Path | None, typer.Option("--claims", exists=True, dir_okay=False,
                                                help="A JSONL file of {id, claim}: one verdict line each.")] = None,
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, max=50, help="Passages retrieved per claim.")] = 8,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check each claim against the guidelines: supported, contradicted or unsupported, with the evidence."""
    if (text is None) == (claims is None):
        raise BadRequest("give either a TEXT or --claims FILE.jsonl")
    settings = load_settings(index)
    items = read_claims(claims) if claims else None
    if text is not None and not text.strip():
        raise BadRequest("TEXT is empty: give the sentences to verify")
    verifier = build_verifier(settings, k=k)  # models loaded once for every claim; the LLM judge if GQA_VERIFY_JUDGE
    if items is None:
        verified = verifier.verify_text(text)
        if as_json:
            print_json({"sentences": [v.to_dict() for v in verified], "disclaimer": DISCLAIMER})
        else:
            print_verdicts(verified)
        return
    for item in items:
        v = verifier.verify_claim(item["claim"].strip())
        if as_json:
            out = v.to_dict()
            print_json({"id": item.get("id"), "claim": item["claim"], "verdict": out["verdict"], "reason": out["reason"],
                        "evidence": out["evidence"]})
        else:
            print_verdicts([v])
