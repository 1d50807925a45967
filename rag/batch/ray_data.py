"""Batch at scale on Ray Data: the same retrieval, prompt and citation checks as `gqa batch`.

    questions (driver: rag.batch.engine.answer_file, the same files, bad-row and resume rules)
      -> retrieve   CPU actors, each loading the index and embedder once      (QA.retrieve)
      -> answer     actors with a generator that batches (`generate_many`: vLLM's offline engine
                    on a GPU, GQA_GENERATOR=vllm) get one call per block; any other generator
                    (OpenAI-compatible servers, GQA_GENERATOR=openai) gets concurrent requests
                    from a thread pool; then the citation checks                (QA.finish)
      -> records streamed back to the driver and appended to the output (answer_file's writer)

Ray is an optional extra (`pip install "guideline-qa[ray]"`); vLLM another (`[vllm]`, GPU
nodes). Ray schedules the actors over the cluster; nothing here is a scheduler of our own.
Each actor is an entry point of its own process: it calls `rag.wiring.configure_process` and
builds its objects with rag.wiring, like the CLI and the API.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from rag.answering.generators.base import BatchGenerator, Generation
from rag.batch.engine import Emit, answer_file, answer_record, error_record, error_type_of
from rag.batch.files import BatchItem
from rag.errors import require
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


def _retrieval_qa(s: Settings):
    """The retrieval stage's QA: index, embedder (ONNX query encoder) and reranker, and an extractive
    generator it never calls. The index is opened lazily, as before: with none, each question gets
    an IndexNotFound record rather than the actor failing."""
    from rag.answering.generators.extractive import ExtractiveGenerator
    from rag.wiring import build_qa, build_retriever, open_index

    retriever = build_retriever(s, index=open_index(s, check=False))
    return build_qa(s, retriever=retriever, generator=ExtractiveGenerator(s))


class RetrieveStage:
    """Ray actor: QA.retrieve for a batch of rows (the index and embedder loaded once per actor)."""

    def __init__(self, settings: dict, k: int | None):
        from rag.wiring import configure_process

        s = Settings(**settings)
        configure_process(s)  # an actor is an entry point: its own process
        self.qa, self.k = _retrieval_qa(s), k

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
    """Ray actor: generation (one batched call, or concurrent requests) and the citation checks."""

    def __init__(self, settings: dict, concurrency: int):
        from rag.wiring import build_generator, build_qa, configure_process, load_embedder

        s = Settings(**settings)
        configure_process(s)  # an actor is an entry point: its own process
        # The extractive generator ranks candidate sentences with the embedder too: without it a batch
        # would answer differently from `gqa ask`.
        generator = build_generator(s, load_embedder(s)) if s.generator == "extractive" else None
        self.qa = build_qa(s, retrieval=False, generator=generator)
        self.pool = None if isinstance(self.qa.generator, BatchGenerator) else ThreadPoolExecutor(concurrency)

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
        if self.pool is None:  # one call: the generator's engine batches (vLLM on the GPU)
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


class RayEngine:
    """`answer_file`'s engine on Ray Data: a local Ray, or the cluster at `address`."""

    def __init__(self, ray, settings: Settings, k: int | None, address: str | None, retrievers: int,
                 answerers: int, num_cpus: int | None):
        self.ray, self.settings, self.k = ray, settings, k
        self.address, self.retrievers, self.answerers, self.num_cpus = address, retrievers, answerers, num_cpus
        self._started_here = False

    def check(self) -> None:
        return None  # the index is opened by the retrieval actors, on their nodes

    def start(self) -> None:
        self._started_here = not self.ray.is_initialized()
        if self._started_here:
            if self.address:
                self.ray.init(address=self.address)  # an existing cluster: `ray start --head` / KubeRay
            else:
                self.ray.init(num_cpus=self.num_cpus, include_dashboard=False)  # a local Ray on this machine

    def run(self, items: list[BatchItem], emit: Emit) -> None:
        for item in items:
            if item.error:
                emit(error_record(item, item.error, "bad_input"))
        todo = [i for i in items if not i.error]
        if todo:
            dataset = _dataset(self.ray, todo, self.settings, self.k, self.retrievers, self.answerers)
            for row in dataset.iter_rows():
                emit(json.loads(row["record"]))  # streamed: appended as Ray finishes each block

    def stop(self) -> None:
        if self._started_here:
            self.ray.shutdown()
            self._started_here = False


def ray_batch_file(settings: Settings, input_path: Path, output_path: Path, k: int | None = None,
                   address: str | None = None, retrievers: int = 1, answerers: int = 1,
                   num_cpus: int | None = None) -> dict:
    """`gqa batch` on Ray: same files, same records, same resume rules; returns the summary."""
    engine = RayEngine(_ray(), settings, k, address, retrievers, answerers, num_cpus)
    return {**answer_file(engine, input_path, output_path, settings.batch_fsync_seconds), "engine": "ray"}
