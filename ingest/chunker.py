"""Blocks -> chunks that fit the embedder, each keeping its pages, lines and section.

Consecutive blocks of one section are joined and split together (a paragraph may run over a
page break); a chunk's page span is the set of blocks its characters came from. Sizes are
counted with the embedder's own tokenizer, contextual header included, because the
embedder silently truncates past its limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.blocks import Block
from ingest.tables import split_table
from rag.types import Chunk

SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]
JOINER = "\n"


@dataclass(frozen=True)
class ChunkerParams:
    chunk_tokens: int = 200  # target size, header included
    chunk_overlap: int = 40
    max_tokens: int = 256  # the embedder's hard limit
    merge_small_sections: bool = True  # join short sibling sections into one chunk under their parent

    def to_dict(self) -> dict:
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap": self.chunk_overlap, "max_tokens": self.max_tokens,
                "merge_small_sections": self.merge_small_sections}


Run = tuple[tuple[str, ...], list[Block]]


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def merge_small_runs(runs: list[Run], size: Callable[[Run], int], limit: int) -> list[Run]:
    """Join consecutive sections of one page that share a parent while header + text fit one chunk.

    A guideline's short subsections (a drug's "Indications", a two-line recommendation, a
    heading followed directly by its first subsection) would otherwise each be a tiny chunk:
    several of them fill the top results for one page, and a chunk too small to hold its own
    context is hard to find. Only sections meeting on one page join (unpaged text: always), so
    page citations stay as narrow as before. The joined run keeps the section path of its
    longest part (the other parts' headings stay in its text).
    """
    merged: list[tuple[Run, int]] = []  # (run, characters of its longest part)
    for section, blocks in runs:
        chars = sum(len(b.text) for b in blocks)
        if merged:
            (prev_section, prev_blocks), longest = merged[-1]
            joined = prev_blocks + blocks
            same_page = prev_blocks[-1].page == blocks[0].page
            if same_page and _common_prefix(prev_section, section) and size((prev_section, joined)) <= limit:
                merged[-1] = ((section, joined), chars) if chars > longest else ((prev_section, joined), longest)
                continue
        merged.append(((section, blocks), chars))
    return [run for run, _ in merged]


def make_header(title: str, section: tuple[str, ...]) -> str:
    """The contextual line embedded and indexed with a chunk, never quoted."""
    return f"{title} — {' > '.join(section)}" if section else title


def chunk_id(doc_id: str, seq: int, text: str) -> str:
    """A stable id from content: re-ingesting the same file gives the same ids."""
    return hashlib.sha256(f"{doc_id}\x00{seq}\x00{text}".encode()).hexdigest()[:24]


def chunk_blocks(
    blocks: list[Block],
    *,
    doc_id: str,
    title: str,
    count_tokens: Callable[[str], int],
    params: ChunkerParams,
) -> list[Chunk]:
    """Cut a document's blocks into chunks; never across sections, never over the token limit."""
    chunks: list[Chunk] = []
    runs = [(section, list(run)) for section, run in groupby((b for b in blocks if b.text.strip()), key=lambda b: b.section)]
    if params.merge_small_sections:
        runs = merge_small_runs(runs, lambda r: count_tokens(make_header(title, r[0]) + JOINER + _join(r[1])[0]),
                                params.chunk_tokens)
    for section, run in runs:
        header = make_header(title, section)
        for segment in _segments(run, header, count_tokens, params):
            if segment[0].kind == "table" and len(segment) == 1:
                pieces = _split_table_block(segment[0], header, count_tokens, params)
            else:
                pieces = ((text, [b for b, _, _ in covered], lines)
                          for text, covered, lines in _split_run(segment, header, count_tokens, params))
            for text, blocks_, lines in pieces:
                chunks.append(_make_chunk(doc_id, len(chunks), text, header, section, blocks_, lines, count_tokens))
    return chunks


def _segments(run: list[Block], header: str, count_tokens, params: ChunkerParams) -> list[list[Block]]:
    """A run that fits one chunk stays whole; else each table block is cut on its own, between rows."""
    if not any(b.kind == "table" for b in run) or count_tokens(header + JOINER + _join(run)[0]) <= params.chunk_tokens:
        return [run]
    segments: list[list[Block]] = []
    for is_table, group in groupby(run, key=lambda b: b.kind == "table"):
        members = list(group)
        segments.extend([[b] for b in members] if is_table else [members])
    return segments


def _split_table_block(block: Block, header: str, count_tokens, params: ChunkerParams):
    """Whole rows per chunk, the header rows (and the row group's label) repeated in every piece."""
    # Rows are packed up to the embedder's limit, not the prose target: a row apart from its header means nothing.
    for text, first, last in split_table(block.text, lambda t: count_tokens(f"{header}\n{t}") <= params.max_tokens):
        lines = (block.line_start + first, block.line_start + last) if block.line_start is not None else None
        for piece, _ in _fit(text, 0, header, count_tokens, params):  # one row longer than the embedder's limit
            yield piece, [block], lines


def _split_run(
    run: list[Block], header: str, count_tokens: Callable[[str], int], params: ChunkerParams
) -> Iterator[tuple[str, list[tuple[Block, int, int]], tuple[int, int] | None]]:
    joined, spans = _join(run)
    budget = max(16, params.chunk_tokens - count_tokens(header))
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        chunk_size=budget,
        chunk_overlap=min(params.chunk_overlap, budget // 2),
        length_function=lambda s: count_tokens(s) - 2,  # [CLS] and [SEP] counted once, below
    )
    for piece, offset in _with_offsets(joined, splitter.split_text(joined)):
        for text, start in _fit(piece, offset, header, count_tokens, params):
            end = start + len(text)
            covered = [(b, lo, hi) for b, (lo, hi) in zip(run, spans) if lo < end and hi > start]
            yield text, covered, _line_span(joined, start, end, covered)


def _with_offsets(joined: str, pieces: list[str]) -> Iterator[tuple[str, int]]:
    """Where each piece starts; pieces come in order, so each is searched after the last start.

    (The splitter's own start_index mixes token and character units when overlap is counted
    in tokens, so it is not used.)
    """
    cursor = 0
    for piece in pieces:
        found = joined.find(piece, cursor)
        if found < 0:  # whitespace stripped differently: fall back to the cursor, never lose text
            found = cursor
        yield piece, found
        cursor = found + 1


def _fit(text: str, start: int, header: str, count_tokens, params: ChunkerParams) -> Iterator[tuple[str, int]]:
    """Halve a piece until header + text fits the embedder (the splitter's counts are per piece)."""
    if count_tokens(f"{header}\n{text}") <= params.max_tokens or len(text) < 2:
        yield text, start
        return
    cut = text.rfind(" ", 0, len(text) // 2) + 1 or len(text) // 2
    yield from _fit(text[:cut].rstrip(), start, header, count_tokens, params)
    rest = text[cut:]
    yield from _fit(rest.lstrip(), start + cut + (len(rest) - len(rest.lstrip())), header, count_tokens, params)


def _join(run: list[Block]) -> tuple[str, list[tuple[int, int]]]:
    parts, spans, cursor = [], [], 0
    for block in run:
        spans.append((cursor, cursor + len(block.text)))
        parts.append(block.text)
        cursor += len(block.text) + len(JOINER)
    return JOINER.join(parts), spans


def _line_span(joined: str, start: int, end: int, covered) -> tuple[int, int] | None:
    """Exact source lines of [start, end): block lines map one to one onto file lines."""
    with_lines = [(b, lo, hi) for b, lo, hi in covered if b.line_start is not None]
    if not with_lines:
        return None
    first, lo, _ = with_lines[0]
    last, lo_last, _ = with_lines[-1]
    line_start = first.line_start + joined.count("\n", lo, max(lo, start))
    line_end = last.line_start + joined.count("\n", lo_last, max(lo_last, end - 1))
    return line_start, min(line_end, last.line_end or line_end)


def _make_chunk(doc_id, seq, text, header, section, covered: list[Block], lines, count_tokens) -> Chunk:
    pages = [b.page for b in covered if b.page is not None]
    labels = list(dict.fromkeys(b.page_label for b in covered if b.page_label))
    return Chunk(
        chunk_id=chunk_id(doc_id, seq, text),
        doc_id=doc_id,
        seq=seq,
        text=text,
        header=header,
        section=section,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        page_labels=tuple(labels),
        line_start=lines[0] if lines else None,
        line_end=lines[1] if lines else None,
        n_tokens=count_tokens(f"{header}\n{text}"),
    )
