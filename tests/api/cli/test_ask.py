"""`gqa ask` through the real entry point (typer's CliRunner) over the answer index: the JSON
contract, the readable output, and errors mapped to exit code 2."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from api.cli import build_app, main
from rag.types import DISCLAIMER


def test_cli_ask_json_contract_and_readable_output(answer_index):
    app = build_app()
    runner = CliRunner()
    result = runner.invoke(app, ["ask", "chlorine residual after 30 minutes", "--index", str(answer_index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:6] == ["answer", "abstained", "citations", "passages", "disclaimer", "timings"]
    assert set(data["citations"][0]) >= {"n", "source", "pages", "lines", "section", "title", "quote", "chunk_id"}
    assert set(data["passages"][0]) >= {"rank", "score", "text", "source", "pages", "page_labels", "lines",
                                        "section", "title", "organisation", "year", "chunk_id"}
    assert data["disclaimer"] == DISCLAIMER
    text = runner.invoke(app, ["ask", "chlorine residual after 30 minutes", "--index", str(answer_index), "--stream"])
    assert text.exit_code == 0 and "[1]" in text.stdout and "lines" in text.stdout and "Research use only" in text.stdout


def test_cli_errors_are_mapped_to_exit_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["gqa", "ask", "x", "--index", str(tmp_path / "missing")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2 and "error" in capsys.readouterr().err


def test_readable_output_puts_the_disclaimer_first_and_says_how_many_sentences_are_supported(answer_index):
    result = CliRunner().invoke(build_app(), ["ask", "chlorine residual after 30 minutes", "--index", str(answer_index)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Research use only")
    checked = next(line for line in lines if line.startswith("Checked:"))
    assert " supported of " in checked and "sentence" in checked


def test_standing_counts_each_verdict():
    from api.cli.ask import standing

    sentences = [{"verdict": "supported"}, {"verdict": "supported"}, {"verdict": "unsupported"}]
    assert standing(sentences) == "2 supported of 3 sentences · 1 not supported by the cited passage"
    assert standing([{"verdict": "contradicted"}]) == "0 supported of 1 sentence · 1 contradicted by the guideline"
