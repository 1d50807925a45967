"""The part of ingest that runs in a worker process: parse one file and cut it into chunks.

Runs apart from the embedder so parsing (pure Python, one core) overlaps embedding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.blocks import ParsedDocument
from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.parsers.formats import parse_file
from rag.embedding.tokens import token_counter
from rag.errors import BadDocument
from rag.types import Chunk, DocumentMeta


@dataclass(frozen=True)
class ParseJob:
    path: str
    source: str
    doc_id: str
    overrides: dict
    max_pages: int
    max_bytes: int
    pdf_layout: bool
    params: ChunkerParams
    tokenizer_file: str | None
    ocr: bool = True  # Tesseract for pages without a text layer (settings.ocr)
    pdf_tables: bool = True  # ruled PDF tables as pipe-table blocks (settings.pdf_tables)


@dataclass
class ParseResult:
    meta: DocumentMeta | None = None
    chunks: list[Chunk] = field(default_factory=list)
    page_texts: list[str] = field(default_factory=list)
    page_labels: list[str | None] = field(default_factory=list)
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    parse_seconds: float = 0.0
    chunk_seconds: float = 0.0


def parse_and_chunk(job: ParseJob) -> ParseResult:
    """Parse and chunk one file; bad input comes back as `error`, never as an exception."""
    t0 = time.perf_counter()
    try:
        parsed = parse_file(Path(job.path), max_pages=job.max_pages, max_bytes=job.max_bytes, pdf_layout=job.pdf_layout,
                            ocr=job.ocr, pdf_tables=job.pdf_tables)
    except BadDocument as exc:
        return ParseResult(error=str(exc), parse_seconds=time.perf_counter() - t0)
    except Exception as exc:  # a parser bug must not abort an ingest of hundreds of files
        return ParseResult(error=f"{job.path}: unreadable ({type(exc).__name__}: {exc})", parse_seconds=time.perf_counter() - t0)
    t1 = time.perf_counter()
    meta = document_meta(job, parsed)
    count = token_counter(job.tokenizer_file) if job.tokenizer_file else len
    chunks = chunk_blocks(parsed.blocks, doc_id=job.doc_id, title=meta.title, count_tokens=count, params=job.params)
    return ParseResult(
        meta=meta, chunks=chunks, page_texts=parsed.page_texts, page_labels=parsed.page_labels,
        pages=parsed.page_count, warnings=list(parsed.warnings),
        parse_seconds=t1 - t0, chunk_seconds=time.perf_counter() - t1,
    )


def document_meta(job: ParseJob, parsed: ParsedDocument) -> DocumentMeta:
    """The file's own metadata, overridden field by field by the corpus manifest."""
    o = job.overrides
    pick = lambda key: o.get(key) if o.get(key) is not None else getattr(parsed, key)  # noqa: E731
    return DocumentMeta(
        doc_id=job.doc_id,
        source=job.source,
        title=pick("title") or Path(job.source).stem.replace("_", " "),
        organisation=pick("organisation"),
        year=pick("year"),
        edition=pick("edition"),
        language=pick("language"),
        licence=pick("licence"),
        source_url=pick("source_url"),
        format=parsed.format,
        page_count=parsed.page_count,
        bytes=Path(job.path).stat().st_size,
    )
