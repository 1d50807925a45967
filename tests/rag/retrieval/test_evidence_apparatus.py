"""GRADE evidence tables, PICO questions and reference lists rank after the passages that answer (real small index)."""

from __future__ import annotations

import pytest

from rag.index.reader import LiveIndex
from rag.retrieval.demotion import demote_navigation, is_evidence_apparatus
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from tests.support.index import Doc, Page, build_index

RECOMMENDATION = ("Recommendation: adults with hypertension and existing cardiovascular disease should start "
                  "antihypertensive treatment when systolic blood pressure is 130 to 139 mmHg. "
                  "Strong recommendation, moderate certainty of evidence.")
PICO = ("Should adults with hypertension and existing cardiovascular disease start antihypertensive treatment "
        "at a systolic blood pressure of 130 to 139 mmHg? Population: adults with cardiovascular disease. "
        "Intervention: antihypertensive treatment. Comparison: no treatment. Outcomes: mortality, stroke.")
GRADE_TABLE = ("Antihypertensive treatment at systolic blood pressure 130-139 mmHg in cardiovascular disease. "
               "Participants (studies): 2 400 (4 RCTs). Risk of bias: no serious. Inconsistency: no serious. "
               "Indirectness: serious. Imprecision: very serious. Relative effect RR 0.83 (95% CI 0.70 to 0.98).")
REFERENCES = ("1. Hypertension treatment in adults with cardiovascular disease: systolic 130-139 mmHg. "
              "Lancet. 2019;394:1000-10. 2. Antihypertensive treatment thresholds. BMJ. 2020;368:m1.")

DOCS = (
    Doc("who/hypertension_guideline.pdf", "Guideline for the pharmacological treatment of hypertension", "WHO", 2021, (
        Page(RECOMMENDATION, ("3 Recommendations", "3.1 Blood pressure threshold"), "19"),
        Page(PICO, ("Annexes", "Annex 4: PICO questions"), "57"),
        Page(GRADE_TABLE, ("Annexes", "Annex 5: Evidence"), "60"),
        Page(REFERENCES, ("References",), "45"),
    )),
)


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    return build_index(tmp_path_factory.mktemp("apparatus") / "index", embedder, DOCS)


def test_apparatus_is_recognised_by_section_or_by_grade_columns():
    assert is_evidence_apparatus(PICO, ("Annexes", "Annex 4: PICO questions"))
    assert is_evidence_apparatus(GRADE_TABLE, ("Annexes", "Annex 5: Evidence"))
    assert is_evidence_apparatus(REFERENCES, ("References",))
    assert is_evidence_apparatus("Smith J, Jones K.", ("Annex 1", "List of contributors"))
    # A recommendation names its certainty of evidence; that alone is not a table.
    assert not is_evidence_apparatus(RECOMMENDATION, ("3 Recommendations", "3.1 Blood pressure threshold"))
    assert not is_evidence_apparatus("Give amoxicillin for 5 days.", ("Pneumonia", "Treatment"))


def test_the_recommendation_outranks_its_pico_question_and_evidence_table(index, embedder):
    question = "Should a patient with cardiovascular disease and systolic 130-139 mmHg start antihypertensive treatment?"
    base = dict(index=index, source_boost=0)
    plain = Retriever(LiveIndex(index), embedder, Settings(**base, demote_evidence_apparatus=False))
    pages = [p.page_labels[0] for p in plain.search(question, k=4).passages]
    assert pages[0] != "19"  # the PICO question restates the question: without demotion it comes first
    demoted = Retriever(LiveIndex(index), embedder, Settings(**base))
    passages = demoted.search(question, k=4).passages
    assert passages[0].page_labels == ["19"]
    assert {p.page_labels[0] for p in passages[1:]} == {"57", "60", "45"}  # still reachable, just later


def test_apparatus_goes_before_navigation_and_groups_keep_their_order():
    assert demote_navigation([1, 2, 3, 4, 5], lambda i: i == 1, lambda i: i in (2, 4)) == [3, 5, 2, 4, 1]
    assert demote_navigation([1, 2], lambda i: False, lambda i: False) == [1, 2]
