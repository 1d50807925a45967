"""Composing an extractive answer: whole lists, no background, no heading alone, no repeat, the asked condition."""

from __future__ import annotations

import re

from rag.answering import compose
from rag.answering.citations import check_answer
from rag.answering.generators.extractive import ExtractiveGenerator
from rag.settings import Settings
from rag.types import Passage

RECOMMENDATION = (
    "4. RECOMMENDATION ON DRUG CLASSES TO BE USED AS FIRST-LINE AGENTS\n"
    "For adults with hypertension requiring pharmacological treatment, WHO recommends the\n"
    "use of drugs from any of the following three classes of pharmacological antihypertensive\n"
    "medications as an initial treatment:\n"
    "1. thiazide and thiazide-like agents\n"
    "2. angiotensin-converting enzyme inhibitors (ACEis)/angiotensin-receptor blockers (ARBs)\n"
    "3. long-acting dihydropyridine calcium channel blockers (CCBs).\n"
    "Strong recommendation, high-certainty evidence")
BACKGROUND = (
    "Recent shifts in hypertension management, such as moving away from beta-blockers as a first-line agent, "
    "are additional reasons for new guidance. This guideline will be the first global guideline on the "
    "first-line treatment of hypertension in adults in two decades.")
PRAZIQUANTEL_SAFETY = (
    "Patients with neurocysticercosis are treated routinely with doses of praziquantel (for example, 50 mg/kg per "
    "day for 10 consecutive days) that are many times higher than those used for schistosomiasis.")
PRAZIQUANTEL_DOSE = ("Children 4 years and over and adults:\n\n"
                     "- *S. haematobium, S. mansoni*: 40 mg/kg single dose or 2 doses of 20 mg/kg 4 hours apart\n"
                     "- *S. japonicum, S. mekongi*: 2 doses of 30 mg/kg administered 4 hours apart")


def passage(text: str, n: int, section: str = "Recommendations") -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0 / n, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2021, section=section, pages=[n], page_labels=[str(n)],
                   lines=None, doc_id=f"d{n}", rank=n)


def answer(question: str, passages: list[Passage], embedder=None, max_sentences: int = 4) -> str:
    return ExtractiveGenerator(Settings(extractive_max_sentences=max_sentences), embedder).generate(
        question, passages).text


def test_a_sentence_introducing_a_list_is_quoted_with_all_its_items(fake_embedder):
    text = answer("first-line treatment hypertension adults drug classes", [passage(RECOMMENDATION, 1)],
                  fake_embedder)
    first = text.splitlines()[0]
    assert "1. thiazide" in first and "2. angiotensin" in first and "3. long-acting" in first, text
    assert not first.startswith("- 4. RECOMMENDATION")  # the heading glued above is not quoted


def test_background_and_document_history_sentences_are_never_quoted():
    text = answer("What is the first-line treatment for hypertension in adults?",
                  [passage(BACKGROUND, 1), passage(RECOMMENDATION, 2)])
    assert "Recent shifts" not in text and "will be the first" not in text, text
    assert "thiazide" in text


def test_the_same_statement_from_two_passages_is_quoted_once(fake_embedder):
    spaced = RECOMMENDATION.replace("RECOMMENDATION", "RECOMMENDA TION").replace("\n", " \n")
    text = answer("first-line treatment hypertension adults", [passage(RECOMMENDATION, 1), passage(spaced, 2)],
                  fake_embedder)
    assert sum("WHO recommends" in line for line in text.splitlines()) == 1, text


def test_a_heading_alone_never_answers():
    assert compose.is_heading("3 Recommendations")
    assert compose.is_heading("Chapter 1: A few symptoms and syndromes")
    assert compose.is_heading("## Dosage")
    assert not compose.is_heading("Child weighs <25kg give 0.5mg IM")
    text = answer("recommendations hypertension", [passage("3 Recommendations\n\nHypertension recommendations are "
                                                           "listed in the tables of annex 3 for adults.", 1)])
    assert "- 3 Recommendations [1]" not in text


def test_the_condition_the_question_names_is_preferred_over_another():
    text = answer("What dose of praziquantel is used for schistosomiasis?",
                  [passage(PRAZIQUANTEL_SAFETY, 1, "Safety of praziquantel for schistosomiasis"),
                   passage(PRAZIQUANTEL_DOSE, 2, "Parasitic diseases > Schistosomiases")])
    assert "40 mg/kg" in text and "neurocysticercosis" not in text, text


def test_a_source_footnote_in_the_quote_is_not_our_citation():
    src = "Up to 30% of cases develop organ damage:\\(^ [2]\\) cardiac lesions, arrhythmia and heart failure."
    passages = [passage(src, 1, "Chagas disease"), passage("Unrelated text about malaria in children.", 2)]
    text = answer("Chagas organ damage cardiac lesions", passages)
    assert re.findall(r"\[\d+\]", text) == ["[1]"], text
    checked = check_answer(text, passages, 0.5, trailing_only=True)
    assert [s.citations for s in checked.sentences] == [(1,)]


def test_trailing_only_parsing_ignores_a_footnote_left_in_a_line():
    passages = [passage("Up to 30% of cases develop organ damage.", 1), passage("Other.", 2)]
    line = "- Up to 30% of cases develop organ damage [2] [1]"
    assert [s.citations for s in check_answer(line, passages, 0.5, trailing_only=True).sentences] == [(1,)]
    assert [s.citations for s in check_answer(line, passages, 0.5).sentences] == [(2, 1)]  # the LLM path: all markers


def test_embedder_cosine_is_mixed_in_only_when_weighted(fake_embedder):
    passages = [passage(PRAZIQUANTEL_DOSE, 1)]
    cands = compose.candidates(passages)
    plain = compose.score("praziquantel dose schistosomiasis", cands, passages, fake_embedder, embed_weight=0.0)
    mixed = compose.score("praziquantel dose schistosomiasis", cands, passages, fake_embedder, embed_weight=0.5)
    assert [c.score for c in plain] != [c.score for c in mixed]
    assert compose.score("praziquantel dose", cands, passages, None, embed_weight=0.5)  # no embedder: words only
