"""Answerability features and the logistic abstention model, on hand-made passages."""

from __future__ import annotations

import json

import pytest

from rag.answering import abstain, answerability
from rag.errors import GuidelineQAError
from rag.settings import Settings
from rag.types import Passage

N_CHUNKS = 1000
DF = {"amoxicillin": 12, "pneumonia": 30, "tecovirimat": 0, "dose": 400, "child": 500, "rotaviru": 5,
      "vaccine": 15, "schedule": 60}


def _df(word: str) -> int:
    return DF.get(word, 100)


def _p(text: str, dense: float = 0.7, lexical: bool = True) -> Passage:
    scores = {"dense": dense} | ({"lexical": 10.0} if lexical else {})
    return Passage("c", text, 0.0, "who/x.pdf", "X", "WHO", 2020, "S", [1], ["1"], None, "d", scores=scores)


def test_a_dose_next_to_the_named_drug_is_found_and_one_elsewhere_is_not():
    q = "amoxicillin dose for pneumonia in a child"
    near = answerability.features(q, [_p("Pneumonia: give amoxicillin 40 mg/kg twice daily for 5 days")], _df, N_CHUNKS)
    assert near["asks_dose"] == 1.0 and near["dose_near"] == 1.0
    far = answerability.features(q, [_p("Amoxicillin is a penicillin. " + "Background text. " * 20
                                       + "Paracetamol 15 mg/kg.")], _df, N_CHUNKS)
    assert far["asks_dose"] == 1.0 and far["dose_near"] == 0.0


def test_rare_words_must_meet_in_one_passage():
    q = "rotavirus vaccine schedule"
    split = answerability.features(q, [_p("rotavirus diarrhoea in children"), _p("vaccine storage")], _df, N_CHUNKS)
    together = answerability.features(q, [_p("rotavirus vaccine: give at 6 and 10 weeks")], _df, N_CHUNKS)
    assert split["rare_coverage"] == 1.0 and split["rare_in_one"] == 0.5
    assert together["rare_in_one"] == 1.0


def test_the_model_abstains_below_its_threshold_and_thresholds_remain_selectable(tmp_path):
    model = abstain.AbstainModel(("dense_top",), (0.5,), (0.1,), (3.0,), 0.0, 0.5)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_dict()))
    settings = Settings(abstain_model_file=path)
    assert abstain.should_abstain({"f_dense_top": 0.4, "dense": 0.4, "coverage": 1.0}, settings)
    assert not abstain.should_abstain({"f_dense_top": 0.6, "dense": 0.6, "coverage": 0.0}, settings)
    # The old rule answers on full word coverage whatever the cosine.
    assert not abstain.should_abstain({"f_dense_top": 0.4, "dense": 0.4, "coverage": 1.0},
                                      Settings(abstain_model="thresholds"))


def test_the_packaged_model_loads_and_uses_known_features():
    model = abstain.load_model()
    assert set(model.features) <= set(answerability.FEATURES) and 0 < model.threshold < 1
    assert len(model.coef) == len(model.features) == len(model.mean) == len(model.scale)


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(GuidelineQAError, match="refit it"):
        abstain.load_model(bad)


def test_a_strength_on_a_list_is_not_a_dosing_instruction():
    q = "oseltamivir dose for a child with influenza"
    listed = answerability.features(q, [_p("oseltamivir Capsule: 30 mg; 45 mg; 75 mg (as phosphate).")], _df, N_CHUNKS)
    dosed = answerability.features(q, [_p("oseltamivir: 3 mg/kg twice daily for 5 days")], _df, N_CHUNKS)
    assert listed["dose_near"] == 1.0 and listed["regimen_near"] == 0.0
    assert dosed["regimen_near"] == 1.0
