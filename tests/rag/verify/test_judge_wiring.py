"""The LLM judge as GQA_VERIFY_JUDGE wires it, against a real OpenAI-shaped HTTP server on 127.0.0.1 (stdlib
http.server answering /completions and /chat/completions with one word): off, it is never asked; on, a claim the
rules leave undecided takes its verdict and the reason names it; a number, negation or drug mismatch found by the
rules stands whatever it answers; a dead or slow server leaves the rules' verdict; GQA_VERIFY_JUDGE without
GQA_LLM_BASE_URL is one clear settings error. Through the verifier, `gqa verify` and POST /v1/verify; one `llm`
test sends the judge's request to the real llama.cpp server (SmolLM2)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from api.cli.verify import register
from api.settings_errors import describe
from rag.settings import Settings
from rag.types import Passage
from rag.verify.judge import Judge
from rag.verify.verifier import verify_against
from rag.wiring import build_judge, build_retriever, build_verifier

# The served corpus (tests/support/servers.py): the rules find no mismatch but too few words (67%) to decide.
UNDECIDED = "Artemether-lumefantrine tablets are swallowed twice a day for three days with food."
NUMBER = "Children weighing less than 20 kg should receive a higher dose of artesunate, 6 mg/kg per dose."
NEGATION = "Do not treat adults and children with severe malaria with intravenous or intramuscular artesunate."

ZINC = "Give zinc supplements to children with diarrhoea for 10–14 days. Do not give antibiotics for simple diarrhoea."
AMOXICILLIN = "Give oral amoxicillin 40 mg/kg twice daily for 5 days."


@dataclass
class Served:
    url: str
    word: str
    delay: float = 0.0
    requests: list[tuple[str, dict]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        served: Served = self.server.served
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        served.requests.append((self.path, body))
        time.sleep(served.delay)
        if self.path == "/v1/chat/completions":
            choice = {"index": 0, "message": {"role": "assistant", "content": served.word}, "finish_reason": "stop"}
        elif self.path == "/v1/completions":
            choice = {"index": 0, "text": f" {served.word}", "finish_reason": "stop"}
        else:
            self.send_error(404)
            return
        data = json.dumps({"id": "cmpl-1", "model": body.get("model"), "choices": [choice]}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def log_message(self, *args) -> None:
        pass


@contextmanager
def judge_server(word: str = "SUPPORTED", delay: float = 0.0) -> Iterator[Served]:
    """An OpenAI-compatible server on 127.0.0.1 that answers every request with `word`, recording each one."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.served = Served(f"http://127.0.0.1:{httpd.server_address[1]}/v1", word, delay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.served
    finally:
        httpd.shutdown()
        httpd.server_close()


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there any more


def passage(text: str, n: int = 1) -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2020, section="Treatment", pages=[10 + n], page_labels=[],
                   lines=None, doc_id=f"d{n}", rank=n)


PASSAGES = [passage(ZINC, 1), passage(AMOXICILLIN, 2)]


@pytest.fixture(scope="module")
def retriever(api_index, embedder):
    return build_retriever(Settings(index=api_index), embedder=embedder)


def _settings(api_index, url: str, **more) -> Settings:
    return Settings(index=api_index, llm_base_url=[url], llm_model="judge-model", **more)


# --- (a) off: never built, never asked
def test_off_no_judge_is_built_and_the_server_is_never_asked(api_index, retriever):
    with judge_server("SUPPORTED") as served:
        settings = _settings(api_index, served.url)  # a server is configured, the setting is off
        assert settings.verify_judge is False and build_judge(settings) is None
        verifier = build_verifier(settings, retriever)
        assert verifier.judge is None
        got = verifier.verify_claim(UNDECIDED)
        assert (got.verdict, got.rule) == ("unsupported", "coverage"), got.reason
        assert verifier.with_k(3).verify_text(f"{UNDECIDED} {NUMBER}")[0].verdict == "unsupported"
    assert served.requests == []


# --- (b) on: an undecided claim takes the judge's verdict, and the reason says so
@pytest.mark.parametrize("api, path", [("completions", "/v1/completions"), ("chat", "/v1/chat/completions")])
def test_on_an_undecided_claim_takes_the_judges_supported(api_index, retriever, api, path):
    with judge_server("SUPPORTED") as served:
        verifier = build_verifier(_settings(api_index, served.url, verify_judge=True, llm_api=api), retriever)
        got = verifier.verify_claim(UNDECIDED)
    assert (got.verdict, got.rule) == ("supported", "judge"), got.reason
    assert got.reason.startswith("the LLM judge (judge-model) found") and "67%" in got.reason  # and the rules' reason
    assert got.evidence[0].passage.source == "who/malaria.md"  # the quote was also found on the original lines
    ((asked, body),) = served.requests
    assert asked == path and body["model"] == "judge-model" and body["temperature"] == 0
    prompt = body["prompt"] if api == "completions" else body["messages"][0]["content"]
    assert UNDECIDED in prompt and "Artemether-lumefantrine is given twice daily for three days." in prompt


def test_on_an_undecided_claim_takes_the_judges_contradicted_and_unsupported_changes_nothing(api_index, retriever):
    with judge_server("CONTRADICTED") as served:
        verifier = build_verifier(_settings(api_index, served.url, verify_judge=True), retriever)
        got = verifier.verify_claim(UNDECIDED)
        assert (got.verdict, got.rule) == ("contradicted", "judge") and "LLM judge" in got.reason
        served.word = "UNSUPPORTED"
        rules = verifier.verify_claim(UNDECIDED)
    assert (rules.verdict, rules.rule) == ("unsupported", "coverage") and "judge" not in rules.reason
    assert len(served.requests) == 2


@pytest.mark.anyio
async def test_the_api_verify_route_uses_the_judge(make_client):
    with judge_server("SUPPORTED") as served:
        async with make_client(verify_judge=True, llm_base_url=[served.url], llm_model="judge-model") as c:
            plain = await c.post("/v1/verify", json={"text": UNDECIDED})
            top_k = await c.post("/v1/verify", json={"text": UNDECIDED, "top_k": 3})
    assert plain.status_code == 200 and top_k.status_code == 200, (plain.text, top_k.text)
    sentences = [plain.json()["sentences"][0], top_k.json()["sentences"][0]]
    assert [s["verdict"] for s in sentences] == ["supported", "supported"]
    assert all(s["reason"].startswith("the LLM judge (judge-model)") for s in sentences)
    assert len(served.requests) == 2


def test_gqa_verify_uses_the_judge(api_index, monkeypatch):
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)
    with judge_server("SUPPORTED") as served:
        monkeypatch.setenv("GQA_VERIFY_JUDGE", "1")
        monkeypatch.setenv("GQA_LLM_BASE_URL", served.url)
        result = CliRunner().invoke(app, ["verify", UNDECIDED, "--json", "--index", str(api_index)])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert line["sentences"][0]["verdict"] == "supported" and "LLM judge" in line["sentences"][0]["reason"]
    assert len(served.requests) == 1


# --- (c) a mismatch the rules found is never overruled
def test_number_negation_and_drug_mismatches_stand_even_when_the_judge_says_supported(api_index, retriever):
    with judge_server("SUPPORTED") as served:
        settings = _settings(api_index, served.url, verify_judge=True)
        verifier = build_verifier(settings, retriever)
        number, negation = verifier.verify_claim(NUMBER), verifier.verify_claim(NEGATION)
        drug = verify_against("Give oral cotrimoxazole 40 mg/kg twice daily for 5 days.", PASSAGES, verifier.judge)
        # unsupported by a hard rule (a number the evidence lacks): not asked either
        gap = verify_against("Give zinc supplements to children with diarrhoea for 10–14 days, 20 mg a day.", PASSAGES,
                             verifier.judge)
        assert served.requests == []
    assert (number.verdict, number.rule, number.reason) == ("contradicted", "number",
                                                            "the guideline says 3 mg/kg, the claim says 6 mg/kg")
    assert (negation.verdict, negation.rule) == ("contradicted", "negation")
    assert (drug.verdict, drug.rule) == ("contradicted", "drug") and "amoxicillin" in drug.reason
    assert (gap.verdict, gap.rule) == ("unsupported", "number")


def test_a_supported_from_the_judge_is_refused_where_the_span_holds_a_number_the_rules_did_not_check(api_index):
    claim = "Children with loose stools should get zinc for 20 days."  # 40% of its words: below the rules' bar
    assert verify_against(claim, PASSAGES).rule == "coverage"
    with judge_server("SUPPORTED") as served:
        got = verify_against(claim, PASSAGES, Judge(_settings(api_index, served.url, verify_judge=True)))
    assert len(served.requests) == 1  # asked, but "10–14 days" against "20 days" keeps it unsupported
    assert (got.verdict, got.rule) == ("unsupported", "coverage") and "judge" not in got.reason


# --- (d) a dead or slow server: the rules' verdict stands
def test_a_dead_server_leaves_the_rules_verdict(api_index):
    claim = "Zinc is offered to youngsters who have loose stools for 10–14 days."
    rules = verify_against(claim, PASSAGES)
    assert rules.rule == "coverage"
    judge = Judge(_settings(api_index, _dead_url(), verify_judge=True))
    assert verify_against(claim, PASSAGES, judge) == rules


def test_a_slow_server_times_out_and_is_not_asked_again_for_a_while(api_index):
    claim = "Zinc is offered to youngsters who have loose stools for 10–14 days."
    rules = verify_against(claim, PASSAGES)
    with judge_server("SUPPORTED", delay=3.0) as served:
        judge = Judge(_settings(api_index, served.url, verify_judge=True, llm_timeout=0.3))
        t0 = time.perf_counter()
        first = verify_against(claim, PASSAGES, judge)
        second = verify_against(claim, PASSAGES, judge)
        elapsed = time.perf_counter() - t0
        assert len(served.requests) == 1  # the second claim did not wait for a timeout too
    assert first == rules and second == rules
    assert elapsed < 2.0, elapsed


# --- (e) on without a server: one clear settings error
def test_the_judge_without_a_base_url_is_one_clear_error(monkeypatch, api_index):
    monkeypatch.delenv("GQA_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("GQA_CONFIG", raising=False)
    monkeypatch.setenv("GQA_VERIFY_JUDGE", "1")
    with pytest.raises(ValidationError) as raised:
        Settings()
    line = describe(raised.value)
    assert "\n" not in line and line.startswith("bad setting: GQA_VERIFY_JUDGE=True: the LLM judge needs GQA_LLM_BASE_URL")
    monkeypatch.setenv("GQA_LLM_BASE_URL", "")  # set but empty: no server either
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("GQA_LLM_BASE_URL", "http://127.0.0.1:8001/v1")
    assert Settings().verify_judge is True  # the default URL, named explicitly, is a choice

    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)
    monkeypatch.delenv("GQA_LLM_BASE_URL")
    result = CliRunner().invoke(app, ["verify", UNDECIDED, "--index", str(api_index)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [f"error: {line}"]
    assert "Traceback" not in result.output


# --- the real llama.cpp server (SmolLM2-135M): the request shape works end to end
@pytest.mark.llm
def test_the_judge_over_the_real_llama_server(llama_url):
    from tests.support.llm_servers import SERVED_NAME

    # chat: on /completions this 135M model answers "Unsure", on /chat/completions one of the three words
    judge = Judge(Settings(llm_base_url=[llama_url], llm_model=SERVED_NAME, llm_api="chat", verify_judge=True,
                           llm_timeout=60))
    said = judge.ask("Give zinc to children with diarrhoea.", ZINC)
    assert said in ("SUPPORTED", "CONTRADICTED", "UNSUPPORTED"), said  # llama.cpp accepted it and the word was read
    claim = "Zinc is offered to youngsters who have loose stools for 10–14 days."
    got = verify_against(claim, PASSAGES, judge)
    rules = verify_against(claim, PASSAGES)
    assert got == rules or (got.rule == "judge" and got.reason.startswith(f"the LLM judge ({SERVED_NAME})"))
    number = verify_against("Give zinc supplements to children with diarrhoea for 20 days.", PASSAGES, judge)
    assert (number.verdict, number.rule) == ("contradicted", "number")


# --- answers: QA's sentence checks take the judge too (build_qa passes it)
def test_answer_sentences_take_the_judges_verdict(api_index, retriever):
    from rag.answering.generators.base import Generation
    from rag.wiring import build_qa

    def sentence(qa):
        r = qa.retrieve(UNDECIDED, k=1)
        answer = qa.finish(r, Generation(f"{UNDECIDED} [1]", tuple(r.passages[:1]), "openai"))
        (only,) = answer.sentences
        return only

    with judge_server("SUPPORTED") as served:
        off = build_qa(_settings(api_index, served.url), retriever=retriever)
        rules = sentence(off)
        assert off.judge is None and served.requests == []
        on = sentence(build_qa(_settings(api_index, served.url, verify_judge=True), retriever=retriever))
    # Without the judge the sentence is undecided, so not shown as the guideline's word; with it, the judge decides.
    assert not rules.supported
    assert on.supported and "the LLM judge" in on.reason and len(served.requests) == 1
