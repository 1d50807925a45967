"""The route swap of rag.verify.perturb covers every canonical route of lexicon.ROUTES, keeps the word's form
(adverb for adverb, adjective for adjective), and leaves anatomy ("buccal mucosa") alone."""

import pytest

from rag.verify.facts import facts
from rag.verify.lexicon import ROUTES
from rag.verify.perturb import swap_population_or_route


@pytest.mark.parametrize("text, route, expected", [
    ("Give misoprostol 400 µg sublingually.", "sublingual", "Give misoprostol 400 µg intravenously."),
    ("Sublingual nifedipine is not advised.", "sublingual", "Intravenous nifedipine is not advised."),
    ("Give midazolam 0.3 mg/kg buccally.", "buccal", "Give midazolam 0.3 mg/kg intravenously."),
    ("Give naloxone 2 mg intranasally.", "intranasal", "Give naloxone 2 mg intravenously."),
    ("Give intranasal naloxone 2 mg.", "intranasal", "Give intravenous naloxone 2 mg."),
    ("Give BCG vaccine intradermally.", "intradermal", "Give BCG vaccine intravenously."),
    ("Give methotrexate intrathecally.", "intrathecal", "Give methotrexate intravenously."),
    ("Apply a transdermal patch of fentanyl.", "transdermal", "Apply an intravenous patch of fentanyl."),
    ("Insert clotrimazole 500 mg vaginally.", "vaginal", "Insert clotrimazole 500 mg intravenously."),
])
def test_a_new_route_is_swapped_for_another_of_the_same_form(text, route, expected):
    assert route in facts(text).routes
    changed = swap_population_or_route(text)
    assert changed == expected
    assert facts(changed).routes and route not in facts(changed).routes


def test_every_canonical_route_of_the_lexicon_can_be_swapped():
    for route in sorted(set(ROUTES.values()), key=str.lower):
        cue = next(c for c, r in ROUTES.items() if r == route and c not in ("infusion", "suppository", "inhaler", "ng tube"))
        text = f"Give the drug {cue} for 3 days."
        changed = swap_population_or_route(text)
        assert changed is not None, route
        after = facts(changed).routes
        assert after and route not in after, (route, changed)


def test_the_old_swaps_still_hold():
    assert swap_population_or_route("Give oral amoxicillin for 5 days.") == "Give intravenous amoxicillin for 5 days."
    assert swap_population_or_route("IV artesunate is first line.") == "Oral artesunate is first line."
    assert swap_population_or_route("Give amoxicillin by mouth.") == "Give amoxicillin intravenously."
    assert swap_population_or_route("Give diazepam rectally.") == "Give diazepam intravenously."


def test_buccal_mucosa_is_no_route():
    assert swap_population_or_route("Inspect the buccal mucosa for lesions.") is None
    assert (swap_population_or_route("Check the buccal mucosa, then give midazolam buccally.")
            == "Check the buccal mucosa, then give midazolam intravenously.")


def test_the_swap_is_deterministic():
    text = "Give ceftriaxone intravenously or orally."
    assert len({swap_population_or_route(text) for _ in range(5)}) == 1
    assert "intravenously" not in swap_population_or_route(text)


@pytest.mark.parametrize("text", ["Give nifedipine 10 mg sublingually.", "Give naloxone 2 mg intranasally.",
                                  "Give midazolam 0.3 mg/kg buccally."])
def test_the_verifier_catches_the_swapped_route(text):
    from rag.types import Passage
    from rag.verify.verifier import verify_against

    p = Passage(chunk_id="c1", text=text, score=1.0, source="who/doc.pdf", title="Doc", organisation="WHO",
                year=2020, section="Treatment", pages=[3], page_labels=[], lines=None, doc_id="d1", rank=1)
    assert verify_against(text, [p]).verdict == "supported"
    assert verify_against(swap_population_or_route(text), [p]).verdict != "supported"
