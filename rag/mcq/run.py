"""Run (item, mode) pairs concurrently against OpenAI-compatible servers, one record per pair.

Requests go through `OpenAIGenerator`'s clients (replicas in turn, bounded retries, clear errors),
so `GQA_LLM_BASE_URL` with several URLs spreads the load as `gqa batch` does. As in the batch
engine, one thread retrieves ahead (question only, never the options: MIRAGE's rule) while
`concurrency` threads each keep one request in flight. The output JSONL is append-only through the
batch `ResultWriter`; a re-run cuts a torn last line and skips the (item, mode) pairs that have a
record without an error, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rag.answering.generators.openai_http import OpenAIGenerator
from rag.answering.prompt import Budget
from rag.batch.engine import error_type_of
from rag.batch.files import ResultWriter, repair_output
from rag.errors import BadRequest, GeneratorUnavailable
from rag.mcq import prompts
from rag.mcq.items import MCQItem
from rag.mcq.parse import parse_choice
from rag.mcq.stats import summarize
from rag.settings import Settings
from rag.types import Passage

Emit = Callable[[dict], None]
CONSTRAINED = ("auto", "on", "off")
_PROBE = ["Q7", "Z3"]  # a reply of exactly one of these only comes from a server that honours the choice


@dataclass(frozen=True)
class MCQOptions:
    modes: tuple[str, ...] = prompts.MODES
    concurrency: int = 8
    k: int = 5  # passages retrieved for `rag`
    max_tokens: int = 8  # 'Answer: X' and a little slack
    constrained: str = "auto"  # auto: use it when the server honours a choice constraint


def shown(n: int, p: Passage) -> dict:
    """What an item record keeps of a passage the model saw."""
    return {"n": n, "chunk_id": p.chunk_id, "source": p.source, "pages": p.pages, "organisation": p.organisation,
            "title": p.title, "year": p.year, "score": round(p.score, 6)}


class MCQRunner:
    """Prompts, sends and parses one (item, mode) at a time; `run` does many concurrently."""

    def __init__(self, settings: Settings, opts: MCQOptions, retriever=None, generator: OpenAIGenerator | None = None):
        unknown = set(opts.modes) - set(prompts.MODES)
        if unknown or not opts.modes:
            raise BadRequest(f"--modes: unknown mode(s) {', '.join(sorted(unknown)) or '(none)'}; use closed and/or rag")
        if opts.constrained not in CONSTRAINED:
            raise BadRequest(f"--constrained must be one of {', '.join(CONSTRAINED)}")
        if "rag" in opts.modes and retriever is None:
            raise BadRequest("mode 'rag' needs an index to retrieve from (--index or GQA_INDEX)")
        self.settings, self.opts, self.retriever = settings, opts, retriever
        self.gen = generator or OpenAIGenerator(settings)
        self.chat = settings.llm_api == "chat"
        self.budget = Budget(settings.llm_context_tokens, opts.max_tokens, opts.k)
        self.guide: str | None = None  # the request field the server honours, once `prepare` has probed

    # --- one request
    def _send(self, args: dict):
        args = {"model": self.settings.llm_model, "temperature": 0.0, "seed": 0, **args}
        return self.gen.create(**args)

    def _text(self, response) -> str:
        choice = response.choices[0]
        return (choice.message.content if self.chat else choice.text) or ""

    def _guide_body(self, name: str, choices: list[str]) -> dict:
        return {"structured_outputs": {"choice": choices}} if name == "structured_outputs" else {"guided_choice": choices}

    def prepare(self) -> None:
        """Decide on constrained decoding: probe the server unless told off (on: fail if it can't)."""
        if self.opts.constrained == "off":
            return
        for name in ("structured_outputs", "guided_choice"):  # vLLM's current field, then its older one
            body = {"max_tokens": 4, "extra_body": self._guide_body(name, _PROBE)}
            body |= ({"messages": [{"role": "user", "content": "Say Q7 or Z3."}]} if self.chat
                     else {"prompt": "Say Q7 or Z3:"})
            try:
                if self._text(self._send(body)).strip() in _PROBE:
                    self.guide = name
                    return
            except GeneratorUnavailable:
                continue
        if self.opts.constrained == "on":
            raise GeneratorUnavailable("--constrained on: the LLM server does not honour a choice constraint "
                                       "(vLLM's structured_outputs / guided_choice); use --constrained auto or off")

    def request(self, item: MCQItem, passages: list[Passage] | None) -> dict:
        """The request arguments for one item (identical across runs: fixed prompt, seed, temperature 0)."""
        args: dict = {"max_tokens": self.opts.max_tokens, "stop": prompts.STOP}
        if self.chat:
            args["messages"] = prompts.chat_messages(item, passages)
        else:
            args["prompt"] = prompts.completion_prompt(item, passages)
        if self.guide:
            args["extra_body"] = self._guide_body(self.guide, item.letters)
        return args

    def retrieve(self, item: MCQItem) -> tuple[list[Passage], float]:
        t0 = time.perf_counter()
        passages = list(self.retriever.search(item.question, k=self.opts.k).passages)
        return prompts.fit(item, passages, self.budget), (time.perf_counter() - t0) * 1000

    def answer(self, item: MCQItem, mode: str, passages: list[Passage] | None, retrieve_ms: float = 0.0) -> dict:
        """Ask the model once and parse its letter; a failed request gives an error record (retried on resume)."""
        base = {"id": item.id, "dataset": item.dataset, "key": item.key, "mode": mode, "answer": item.answer}
        if passages is not None:
            base["passages"] = [shown(n, p) for n, p in enumerate(passages, 1)]
            base["retrieve_ms"] = round(retrieve_ms, 3)
        args = self.request(item, passages)
        base["prompt_sha256"] = hashlib.sha256(json.dumps(args.get("messages") or args["prompt"]).encode()).hexdigest()[:16]
        t0 = time.perf_counter()
        try:
            response = self._send(args)
        except Exception as exc:  # one failed request must not stop the run
            return {**base, "choice": None, "correct": None, "unparsed": None, "raw": None,
                    "error": str(exc) or type(exc).__name__, "error_type": error_type_of(exc)}
        raw = self._text(response)
        choice = parse_choice(raw, item.options)
        usage = {k: int(v) for k, v in (response.usage.model_dump() if response.usage else {}).items() if isinstance(v, int)}
        return {**base, "choice": choice, "correct": choice == item.answer, "unparsed": choice is None, "raw": raw,
                "constrained": self.guide, "api": "chat" if self.chat else "completions", "model": response.model,
                "usage": usage, "latency_ms": round((time.perf_counter() - t0) * 1000, 3), "error": None}

    # --- many
    def run(self, pairs: list[tuple[MCQItem, str]], emit: Emit) -> None:
        """Answer every pair, calling `emit(record)` from worker threads as each finishes."""
        slots = threading.BoundedSemaphore(2 * self.opts.concurrency)  # in flight + retrieved and waiting
        answer_pool = ThreadPoolExecutor(self.opts.concurrency, thread_name_prefix="gqa-mcq")
        retrieve_pool = ThreadPoolExecutor(1, thread_name_prefix="gqa-mcq-retrieve")

        def answer(item: MCQItem, mode: str, passages, ms: float) -> None:
            try:
                emit(self.answer(item, mode, passages, ms))
            finally:
                slots.release()

        def retrieve(item: MCQItem) -> None:
            try:
                passages, ms = self.retrieve(item)
            except Exception as exc:
                emit({"id": item.id, "dataset": item.dataset, "key": item.key, "mode": "rag", "answer": item.answer,
                      "choice": None, "correct": None, "error": str(exc) or type(exc).__name__,
                      "error_type": error_type_of(exc)})
                slots.release()
                return
            answer_pool.submit(answer, item, "rag", passages, ms)

        try:
            for item, mode in pairs:
                slots.acquire()
                if mode == "rag":
                    retrieve_pool.submit(retrieve, item)
                else:
                    answer_pool.submit(answer, item, mode, None, 0.0)
        except BaseException:  # Ctrl-C: stop; what was written stays written
            retrieve_pool.shutdown(wait=False, cancel_futures=True)
            answer_pool.shutdown(wait=False, cancel_futures=True)
            raise
        retrieve_pool.shutdown(wait=True)  # first: it still submits to the answer pool
        answer_pool.shutdown(wait=True)


def read_records(path: Path) -> dict[tuple[str, str], dict]:
    """The last record per (item key, mode) in an output file (after `repair_output`)."""
    latest: dict[tuple[str, str], dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                r = json.loads(line)
                latest[(r["key"], r["mode"])] = r
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return latest


def run_items(runner: MCQRunner, items: list[MCQItem], output: Path | None = None,
              on_start: Callable[[int], None] | None = None, on_record: Emit | None = None) -> tuple[list[dict], dict]:
    """Every (item, mode) of `items`, resuming `output` if it exists; returns the final records and the summary."""
    modes = list(runner.opts.modes)
    old: dict[tuple[str, str], dict] = {}
    if output is not None:
        repair_output(output, "jsonl")
        old = read_records(output)
    wanted = {(i.key, m) for i in items for m in modes}
    final = {k: r for k, r in old.items() if k in wanted and not r.get("error")}
    pairs = [(i, m) for i in items for m in modes if (i.key, m) not in final]  # both modes of an item side by side
    if on_start:
        on_start(len(pairs))
    runner.prepare()
    writer = ResultWriter(output, "jsonl") if output is not None else None
    new: dict[tuple[str, str], dict] = {}
    lock = threading.Lock()

    def emit(record: dict) -> None:
        if writer:
            writer.write(record)
        with lock:
            new[(record["key"], record["mode"])] = record
        if on_record:
            on_record(record)

    t0 = time.perf_counter()
    try:
        runner.run(pairs, emit)
    finally:
        if writer:
            writer.close()
    seconds = time.perf_counter() - t0
    merged = {**final, **new}
    records = [merged[(i.key, m)] for i in items for m in modes if (i.key, m) in merged]
    summary = summarize(records, modes)
    summary |= {"skipped": len(final), "asked": len(pairs), "seconds": round(seconds, 3),
                "pairs_per_s": round(len(pairs) / seconds, 3) if seconds and pairs else None,
                "constrained": runner.guide, "api": "chat" if runner.chat else "completions",
                "model": runner.settings.llm_model, "output": str(output) if output else None}
    return records, summary
