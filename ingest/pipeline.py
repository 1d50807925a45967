"""Ingest: find guideline files, parse and chunk them in a worker process while the main
process embeds the previous one, and publish the result as one new index version."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunker import ChunkerParams
from ingest.corpus_manifest import load_manifest
from ingest.parse_job import ParseJob, ParseResult
from ingest.parse_runner import run_parse_jobs
from ingest.parsers.formats import SUPPORTED_SUFFIXES
from rag.embedding.embedder import Embedder
from rag.index.layout import sha256_file
from rag.index.writer import IndexWriter
from rag.settings import Settings
from rag.types import DocumentMeta


@dataclass
class FileReport:
    """One line of the ingest summary (the `files` objects of `gqa ingest --json`)."""

    source: str
    status: str  # ingested | unchanged | skipped | failed | removed
    pages: int | None = None
    chunks: int = 0
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"source": self.source, "status": self.status, "pages": self.pages, "chunks": self.chunks, "reason": self.reason}


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(
        default_factory=lambda: {"hash": 0.0, "parse": 0.0, "chunk": 0.0, "embed": 0.0, "write": 0.0})
    version: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def to_dict(self) -> dict:
        return {"files": [f.to_dict() for f in self.files], "seconds": round(self.seconds, 3),
                "stages": {k: round(v, 3) for k, v in self.stages.items()}, "version": self.version}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str
    skip_reason: str | None = None


# A folder's own paperwork (README.md, SOURCES.md, LICENSE.txt) is about the files, not a
# guideline: indexing it would put file lists and licence text among clinical passages.
FOLDER_NOTES = ("readme", "sources", "license", "licence", "notice", "changelog", "contributing")


def _is_folder_note(path: Path) -> bool:
    return path.stem.lower().split(".")[0] in FOLDER_NOTES


def find_files(paths: Iterable[Path]) -> list[SourceFile]:
    """Guideline files under the paths given; `source` is relative to the folder given."""
    found: dict[str, SourceFile] = {}
    for root in paths:
        if root.is_file():
            found[root.name] = SourceFile(root, root.name)
            continue
        if not root.is_dir():
            found[str(root)] = SourceFile(root, str(root))  # reported as failed: does not exist
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not any(p.startswith(".") for p in rel.parts):
                note = "the folder's own notes, not a guideline (give the file by name to ingest it)"
                found[rel.as_posix()] = SourceFile(path, rel.as_posix(), note if _is_folder_note(path) else None)
    return list(found.values())


def ingest(
    paths: list[Path],
    embedder: Embedder,
    settings: Settings,
    *,
    manifest_path: Path | None = None,
    prune: bool = False,
    on_file: Callable[[FileReport], None] = lambda report: None,
) -> IngestReport:
    """Bring the index up to date with the files under `paths`; one bad file never stops the run."""
    started = time.perf_counter()
    report = IngestReport()
    overrides = load_manifest(manifest_path)
    params = ChunkerParams(settings.chunk_tokens, settings.chunk_overlap, embedder.info.max_tokens,
                           settings.chunk_merge_sections)
    files = find_files(paths)
    with IndexWriter(settings.index, embedder.info, params.to_dict(), settings.faiss_index, settings.keep_versions) as writer:
        existing = writer.documents()
        jobs = _plan(files, existing, overrides, settings, params, embedder, report, on_file)
        for job, result in run_parse_jobs(jobs, settings.parse_timeout or None):
            _store(job, result, writer, embedder, report, on_file)
        if prune:
            given = {f.source for f in files if not f.skip_reason}
            for source in sorted(set(existing) - given):
                writer.remove(source)
                _record(report, FileReport(source, "removed", reason="not among the files given (--prune)"), on_file)
        write_started = time.perf_counter()
        version = writer.commit()
        report.stages["write"] += time.perf_counter() - write_started
        report.version = version.name if version else None
    report.seconds = time.perf_counter() - started
    return report


def _record(report: IngestReport, line: FileReport, on_file) -> None:
    report.files.append(line)
    on_file(line)


def _plan(files, existing, overrides, settings, params, embedder, report, on_file) -> list[ParseJob]:
    jobs, seen = [], {}
    for f in files:
        if f.skip_reason:
            _record(report, FileReport(f.source, "skipped", reason=f.skip_reason), on_file)
            continue
        if not f.path.is_file():
            _record(report, FileReport(f.source, "failed", reason=f"{f.path}: no such file or folder"), on_file)
            continue
        t = time.perf_counter()
        try:
            doc_id = sha256_file(f.path)
        except OSError as exc:
            _record(report, FileReport(f.source, "failed", reason=f"{f.path}: cannot read ({exc.strerror})"), on_file)
            continue
        report.stages["hash"] += time.perf_counter() - t
        if doc_id in seen:
            _record(report, FileReport(f.source, "skipped", reason=f"same bytes as {seen[doc_id]}"), on_file)
            continue
        seen[doc_id] = f.source
        if existing.get(f.source) == doc_id:
            _record(report, FileReport(f.source, "unchanged"), on_file)
            continue
        jobs.append(ParseJob(
            path=str(f.path), source=f.source, doc_id=doc_id, overrides=overrides.get(f.source, {}),
            max_pages=settings.max_pages, max_bytes=int(settings.max_file_mb * 2**20), pdf_layout=settings.pdf_layout,
            params=params, tokenizer_file=getattr(embedder, "tokenizer_file", None),
        ))
    return jobs


def _store(job: ParseJob, result: ParseResult, writer: IndexWriter, embedder: Embedder, report: IngestReport, on_file) -> None:
    report.stages["parse"] += result.parse_seconds
    report.stages["chunk"] += result.chunk_seconds
    if result.error:
        _record(report, FileReport(job.source, "failed", pages=result.pages, reason=result.error), on_file)
        return
    meta: DocumentMeta = result.meta
    if not result.chunks:
        _record(report, FileReport(job.source, "failed", pages=result.pages, reason=f"{job.path}: no text to index"), on_file)
        return
    t = time.perf_counter()
    vectors = embedder.embed_documents([f"{c.header}\n{c.text}" for c in result.chunks])
    report.stages["embed"] += time.perf_counter() - t
    t = time.perf_counter()
    if job.source in writer.documents():
        writer.remove(job.source)
    writer.add(meta, result.chunks, vectors, result.page_texts, result.page_labels, file_path=str(Path(job.path).resolve()),
               warnings=result.warnings)
    report.stages["write"] += time.perf_counter() - t
    reason = "; ".join(result.warnings) or None
    _record(report, FileReport(job.source, "ingested", pages=result.pages, chunks=len(result.chunks), reason=reason), on_file)
