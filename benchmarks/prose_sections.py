"""Pages where a prose line printed below a heading is filed under another section.

    .venv/bin/python -m benchmarks.prose_sections PDF [PDF ...] > benchmarks/results/prose_sections_after.jsonl
    PDF_MODULE=path/to/older/pdf.py .venv/bin/python -m benchmarks.prose_sections PDF ...   # an older parser

Ground truth: pdfplumber line boxes (ingest.pdf_tables), read by column then height; a line is expected under
the last heading printed above it. One JSON line per document.
"""
import importlib.util
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pdfplumber

if os.environ.get("PDF_MODULE"):
    spec = importlib.util.spec_from_file_location("pdf_alt", os.environ["PDF_MODULE"])
    pdf = importlib.util.module_from_spec(spec)
    sys.modules["pdf_alt"] = pdf
    spec.loader.exec_module(pdf)
else:
    from ingest.parsers import pdf
from ingest import pdf_tables  # noqa: E402


def reading_keys(boxes):  # (column, top); two columns if >= 25% of lines start right of the text's middle
    placed = [b for b in boxes if b is not None]
    if not placed:
        return [None] * len(boxes)
    mid = (min(b[0] for b in placed) + max(b[2] for b in placed)) / 2
    two = sum(1 for b in placed if b[0] >= mid) >= 0.25 * len(placed)
    return [None if b is None else (int(two and b[0] >= mid), b[1]) for b in boxes]

def measure(path, max_check=10**9):
    seen = {}
    real = pdf._blocks
    def spy(pages, labels, marks, *a, **k):
        seen["marks"] = marks
        return real(pages, labels, marks, *a, **k)
    pdf._blocks = spy
    t = time.perf_counter()
    doc = pdf.parse_pdf(path, ocr=False)
    elapsed = time.perf_counter() - t
    pdf._blocks = real
    marks = seen["marks"]
    by_page = {}
    for m in marks:
        by_page.setdefault(m.page_index, []).append(m)
    blocks_by_page = {}
    for b in doc.blocks:
        blocks_by_page.setdefault(b.page - 1, []).append(b)
    section = ()
    checked = bad_pages = bad_lines = lines_checked = unmeasurable = 0
    examples = []
    with pdfplumber.open(str(path)) as plumber:
        for index, text in enumerate(doc.page_texts):
            prev = section
            parts = [(0, section, None)]
            for mark in by_page.get(index, []):
                cut = parts[-1][0]
                off = pdf._heading_offset(text, mark.path[-1], cut)
                if off is None and mark.must_find:
                    continue
                parts.append((cut if off is None else off, mark.path, None if off is None else text.count("\n", 0, off)))
            section = parts[-1][1]
            if len(parts) == 1 or checked >= max_check:
                continue
            heads = [(h, p) for _, p, h in parts[1:]]
            if any(h is None for h, _ in heads) or any(b.kind == "text" and "[OCR" in b.text
                                                       for b in blocks_by_page.get(index, [])):
                unmeasurable += 1
                continue
            page = plumber.pages[index]
            boxes = pdf_tables.line_boxes(page, text)
            page.close()
            keys = reading_keys(boxes)
            if any(boxes[h] is None for h, _ in heads):
                unmeasurable += 1
                continue
            checked += 1
            lines = text.split("\n")
            counts = Counter(lines)
            where = {}
            for b in blocks_by_page.get(index, []):
                if b.kind != "text":
                    continue
                for l in b.text.split("\n"):  # noqa: E741
                    where.setdefault(l, []).append(b.section)
            head_lines = {h for h, _ in heads}
            page_bad = 0
            for n, line in enumerate(lines):
                if n in head_lines or not line.strip() or counts[line] > 1 or boxes[n] is None:
                    continue
                if len(where.get(line, [])) != 1:
                    continue
                cands = [(keys[h], p) for h, p in heads if keys[h] <= keys[n]]
                if not cands:
                    expected = prev
                else:
                    top = max(k for k, _ in cands)
                    if len({p for k, p in cands if k == top}) != 1:
                        continue
                    expected = [p for k, p in cands if k == top][0]
                lines_checked += 1
                actual = where[line][0]
                if actual != expected:
                    page_bad += 1
                    if len(examples) < 6:
                        examples.append((index + 1, line[:60], " > ".join(actual)[-50:], " > ".join(expected)[-50:]))
            bad_lines += page_bad
            bad_pages += bool(page_bad)
    return {"doc": path.name, "parse_s": round(elapsed, 2), "pages": doc.page_count,
            "font_headings": any(m.must_find for m in marks), "heading_pages_checked": checked,
            "unmeasurable_heading_pages": unmeasurable, "pages_misfiled": bad_pages, "lines_checked": lines_checked,
            "lines_misfiled": bad_lines, "examples": examples}

if __name__ == "__main__":
    out = [measure(Path(a)) for a in sys.argv[1:]]
    for r in out:
        print(json.dumps(r, ensure_ascii=False))
