"""The parse worker: a file that hangs or kills its process fails alone; the others still parse."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ingest.chunker import ChunkerParams
from ingest.parse_job import ParseJob, ParseResult, parse_and_chunk
from ingest.parse_runner import run_parse_jobs


def _job(path: Path) -> ParseJob:
    return ParseJob(path=str(path), source=path.name, doc_id=path.stem, overrides={}, max_pages=100,
                    max_bytes=1 << 20, pdf_layout=False, params=ChunkerParams(), tokenizer_file=None)


def _misbehaving(job: ParseJob) -> ParseResult:
    """The real parser, except for files named to hang or to kill the worker process."""
    if Path(job.path).name.startswith("hang"):
        time.sleep(3600)
    if Path(job.path).name.startswith("die"):
        os._exit(9)
    return parse_and_chunk(job)


def _files(tmp_path: Path, names: list[str]) -> list[ParseJob]:
    jobs = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"# {name}\n\nOral rehydration salts treat dehydration from diarrhoea.\n")
        jobs.append(_job(path))
    return jobs


def test_a_hanging_file_is_stopped_and_the_rest_parse(tmp_path):
    jobs = _files(tmp_path, ["a.md", "hang.md", "b.md", "c.md"])
    # 10 s: room for the worker's start-up (imports) on a busy machine; the hang would last an hour.
    results = list(run_parse_jobs(jobs, timeout=10, work=_misbehaving))
    assert [job.source for job, _ in results] == ["a.md", "hang.md", "b.md", "c.md"]
    by_name = {job.source: result for job, result in results}
    assert "longer than 10 s" in by_name["hang.md"].error and "GQA_PARSE_TIMEOUT" in by_name["hang.md"].error
    for name in ("a.md", "b.md", "c.md"):
        assert by_name[name].error is None and by_name[name].chunks


def test_a_file_that_kills_the_worker_fails_alone(tmp_path):
    jobs = _files(tmp_path, ["die.md", "a.md", "die-again.md", "b.md"])
    results = {job.source: result for job, result in run_parse_jobs(jobs, timeout=None, work=_misbehaving)}
    assert "process died" in results["die.md"].error and "process died" in results["die-again.md"].error
    assert results["a.md"].chunks and results["b.md"].chunks
