"""The evaluation arithmetic on hand-made cases whose answers are worked out by hand."""

from __future__ import annotations

import json

import pytest

from rag.retrieval.evaluation import EvalItem, has_evidence, is_hit, is_strict_hit, load_items, metrics, run_eval

PDF = EvalItem("q1", "artesunate dose?", "who/malaria.pdf", pages=(21, 216),
               evidence=("(3 mg/kg bw per dose)",), style="keyword", lang="en", type="dosage")
MD = EvalItem("q2", "glucose iv?", "msf/manual.md", lines=(810, 815), evidence=("10% glucose",),
              style="direct", lang="fr", type="dosage")
NONE = EvalItem("q3", "snake bite antivenom in dogs?", None, type="unanswerable", lang="en", style="direct")


def _p(source, text="", pages=None, lines=None):
    return {"source": source, "text": text, "pages": pages, "lines": lines, "section": "", "score": 0.0}


def test_normalisation_handles_ligatures_dashes_quotes_and_both_hyphen_versions():
    assert has_evidence("the ﬁrst-line treat-\nment is “ACT”", ["first-line treatment is \"act\""])
    assert has_evidence("a test-\nand-treat policy", ["test-and-treat policy"])
    assert has_evidence("doses 2.4–3 mg/kg", ["2.4-3 MG/KG"])
    assert has_evidence("Give   oxygen\n to all", ["give oxygen to all"])
    assert not has_evidence("give oxygen to some", ["give oxygen to all"])


def test_hit_rules():
    assert is_strict_hit(_p("who/malaria.pdf", pages=[215, 216]), PDF)
    assert not is_strict_hit(_p("who/malaria.pdf", pages=[22]), PDF)
    assert not is_strict_hit(_p("who/other.pdf", pages=[21]), PDF)
    # Evidence from another document counts under the second rule only.
    other = _p("who/other.pdf", text="... (3 mg/kg bw per\ndose) ...", pages=[3])
    assert is_hit(other, PDF) and not is_strict_hit(other, PDF)
    assert is_strict_hit(_p("msf/manual.md", lines=[800, 810]), MD)
    assert not is_strict_hit(_p("msf/manual.md", lines=[816, 820]), MD)


def test_metrics_from_ranks():
    m = metrics([1, 4, None, 10])
    assert m == {"n": 4, "recall@1": 0.25, "recall@3": 0.25, "recall@5": 0.5, "recall@10": 0.75,
                 "mrr@10": round((1 + 1 / 4 + 1 / 10) / 4, 4)}


def test_run_eval_by_style_language_strict_and_misses(tmp_path):
    answers = {
        PDF.question: [_p("x.pdf", "no"), _p("y.pdf", "see (3 mg/kg bw per dose)", [9]), _p("who/malaria.pdf", "", [21])],
        MD.question: [_p("msf/manual.md", "", lines=[1, 5])] * 6 + [_p("msf/manual.md", "", lines=[812, 830])],
    }
    report = run_eval([PDF, MD, NONE], {"hybrid": lambda q: answers[q]})
    r = report["modes"]["hybrid"]
    assert report["answerable"] == 2 and r["ranks"] == {"q1": 2, "q2": 7}
    assert r["overall"]["recall@1"] == 0.0 and r["overall"]["recall@3"] == 0.5 and r["overall"]["recall@10"] == 1.0
    assert r["overall"]["mrr@10"] == round((1 / 2 + 1 / 7) / 2, 4)
    assert r["strict"]["mrr@10"] == round((1 / 3 + 1 / 7) / 2, 4)
    assert r["by_style"]["keyword"]["recall@3"] == 1.0 and r["by_style"]["direct"]["recall@5"] == 0.0
    assert r["by_lang"]["fr"]["n"] == 1 and r["by_lang_group"]["non_en"]["recall@10"] == 1.0
    assert [m["id"] for m in r["misses"]] == ["q2"] and r["misses"][0]["first_hit_rank"] == 7
    assert len(r["misses"][0]["top3"]) == 3


def test_load_items_reads_the_eval_format(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "q9", "question": "?", "doc": "a.md", "lines": [3, 4], "evidence": ["x"],
                                "style": "paraphrase", "lang": "es", "type": "other"}) + "\n\n")
    (item,) = load_items(path)
    assert item.lines == (3, 4) and item.pages == () and item.answerable and item.lang == "es"


@pytest.mark.parametrize("text", ["{not json", json.dumps({"id": "q1"})])
def test_load_items_refuses_bad_lines(tmp_path, text):
    from rag.errors import BadRequest

    path = tmp_path / "bad.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(BadRequest):
        load_items(path)
