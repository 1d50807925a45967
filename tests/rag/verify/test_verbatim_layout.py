"""A verbatim quote is recognised through the page's layout: list bullets (any glyph, a dash at a line start),
table cell bars and Markdown bold between its words, PDF glyph artefacts (ligatures, a word split by a
space or a line break, a minus sign for a dash), and a cut at a line end where the rest of the sentence
changes nothing. A changed number, a dropped "not", a cut restriction or a clipped qualifier are still no quote."""

from __future__ import annotations

import pytest

from rag.types import Passage
from rag.verify.verbatim import whole_quote
from rag.verify.verifier import verify_against

LIST = ("Transfusion in severe anaemia\nIf the child is stable, give:\n• packed red cells, 10 ml/kg over 3 h\n"
        "• furosemide, 1 mg/kg IV at the start of the transfusion.\nMonitor the pulse every 15 min.")
DASHES = ("Vitamin A on day 1:\n– < 6 months, 50 000 IU\n– 6–12 months, 100 000 IU\n– > 12 months, 200 000 IU\n"
          "• Start zinc at 2 mg/kg per day after the first week.")
SYMBOL = "FEVER\n\n• Measure the temperature in the armpit\n• A temperature of 37.5 °C or above is fever\n\nCAUSES"
TABLE = ("| Age | Weight | 250 mg tablet | 125 mg/5 ml suspension |\n|---|---|---|---|\n"
         "| 1 to < 6 years | 10 to < 21 kg | 1 tab x 2 | 10 ml x 2 |\n| 6 to < 12 years | 21 to < 41 kg | 2 tab x 2 | – |")
BOLD = "If there are signs of fluid overload: **furosemide** IV, 1 mg/kg, may be repeated after 2 hours."
SPLIT = ("Choking child over 1 year of age\n• Give ﬁve back blows to the middle of the\nc\nhild’s back with the heel "
         "of the hand, with the child\nsitting or lying.")
WRAPPED = ("Long-acting calcium-channel blockers are more suitable for starting treatment than "
           "angiotensin-converting\nenzyme inhibitors or receptor blockers.\nEvidence was indirect.")


def passage(text: str) -> Passage:
    return Passage(chunk_id="c1", text=text, score=1.0, source="who/doc.pdf", title="Doc", organisation="WHO",
                   year=2020, section="Treatment", pages=[3], page_labels=[], lines=None, doc_id="d1", rank=1)


@pytest.mark.parametrize("claim, text", [
    # list items quoted as one line, their bullets dropped (or another bullet glyph in the copy)
    ("If the child is stable, give: packed red cells, 10 ml/kg over 3 h furosemide, 1 mg/kg IV at the start of "
     "the transfusion.", LIST),
    ("> 12 months, 200 000 IU Start zinc at 2 mg/kg per day after the first week.", DASHES),
    ("6–12 months, 100 000 IU – > 12 months, 200 000 IU", DASHES),
    ("\uf0b7 Measure the temperature in the armpit \uf0b7 A temperature of 37.5 °C or above is fever", SYMBOL),
    # a table row quoted without its cell bars, and a Markdown table's bold drug name as plain text
    ("1 to < 6 years 10 to < 21 kg 1 tab x 2 10 ml x 2", TABLE),
    ("6 to < 12 years 21 to < 41 kg 2 tab x 2 −", TABLE),
    ("furosemide IV, 1 mg/kg, may be repeated after 2 hours.", BOLD),
    # PDF glyphs: a ligature split by a space in the copy, a word the page splits over a line break
    ("Give ﬁ ve back blows to the middle of the child's back with the heel of the hand, with the child sitting "
     "or lying.", SPLIT),
])
def test_quotes_through_layout_are_whole_quotes(claim, text):
    quote = whole_quote(claim, text)
    assert quote is not None
    assert quote in text  # the passage's own characters, for the source check


@pytest.mark.parametrize("claim, text", [
    # cut at a line end, the rest of the sentence adding nothing: a visibly cut phrase, a compound noun's head
    ("Give five back blows to the middle of the", SPLIT),  # the passage is about children already
    ("Long-acting calcium-channel blockers are more suitable for starting treatment than angiotensin-converting",
     WRAPPED),
])
def test_a_cut_at_a_line_end_that_changes_nothing_is_a_quote(claim, text):
    assert whole_quote(claim, text) is not None


@pytest.mark.parametrize("claim, text", [
    # the rest of the sentence restricts, negates, doses or qualifies what the cut quote says
    ("Give ceftriaxone 50 mg/kg once daily", "Give ceftriaxone 50 mg/kg once daily\nonly if no oral route is possible."),
    ("Give ceftriaxone 50 mg/kg once daily", "Give ceftriaxone 50 mg/kg once daily\nunless the child is jaundiced."),
    ("Give aspirin for fever", "Give aspirin for fever\nbut not to children under 16 years."),
    ("Give amoxicillin to the children", "Give amoxicillin to the children\nwith fast breathing."),
    ("Give oral rehydration solution to", "Give oral rehydration solution to\nadults, 200 ml after each stool."),
    ("Antibiotics should", "Antibiotics should\nnot be given for simple diarrhoea."),
    ("Give five back blows to the middle of the", SPLIT.split("\n", 1)[1]),  # a population the passage did not name
    # layout never hides a change: a number, a dropped negation, a bullet's text swapped for another's
    ("If the child is stable, give: packed red cells, 20 ml/kg over 3 h furosemide, 1 mg/kg IV at the start of "
     "the transfusion.", LIST),
    ("6–12 months, 100 000 IU > 12 months, 100 000 IU", DASHES),
    ("1 to < 6 years 10 to < 21 kg 2 tab x 2 10 ml x 2", TABLE),
    ("give furosemide 1 mg/kg IV at the start of the transfusion.", LIST),
    ("give aspirin to children under 16.", "Do not\n• give aspirin to children under 16."),
])
def test_layout_and_cuts_never_hide_a_change(claim, text):
    assert whole_quote(claim, text) is None


@pytest.mark.parametrize("claim, text, whole", [
    # a clause cut at a comma: the rest of the sentence may go on, but not take back what the clause says
    ("Give ceftriaxone 50 mg/kg once daily", "Give ceftriaxone 50 mg/kg once daily, only if the oral route is "
     "not possible.", False),
    ("Give aspirin for fever and pain", "Give aspirin for fever and pain, but never to children under 16.", False),
    ("Treat with oral amoxicillin for 5 days", "Treat with oral amoxicillin for 5 days, unless the child is "
     "allergic.", False),
    ("Give five back blows to the middle of the back", "Give five back blows to the middle of the back, with the "
     "heel of the hand.", True),
])
def test_a_clause_cut_at_a_comma_is_no_quote_when_the_rest_undoes_it(claim, text, whole):
    assert (whole_quote(claim, text) is not None) == whole


def test_a_quote_of_list_items_is_supported_and_its_perturbations_are_not():
    p = [passage(LIST)]
    claim = ("If the child is stable, give: packed red cells, 10 ml/kg over 3 h furosemide, 1 mg/kg IV at the start "
             "of the transfusion.")
    v = verify_against(claim, p)
    assert (v.verdict, v.rule) == ("supported", "verbatim")
    assert v.evidence[0].quote in LIST
    for changed in (claim.replace("10 ml/kg", "20 ml/kg"), claim.replace("furosemide", "gentamicin"),
                    claim.replace("IV", "orally"), claim.replace("give:", "do not give:")):
        assert verify_against(changed, p).verdict != "supported", changed
