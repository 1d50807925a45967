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
