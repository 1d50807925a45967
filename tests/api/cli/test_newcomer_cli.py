"""Issue 19 through the real `gqa` console script (subprocesses): bad settings as one `error:` line and
exit 2 on every command, `-k 0` refused, flags shown as flags, extras kept in help, filters that
match no document, and no "Loading weights" bar."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GQA = str(Path(sys.executable).with_name("gqa"))
BAD = {"GQA_PORT": ("abc", "integer"), "GQA_GENERATOR": ("foo", "extractive, openai, vllm"),
       "GQA_CHUNK_TOKENS": ("10", ">= 32")}


def run(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GQA_") and k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    return subprocess.run([GQA, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**clean, "HF_HUB_OFFLINE": "1", "COLUMNS": "200", **env})


@pytest.fixture(scope="module")
def questions(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("q") / "questions.jsonl"
    path.write_text('{"id": "q1", "question": "artesunate dose"}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("variable", sorted(BAD))
def test_a_bad_setting_is_one_error_line_naming_it_and_exit_2_on_every_command(variable, questions, tmp_path):
    value, allowed = BAD[variable]
    commands = [["index", "info"], ["index", "list"], ["index", "verify"], ["search", "malaria"], ["ask", "malaria"],
                ["batch", str(questions), "-o", str(tmp_path / "out.jsonl")], ["ingest", str(questions.parent)],
                ["serve"]]
    for command in commands:
        result = run(*command, "--index", str(tmp_path / "index"), **{variable: value})
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (command, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("error: "), (command, result.stderr)
        assert f"{variable}={value!r}" in lines[0] and allowed in lines[0], (command, lines[0])
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "index").exists()


def test_a_bad_command_line_value_is_named_by_its_flag(tmp_path):
    result = run("serve", "--port", "70000", "--index", str(tmp_path / "index"))
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: bad setting: --port=70000: Input should be less than or equal to 65535 "
                                     "(allowed: an integer >= 1 and <= 65535)")


def test_a_bad_setting_in_the_app_factory_exits_2_with_one_line(tmp_path):
    """The worker side of `gqa serve` (api.workers imports the factory): it builds its own Settings."""
    code = "from api.app import app_from_environment; app_from_environment()"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GQA_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**env, "GQA_GENERATOR": "foo", "GQA_INDEX": str(tmp_path / "index")})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: bad setting: GQA_GENERATOR='foo': Input should be 'extractive', 'openai' or 'vllm' "
        "(allowed: one of extractive, openai, vllm)"]


@pytest.mark.parametrize("command", [["ask", "malaria"], ["search", "malaria"], ["batch", "in.jsonl", "-o", "o.jsonl"]])
@pytest.mark.parametrize("k", ["0", "-1", "101"])
def test_k_out_of_range_is_refused_before_anything_loads(command, k, tmp_path):
    result = run(*command, "-k", k, "--index", str(tmp_path / "index"))
    assert result.returncode == 2, result.stderr
    assert "Invalid value for '-k'" in result.stderr


def test_help_shows_flags_as_flags_and_keeps_extras_in_brackets():
    batch = run("batch", "--help").stdout
    assert "'guideline-qa[ray]'" in batch
    for command in (["ask"], ["search"], ["batch"], ["ingest"], ["index", "info"]):
        text = run(*command, "--help").stdout
        flag_lines = [line for line in text.splitlines() if any(f in line for f in ("--json ", "--stream ", "--passages ",
                                                                                     "--ray ", "--prune ", "--strict "))]
        assert flag_lines, (command, text)
        assert not [line for line in flag_lines if "<bool>" in line], (command, flag_lines)


def test_cli_filters_matching_no_document_say_what_is_indexed_without_a_loading_bar(api_index):
    for command in (["search", "artesunate", "--org", "UNICEF"], ["ask", "artesunate dose", "--org", "UNICEF"]):
        result = run(*command, "--index", str(api_index))
        assert result.returncode == 2, result.stderr
        assert "error: no indexed document from organisation UNICEF; indexed: MSF, WHO" in result.stderr
        assert "Loading weights" not in result.stderr and "it/s" not in result.stderr, result.stderr
    ok = run("search", "artesunate", "--org", "who", "--json", "--index", str(api_index))
    assert ok.returncode == 0 and '"organisation": "WHO"' in ok.stdout
    assert "Loading weights" not in ok.stderr
