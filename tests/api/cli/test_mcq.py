"""`gqa mcq` as a command: --json's last line is the contract summary, and a real process killed with
-9 mid-run resumes from its -o file. Against llama.cpp's server with SmolLM2 (closed mode: the
resume path is the same for both modes; rag mode is covered in tests/rag/mcq/test_run.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli.mcq import register
from tests.support.llm_servers import SERVED_NAME

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "mcq"
# `gqa` with only this command (api/cli/__init__.py registers it in the real console script).
SCRIPT = ("import typer; from api.cli.mcq import register\n"
          "app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)\n"
          "app.callback()(lambda: None); register(app); app()")


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory):
    from tests.support.llm_servers import llama_server

    with llama_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


def app() -> typer.Typer:
    a = typer.Typer(add_completion=False)
    a.callback()(lambda: None)
    register(a)
    return a


def env_for(url: str) -> dict:
    return {**os.environ, "GQA_LLM_BASE_URL": url, "GQA_LLM_MODEL": SERVED_NAME, "GQA_LLM_RETRIES": "0",
            "GQA_LLM_TIMEOUT": "120"}


@pytest.mark.llm
def test_json_summary_is_the_contract_and_records_are_written(llama_url, tmp_path):
    out = tmp_path / "items.jsonl"
    result = CliRunner().invoke(app(), ["mcq", str(FIXTURES / "mirage_small.json"), "--dataset", "general",
                                        "--modes", "closed", "-o", str(out), "--json", "--no-progress",
                                        "--constrained", "off"], env=env_for(llama_url))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == 2 and set(summary["modes"]) == {"closed"}
    m = summary["modes"]["closed"]
    assert set(m) >= {"accuracy", "ci95", "unparsed"} and m["n"] == 2 and len(m["ci95"]) == 2
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == ["g1", "g2"]
    assert all({"id", "mode", "choice", "answer", "correct"} <= set(r) for r in records)
    assert m["correct"] == sum(r["correct"] for r in records)


def test_bad_modes_and_missing_index_are_refused(tmp_path):
    result = CliRunner().invoke(app(), ["mcq", str(FIXTURES / "small.jsonl"), "--modes", "closed,open"],
                                env={**os.environ, "GQA_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert result.exit_code != 0 and "unknown mode(s) open" in str(result.exception)


@pytest.mark.llm
def test_resume_after_kill_9_of_a_real_gqa_mcq(llama_url, tmp_path):
    src = tmp_path / "many.jsonl"
    lines = [json.dumps({"id": f"q{n:02d}", "question": f"Which number is {n} plus one?",
                         "options": {"A": str(n + 1), "B": str(n + 5), "C": str(n + 9)}, "answer": "A"})
             for n in range(24)]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "items.jsonl"
    cmd = [sys.executable, "-c", SCRIPT, "mcq", str(src), "--modes", "closed", "-o", str(out), "--json",
           "--no-progress", "-c", "2", "--constrained", "off"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(llama_url), cwd=ROOT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 3):
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = out.read_bytes()
    done_before = len(before.splitlines())
    assert 3 <= done_before < 24, "killed mid-run"
    complete = before[: before.rfind(b"\n") + 1]
    again = subprocess.run(cmd, capture_output=True, env=env_for(llama_url), cwd=ROOT, timeout=600)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    summary = json.loads(again.stdout.decode().strip().splitlines()[-1])
    assert out.read_bytes().startswith(complete)  # nothing written before the kill was lost or rewritten
    records = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [r["id"] for r in records]
    assert sorted(set(ids)) == [f"q{n:02d}" for n in range(24)] and len(ids) == len(set(ids))
    assert summary["skipped"] == len(complete.splitlines()) and summary["asked"] == 24 - summary["skipped"]
    assert summary["n"] == 24 and summary["modes"]["closed"]["n"] == 24
