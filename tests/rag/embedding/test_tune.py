"""`gqa tune`: pairs mined from an index, one-document batches, and a real (tiny) fine-tune of the packaged
MiniLM written to a new folder that loads as an embedder."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import numpy as np
import pytest

from rag.embedding.embedder import default_model_path, load_embedder
from rag.embedding.tune import batches, heading_query, mine_pairs, tune
from rag.errors import GuidelineQAError


def _row(doc: str, section: tuple[str, ...], text: str):
    return SimpleNamespace(doc_id=doc, section=section, text=text)


BODY = "Give artesunate 2.4 mg/kg IV at 0, 12 and 24 hours, then once daily until the patient can take oral drugs."


def test_a_heading_that_says_nothing_gives_no_query():
    assert heading_query(("Malaria", "Severe malaria")) == "Malaria > Severe malaria"
    assert heading_query(("Malaria", "Remarks")) is None
    assert heading_query(("Annex 3",)) is None
    assert heading_query(()) is None


def test_one_pair_per_section_without_the_heading_the_passage_opens_with():
    rows = [_row("d1", ("Malaria", "Severe malaria"), "Severe malaria\n\n" + BODY),
            _row("d1", ("Malaria", "Severe malaria"), "A second chunk of the same section. " + BODY),
            _row("d1", ("Malaria", "Remarks"), BODY),
            _row("d2", ("Cholera",), "short")]
    pairs = mine_pairs(rows, 10)
    assert pairs == [("d1", "Malaria > Severe malaria", BODY)]


def test_batches_hold_one_document_each_until_the_leftovers():
    pairs = [(f"d{i % 3}", f"q{i}", f"t{i}") for i in range(30)]
    docs_of = {q: d for d, q, _ in pairs}
    out = batches(pairs, 4, random.Random(1))
    whole = [b for b in out if len({docs_of[q] for q, _ in b}) == 1]
    assert len(whole) == 6 and all(len(b) == 4 for b in out)  # 10 per document: 2 whole batches each, 6 left
    assert len({q for b in out for q, _ in b}) == sum(len(b) for b in out)  # no pair twice


def test_a_real_fine_tune_writes_a_model_folder_that_loads_and_embeds_differently(tmp_path):
    rng = random.Random(3)
    topics = ["malaria", "cholera", "measles", "tuberculosis", "pneumonia", "meningitis", "anaemia", "burns"]
    pairs = [(f"d{i % 2}", f"{t} treatment {i}", f"{t} {rng.random():.3f} " + BODY) for i, t in
             enumerate(topics * 2)]
    out = tmp_path / "tuned"
    report = tune(default_model_path(), pairs, out, batch_size=4, lr=1e-4)
    assert report.steps == 4 and out.is_dir() and not (tmp_path / "tuned.partial").exists()
    assert json.loads((out / "gqa_tune.json").read_text())["pairs"] == 16
    base, tuned = load_embedder(), load_embedder(str(out))
    a, b = base.embed_documents([BODY])[0], tuned.embed_documents([BODY])[0]
    assert tuned.info.dim == base.info.dim and not np.allclose(a, b, atol=1e-4)
    with pytest.raises(GuidelineQAError, match="exists"):
        tune(default_model_path(), pairs, out, batch_size=4)
    with pytest.raises(GuidelineQAError, match="too few"):
        tune(default_model_path(), pairs[:3], tmp_path / "other", batch_size=4)
