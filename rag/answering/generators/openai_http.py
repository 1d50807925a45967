"""An OpenAI-compatible server (vLLM, llama.cpp): /v1/completions or /v1/chat/completions.

Several base URLs are replicas: requests start at the next one in turn and fail over to the
others. Each round over the replicas is retried a bounded number of times with exponential
backoff; 4xx answers (a wrong model name, a prompt too long) are not retried. A stream that
breaks after its first token is not retried either: the caller has already shown the tokens.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator

import httpx
import openai

from rag.answering.generators.base import Generation
from rag.answering.prompt import ANSWER_SCHEMA, NOT_IN_SOURCES, STOP, Budget, chat_messages, completion_prompt, fit_passages
from rag.errors import GeneratorUnavailable
from rag.settings import Settings
from rag.types import Passage

_RETRYABLE = (openai.APIConnectionError, openai.APITimeoutError, openai.InternalServerError, openai.RateLimitError)
_BACKOFF_S = 0.25


class OpenAIGenerator:
    """Answers with an LLM behind one or more OpenAI-compatible base URLs."""

    name = "openai"

    def __init__(self, settings: Settings, http_client: httpx.Client | None = None):
        if not settings.llm_base_url:
            raise GeneratorUnavailable("GQA_LLM_BASE_URL is empty: give the server's URL, e.g. http://127.0.0.1:8001/v1")
        self.settings = settings
        self.urls = list(settings.llm_base_url)
        self.clients = [
            openai.OpenAI(base_url=url, api_key=settings.llm_api_key, timeout=settings.llm_timeout,
                          max_retries=0, http_client=http_client)
            for url in self.urls
        ]
        self._turn = itertools.count()
        self.budget = Budget(settings.llm_context_tokens, settings.llm_max_tokens, settings.llm_max_passages)

    # --- requests
    def _request(self, question: str, passages: list[Passage], stream: bool) -> dict:
        s = self.settings
        args: dict = {"model": s.llm_model, "max_tokens": s.llm_max_tokens, "temperature": s.llm_temperature,
                      "stream": stream}
        args["stop"] = STOP  # a small chat model imitates the examples' separators too
        if s.llm_api == "chat":
            args["messages"] = chat_messages(question, passages)
            if s.llm_structured:
                args["response_format"] = {"type": "json_schema",
                                           "json_schema": {"name": "answer", "schema": ANSWER_SCHEMA}}
        else:
            args["prompt"] = completion_prompt(question, passages)
            if s.llm_structured:
                args["extra_body"] = {"structured_outputs": {"json": ANSWER_SCHEMA}}
        if stream:
            args["stream_options"] = {"include_usage": True}
        return args

    def _call(self, send: Callable[[openai.OpenAI], object]) -> object:
        """`send` on the replicas in turn, with bounded retries and backoff; clear error at the end."""
        start = next(self._turn) % len(self.clients)
        order = self.clients[start:] + self.clients[:start]
        last: Exception | None = None
        for attempt in range(self.settings.llm_retries + 1):
            if attempt:
                time.sleep(_BACKOFF_S * 2 ** (attempt - 1))
            for client in order:
                try:
                    return send(client)
                except _RETRYABLE as exc:
                    last = exc
                except openai.APIStatusError as exc:
                    raise GeneratorUnavailable(f"LLM server {client.base_url} refused the request: "
                                               f"HTTP {exc.status_code}: {exc.message}") from exc
        raise GeneratorUnavailable(
            f"LLM server(s) {', '.join(self.urls)} failed {self.settings.llm_retries + 1} time(s): "
            f"{type(last).__name__}: {last}"
        ) from last

    def _endpoint(self, client: openai.OpenAI):
        return client.chat.completions if self.settings.llm_api == "chat" else client.completions

    def create(self, **args) -> object:
        """One completions (or chat) request with these arguments, over the replicas with retries."""
        return self._call(lambda c: self._endpoint(c).create(**args))

    # --- Generator protocol
    def generate(self, question: str, passages: list[Passage]) -> Generation:
        """One request; the answer text with [n] markers over the passages that fit the prompt."""
        t0 = time.perf_counter()
        given = fit_passages(question, passages, self.budget)
        args = self._request(question, given, stream=False)
        t1 = time.perf_counter()
        response = self.create(**args)
        t2 = time.perf_counter()
        choice = response.choices[0]
        raw = choice.message.content if self.settings.llm_api == "chat" else choice.text
        return self._finish(raw or "", given, passages, response.usage, response.model,
                            {"prompt": (t1 - t0) * 1000, "model": (t2 - t1) * 1000})

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Generation]:
        """Text pieces as the server sends them, then the complete Generation."""
        t0 = time.perf_counter()
        given = fit_passages(question, passages, self.budget)
        args = self._request(question, given, stream=True)
        t1 = time.perf_counter()
        chunks = self.create(**args)
        pieces, usage, model, first = [], None, None, None
        try:
            for chunk in chunks:
                usage = getattr(chunk, "usage", None) or usage
                model = chunk.model or model
                if not chunk.choices:
                    continue
                c = chunk.choices[0]
                piece = (c.delta.content if self.settings.llm_api == "chat" else c.text) or ""
                if piece:
                    first = first or time.perf_counter()
                    pieces.append(piece)
                    yield piece
        except (openai.APIError, httpx.HTTPError, json.JSONDecodeError, ValueError) as exc:
            raise GeneratorUnavailable(f"the LLM stream broke after {len(pieces)} piece(s): {exc}") from exc
        t2 = time.perf_counter()
        timings = {"prompt": (t1 - t0) * 1000, "model": (t2 - t1) * 1000}
        if first:
            timings["first_token"] = (first - t1) * 1000
        yield self._finish("".join(pieces), given, passages, usage, model, timings)

    def _finish(self, raw: str, given: list[Passage], offered: list[Passage], usage, model, timings) -> Generation:
        text, notices = raw.strip(), []
        if len(given) < len(offered):
            notices.append(f"{len(offered) - len(given)} weakest passage(s) left out to fit the model's context")
        if self.settings.llm_structured:
            text, note = structured_to_text(text)
            notices += note
        abstain = text.upper().startswith(NOT_IN_SOURCES) or not text
        usage_d = {k: int(v) for k, v in (usage.model_dump() if usage else {}).items() if isinstance(v, int)}
        return Generation(text, tuple(given), self.name, model or self.settings.llm_model, usage_d, timings,
                          tuple(notices), abstain)


def structured_to_text(raw: str) -> tuple[str, list[str]]:
    """The JSON-schema answer as '[n]'-marked lines; malformed JSON is kept as plain text."""
    try:
        data = json.loads(raw)
        if data.get("abstain"):
            return NOT_IN_SOURCES, []
        lines = [f"{s['text'].strip()} " + "".join(f"[{int(n)}]" for n in s.get("citations", []))
                 for s in data.get("sentences", [])]
        return "\n".join(lines), []
    except (ValueError, TypeError, KeyError, AttributeError):
        return raw, ["the model's structured answer was not valid JSON; read as plain text"]
