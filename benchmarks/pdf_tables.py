"""Speed and quality of PDF table finding (ingest/pdf_tables.py) over the corpus PDFs.

Per PDF: pages, candidate pages (the cheap test, before and after the page budget), tables
accepted, seconds for the candidate test and for pdfplumber, parse_pdf time with and without
tables, whether every page's numbers survive (page text = prose blocks + table blocks, as
multisets of digit sequences), and sample tables (first rows) to eyeball. Run:
    nice -n 10 .venv/bin/python -m benchmarks.pdf_tables CORPUS_DIR
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from pypdf import PdfReader

from benchmarks.common import RESULTS
from ingest import pdf_tables
from ingest.parsers.pdf import parse_pdf

SAMPLE_LINES = 5  # header, separator and three rows


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - t0


def _numbers_ok(doc) -> list[int]:
    """Pages whose blocks do not hold exactly the page text's numbers."""
    bad = []
    for page, text in enumerate(doc.page_texts, start=1):
        after = sum((pdf_tables.numbers(b.text) for b in doc.blocks if b.page == page), Counter())
        if after != pdf_tables.numbers(text):
            bad.append(page)
    return bad


def measure(path: Path) -> dict:
    plain, t_off = _timed(parse_pdf, path, tables=False)
    doc, t_on = _timed(parse_pdf, path, tables=True)
    # The two table steps again, on their own, as parse_pdf runs them (same cleaned page texts).
    reader = PdfReader(path, strict=False)
    skip = {i - 1 for i in doc.pages_without_text} | {i - 1 for i in doc.ocr_confidence}
    texts = doc.page_texts
    all_candidates = [i for i, t in enumerate(texts) if i not in skip
                      and pdf_tables.numeric_lines(t) >= pdf_tables.MIN_NUMERIC_LINES
                      and pdf_tables.ruling_ops(reader.pages[i]) >= pdf_tables.MIN_RULING_OPS]
    chosen, t_candidates = _timed(pdf_tables.candidate_pages, texts, reader.pages, skip)
    found, t_plumber = _timed(pdf_tables.find_tables, path, {i: texts[i] for i in chosen})
    tables = [b for b in doc.blocks if b.kind == "table"]
    return {
        "pdf": path.name,
        "pages": doc.page_count,
        "candidate_pages": len(all_candidates),
        "candidate_pages_in_budget": len(chosen),
        "tables_accepted": len(tables),
        "pages_with_tables": len({b.page for b in tables}),
        "table_rows": sum(b.text.count("\n") - 1 for b in tables),
        "seconds": {"candidate_test": round(t_candidates, 2), "pdfplumber": round(t_plumber, 2),
                    "parse_without_tables": round(t_off, 2), "parse_with_tables": round(t_on, 2)},
        "overhead_pct": {"measured": round(100 * (t_on / t_off - 1), 1),
                         "components": round(100 * (t_candidates + t_plumber) / t_off, 1)},
        "pdfplumber_ms_per_page": round(1000 * t_plumber / len(chosen), 1) if chosen else None,
        "page_texts_unchanged": plain.page_texts == doc.page_texts,
        "numbers_survive": {"pages_failing_with_tables": _numbers_ok(doc), "pages_failing_without": _numbers_ok(plain)},
        "same_tables_as_parse": sorted(found) == sorted({b.page - 1 for b in tables}),
        "samples": [{"page": b.page, "section": " > ".join(b.section), "rows": b.text.split("\n")[:SAMPLE_LINES]}
                    for b in tables[:5]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=RESULTS / "pdf_tables.json")
    args = parser.parse_args()
    rows = []
    for path in sorted(args.corpus.rglob("*.pdf")):
        rows.append(measure(path))
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "samples"}), flush=True)
    total = {k: round(sum(r["seconds"][k] for r in rows), 2) for k in rows[0]["seconds"]}
    result = {
        "command": "nice -n 10 .venv/bin/python -m benchmarks.pdf_tables ../shared/corpus",
        "settings": {"MIN_NUMERIC_LINES": pdf_tables.MIN_NUMERIC_LINES, "MIN_RULING_OPS": pdf_tables.MIN_RULING_OPS,
                     "MAX_TEXT_SHARE": pdf_tables.MAX_TEXT_SHARE, "MIN_BUDGET_CHARS": pdf_tables.MIN_BUDGET_CHARS},
        "pdfs": len(rows),
        "pages": sum(r["pages"] for r in rows),
        "candidate_pages": sum(r["candidate_pages"] for r in rows),
        "candidate_pages_in_budget": sum(r["candidate_pages_in_budget"] for r in rows),
        "tables_accepted": sum(r["tables_accepted"] for r in rows),
        "pages_with_tables": sum(r["pages_with_tables"] for r in rows),
        "seconds": total,
        "overhead_pct": {"measured": round(100 * (total["parse_with_tables"] / total["parse_without_tables"] - 1), 1),
                         "components": round(100 * (total["candidate_test"] + total["pdfplumber"])
                                             / total["parse_without_tables"], 1)},
        "numbers_survive_all_pages": all(not r["numbers_survive"]["pages_failing_with_tables"] for r in rows),
        "documents": rows,
    }
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "documents"}))


if __name__ == "__main__":
    main()
