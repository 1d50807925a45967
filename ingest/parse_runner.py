"""Runs parse jobs in one worker process, in order, with a time limit per file.

A PDF that sends the parser into a loop, or kills its process (out of memory), must fail that
file, not hang or abort an ingest of hundreds: the worker is killed, the file reported, and a
fresh worker takes the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from ingest.parse_job import ParseJob, ParseResult, parse_and_chunk


class _WorkerLost(Exception):
    """The worker overran or died on this job: report it and start a fresh worker for the rest."""

    def __init__(self, result: ParseResult):
        self.result = result


def run_parse_jobs(jobs: list[ParseJob], timeout: float | None,
                   work: Callable[[ParseJob], ParseResult] = parse_and_chunk) -> Iterator[tuple[ParseJob, ParseResult]]:
    """(job, result) in the jobs' order, parsed ahead in a worker while the caller embeds.

    `timeout` counts from when the caller starts waiting for a file, so a file parsed while the
    caller was busy never counts against it; None waits forever.
    """
    pending = list(jobs)
    while pending:
        pool = ProcessPoolExecutor(max_workers=1)
        futures: list[Future] = [pool.submit(work, job) for job in pending]
        finished, lost = 0, False
        try:
            for job, future in zip(pending, futures):
                try:
                    result = _result(job, future, timeout)
                except _WorkerLost as exc:
                    _kill(pool)
                    result, lost = exc.result, True
                finished += 1
                yield job, result
                if lost:
                    break
        finally:
            # Wait for the worker to exit: a forked worker shares the index writer's lock file.
            pool.shutdown(wait=True, cancel_futures=True)
        pending = pending[finished:]


def _result(job: ParseJob, future: Future, timeout: float | None) -> ParseResult:
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise _WorkerLost(ParseResult(error=(
            f"{job.path}: parsing took longer than {timeout:g} s and was stopped; if the file is sound "
            "but very large, raise GQA_PARSE_TIMEOUT"))) from None
    except BrokenProcessPool as exc:
        raise _WorkerLost(ParseResult(error=f"{job.path}: the parser process died ({exc}); the file was skipped")) from None
    except Exception as exc:  # noqa: BLE001 - an error the worker could not return as a result
        return ParseResult(error=f"{job.path}: parser crashed ({type(exc).__name__}: {exc})")


def _kill(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
        process.join(timeout=10)
