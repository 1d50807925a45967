"""Batch benchmark: `gqa batch`'s engine against the same server driven by raw concurrent requests.

  .venv/bin/python -m benchmarks.batch --index INDEX [--n 200] [--concurrency 1,4,16]

- N dev-style questions (variants of ../shared/eval/dev.jsonl's questions, made at run time) through
  rag.batch.engine.batch_file with the OpenAI-compatible generator against a local llama.cpp server
  (tests/support/llm_servers.py starts it) at each concurrency: questions/s and completion tokens/s;
- the same server driven directly by the same number of concurrent raw HTTP requests carrying the
  identical prompts (those our generator sends; questions we abstain on send none): our overhead
  = (our wall time - raw wall time) / raw wall time, goal <= 10%;
- the extractive generator alone over the full dev set: questions/s.
Writes benchmarks/results/batch.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.common import index_arg, out_arg, questions_arg, read_jsonl
from rag.answering.generators.openai_http import OpenAIGenerator
from rag.answering.prompt import fit_passages
from rag.batch.engine import BatchOptions, batch_file
from rag.qa import QA
from rag.settings import Settings
from rag.wiring import build_qa

# Ways users phrase the same need; applied to the dev questions to get N distinct questions.
VARIANTS = ["{q}", "According to the guidelines: {q}", "{q} Please cite the guideline.", "Quick question - {q}"]


def dev_style(items: list[dict], n: int) -> list[dict]:
    """N questions: each dev question in turn, wrapped in the next variant once the list is used up."""
    out = []
    for i in range(n):
        item = items[i % len(items)]
        out.append({"id": f"b{i:04d}", "question": VARIANTS[(i // len(items)) % len(VARIANTS)].format(q=item["question"])})
    return out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ours(qa: QA, questions: list[dict], concurrency: int, tmp: Path) -> dict:
    """The batch engine end to end (files, retrieval, prompts, model, checks)."""
    src = write_jsonl(tmp / f"in-{concurrency}.jsonl", questions)
    out = tmp / f"out-{concurrency}.jsonl"
    t0 = time.perf_counter()
    summary = batch_file(qa, src, out, BatchOptions(concurrency=concurrency, timeout=600))
    wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 3), "questions_per_s": round(len(questions) / wall, 3),
            "completion_tokens": summary["completion_tokens"],
            "tokens_per_s": round(summary["completion_tokens"] / wall, 3),
            "answered": summary["answered"], "abstained": summary["abstained"], "failed": summary["failed"]}


def prompts(qa: QA, gen: OpenAIGenerator, questions: list[dict]) -> list[dict]:
    """The request bodies our generator sends for these questions (none for those we abstain on)."""
    bodies = []
    for q in questions:
        r = qa.retrieve(q["question"])
        if not r.refuse:
            bodies.append(gen._request(r.question, fit_passages(r.question, r.passages, gen.budget), stream=False))
    return bodies


def raw(url: str, api: str, bodies: list[dict], concurrency: int, n_questions: int) -> dict:
    """The same prompts, sent straight to the server by `concurrency` threads."""
    path = "/chat/completions" if api == "chat" else "/completions"
    tokens = []
    with httpx.Client(base_url=url, timeout=600, limits=httpx.Limits(max_connections=concurrency)) as client:
        def send(body: dict) -> int:
            r = client.post(path, json=body)
            r.raise_for_status()
            return int(r.json().get("usage", {}).get("completion_tokens", 0))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            tokens = list(pool.map(send, bodies))
        wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 3), "requests": len(bodies), "questions_per_s": round(n_questions / wall, 3),
            "completion_tokens": sum(tokens), "tokens_per_s": round(sum(tokens) / wall, 3)}


def extractive(index: Path, items: list[dict], tmp: Path) -> dict:
    settings = Settings(index=index)
    qa = build_qa(settings)
    qa.ask(items[0]["question"])  # warm up
    src = write_jsonl(tmp / "dev.jsonl", [{"id": i["id"], "question": i["question"]} for i in items])
    result = {}
    for c in (1, 2):
        t0 = time.perf_counter()
        s = batch_file(QA(qa.retriever, qa.generator, settings), src, tmp / f"ex-{c}.jsonl",
                       BatchOptions(concurrency=c))
        wall = time.perf_counter() - t0
        result[f"concurrency_{c}"] = {"questions": len(items), "wall_s": round(wall, 3),
                                      "questions_per_s": round(len(items) / wall, 3),
                                      "answered": s["answered"], "abstained": s["abstained"], "failed": s["failed"]}
    return result


def llm(args, items: list[dict], tmp: Path) -> dict:
    from tests.support.llm_servers import SERVED_NAME, llama_server

    questions = dev_style(items, args.n)
    with llama_server(tmp) as url:
        settings = Settings(index=args.index, generator="openai", llm_base_url=[url], llm_model=SERVED_NAME,
                            llm_api=args.api, llm_max_tokens=args.max_tokens, llm_context_tokens=2048,
                            llm_max_passages=args.passages, top_k=args.passages, llm_timeout=600)
        gen = OpenAIGenerator(settings)
        qa = QA(build_qa(settings.model_copy(update={"generator": "extractive"})).retriever, gen, settings)
        bodies = prompts(qa, gen, questions)
        raw(url, args.api, bodies[:4], 1, 4)  # warm up the server
        result = {"questions": len(questions), "model_requests": len(bodies), "server": "llama.cpp (llama-cpp-python)",
                  "model": "SmolLM2-135M-Instruct Q4_1", "api": args.api, "max_tokens": args.max_tokens,
                  "passages_per_prompt": args.passages, "runs": {}}
        for c in args.concurrency:
            theirs = raw(url, args.api, bodies, c, len(questions))
            mine = ours(qa, questions, c, tmp)
            result["runs"][str(c)] = {"ours": mine, "raw": theirs,
                                      "overhead": round((mine["wall_s"] - theirs["wall_s"]) / theirs["wall_s"], 4)}
            print(json.dumps({c: result["runs"][str(c)]}), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    index_arg(parser)
    questions_arg(parser)
    out_arg(parser, "batch.json")
    parser.add_argument("--n", type=int, default=200, help="dev-style questions for the LLM runs (0 = skip)")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4, 16])
    parser.add_argument("--api", choices=["chat", "completions"], default="chat")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--passages", type=int, default=3, help="passages per prompt (keeps CPU prompts short)")
    parser.add_argument("--note", default="", help="context to keep with the figures")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    items = read_jsonl(args.questions)
    with tempfile.TemporaryDirectory(prefix="gqa-bench-batch-") as tmp:
        result = {"index": str(args.index), "machine": f"{os.cpu_count()} cores, no GPU", "note": args.note,
                  "loadavg_at_start": os.getloadavg(),
                  "extractive_dev_set": extractive(args.index, items, Path(tmp))}
        print(json.dumps(result["extractive_dev_set"]), flush=True)
        if args.n:
            result["llm"] = llm(args, items, Path(tmp))
    result["loadavg_at_end"] = os.getloadavg()  # the machine is shared: read the figures against this
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
