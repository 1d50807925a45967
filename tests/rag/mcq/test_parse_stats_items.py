"""The pure parts of `gqa mcq`: letter parsing of odd replies, the statistics on hand-made cases with
known answers, both input layouts, and prompts that do not change between runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import BadRequest
from rag.mcq import prompts
from rag.mcq.items import MCQItem, load_items
from rag.mcq.parse import parse_choice
from rag.mcq.stats import mcnemar_exact, paired, summarize, wilson
from rag.types import Passage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mcq"
OPTIONS = (("A", "Malaria"), ("B", "Severe malaria"), ("C", "Oral rehydration salts"), ("D", "3 mg/kg"))


@pytest.mark.parametrize("reply, letter", [
    ("B", "B"), (" b", "B"), ("b.", "B"), ("Answer: (b)", "B"), ("answer: c", "C"), ("The answer is D.", "D"),
    ("(C) because ORS treats dehydration", "C"), ("Answer: B\nQuestion: next one", "B"),
    ("Oral rehydration salts", "C"), ("I would give oral rehydration salts.", "C"), ("3 mg/kg", "D"),
    ("Severe malaria", "B"),  # not A, although 'malaria' is inside it
    ("d) 3 mg/kg", "D"),
])
def test_odd_replies_give_their_letter(reply, letter):
    assert parse_choice(reply, OPTIONS) == letter


@pytest.mark.parametrize("reply", [
    "", "   ", None, "I am not sure.", "A patient with fever needs care.", "a fever", "E", "Answer: E",
    "Answer: A or Answer: B", "Either malaria or oral rehydration salts",
])
def test_replies_without_one_answer_are_unparsed_not_guessed(reply):
    assert parse_choice(reply, OPTIONS) is None


def test_wilson_matches_known_values():
    lo, hi = wilson(8, 10)  # textbook value: 0.490 - 0.943
    assert (round(lo, 3), round(hi, 3)) == (0.490, 0.943)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 10)[0] == pytest.approx(0.0)


def test_exact_mcnemar_on_hand_made_pairs():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(5, 0) == pytest.approx(2 / 32)  # all 5 discordant one way: 2 * 0.5**5
    assert mcnemar_exact(1, 9) == pytest.approx(2 * 11 / 1024)  # 2 * (C(10,0)+C(10,1)) / 2**10
    assert mcnemar_exact(3, 3) == 1.0


def test_paired_counts_and_summary_on_a_known_case():
    # 6 items: rag fixes i1-i3, breaks i4, both right on i5, both wrong on i6 (i6 closed is unparsed).
    closed = {"i1": False, "i2": False, "i3": False, "i4": True, "i5": True, "i6": False}
    rag = {"i1": True, "i2": True, "i3": True, "i4": False, "i5": True, "i6": False}
    p = paired(closed, rag)
    assert p == {"n": 6, "rag_right_closed_wrong": 3, "closed_right_rag_wrong": 1, "both_right": 1, "both_wrong": 1,
                 "mcnemar_p": 0.625}  # 2 * (1 + 4) / 16
    records = [{"key": k, "mode": "closed", "correct": v, "choice": None if k == "i6" else "A", "dataset": "d"}
               for k, v in closed.items()]
    records += [{"key": k, "mode": "rag", "correct": v, "choice": "A", "dataset": "d"} for k, v in rag.items()]
    records.append({"key": "i7", "mode": "rag", "correct": None, "choice": None, "dataset": "d", "error": "down"})
    s = summarize(records, ["closed", "rag"])
    assert s["n"] == 6 and s["errors"] == 1
    assert s["modes"]["closed"]["accuracy"] == round(2 / 6, 4) and s["modes"]["closed"]["unparsed"] == 1
    assert s["modes"]["rag"]["accuracy"] == round(4 / 6, 4) and s["modes"]["rag"]["ci95"][0] < 4 / 6
    assert s["paired"]["mcnemar_p"] == 0.625 and s["by_dataset"]["d"]["paired"] == s["paired"]


def test_mirage_layout_with_dataset_and_limit():
    items = load_items(FIXTURES / "mirage_small.json")
    assert [i.key for i in items] == ["guidelines/g1", "guidelines/g2", "guidelines/g3", "guidelines/g4",
                                      "general/g1", "general/g2"]  # ids repeat across datasets: keys do not
    assert items[0].options[2] == ("C", "3 mg/kg") and items[0].answer == "C"
    assert [i.id for i in load_items(FIXTURES / "mirage_small.json", dataset="general")] == ["g1", "g2"]
    assert len(load_items(FIXTURES / "mirage_small.json", limit=2)) == 2
    with pytest.raises(BadRequest, match="no dataset 'medqa'.*general, guidelines"):
        load_items(FIXTURES / "mirage_small.json", dataset="medqa")


def test_jsonl_layout_lists_text_answers_and_lower_case():
    items = load_items(FIXTURES / "small.jsonl")
    assert [i.id for i in items] == ["j1", "j2", "j3", "j4"]
    assert items[0].options == (("A", "1 g"), ("B", "3 g"), ("C", "10 g"), ("D", "30 g"))  # a list gets letters
    assert items[2].answer == "A"  # the option's text as the answer
    assert items[3].answer == "B"  # 'b'


@pytest.mark.parametrize("line, message", [
    ({"id": "x", "options": {"A": "1", "B": "2"}, "answer": "A"}, "'question' is missing"),
    ({"id": "x", "question": "q", "options": {"A": "1"}, "answer": "A"}, "'options' needs two or more options"),
    ({"id": "x", "question": "q", "options": {"A": "1", "B": "2"}, "answer": "E"}, "'answer' 'E'"),
])
def test_bad_items_name_the_line_and_field(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(BadRequest, match=rf"bad.jsonl:1: {message}"):
        load_items(path)


def _passage() -> Passage:
    return Passage(chunk_id="c1", text="Give zinc for 10 days.", score=1.0, source="msf/drugs.pdf",
                   title="Essential drugs", organisation="MSF", year=2023, section="Zinc", pages=[210],
                   page_labels=["210"], lines=None, doc_id="d1", rank=1)


def test_prompts_are_fixed_and_rag_numbers_passages_with_their_citation():
    item = MCQItem("x", "How long is zinc given?", (("A", "1 day"), ("B", "10 days")), "B")
    closed = prompts.completion_prompt(item)
    assert closed == prompts.completion_prompt(item) and closed.endswith("A. 1 day\nB. 10 days\nAnswer:")
    assert closed.count("\nAnswer: ") == len(prompts.EXEMPLARS) and "Guideline passages" not in closed
    rag = prompts.completion_prompt(item, [_passage()])
    assert '[1] MSF, "Essential drugs" (2023), p. 210, section: Zinc\nGive zinc for 10 days.' in rag
    chat = prompts.chat_messages(item, [_passage()])
    assert [m["role"] for m in chat] == ["system"] + ["user", "assistant"] * 3 + ["user"]
    assert chat[-1]["content"].startswith("Guideline passages:\n[1] MSF") and "How long is zinc given?" in chat[-1]["content"]
