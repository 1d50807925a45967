"""The whole ask flow over a real index: retrieval, abstention, extractive answers, streaming, CLI."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from rag.types import ABSTAIN_TEXT, DISCLAIMER
from rag.answering.generators.extractive import ExtractiveGenerator
from rag.qa import QA
from rag.retrieval.retriever import Retriever
from rag.index.reader import LiveIndex
from rag.settings import Settings
from rag.types import Filters
from tests.rag import answer_corpus


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    return answer_corpus.build(tmp_path_factory.mktemp("answers"), embedder)


@pytest.fixture(scope="module")
def qa(index, embedder):
    settings = Settings(index=index, top_k=4)
    return QA(Retriever(LiveIndex(index), embedder, settings), ExtractiveGenerator(settings), settings)


def _check_verbatim(answer) -> None:
    given = {p.chunk_id: p for p in answer.passages}
    for c in answer.citations:
        assert c.passage.chunk_id in given and c.quote in given[c.passage.chunk_id].text
        assert answer.passages[c.n - 1].chunk_id == c.passage.chunk_id


def test_extractive_answer_quotes_the_right_sentence_verbatim(qa):
    answer = qa.ask("What dose of zentamycin for a child under 20 kg with blue fever?")
    assert not answer.abstained and answer.disclaimer == DISCLAIMER
    _check_verbatim(answer)
    assert any("10 mg/kg" in c.quote for c in answer.citations)
    assert all(s.supported and s.citations for s in answer.sentences)
    assert all(line.rstrip().endswith("]") for line in answer.text.splitlines())
    assert answer.citations[0].passage.source == "who/fever_manual.md" and answer.citations[0].passage.lines


def test_unrelated_question_abstains_with_related_passages(qa):
    answer = qa.ask("Which tecovirimat regimen treats mpox?")
    assert answer.abstained and answer.text == ABSTAIN_TEXT
    assert not answer.citations and answer.related and answer.disclaimer == DISCLAIMER
    assert answer.abstain_signals["coverage"] < qa.settings.abstain_threshold


def test_a_near_miss_naming_an_acronym_the_index_never_mentions_abstains(qa):
    known = qa.ask("What dose of zentamycin for blue fever in adults?")
    near_miss = qa.ask("What dose of zentamycin for blue fever in adults on the BFXQ scheme?")
    assert not known.abstained and known.abstain_signals["unknown_terms"] == 0
    assert near_miss.abstained and near_miss.abstain_signals["unknown_terms"] == 1


def test_injected_instructions_in_a_passage_do_not_touch_the_disclaimer(qa):
    answer = qa.ask("How should treated water be stored in containers?")
    assert answer.disclaimer == DISCLAIMER and answer.to_dict()["disclaimer"] == DISCLAIMER
    _check_verbatim(answer)


def test_filters_reach_retrieval(qa):
    answer = qa.ask("free residual chlorine level", filters=Filters(organisation="WHO"))
    assert all(p.organisation == "WHO" for p in answer.passages)


def test_stream_events_come_in_order_and_end_with_the_same_answer(qa):
    question = "When should a patient with blue fever be referred?"
    events = list(qa.ask_stream(question))
    names = [e for e, _ in events]
    assert names[0] == "passages" and names[-1] == "answer" and set(names[1:-1]) == {"token"}
    final = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "token").strip() == final["answer"]
    direct = qa.ask(question).to_dict()
    assert final["citations"] == direct["citations"] and final["answer"] == direct["answer"]


def test_stream_of_an_abstention_has_no_tokens(qa):
    names = [e for e, _ in qa.ask_stream("tacrolimus trough level after kidney transplant")]
    assert names == ["passages", "answer"]


def test_empty_question_is_an_error_event(qa):
    assert [e for e, _ in qa.ask_stream("   ")] == ["error"]


def test_cli_ask_json_contract_and_readable_output(index, monkeypatch):
    from api.cli import build_app

    
    app = build_app()
    runner = CliRunner()
    result = runner.invoke(app, ["ask", "chlorine residual after 30 minutes", "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:6] == ["answer", "abstained", "citations", "passages", "disclaimer", "timings"]
    assert set(data["citations"][0]) >= {"n", "source", "pages", "lines", "section", "title", "quote", "chunk_id"}
    assert set(data["passages"][0]) >= {"rank", "score", "text", "source", "pages", "page_labels", "lines",
                                        "section", "title", "organisation", "year", "chunk_id"}
    text = runner.invoke(app, ["ask", "chlorine residual after 30 minutes", "--index", str(index), "--stream"])
    assert text.exit_code == 0 and "[1]" in text.stdout and "lines" in text.stdout and "Research use only" in text.stdout


def test_cli_errors_are_mapped_to_exit_code_2(tmp_path, monkeypatch, capsys):
    from api.cli import main

    monkeypatch.setattr(sys, "argv", ["gqa", "ask", "x", "--index", str(tmp_path / "missing")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2 and "error" in capsys.readouterr().err
