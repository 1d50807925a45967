"""Batch answering over the answer index (real embedder, `qa` of tests/rag/conftest.py): files in and
out, bad rows, resume, torn records, a hung model server, one run against the real llama.cpp
server, and the same records from Ray Data. (`gqa batch` killed with -9: tests/api/cli/test_batch.py.)"""

from __future__ import annotations

import csv
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from rag.answering.generators.extractive import ExtractiveGenerator
from rag.answering.generators.openai_http import OpenAIGenerator
from rag.batch.engine import BatchOptions, batch_file
from rag.batch.files import CSV_FIELDS, read_items, read_results, repair_output
from rag.index.reader import LiveIndex
from rag.qa import QA
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from tests.support.index import ANSWER_QUESTIONS as QUESTIONS
from tests.support.index import answer_questions as many
from tests.support.llm_servers import SERVED_NAME


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def ids_of(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_round_trip_with_filters_and_bad_rows(qa, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "question": QUESTIONS[0]},
        {"id": "b", "question": QUESTIONS[2], "org": "MSF", "year": 2021},
        {"id": "c", "question": "   "},
        "{not json",
        {"id": "e", "question": QUESTIONS[4], "year": "last year"},
        ["a list, not an object"],
        {"question": QUESTIONS[6]},
    ])
    with src.open("ab") as f:
        f.write(b"{\"id\": \"f\", \"question\": \"\xff\xfe\"}\n")  # not UTF-8
    out = tmp_path / "out.jsonl"
    summary = batch_file(qa, src, out, BatchOptions(concurrency=3))
    records = {r["id"]: r for r in read_results(out)}
    assert summary["rows"] == 8 and summary["failed"] == 5 and summary["answered"] + summary["abstained"] == 3
    assert set(records) == {"a", "b", "c", "row4", "e", "row6", "row7", "row8"}
    for r in records.values():
        assert {"id", "question", "answer", "abstained", "citations", "error", "timings"} <= set(r)
    assert not records["a"]["error"] and any("10 mg/kg" in c["quote"] for c in records["a"]["citations"])
    assert records["b"]["filters"] == {"organisation": "MSF", "year": 2021}
    assert all(c["source"].startswith("msf/") for c in records["b"]["citations"])
    asked = qa.ask(QUESTIONS[6]).to_dict()  # the batch gives what `ask` gives
    assert (records["row7"]["answer"], records["row7"]["abstained"]) == (asked["answer"], asked["abstained"])
    assert records["row7"]["citations"] == asked["citations"]
    assert {records[i]["error_type"] for i in ("c", "row4", "e", "row6", "row8")} == {"bad_input"}
    assert records["a"]["timings"]["batch_total"] >= records["a"]["timings"]["retrieve"]


def test_csv_round_trip_keeps_multiline_answers(qa, tmp_path):
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "question", "org", "lang"])
        w.writerows([["x1", QUESTIONS[0], "", ""], ["x2", QUESTIONS[3], "MSF", "en"], ["x3", "", "", ""]])
    out = tmp_path / "out.csv"
    summary = batch_file(qa, src, out, BatchOptions(concurrency=2))
    assert summary["failed"] == 1
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CSV_FIELDS and sorted(r["id"] for r in rows) == ["x1", "x2", "x3"]
    by_id = {r["id"]: r for r in rows}
    assert "\n" in by_id["x1"]["answer"] and by_id["x1"]["abstained"] == "false"  # one sentence a line
    assert json.loads(by_id["x1"]["citations"]) == qa.ask(QUESTIONS[0]).to_dict()["citations"]
    assert by_id["x2"]["organisation"] == "MSF" and by_id["x3"]["error_type"] == "bad_input"
    # a second run appends nothing and the CSV still parses to the same rows
    assert batch_file(qa, src, out, BatchOptions())["skipped"] == 3
    assert [r["id"] for r in read_results(out)] == [r["id"] for r in rows]


def test_rerun_skips_done_ids_and_never_truncates(qa, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", many(6))
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "q000", "question": QUESTIONS[0], "answer": "earlier", "abstained": False,
                               "citations": [], "error": None}) + "\n"
                   + json.dumps({"id": "q001", "question": QUESTIONS[1], "answer": None, "abstained": None,
                                 "citations": [], "error": "no answer within 5 s", "error_type": "timeout"}) + "\n")
    before = out.read_bytes()
    summary = batch_file(qa, src, out, BatchOptions(concurrency=2))
    assert out.read_bytes().startswith(before)  # appended after, nothing rewritten
    assert summary["skipped"] == 1 and summary["answered"] + summary["abstained"] == 5
    latest = {r["id"]: r for r in read_results(out)}
    assert latest["q000"]["answer"] == "earlier" and latest["q001"]["error"] is None  # the timeout was retried
    assert batch_file(qa, src, out, BatchOptions())["skipped"] == 6


def test_torn_last_record_is_cut_before_appending(qa, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", many(3))
    out = tmp_path / "out.jsonl"
    batch_file(qa, write_jsonl(tmp_path / "one.jsonl", many(1)), out, BatchOptions())
    good = out.read_bytes()
    out.write_bytes(good + b'{"id": "q001", "question": "What fr')  # a write cut by a crash
    summary = batch_file(qa, src, out, BatchOptions())
    assert summary["repaired_bytes"] == len(b'{"id": "q001", "question": "What fr')
    assert out.read_bytes().startswith(good) and sorted(ids_of(out)) == ["q000", "q001", "q002"]


def test_repair_cuts_a_torn_csv_record_inside_quotes(tmp_path):
    out = tmp_path / "out.csv"
    header = ",".join(CSV_FIELDS) + "\n"
    row = 'a,q,"line one\nline two",false,,,[],,,,,1.0\n'
    out.write_text(header + row + 'b,q,"half an ans', encoding="utf-8")
    assert repair_output(out, "csv") == len('b,q,"half an ans')
    assert out.read_text(encoding="utf-8") == header + row


def test_a_bad_output_file_is_refused_not_overwritten(qa, tmp_path):
    out = tmp_path / "notes.csv"
    out.write_text("name,phone\nAda,123\n")
    with pytest.raises(Exception, match="other columns"):
        batch_file(qa, write_jsonl(tmp_path / "in.jsonl", many(1)), out, BatchOptions())
    assert out.read_text() == "name,phone\nAda,123\n"


def test_read_items_csv_without_question_column_is_refused(tmp_path):
    (tmp_path / "q.csv").write_text("id,text\n1,hello\n")
    with pytest.raises(Exception, match="no 'question' column"):
        read_items(tmp_path / "q.csv")


@pytest.fixture
def silent_server():
    """A real socket on 127.0.0.1 that accepts requests and never answers (a hung model server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    conns, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for c in conns:
        c.close()
    server.close()


def test_a_hung_model_server_gives_timeout_records_and_a_rerun_retries_them(answer_index, embedder, silent_server,
                                                                             tmp_path):
    settings = Settings(index=answer_index, top_k=3, generator="openai", llm_base_url=[silent_server], llm_model="m",
                        llm_timeout=8, llm_retries=0)
    qa = QA(Retriever(LiveIndex(answer_index), embedder, settings), OpenAIGenerator(settings), settings)
    src = write_jsonl(tmp_path / "in.jsonl", many(3))
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    seen: list[float] = []
    summary = batch_file(qa, src, out, BatchOptions(concurrency=3, timeout=0.5),
                         on_record=lambda r: seen.append(time.monotonic() - t0))
    records = read_results(out)
    asked = [r for r in records if r["error_type"] != "bad_input"]
    assert asked and all(r["error_type"] == "timeout" and r["answer"] is None for r in asked)
    assert summary["failed"] == 3 and max(seen) < 8  # recorded at the deadline, while the requests still hang
    extractive = QA(qa.retriever, ExtractiveGenerator(settings), settings)
    again = batch_file(extractive, src, out, BatchOptions())
    assert again["skipped"] == len(records) - len(asked) and again["answered"] + again["abstained"] == len(asked)
    assert all(r["error"] is None for r in read_results(out))  # the last record per id wins


@pytest.mark.llm
def test_batch_against_a_real_llama_cpp_server(answer_index, embedder, llama_url, tmp_path):
    # Generous timeouts: the machine is shared, and a busy CPU makes the small model slow.
    settings = Settings(index=answer_index, top_k=2, generator="openai", llm_base_url=[llama_url, llama_url],
                        llm_model=SERVED_NAME, llm_api="chat", llm_max_tokens=16, llm_context_tokens=4096,
                        llm_timeout=900, llm_retries=0)
    qa = QA(Retriever(LiveIndex(answer_index), embedder, settings), OpenAIGenerator(settings), settings)
    src = write_jsonl(tmp_path / "in.jsonl", many(3) + [{"id": "bad", "question": ""}])
    out = tmp_path / "out.jsonl"
    summary = batch_file(qa, src, out, BatchOptions(concurrency=2, timeout=900))
    records = {r["id"]: r for r in read_results(out)}
    assert len(records) == 4 and records["bad"]["error_type"] == "bad_input"
    asked = [r for i, r in records.items() if i != "bad"]
    assert all(r["error"] is None for r in asked), [r["error"] for r in asked]
    by_model = [r for r in asked if "model" in r["timings"]]
    assert by_model and all(r["usage"].get("completion_tokens", 0) >= 1 for r in by_model)
    assert summary["completion_tokens"] >= len(by_model)
    for r in by_model:  # every citation points at a passage it was given, quoted verbatim
        assert all(c["quote"] for c in r["citations"])


# --- Ray Data: a local Ray on this machine (ray.init(num_cpus=2)), never a remote cluster ------
def _ray_run(settings: Settings, src: Path, out: Path) -> dict:
    pytest.importorskip("ray.data", reason='pip install "guideline-qa[ray]"')
    from rag.batch.ray_data import ray_batch_file

    return ray_batch_file(settings, src, out, num_cpus=2)


@pytest.mark.slow
def test_ray_extractive_gives_the_local_records_and_resumes(qa, tmp_path):
    rows = many(10) + [{"id": "empty", "question": ""}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    batch_file(qa, src, local, BatchOptions(concurrency=2))
    write_jsonl(on_ray, [json.loads(line) for line in local.read_text().splitlines()[:4]])  # an interrupted run
    summary = _ray_run(qa.settings, src, on_ray)
    assert summary["skipped"] == 4 and summary["failed"] == 1
    mine, theirs = ({r["id"]: r for r in read_results(p)} for p in (local, on_ray))
    assert sorted(theirs) == sorted(mine) and len(ids_of(on_ray)) == len(rows)
    keys = ("answer", "abstained", "citations", "error", "error_type")
    assert all([theirs[i][k] for k in keys] == [mine[i][k] for k in keys] for i in mine)


@pytest.mark.slow
@pytest.mark.llm
def test_ray_against_the_real_llama_cpp_server(answer_index, llama_url, tmp_path):
    settings = Settings(index=answer_index, generator="openai", llm_base_url=[llama_url], llm_model=SERVED_NAME,
                        llm_api="chat", llm_max_tokens=16, llm_context_tokens=4096, batch_concurrency=2,
                        llm_timeout=900, llm_retries=0, top_k=2)
    src = write_jsonl(tmp_path / "in.jsonl", many(2))
    summary = _ray_run(settings, src, tmp_path / "out.jsonl")
    records = read_results(tmp_path / "out.jsonl")
    assert len(records) == 2 and all(r["error"] is None for r in records), records
    assert summary["completion_tokens"] >= sum(1 for r in records if "model" in r["timings"]) > 0
    assert all(r["model"] for r in records if "model" in r["timings"])
