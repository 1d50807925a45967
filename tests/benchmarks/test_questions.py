"""The project's own question set: the checker catches bad items, and the split is fixed and balanced."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.questions import check, split

QUESTIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "questions"


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_the_checker_finds_a_phrase_missing_from_its_gold_lines(tmp_path, monkeypatch):
    corpus = tmp_path / "shared" / "corpus" / "msf"
    corpus.mkdir(parents=True)
    (corpus / "manual.md").write_text("# Malaria\nGive artesunate IV for at least 24 h.\nThen 3 days of ACT.\n")
    monkeypatch.setenv("GQA_SHARED", str(tmp_path / "shared"))
    check.page_texts.cache_clear()
    good = {"id": "z1", "question": "how long IV artesunate", "doc": "msf/manual.md", "lines": [2, 3],
            "answer": "24 h", "evidence": ["for at least 24 h"], "type": "treatment", "style": "keyword", "lang": "en"}
    assert check.check_item(good) == []
    assert any("not found on its gold place" in p for p in check.check_item(good | {"lines": [3, 3]}))
    assert any("lines" in p for p in check.check_item(good | {"lines": [2, 99]}))
    assert any("unanswerable" in p for p in check.check_item(good | {"doc": None}))
    assert any("style" in p for p in check.check_item(good | {"style": "chatty"}))
    check.page_texts.cache_clear()


def test_the_committed_halves_are_the_fixed_split_of_the_raw_files():
    raw = [d for f in sorted((QUESTIONS / "raw").glob("*.jsonl")) for d in _lines(f)]
    tuning, validation = split.split(raw)
    assert [d["id"] for d in tuning] == [d["id"] for d in _lines(QUESTIONS / "tuning.jsonl")]
    assert [d["id"] for d in validation] == [d["id"] for d in _lines(QUESTIONS / "validation.jsonl")]
    assert not {d["id"] for d in tuning} & {d["id"] for d in validation}
    assert len(raw) >= 360 and sum(d["type"] == "unanswerable" for d in raw) >= 60
    for half in (tuning, validation):
        assert len({d["doc"] for d in half if d["doc"]}) == 11  # every corpus document in both halves
    unanswerable = [sum(d["type"] == "unanswerable" for d in half) for half in (tuning, validation)]
    assert abs(unanswerable[0] - unanswerable[1]) <= 1 and abs(len(tuning) - len(validation)) <= 1
