"""`gqa verify` through a Typer app with api.cli.verify registered (typer's CliRunner), over the served corpus
index (real embedder): the TEXT form, the --claims FILE.jsonl form, and bad input."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from api.cli.verify import register
from rag.errors import BadRequest
from rag.types import DISCLAIMER

EVIDENCE_KEYS = {"rank", "score", "text", "source", "pages", "page_labels", "lines", "section", "title",
                 "organisation", "year", "chunk_id", "quote"}


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)  # two commands, so `verify` is a subcommand as in `gqa`
    return app


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_claims_file_gives_one_line_per_claim_in_order(app, api_index, tmp_path):
    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join(json.dumps(c) for c in [
        {"id": "ok", "claim": "Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose."},
        {"id": "dose", "claim": "Children weighing less than 20 kg should receive a higher dose of artesunate, "
                                "6 mg/kg per dose."},
        {"id": "none", "claim": "Meditron says to drink herbal tea for a broken leg."},
    ]) + "\n\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", "--claims", str(claims), "--json", "--index", str(api_index)])
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert [(x["id"], x["verdict"]) for x in lines] == [("ok", "supported"), ("dose", "contradicted"), ("none", "unsupported")]
    for x in lines:
        assert list(x) == ["id", "claim", "verdict", "reason", "evidence"]
    assert EVIDENCE_KEYS <= set(lines[1]["evidence"][0]) and lines[1]["evidence"][0]["source"] == "who/malaria.md"
    assert lines[1]["reason"] == "the guideline says 3 mg/kg, the claim says 6 mg/kg"


def test_text_json_and_readable_forms(app, api_index):
    text = "Artemether-lumefantrine is given twice daily for three days. Artemether-lumefantrine is given twice daily for 5 days."
    as_json = CliRunner().invoke(app, ["verify", text, "--json", "--index", str(api_index)])
    assert as_json.exit_code == 0, as_json.output
    (out,) = _json_lines(as_json.stdout)
    assert out["disclaimer"] == DISCLAIMER
    assert [s["verdict"] for s in out["sentences"]] == ["supported", "contradicted"]
    assert out["sentences"][1]["reason"] == "the guideline says 3 days, the claim says 5 days"
    readable = CliRunner().invoke(app, ["verify", "Do not treat children with severe malaria with artesunate.",
                                        "--index", str(api_index)])
    assert readable.exit_code == 0, readable.output
    assert "CONTRADICTED" in readable.stdout and "malaria" in readable.stdout.lower()


def test_bad_input_is_refused_with_the_file_and_line(app, api_index, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "claim": "ok claim here"}\n{"id": 2}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", "--claims", str(bad), "--json", "--index", str(api_index)])
    assert isinstance(result.exception, BadRequest) and f"{bad}:2" in str(result.exception)
    both = CliRunner().invoke(app, ["verify", "text", "--claims", str(bad), "--index", str(api_index)])
    assert isinstance(both.exception, BadRequest)
