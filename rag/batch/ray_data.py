"""Batch at scale on Ray Data: the same retrieval, prompt and citation checks as `gqa batch`.

    questions (driver: rag.batch.files, same bad-row and resume rules)
      -> retrieve   CPU actors, each loading the index and embedder once      (QA.retrieve)
      -> answer     GPU actors holding vLLM's offline engine (GQA_GENERATOR=vllm, batched
                    generate), or CPU actors sending concurrent requests to OpenAI-compatible
                    servers (GQA_GENERATOR=openai), then the citation checks   (QA.finish)
      -> records streamed back to the driver and appended to the output (rag.batch.files)

Ray is an optional extra (`pip install "guideline-qa[ray]"`); vLLM another (`[vllm]`, GPU
nodes). Ray schedules the actors over the cluster; nothing here is a scheduler of our own.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from rag.batch.engine import Tally, error_type_of, answer_record, error_record, pending_items
from rag.batch.files import BatchItem, ResultWriter, detect_format, done_ids, read_items, repair_output
from rag.errors import GuidelineQAError, require
from rag.answering.generators.base import Generation
from rag.qa import Retrieved
from rag.settings import Settings
from rag.types import Filters, Passage

def _ray():
    require("ray.data", "ray", "gqa batch --ray", "ray[data]")
    import ray

    return ray


# --- rows: plain JSON strings, so Ray moves them between nodes as Arrow columns ----------
def _item_row(item: BatchItem) -> dict:
    return {"row": item.row, "id": item.id, "question": item.question,
            "filters": json.dumps(asdict(item.filters)) if item.filters else ""}


def _item(row: dict) -> BatchItem:
    filters = Filters(**json.loads(row["filters"])) if row["filters"] else None
    return BatchItem(int(row["row"]), str(row["id"]), str(row["question"]), filters)


def _passages_json(passages) -> str:
    return json.dumps([{**p.to_dict(), "scores": p.scores} for p in passages])


def _passages(text: str) -> list[Passage]:
    return [Passage(**d) for d in json.loads(text)]


def _qa(settings: dict, with_generator: bool):
    """The retrieval stage's QA (index + embedder, a generator it never calls), or the answer stage's
    (the configured generator, no index)."""
    from rag.embedding.embedder import load_embedder
    from rag.answering.generators.base import build_generator
    from rag.answering.generators.extractive import ExtractiveGenerator
    from rag.qa import QA
    from rag.retrieval.retriever import build_retriever

    s = Settings(**settings)
    if with_generator:
        return QA(None, build_generator(s), s)
    embedder = load_embedder(s.embedding_model, s.embed_batch_size, s.torch_threads)
    return QA(build_retriever(s, embedder=embedder), ExtractiveGenerator(s), s)


class RetrieveStage:
    """Ray actor: QA.retrieve for a batch of rows (the index and embedder loaded once per actor)."""

    def __init__(self, settings: dict, k: int | None):
        self.qa, self.k = _qa(settings, with_generator=False), k

    def __call__(self, batch):
        out = []
        for row in batch.to_dict("records"):
            item = _item(row)
            extra = {"passages": "", "timings": "", "signals": "", "refuse": False, "error": "", "error_type": ""}
            try:
                r = self.qa.retrieve(item.question, k=self.k, filters=item.filters)
                extra.update(passages=_passages_json(r.passages), timings=json.dumps(r.timings),
                             signals=json.dumps(r.signals), refuse=bool(r.refuse))
            except Exception as exc:  # one bad question must not fail the whole dataset
                extra.update(error=str(exc) or type(exc).__name__, error_type=error_type_of(exc))
            out.append({**row, **extra})
        return _frame(out)


class AnswerStage:
    """Ray actor: generation (vLLM batched on a GPU, or concurrent OpenAI requests) and citation checks."""

    def __init__(self, settings: dict, concurrency: int):
        self.qa = _qa(settings, with_generator=True)
        self.pool = ThreadPoolExecutor(concurrency) if self.qa.generator.name != "vllm" else None

    def __call__(self, batch):
        rows = batch.to_dict("records")
        retrieved = {i: self._retrieved(r) for i, r in enumerate(rows) if not r["error"]}
        to_model = [i for i, r in retrieved.items() if not r.refuse]
        generations = self._generate([retrieved[i] for i in to_model])
        by_row = dict(zip(to_model, generations))
        return _frame([{"id": r["id"], "record": json.dumps(self._record(r, retrieved.get(i), by_row.get(i)),
                                                            ensure_ascii=False)} for i, r in enumerate(rows)])

    @staticmethod
    def _retrieved(row: dict) -> Retrieved:
        return Retrieved(row["question"], _passages(row["passages"]), json.loads(row["timings"]),
                         json.loads(row["signals"]), bool(row["refuse"]), time.perf_counter())

    def _generate(self, items: list[Retrieved]) -> list[Generation | Exception]:
        gen = self.qa.generator
        if self.pool is None:  # vLLM: one generate call; the engine batches on the GPU
            try:
                return gen.generate_many([(r.question, r.passages) for r in items])
            except Exception as exc:
                return [exc] * len(items)

        def one(r: Retrieved) -> Generation | Exception:
            try:
                return gen.generate(r.question, r.passages)
            except Exception as exc:
                return exc

        return list(self.pool.map(one, items))

    def _record(self, row: dict, r: Retrieved | None, generation) -> dict:
        item = _item(row)
        if r is None:
            return error_record(item, row["error"], row["error_type"])
        if isinstance(generation, Exception):
            return error_record(item, str(generation) or type(generation).__name__, error_type_of(generation))
        try:
            answer = self.qa.answer(r) if generation is None else self.qa.finish(r, generation)
        except Exception as exc:
            return error_record(item, str(exc) or type(exc).__name__, error_type_of(exc))
        return answer_record(item, answer, {})


def _frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows)


def _dataset(ray, todo: list[BatchItem], settings: Settings, k: int | None, retrievers: int, answerers: int):
    s = settings.model_dump(mode="json")
    gpus = 1 if settings.generator == "vllm" else 0
    ds = ray.data.from_items([_item_row(i) for i in todo])
    ds = ds.map_batches(RetrieveStage, fn_constructor_kwargs={"settings": s, "k": k}, batch_size=16,
                        batch_format="pandas", compute=ray.data.ActorPoolStrategy(size=retrievers), num_cpus=1)
    return ds.map_batches(AnswerStage, fn_constructor_kwargs={"settings": s, "concurrency": settings.batch_concurrency},
                          batch_size=max(16, 2 * settings.batch_concurrency), batch_format="pandas",
                          compute=ray.data.ActorPoolStrategy(size=answerers), num_gpus=gpus,
                          num_cpus=0 if gpus else 1)


def ray_batch_file(settings: Settings, input_path: Path, output_path: Path, k: int | None = None,
                   address: str | None = None, retrievers: int = 1, answerers: int = 1,
                   num_cpus: int | None = None) -> dict:
    """`gqa batch` on Ray: same files, same records, same resume rules; returns the summary."""
    ray = _ray()
    out_fmt = detect_format(output_path)
    items = read_items(input_path)
    repaired = repair_output(output_path, out_fmt)
    tally = Tally(rows=len(items))
    todo = pending_items(items, done_ids(output_path, out_fmt), tally)
    bad = [i for i in todo if i.error]
    todo = [i for i in todo if not i.error]
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address)  # an existing cluster: `ray start --head` / KubeRay
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False)  # a local Ray on this machine
    writer = ResultWriter(output_path, out_fmt, settings.batch_fsync_seconds)
    tally.started = time.perf_counter()
    try:
        for item in bad:
            record = error_record(item, item.error, "bad_input")
            writer.write(record)
            tally.count(record)
        if todo:
            for row in _dataset(ray, todo, settings, k, retrievers, answerers).iter_rows():
                record = json.loads(row["record"])
                writer.write(record)  # streamed: appended as Ray finishes each block
                tally.count(record)
    finally:
        writer.close()
        if started_here:
            ray.shutdown()
    tally.seconds = time.perf_counter() - tally.started
    return {**tally.summary(), "output": str(output_path), "repaired_bytes": repaired, "engine": "ray"}
