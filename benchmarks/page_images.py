"""Size and time of the citation viewer's page images over the corpus PDFs.

Renders every Nth page of each PDF (13 pages per PDF by default, spread evenly) at the default scale,
as `/v1/documents/{id}/pages/{n}/image` does, and reports PNG sizes and render times. Run:
    .venv/bin/python -m benchmarks.page_images CORPUS_DIR [--per-pdf 13]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pypdfium2 as pdfium

from api.page_images import DEFAULT_SCALE, render_png
from benchmarks.common import RESULTS, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--per-pdf", type=int, default=13)
    parser.add_argument("--out", type=Path, default=RESULTS / "page_images.json")
    args = parser.parse_args()
    rows = []
    for pdf in sorted(args.corpus.rglob("*.pdf")):
        count = len(pdfium.PdfDocument(str(pdf)))
        step = max(1, count // args.per_pdf)
        for index in range(0, count, step)[: args.per_pdf]:
            t0 = time.perf_counter()
            size = len(render_png(str(pdf), index, DEFAULT_SCALE))
            rows.append({"pdf": pdf.name, "page": index + 1, "kb": round(size / 1024, 1),
                         "ms": round((time.perf_counter() - t0) * 1000, 1)})
    sizes, times = [r["kb"] for r in rows], [r["ms"] for r in rows]
    result = {"command": f"python -m benchmarks.page_images CORPUS --per-pdf {args.per_pdf}", "scale": DEFAULT_SCALE,
              "pages": len(rows), "pdfs": len({r["pdf"] for r in rows}),
              "kb": {"p50": percentile(sizes, 50), "p95": percentile(sizes, 95), "max": max(sizes)},
              "over_200_kb": sum(s > 200 for s in sizes),
              "render_ms": {"p50": percentile(times, 50), "p95": percentile(times, 95)}, "rows": rows}
    args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}))


if __name__ == "__main__":
    main()
