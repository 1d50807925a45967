"""Batch answering: many questions, a bounded number in flight, retrieval running ahead of the model.

    items ─▶ retrieval thread ─▶ (at most `concurrency` retrieved and waiting) ─▶ `concurrency`
    answer threads (each one model request at a time; the OpenAI generator starts each request at
    the next base URL, so they spread over replicas) ─▶ emit(record) as each finishes

Threads, not processes: the model request is I/O, and retrieval (torch, FAISS, SQLite) releases
the GIL. A question that outlives `timeout` gets a timeout record at once; its thread keeps its
slot until the request returns (bounded by the generator's own timeout and retries), so the
number of requests in flight never exceeds `concurrency`.

A question file is answered by `answer_file`, whichever engine runs the questions: reading,
resume (done ids, a torn last record cut), the tally, the writer and the summary are here once;
an `Engine` only answers the pending items (`ThreadEngine`: the threads above; Ray Data actors:
rag.batch.ray_data).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rag.batch.files import BatchItem, ResultWriter, detect_format, done_ids, read_items, repair_output
from rag.errors import BadRequest, GeneratorUnavailable, GuidelineQAError
from rag.types import Answer

if TYPE_CHECKING:
    from rag.qa import QA

Emit = Callable[[dict], None]


@dataclass(frozen=True)
class BatchOptions:
    concurrency: int = 4
    timeout: float = 300.0  # seconds per question, from when its generation starts
    k: int | None = None
    include_passages: bool = False


@dataclass
class Tally:
    """Counts of one run; `summary()` is what `gqa batch` prints at the end."""

    rows: int = 0
    skipped: int = 0  # already answered by an earlier run
    duplicates: int = 0  # a repeated id in the input (first row kept)
    answered: int = 0
    abstained: int = 0
    failed: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0

    def count(self, record: dict) -> None:
        if record["error"]:
            self.failed += 1
        elif record["abstained"]:
            self.abstained += 1
        else:
            self.answered += 1
        self.completion_tokens += int((record.get("usage") or {}).get("completion_tokens", 0))

    @property
    def done(self) -> int:
        return self.answered + self.abstained + self.failed

    def summary(self) -> dict:
        seconds = self.seconds or time.perf_counter() - self.started
        d = {k: v for k, v in asdict(self).items() if k != "started"}
        d.update(seconds=round(seconds, 3), questions_per_s=round(self.done / seconds, 3) if seconds else None,
                 tokens_per_s=round(self.completion_tokens / seconds, 3) if seconds else None)
        return d


def _filters_dict(item: BatchItem) -> dict | None:
    return {k: v for k, v in asdict(item.filters).items() if v is not None} if item.filters else None


def answer_record(item: BatchItem, answer: Answer, extra_timings: dict, include_passages: bool = False) -> dict:
    """The batch contract (id, question, answer, abstained, citations, error) plus the rest of `ask`."""
    d = answer.to_dict()
    record = {"id": item.id, "question": item.question, "answer": d["answer"], "abstained": d["abstained"],
              "citations": d["citations"], "error": None, "error_type": None,
              "timings": {**d["timings"], **{k: round(v, 3) for k, v in extra_timings.items()}},
              "filters": _filters_dict(item), "generator": d["generator"], "model": d["model"],
              "usage": d["usage"], "notices": d["notices"], "disclaimer": d["disclaimer"]}
    if include_passages:
        record["passages"] = d["passages"]
    return record


def error_record(item: BatchItem, message: str, error_type: str) -> dict:
    """A question that got no answer, and why; `error_type` says whether a re-run retries it."""
    return {"id": item.id, "question": item.question, "answer": None, "abstained": None, "citations": [],
            "error": message, "error_type": error_type, "timings": {}, "filters": _filters_dict(item)}


def error_type_of(exc: Exception) -> str:
    if isinstance(exc, BadRequest):
        return "bad_input"
    if isinstance(exc, GeneratorUnavailable):
        return "generator_unavailable"
    return "internal" if not isinstance(exc, GuidelineQAError) else type(exc).__name__.lower()


class _Task:
    """One question being answered: whoever settles it first (worker or watchdog) emits its record."""

    def __init__(self, item: BatchItem, deadline: float):
        self.item, self.deadline = item, deadline
        self._lock = threading.Lock()
        self.settled = False

    def settle(self, record: dict, emit: Emit) -> None:
        with self._lock:
            if self.settled:
                return
            self.settled = True
        emit(record)


class _Run:
    """One batch run's threads and shared state."""

    def __init__(self, qa, emit: Emit, opts: BatchOptions):
        self.qa, self.emit, self.opts = qa, emit, opts
        self.slots = threading.BoundedSemaphore(2 * opts.concurrency)  # in flight + retrieved and waiting
        self.running: set[_Task] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.retrieve_pool = ThreadPoolExecutor(1, thread_name_prefix="gqa-retrieve")
        self.answer_pool = ThreadPoolExecutor(opts.concurrency, thread_name_prefix="gqa-answer")

    def submit(self, item: BatchItem) -> None:
        self.slots.acquire()
        self.retrieve_pool.submit(self._retrieve, item)

    def _retrieve(self, item: BatchItem) -> None:
        t0 = time.perf_counter()
        try:
            r = self.qa.retrieve(item.question, k=self.opts.k, filters=item.filters)
        except Exception as exc:  # one bad question must not stop the run
            self.emit(error_record(item, str(exc) or type(exc).__name__, error_type_of(exc)))
            self.slots.release()
            return
        self.answer_pool.submit(self._answer, item, r, t0, time.perf_counter())

    def _answer(self, item: BatchItem, r, t0: float, t_retrieved: float) -> None:
        started = time.perf_counter()
        task = _Task(item, time.monotonic() + self.opts.timeout)
        with self.lock:
            self.running.add(task)
        try:
            answer = self.qa.answer(r)
            extra = {"queue": (started - t_retrieved) * 1000, "batch_total": (time.perf_counter() - t0) * 1000}
            task.settle(answer_record(item, answer, extra, self.opts.include_passages), self.emit)
        except Exception as exc:
            task.settle(error_record(item, str(exc) or type(exc).__name__, error_type_of(exc)), self.emit)
        finally:
            with self.lock:
                self.running.discard(task)
            self.slots.release()

    def watch(self) -> None:
        """Record a timeout for every question past its deadline (their threads finish later)."""
        while not self.stop.wait(0.2):
            now = time.monotonic()
            with self.lock:
                late = [t for t in self.running if t.deadline <= now and not t.settled]
            for task in late:
                task.settle(error_record(task.item, f"no answer within {self.opts.timeout:g} s", "timeout"), self.emit)

    def close(self, cancel: bool = False) -> None:
        self.retrieve_pool.shutdown(wait=not cancel, cancel_futures=cancel)
        self.answer_pool.shutdown(wait=not cancel, cancel_futures=cancel)
        self.stop.set()


def run_batch(qa, items: Iterable[BatchItem], emit: Emit, opts: BatchOptions) -> None:
    """Answer every item, calling `emit(record)` (from worker threads) as each one finishes."""
    run = _Run(qa, emit, opts)
    watchdog = threading.Thread(target=run.watch, name="gqa-batch-watchdog", daemon=True)
    watchdog.start()
    try:
        for item in items:
            if item.error:
                emit(error_record(item, item.error, "bad_input"))
            else:
                run.submit(item)
    except BaseException:  # Ctrl-C: stop taking questions; what was written stays written
        run.close(cancel=True)
        raise
    run.close()
    watchdog.join()


def pending_items(items: list[BatchItem], done: set[str], tally: Tally) -> list[BatchItem]:
    """The items still to ask: not done by an earlier run, first row of each id."""
    seen: set[str] = set()
    out = []
    for item in items:
        if item.id in seen:
            tally.duplicates += 1
        elif item.id in done:
            tally.skipped += 1
        else:
            out.append(item)
        seen.add(item.id)
    return out


class Engine(Protocol):
    """What runs the pending items of a question file: threads here (`ThreadEngine`) or Ray Data actors."""

    def check(self) -> None:
        """Fail now, before the files are read (e.g. no index)."""

    def start(self) -> None:
        """Take what `run` needs; called once the items to ask are known, before the writer opens."""

    def run(self, items: list[BatchItem], emit: Emit) -> None:
        """Answer every item (bad rows too: a bad-input record), calling `emit(record)` once for each."""

    def stop(self) -> None:
        """Release what `start` took; called after the writer is closed."""


@dataclass(frozen=True)
class ThreadEngine:
    """`run_batch` in this process, over one QA."""

    qa: QA
    opts: BatchOptions

    def check(self) -> None:
        if self.qa.retriever is not None:
            self.qa.retriever.index.get()  # no index: fail now, not with one error record per question

    def start(self) -> None:
        return None

    def run(self, items: list[BatchItem], emit: Emit) -> None:
        run_batch(self.qa, items, emit, self.opts)

    def stop(self) -> None:
        return None


def answer_file(engine: Engine, input_path: Path, output_path: Path, fsync_seconds: float = 1.0,
                on_start: Callable[[int], None] | None = None, on_record: Emit | None = None,
                input_format: str | None = None, output_format: str | None = None) -> dict:
    """Answer a question file into an output file with `engine`, resuming it if it exists; returns the summary."""
    out_fmt = detect_format(output_path, output_format)
    engine.check()
    items = read_items(input_path, input_format)
    repaired = repair_output(output_path, out_fmt)
    tally = Tally(rows=len(items))
    todo = pending_items(items, done_ids(output_path, out_fmt), tally)
    if on_start:
        on_start(len(todo))
    engine.start()
    try:
        writer = ResultWriter(output_path, out_fmt, fsync_seconds)
        lock = threading.Lock()

        def emit(record: dict) -> None:
            writer.write(record)
            with lock:
                tally.count(record)
            if on_record:
                on_record(record)

        tally.started = time.perf_counter()  # throughput of this run, not of reading the files
        try:
            engine.run(todo, emit)
        finally:
            writer.close()
    finally:
        engine.stop()
    tally.seconds = time.perf_counter() - tally.started
    return {**tally.summary(), "output": str(output_path), "repaired_bytes": repaired}


def batch_file(qa, input_path: Path, output_path: Path, opts: BatchOptions, fsync_seconds: float = 1.0,
               on_start: Callable[[int], None] | None = None, on_record: Emit | None = None,
               input_format: str | None = None, output_format: str | None = None) -> dict:
    """Answer a question file into an output file on threads (`run_batch`), resuming it; returns the summary."""
    return answer_file(ThreadEngine(qa, opts), input_path, output_path, fsync_seconds, on_start, on_record,
                       input_format, output_format)
