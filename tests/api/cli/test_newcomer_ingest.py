"""`gqa ingest` and `make run` as a newcomer meets them (real processes): an empty or unsupported folder
stops with one clear line and no index, every file failing announces no version, and with stdout not
a terminal each file gets a log line (and no "Loading weights" bar)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rag.index import layout
from tests.support.pdf import make_corrupt_pdf
from tests.support.servers import write_corpus

ROOT = Path(__file__).resolve().parents[3]
GQA = str(Path(sys.executable).with_name("gqa"))


def _env(**extra: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GQA_") and k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    return {**clean, "HF_HUB_OFFLINE": "1", **extra}


def gqa_ingest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([GQA, "ingest", *args], capture_output=True, text=True, timeout=600, env=_env(),
                          stdin=subprocess.DEVNULL)


def test_empty_and_unsupported_folders_stop_with_one_line_and_no_index(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    docx = tmp_path / "docx"
    docx.mkdir()
    (docx / "malaria.docx").write_bytes(b"PK\x03\x04")
    (docx / "cholera.rtf").write_text("{\\rtf1 cholera}")
    for folder, found in ((empty, "no files found"), (docx, "found 1 .docx file, 1 .rtf file")):
        result = gqa_ingest(str(folder), "--index", str(tmp_path / "index"))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: nothing to ingest in {folder}: {found}"), lines
        assert "supported formats: .htm, .html, .markdown, .md, .pdf, .txt" in lines[0]
        assert "try: gqa search" not in result.stdout
    assert "DOCX and RTF are not supported" in lines[0]
    assert not (tmp_path / "index").exists()


def test_every_file_failing_announces_no_version(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    make_corrupt_pdf(folder / "corrupt.pdf")
    result = gqa_ingest(str(folder), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert "no new version written: every file failed" in result.stdout
    assert "->" not in result.stdout and "try: gqa search" not in result.stdout
    assert layout.list_versions(tmp_path / "index") == []


def test_a_log_line_per_file_off_a_terminal_and_no_loading_bar(tmp_path):
    write_corpus(tmp_path / "corpus")
    result = gqa_ingest(str(tmp_path / "corpus"), "--index", str(tmp_path / "index"))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("ingest: [")]
    assert lines == ["ingest: [1/3] msf/cholera.html ingested, 1 chunks",
                     "ingest: [2/3] who/hypertension.pdf ingested, 3 pages, 1 chunks",
                     "ingest: [3/3] who/malaria.md ingested, 1 chunks"], result.stderr
    assert "Loading weights" not in result.stderr and "it/s" not in result.stderr, result.stderr
    assert "-> v000001; try: gqa search" in result.stdout


def test_make_run_on_an_empty_folder_stops_before_serving(tmp_path):
    empty = tmp_path / "guidelines"
    empty.mkdir()
    # -o: take the set-up stamp as up to date (setting up is `make setup`'s business, not this test's)
    result = subprocess.run(["make", "-o", ".venv/.setup-done", "run", f"CORPUS={empty}"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env=_env(GQA_INDEX=str(tmp_path / "index")), stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    assert f"error: nothing to ingest in {empty}: no files found" in result.stderr
    assert "Guideline QA on http" not in result.stderr + result.stdout
    assert not (tmp_path / "index").exists()
