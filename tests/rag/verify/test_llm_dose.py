"""An LLM answer from the local llama.cpp server (SmolLM2, no sources given, so it invents the dose) whose
invented dose is caught by the verifier against the guideline sentence."""

from __future__ import annotations

import re

import httpx
import pytest

from rag.types import Passage
from rag.verify.facts import facts
from rag.verify.verifier import verify_against

pytestmark = pytest.mark.llm

SOURCE = ("Children weighing less than 20 kg should receive a higher dose of artesunate, 3 mg/kg per dose, "
          "given intravenously.")
PROMPT = """Answer with one sentence that gives the dose in mg/kg.

Question: What dose of paracetamol is given to children with fever?
Answer: Give paracetamol 15 mg/kg every 6 hours.

Question: What dose of artesunate should children weighing less than 20 kg receive for severe malaria?
Answer: Children weighing less than 20 kg should receive artesunate"""


def test_an_invented_dose_from_the_model_is_contradicted(llama_url):
    from tests.support.llm_servers import SERVED_NAME

    reply = httpx.post(f"{llama_url}/completions", json={"model": SERVED_NAME, "prompt": PROMPT,
                                                         "max_tokens": 60, "temperature": 0, "stop": ["\n"]}, timeout=120)
    reply.raise_for_status()
    answer = "Children weighing less than 20 kg should receive artesunate " + reply.json()["choices"][0]["text"].strip()
    doses = {q.lo for q in facts(answer).quantities if q.unit == "mg/kg"}
    if not doses or doses == {3.0} or "artesunate" not in answer.lower():
        pytest.skip(f"the model did not write an artesunate sentence with another dose: {answer!r}")
    passage = Passage(chunk_id="c1", text=SOURCE, score=1.0, source="who/malaria.md", title="Malaria", organisation="WHO",
                      year=2025, section="Severe malaria", pages=None, page_labels=[], lines=[27, 27], doc_id="d1")
    verified = verify_against(answer, [passage])
    assert verified.verdict == "contradicted", (answer, verified.reason)
    assert "3 mg/kg" in verified.reason and re.search(r"\d+(\.\d+)? mg/kg", verified.reason)
