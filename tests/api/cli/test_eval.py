"""`gqa eval` through the real entry point (typer's CliRunner), over the small index (real embedder)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import build_app


def test_eval_reports_and_writes_json(small_index, tmp_path):
    questions = tmp_path / "eval.jsonl"
    items = [
        {"id": "e1", "question": "Give oxygen below what SpO2?", "doc": "other/oxygen_manual.pdf", "pages": [1],
         "evidence": ["below 90%"], "style": "direct", "lang": "en", "type": "threshold"},
        {"id": "e2", "question": "¿Cuántos días de zinc para un niño con diarrea?", "doc": "msf/essential_drugs.pdf",
         "pages": [1], "evidence": ["once daily for 10 days"], "style": "direct", "lang": "es", "type": "dosage"},
        {"id": "e3", "question": "rabies vaccine for dogs", "doc": None, "pages": [], "evidence": [],
         "style": "keyword", "lang": "en", "type": "unanswerable"},
    ]
    questions.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    report = tmp_path / "out" / "report.json"
    result = CliRunner().invoke(build_app(), ["eval", str(questions), "--ablation", "--report", str(report),
                                              "--index", str(small_index)])
    assert result.exit_code == 0, result.output
    assert "ablation" in result.output and "recall@5" in result.output
    data = json.loads(report.read_text())
    assert data["answerable"] == 2 and set(data["modes"]) == {"dense", "lexical", "hybrid"}
    hybrid = data["modes"]["hybrid"]
    assert hybrid["ranks"] == {"e1": 1, "e2": 1} and hybrid["overall"]["mrr@10"] == 1.0
    assert set(hybrid["by_lang"]) == {"en", "es"} and set(hybrid["by_style"]) == {"direct"}


def _write(path, items):
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    return path


def test_eval_reports_abstention_and_compares_with_an_earlier_report(small_index, tmp_path):
    items = [
        {"id": "e1", "question": "Give oxygen below what SpO2?", "doc": "other/oxygen_manual.pdf", "pages": [1],
         "evidence": ["below 90%"], "style": "direct", "lang": "en", "type": "threshold"},
        # Gold elsewhere, but an alternative gold names the oxygen manual: credited under both rules.
        {"id": "e2", "question": "oxygen saturation threshold", "doc": "who/nowhere.pdf", "pages": [9],
         "alt": [{"doc": "other/oxygen_manual.pdf", "pages": [1]}], "evidence": ["no such phrase"],
         "style": "keyword", "lang": "en", "type": "threshold"},
        {"id": "e3", "question": "tecovirimat dose for mpox in adults", "doc": None, "pages": [], "evidence": [],
         "style": "keyword", "lang": "en", "type": "unanswerable"},
    ]
    questions = _write(tmp_path / "eval.jsonl", items)
    first = tmp_path / "first.json"
    app = build_app()
    result = CliRunner().invoke(app, ["eval", str(questions), "--report", str(first), "--index", str(small_index)])
    assert result.exit_code == 0, result.output
    data = json.loads(first.read_text())
    hybrid = data["modes"]["hybrid"]
    assert hybrid["ranks"]["e2"] is not None and hybrid["strict"]["recall@10"] == 1.0
    assert set(hybrid["by_doc"]) == {"other/oxygen_manual.pdf", "who/nowhere.pdf"}
    assert data["abstention"]["unanswerable"] == 1 and data["abstention"]["answerable"] == 2
    assert set(data["abstention"]["decisions"]) == {"e1", "e2", "e3"}
    # An earlier report in which e1 was found only at rank 4: the comparison names it.
    earlier = json.loads(first.read_text())
    earlier["modes"]["hybrid"]["ranks"]["e1"] = 4
    (tmp_path / "earlier.json").write_text(json.dumps(earlier))
    result = CliRunner().invoke(app, ["eval", str(questions), "--compare", str(tmp_path / "earlier.json"),
                                      "--index", str(small_index), "--json"])
    assert result.exit_code == 0, result.output
    compare = json.loads(result.output)["compare"]
    assert compare == [{"id": "e1", "before": 4, "after": hybrid["ranks"]["e1"]}]


def test_eval_of_a_file_without_gold_labels_says_so(small_index, tmp_path):
    questions = _write(tmp_path / "plain.jsonl", [{"id": "x1", "question": "oxygen for children?"}])
    result = CliRunner().invoke(build_app(), ["eval", str(questions), "--index", str(small_index)])
    assert result.exit_code != 0
    assert "no item has a gold label" in str(result.exception) + result.output
