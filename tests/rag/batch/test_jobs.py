"""The batch runner lease: one holder per jobs DB across processes, released by the kernel when its
holder dies, so another process takes over the queue."""

from __future__ import annotations

import subprocess
import sys
import time

from rag.batch.jobs import RunnerLease

HOLD = """
import sys, time
from pathlib import Path
from rag.batch.jobs import RunnerLease
assert RunnerLease(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_one_holder_at_a_time_within_a_process(tmp_path):
    first, second = RunnerLease(tmp_path / "jobs.sqlite.lock"), RunnerLease(tmp_path / "jobs.sqlite.lock")
    assert first.acquire() and first.acquire()  # holding it already counts
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_a_dead_holders_lease_passes_to_another_process(tmp_path):
    path = tmp_path / "jobs.sqlite.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        waiting = RunnerLease(path)
        assert not waiting.acquire()
        holder.kill()  # no release, no clean-up: the kernel drops the flock with the process
        holder.wait(timeout=30)
        deadline = time.monotonic() + 10
        while not waiting.acquire():
            assert time.monotonic() < deadline, "the lease was not freed by the holder's death"
            time.sleep(0.05)
        waiting.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
