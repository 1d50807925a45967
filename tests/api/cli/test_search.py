"""`gqa search` through the real entry point (typer's CliRunner), over the small index (real embedder)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import build_app

CONTRACT_KEYS = {"rank", "score", "text", "source", "pages", "page_labels", "lines", "section", "title",
                 "organisation", "year", "chunk_id"}


@pytest.fixture(scope="module")
def cli():
    return CliRunner()


app = build_app()


@pytest.fixture(scope="module")
def index(small_index):
    return small_index


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_search_json_matches_the_contract(cli, index):
    result = cli.invoke(app, ["search", "zinc for diarrhoea, how many days?", "-k", "3", "--json", "--index", str(index)])
    assert result.exit_code == 0, result.output
    (out,) = _json_lines(result.stdout)
    assert set(out) == {"passages"} and len(out["passages"]) == 3
    top = out["passages"][0]
    assert CONTRACT_KEYS <= set(top)
    assert top["rank"] == 1 and top["source"] == "msf/essential_drugs.pdf" and top["pages"] == [1]
    assert top["lines"] is None and top["page_labels"] == ["210"] and top["organisation"] == "MSF"


@pytest.mark.parametrize("options, allowed", [
    (["--org", "MSF"], {"msf/essential_drugs.pdf", "msf/guide_fr.pdf"}),
    (["--doc", "who/malaria_2015.pdf"], {"who/malaria_2015.pdf"}),
    (["--year", "2014"], {"other/oxygen_manual.pdf"}),
    (["--lang", "fr"], {"msf/guide_fr.pdf"}),
])
def test_search_filters(cli, index, options, allowed):
    result = cli.invoke(app, ["search", "artesunate children", "--json", "--index", str(index), *options])
    assert result.exit_code == 0, result.output
    sources = {p["source"] for p in _json_lines(result.stdout)[0]["passages"]}
    assert sources and sources <= allowed


def test_search_questions_file_gives_one_line_per_question(cli, index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in [
        {"id": "a", "question": "oxygen saturation threshold"}, {"id": "b", "question": "amoxicillin mg/kg"}]) + "\n")
    result = cli.invoke(app, ["search", "--questions", str(questions), "-k", "2", "--json", "--index", str(index)])
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert [(line["id"], len(line["passages"])) for line in lines] == [("a", 2), ("b", 2)]
    assert lines[0]["passages"][0]["source"] == "other/oxygen_manual.pdf"
    assert "Amoxicillin" in lines[1]["passages"][0]["text"]


def test_search_table_is_readable(cli, index):
    result = cli.invoke(app, ["search", "oxygen saturation", "-k", "2", "--index", str(index)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "other/oxygen_manual.pdf" in result.stdout and "p. 1" in result.stdout and "Oxygen > Indications" in result.stdout


def test_search_without_a_question_is_refused(cli, index):
    result = cli.invoke(app, ["search", "--index", str(index)])
    assert result.exit_code != 0
