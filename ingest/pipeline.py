"""Ingest: find guideline files, parse and chunk them in a worker process while the main
process embeds the previous one, and publish the result as one new index version.

Nothing to ingest (an empty folder, only unsupported formats) is an error that says what was
found and what is supported, and no version is written; neither is one when every file failed.
Progress is reported in pages (`on_total`, then `on_pages` while chunks are embedded), since one
big PDF can take minutes and a per-file count would stand still.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunker import ChunkerParams
from ingest.corpus_manifest import load_manifest
from ingest.metadata import superseded
from ingest.parse_job import ParseJob, ParseResult
from ingest.parse_runner import run_parse_jobs
from ingest.parsers.formats import SUPPORTED_SUFFIXES
from rag.embedding.embedder import Embedder
from rag.errors import BadRequest
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


class NothingToIngest(BadRequest):
    """The paths hold no file that could be ingested."""


# Common guideline formats we cannot read yet, and what to do instead.
_UNSUPPORTED_HINT = {".docx": "DOCX", ".doc": "DOC", ".rtf": "RTF", ".odt": "ODT", ".epub": "EPUB", ".pptx": "PPTX"}

# Passages embedded per progress step: small enough that a bar moves every few seconds on a CPU.
EMBED_STEP = 256


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


def _unsupported(paths: Iterable[Path]) -> Counter:
    """Suffixes of the files under `paths` that no parser reads (hidden files left out)."""
    found: Counter = Counter()
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for path in candidates:
            rel = path.relative_to(root) if root.is_dir() else Path(path.name)
            if path.is_file() and not any(p.startswith(".") for p in rel.parts) \
                    and path.suffix.lower() not in SUPPORTED_SUFFIXES:
                found[path.suffix.lower() or "(no extension)"] += 1
    return found


def nothing_to_ingest(paths: list[Path], files: list[SourceFile]) -> str | None:
    """Why `files` (found under `paths`) give nothing to ingest, or None when some file can be tried."""
    if any(not f.skip_reason for f in files):
        return None
    where = ", ".join(str(p) for p in paths)
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    other = _unsupported(paths)
    found = [f"{n} {suffix} file{'s' if n > 1 else ''}" for suffix, n in sorted(other.items())]
    found += [f"{f.source} (skipped: {f.skip_reason})" for f in files]
    names = sorted({_UNSUPPORTED_HINT[s] for s in other if s in _UNSUPPORTED_HINT})
    hint = f"; {' and '.join(names)} {'is' if len(names) == 1 else 'are'} not supported: save as PDF" if names else ""
    what = "found " + ", ".join(found) if found else "no files found"
    return f"nothing to ingest in {where}: {what}; supported formats: {supported}{hint}"


def count_pages(path: Path) -> int:
    """Pages of a file, cheaply, for the progress total (a PDF's page tree; 1 for other formats or on error)."""
    if path.suffix.lower() != ".pdf":
        return 1
    try:
        from pypdf import PdfReader

        return max(1, len(PdfReader(str(path)).pages))
    except Exception:  # a broken PDF is reported by its parse; the total is only an estimate
        return 1


def ingest(
    paths: list[Path],
    embedder: Embedder,
    settings: Settings,
    *,
    manifest_path: Path | None = None,
    prune: bool = False,
    on_file: Callable[[FileReport], None] = lambda report: None,
    on_total: Callable[[int], None] = lambda pages: None,
    on_pages: Callable[[float], None] = lambda pages: None,
) -> IngestReport:
    """Bring the index up to date with the files under `paths`; one bad file never stops the run.

    NothingToIngest when the paths hold no file to try. `on_total(pages)` once the files to parse
    are known, then `on_pages(n)` as their pages are embedded (a share of a file's pages per step)."""
    started = time.perf_counter()
    report = IngestReport()
    overrides = load_manifest(manifest_path)
    params = ChunkerParams(settings.chunk_tokens, settings.chunk_overlap, embedder.info.max_tokens,
                           settings.chunk_merge_sections)
    files = find_files(paths)
    reason = nothing_to_ingest(paths, files)
    if reason and not prune:  # before the writer opens: not even an empty index folder is left behind
        raise NothingToIngest(reason)
    with IndexWriter(settings.index, embedder.info, params.to_dict(), settings.faiss_index, settings.keep_versions) as writer:
        existing = writer.documents()
        jobs = _plan(files, existing, overrides, settings, params, embedder, report, on_file)
        pages = {job.source: count_pages(Path(job.path)) for job in jobs}
        on_total(sum(pages.values()))
        for job, result in run_parse_jobs(jobs, settings.parse_timeout or None):
            _store(job, result, writer, embedder, report, on_file, _Pages(pages[job.source], on_pages))
        if prune:
            given = {f.source for f in files if not f.skip_reason}
            for source in sorted(set(existing) - given):
                writer.remove(source)
                _record(report, FileReport(source, "removed", reason="not among the files given (--prune)"), on_file)
        # Over every document of the new version, not just this run's files: an edition added to an
        # index that holds the previous one marks that one superseded.
        writer.supersede(superseded(writer.editions()))
        if report.count("ingested") or report.count("removed") or not report.count("failed"):
            write_started = time.perf_counter()
            version = writer.commit()
            report.stages["write"] += time.perf_counter() - write_started
            report.version = version.name if version else None
        # else every file tried failed: nothing new to publish (and no empty first version)
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
            ocr=settings.ocr, pdf_tables=settings.pdf_tables, params=params,
            tokenizer_file=getattr(embedder, "tokenizer_file", None),
        ))
    return jobs


@dataclass
class _Pages:
    """One file's share of the progress total, handed out as its chunks are embedded."""

    total: int
    report: Callable[[float], None]
    given: float = 0.0

    def advance(self, share: float) -> None:
        step = min(self.total - self.given, self.total * share)
        if step > 0:
            self.given += step
            self.report(step)

    def finish(self) -> None:
        self.advance(1.0)


def _embed(embedder: Embedder, texts: list[str], pages: _Pages) -> np.ndarray:
    """Vectors of `texts`, in steps of EMBED_STEP so progress moves within a big file."""
    parts = []
    for start in range(0, len(texts), EMBED_STEP):
        parts.append(embedder.embed_documents(texts[start:start + EMBED_STEP]))
        pages.advance(len(parts[-1]) / len(texts))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _store(job: ParseJob, result: ParseResult, writer: IndexWriter, embedder: Embedder, report: IngestReport, on_file,
           pages: _Pages) -> None:
    report.stages["parse"] += result.parse_seconds
    report.stages["chunk"] += result.chunk_seconds
    if result.error:
        pages.finish()
        _record(report, FileReport(job.source, "failed", pages=result.pages, reason=result.error), on_file)
        return
    meta: DocumentMeta = result.meta
    if not result.chunks:
        pages.finish()
        _record(report, FileReport(job.source, "failed", pages=result.pages, reason=f"{job.path}: no text to index"), on_file)
        return
    t = time.perf_counter()
    vectors = _embed(embedder, [f"{c.header}\n{c.text}" for c in result.chunks], pages)
    pages.finish()
    report.stages["embed"] += time.perf_counter() - t
    t = time.perf_counter()
    if job.source in writer.documents():
        writer.remove(job.source)
    writer.add(meta, result.chunks, vectors, result.page_texts, result.page_labels, file_path=str(Path(job.path).resolve()),
               warnings=result.warnings)
    report.stages["write"] += time.perf_counter() - t
    reason = "; ".join(result.warnings) or None
    _record(report, FileReport(job.source, "ingested", pages=result.pages, chunks=len(result.chunks), reason=reason), on_file)
