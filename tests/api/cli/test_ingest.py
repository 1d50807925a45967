"""`gqa ingest` and `gqa index verify` through the real entry point (typer's CliRunner): the JSON
report contract and the exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import build_app
from tests.support.index import write_mixed_folder
from tests.support.pdf import make_corrupt_pdf


def test_cli_ingest_json_contract_and_exit_codes(tmp_path):
    app = build_app()
    root = tmp_path / "corpus"
    write_mixed_folder(root)
    runner = CliRunner()
    index = tmp_path / "idx"
    result = runner.invoke(app, ["ingest", str(root), "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(data) >= {"files", "seconds"}
    for line in data["files"]:
        assert set(line) >= {"source", "status", "pages", "chunks", "reason"}
    assert {f["source"]: f["pages"] for f in data["files"]}["who/malaria.pdf"] >= 5
    verify = runner.invoke(app, ["index", "verify", "--index", str(index)])
    assert verify.exit_code == 0, verify.output
    only_bad = tmp_path / "only-bad"
    only_bad.mkdir()
    make_corrupt_pdf(only_bad / "x.pdf")
    assert runner.invoke(app, ["ingest", str(only_bad), "--index", str(tmp_path / "i2")]).exit_code == 1
    strict = runner.invoke(app, ["ingest", str(root), str(only_bad), "--index", str(index), "--strict"])
    assert strict.exit_code == 1
