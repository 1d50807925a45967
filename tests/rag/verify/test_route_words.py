"""Standard routes are route cues: sublingual, buccal, intranasal, intradermal, transdermal, intrathecal, vaginal
(the adverb), rectal; a claim giving another route than such a span is contradicted. Anatomy is no route
("buccal mucosa", "vaginal bleeding")."""

from __future__ import annotations

import pytest

from rag.types import Passage
from rag.verify.facts import facts
from rag.verify.verifier import verify_against


def passage(text: str) -> Passage:
    return Passage(chunk_id="c1", text=text, score=1.0, source="who/doc.pdf", title="Doc", organisation="WHO",
                   year=2020, section="Treatment", pages=[3], page_labels=[], lines=None, doc_id="d1", rank=1)


@pytest.mark.parametrize("text, route", [
    ("Give nifedipine 10 mg sublingually.", "sublingual"),
    ("Sublingual misoprostol 400 micrograms.", "sublingual"),
    ("Midazolam 0.3 mg/kg by the buccal route.", "buccal"),
    ("Give midazolam buccally.", "buccal"),
    ("Naloxone 2 mg intranasally.", "intranasal"),
    ("Intranasal fentanyl for severe pain.", "intranasal"),
    ("BCG 0.05 ml intradermally.", "intradermal"),
    ("An intradermal injection of 0.1 ml.", "intradermal"),
    ("Apply a transdermal patch.", "transdermal"),
    ("Never give vincristine intrathecally.", "intrathecal"),
    ("Misoprostol 800 micrograms vaginally.", "vaginal"),
    ("Give diazepam rectally.", "rectal"),
    ("Give diazepam per rectum.", "rectal"),
])
def test_route_words(text, route):
    assert route in facts(text).routes


@pytest.mark.parametrize("text", ["Koplik spots on the buccal mucosa.", "Vaginal bleeding after delivery."])
def test_anatomy_is_no_route(text):
    assert not facts(text).routes


@pytest.mark.parametrize("claim, span", [
    ("Give nifedipine 10 mg orally if the blood pressure stays high.",
     "Give nifedipine 10 mg sublingually if the blood pressure stays high."),
    ("Give midazolam 0.5 mg/kg intravenously for a convulsion.",
     "Give midazolam 0.5 mg/kg buccally for a convulsion."),
    ("Give naloxone 2 mg orally and repeat after 5 minutes.",
     "Give naloxone 2 mg intranasally and repeat after 5 minutes."),
])
def test_a_swapped_route_is_contradicted(claim, span):
    v = verify_against(claim, [passage(span)])
    assert (v.verdict, v.rule) == ("contradicted", "route"), v.reason


def test_the_true_route_is_supported():
    text = "Give nifedipine 10 mg sublingually if the blood pressure stays high."
    assert verify_against("Nifedipine 10 mg is given sublingually if the blood pressure stays high.",
                          [passage(text)]).verdict == "supported"
