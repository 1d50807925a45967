"""`gqa batch` as a real process over the answer index: killed with -9 mid-run, then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.index import answer_questions

ROOT = Path(__file__).resolve().parents[3]


def _gqa(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "batch", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)


def test_resume_after_kill_9_of_a_real_gqa_batch(answer_index, tmp_path):
    n = 150
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(row) + "\n" for row in answer_questions(n)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "GQA_INDEX": str(answer_index), "GQA_BATCH_FSYNC_SECONDS": "0"}
    proc = _gqa(str(src), "-o", str(out), "--concurrency", "4", "--no-progress", env=env)
    deadline = time.monotonic() + 240
    while (not out.exists() or out.read_bytes().count(b"\n") < 5) and proc.poll() is None:
        assert time.monotonic() < deadline, "no records written"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    first = [json.loads(line)["id"] for line in complete.decode().splitlines()]
    assert 5 <= len(first) < n and len(set(first)) == len(first)

    proc = _gqa(str(src), "-o", str(out), "--json", "--no-progress", env=env)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    summary = json.loads(stdout.decode().strip().splitlines()[-1])
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert out.read_bytes().startswith(complete)  # nothing written before the kill was lost or rewritten
    assert len(ids) == n and len(set(ids)) == n  # every question once: no duplicates, no gaps, no torn line
    assert summary["skipped"] == len(first) and summary["answered"] + summary["abstained"] == n - len(first)
