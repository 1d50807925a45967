"""Route and population swaps the rules must catch, the compounds that name them, and the verbatim rule
of `verify_against`: a whole statement of a passage in its own words is supported before any rule."""

from __future__ import annotations

import pytest

from rag.types import Passage
from rag.verify.facts import facts
from rag.verify.verifier import verify_against

DEFEROXAMINE = "Give deferoxamine, preferably by slow IV infusion: initially 15 mg/kg per hour."
SUPPOSITORY = ("The single dose of 10 mg/kg bw of artesunate when given as a suppository should be administered "
               "rectally as soon as a presumptive diagnosis of severe malaria is made.")
ALBENDAZOLE = "Pregnancy: no contra-indication\nBreast-feeding: no contra-indication\nTake with meals."
FLUCONAZOLE = ("Cryptococcal meningitis, induction phase\nAdult:\n"
               "1200 mg once daily for 1 week then 800 mg once daily for 8 weeks")
FLUCONAZOLE_BOTH = FLUCONAZOLE + "\nChildren: 12 mg/kg once daily for 2 weeks"
HYDRALAZINE = "Hydralazine is listed for use only in the acute management of severe pregnancy-induced hypertension."
ORS = "Use a spoon to give fluid to a young child. If the child vomits, wait 10 minutes before giving more fluid."
ROWS = ("Amoxicillin oral\nChild 10 to 20 kg: 250 mg 3 times daily\nChild over 20 kg: 500 mg 3 times daily\n"
        "Do not give to patients with penicillin allergy.")


def passage(text: str, n: int = 1) -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2020, section="Treatment", pages=[10 + n], page_labels=[],
                   lines=None, doc_id=f"d{n}", rank=n)


@pytest.mark.parametrize("claim, text, verdict, rule", [
    # a route the claim adds where the guideline names another, though both say "infusion"
    ("Give deferoxamine, preferably by slow oral infusion: initially 15 mg/kg per hour.", DEFEROXAMINE,
     "contradicted", "route"),
    ("The single dose of 10 mg/kg bw of artesunate when given as a suppository should be administered "
     "intravenously as soon as a presumptive diagnosis of severe malaria is made.", SUPPOSITORY, "contradicted", "route"),
    # a population inside a compound word
    ("Childhood: no contra-indication", ALBENDAZOLE, "contradicted", "population"),
    ("Hydralazine is listed for use only in the acute management of severe childhood-induced hypertension.",
     HYDRALAZINE, "contradicted", "population"),
    # a row that names no population, under the passage's "Adult:" line
    ("Child: 1200 mg once daily for 1 week then 800 mg once daily for 8 weeks", FLUCONAZOLE, "contradicted",
     "population"),
    # the claim adds a population to the guideline's own
    ("Use a spoon to give fluid to a young adult or child.", ORS, "unsupported", "population"),
])
def test_swapped_route_or_population_is_not_supported(claim, text, verdict, rule):
    v = verify_against(claim, [passage(text)])
    assert (v.verdict, v.rule) == (verdict, rule), v.reason


def test_a_passage_that_names_the_claims_population_too_is_no_contradiction():
    v = verify_against("Children: 1200 mg once daily for 1 week then 800 mg once daily for 8 weeks",
                       [passage(FLUCONAZOLE_BOTH)])
    assert v.verdict != "contradicted", v.reason


@pytest.mark.parametrize("text, populations", [
    ("severe pregnancy-induced hypertension", {"pregnant women"}),
    ("Breast-feeding: no contra-indication", {"breastfeeding women"}),
    ("non-pregnant adults", {"adults"}),  # "non-pregnant" is not about pregnant women
    ("in early childhood", {"children"}),
])
def test_compounds_name_their_population(text, populations):
    assert facts(text).populations == populations


def test_the_true_statements_stay_supported():
    for claim, text in ((DEFEROXAMINE, DEFEROXAMINE), ("Give fluid to a young child with a spoon.", ORS),
                        ("Pregnancy: no contra-indication", ALBENDAZOLE)):
        assert verify_against(claim, [passage(text)]).verdict == "supported", claim


def test_a_whole_verbatim_statement_is_supported_by_the_verbatim_rule():
    """Two table rows quoted whole hold two doses; the single-span rules read the second as a contradiction."""
    claim = "Child 10 to 20 kg: 250 mg 3 times daily Child over 20 kg: 500 mg 3 times daily"
    v = verify_against(claim, [passage("Paracetamol oral\nAdult: 1 g 4 times daily", 1), passage(ROWS, 2)])
    assert (v.verdict, v.rule) == ("supported", "verbatim")
    assert v.evidence[0].passage.chunk_id == "c2" and "500 mg" in v.evidence[0].quote


def test_a_fragment_cut_after_the_negation_is_not_verbatim():
    v = verify_against("give to patients with penicillin allergy.", [passage(ROWS)])
    assert v.rule != "verbatim" and v.verdict != "supported"
