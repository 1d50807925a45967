"""`rag.mcq.run` against real servers: llama.cpp's (both modes, both layouts, both prompt styles,
resume) and vLLM's own CPU server (constrained decoding to the option letters). Retrieval is the real
retriever over the small test index (tests/conftest.py `small_index`, real embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.index.reader import LiveIndex
from rag.mcq.items import load_items
from rag.mcq.parse import parse_choice
from rag.mcq.run import MCQOptions, MCQRunner, read_records, run_items
from rag.mcq.stats import summarize
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from tests.support.llm_servers import SERVED_NAME

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mcq"


@pytest.fixture(scope="module")
def retriever(small_index, embedder):
    return Retriever(LiveIndex(small_index), embedder, Settings(index=small_index))


def settings(url: str, **kw) -> Settings:
    return Settings(**{"llm_base_url": url, "llm_model": SERVED_NAME, "llm_retries": 1, "llm_timeout": 120,
                       "llm_context_tokens": 4096, **kw})


def check_records(records: list[dict], items, modes, retriever) -> None:
    assert [(r["key"], r["mode"]) for r in records] == [(i.key, m) for i in items for m in modes]
    by_key = {i.key: i for i in items}
    for r in records:
        item = by_key[r["key"]]
        assert r["error"] is None and r["answer"] == item.answer
        assert r["choice"] == parse_choice(r["raw"], item.options)  # what the model said, parsed, never guessed
        assert r["unparsed"] is (r["choice"] is None) and r["correct"] is (r["choice"] == item.answer)
        assert r["usage"]["prompt_tokens"] > 50 and r["latency_ms"] > 0
        if r["mode"] == "rag":
            # retrieved with the question alone (options play no part), numbered in rank order, with pages
            wanted = [p.chunk_id for p in retriever.search(item.question, k=5).passages]
            assert [p["chunk_id"] for p in r["passages"]] == wanted[: len(r["passages"])] and r["passages"]
            assert [p["n"] for p in r["passages"]] == list(range(1, len(r["passages"]) + 1))
            assert all(p["pages"] and p["organisation"] and p["title"] and p["year"] for p in r["passages"])
        else:
            assert "passages" not in r


@pytest.mark.llm
@pytest.mark.parametrize("api", ["completions", "chat"])
def test_both_modes_both_layouts_on_llama_cpp(llama_url, retriever, tmp_path, api):
    items = load_items(FIXTURES / "mirage_small.json", limit=2) + load_items(FIXTURES / "small.jsonl", limit=1)
    runner = MCQRunner(settings(llama_url, llm_api=api), MCQOptions(concurrency=3, constrained="off"), retriever)
    out = tmp_path / "items.jsonl"
    records, summary = run_items(runner, items, out)
    check_records(records, items, ["closed", "rag"], retriever)
    assert summary == {**summarize(records, ["closed", "rag"]), **{k: summary[k] for k in
                       ("skipped", "asked", "seconds", "pairs_per_s", "constrained", "api", "model", "output")}}
    assert summary["n"] == 3 and summary["asked"] == 6 and summary["api"] == api
    assert set(summary["by_dataset"]) == {"guidelines", ""} and summary["paired"]["n"] == 3
    # the same -o again: nothing asked, the same records and summary
    again_records, again = run_items(MCQRunner(runner.settings, runner.opts, retriever), items, out)
    assert again["asked"] == 0 and again["skipped"] == 6 and again_records == records
    assert again["modes"] == summary["modes"]


@pytest.mark.llm
def test_resume_keeps_done_pairs_retries_failed_and_cuts_a_torn_line(llama_url, retriever, tmp_path):
    items = load_items(FIXTURES / "small.jsonl")
    runner = MCQRunner(settings(llama_url), MCQOptions(modes=("closed",), concurrency=2, constrained="off"))
    out = tmp_path / "items.jsonl"
    first, _ = run_items(runner, items[:2], out)
    failed = {**first[1], "error": "LLM server down", "error_type": "generator_unavailable", "choice": None}
    with out.open("a") as f:
        f.write(json.dumps(failed) + "\n" + '{"id": "j3", "mode": "clo')  # a failure, then a torn record
    records, summary = run_items(runner, items, out)
    assert summary["skipped"] == 1 and summary["asked"] == 3  # j2 retried, j3 and j4 new
    assert records[0] == first[0] and [r["id"] for r in records] == ["j1", "j2", "j3", "j4"]
    assert all(r["error"] is None for r in records)
    assert set(read_records(out)) == {(i.key, "closed") for i in items}
    assert records[1]["prompt_sha256"] == first[1]["prompt_sha256"]  # the same prompt on the retry


@pytest.mark.llm
def test_constrained_auto_is_decided_by_what_the_server_does(llama_url):
    runner = MCQRunner(settings(llama_url), MCQOptions(modes=("closed",), constrained="auto"))
    runner.prepare()
    items = load_items(FIXTURES / "mirage_small.json", limit=2)
    records, summary = run_items(runner, items)
    assert summary["constrained"] == runner.guide
    if runner.guide:  # honoured: every reply is exactly a letter
        assert all(r["raw"].strip() in r["answer"] + "ABCD" and not r["unparsed"] for r in records)


@pytest.mark.llm
@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_server_both_modes_with_constrained_letters(vllm_url, retriever):
    items = load_items(FIXTURES / "mirage_small.json") + load_items(FIXTURES / "small.jsonl")
    # The base-model path Meditron-3 takes; the chat prompt is exercised against llama.cpp's server above,
    # and each vLLM pass costs minutes on a CPU.
    for api in ("completions",):
        # 8 long rag prompts queue on a 2-core CPU server: give each request minutes, not the default 120 s.
        runner = MCQRunner(settings(vllm_url, llm_api=api, llm_timeout=600), MCQOptions(concurrency=8, constrained="on"),
                           retriever)
        records, summary = run_items(runner, items)
        check_records(records, items, ["closed", "rag"], retriever)
        assert summary["constrained"] in ("structured_outputs", "guided_choice")
        by_key = {i.key: i for i in items}
        for r in records:  # the server kept to the option letters: nothing to parse, nothing unparsed
            assert r["raw"].strip() in by_key[r["key"]].letters and r["choice"] == r["raw"].strip()
        assert summary["modes"]["closed"]["unparsed"] == summary["modes"]["rag"]["unparsed"] == 0
