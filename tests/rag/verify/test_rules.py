"""The verifier's rules on hand-written claims with known verdicts: numbers and units, comparators, ranges,
fractions (½, 1½, "1 1/2"), a table with weight bands, negation and modality, drug, route, population,
and no support stitched from unrelated sentences."""

from __future__ import annotations

import pytest

from rag.types import Passage
from rag.verify.claims import split_claims
from rag.verify.facts import facts, parse_value
from rag.verify.verifier import verify_against

MALARIA = (
    "Treat adults and children with severe malaria with intravenous or intramuscular artesunate for at least 24 h "
    "and until they can tolerate oral medication. Children weighing < 20 kg should receive a higher dose of "
    "artesunate (3 mg/kg bw per dose) than larger children and adults (2.4 mg/kg bw per dose)."
)
ZINC = "Give zinc supplements to children with diarrhoea for 10–14 days. Do not give antibiotics for simple diarrhoea."
TABLE = (
    "Artemether-lumefantrine dosing by body weight\n"
    "Weight (kg) Tablets per dose\n"
    "5 to < 15 1\n"
    "15 to < 25 2\n"
    "25 to < 35 3\n"
    "≥ 35 4"
)
PARACETAMOL = (
    "Paracetamol dose by weight (tablets of 100 mg)\n"
    "Weight Tablets\n"
    "6 to < 10 kg ½\n"
    "10 to < 15 kg 1\n"
    "15 to < 20 kg 1½"
)
PREGNANCY = "Primaquine is contraindicated in pregnant women. Give oral amoxicillin 40 mg/kg twice daily for 5 days."
OXYGEN = "Give oxygen to children with an oxygen saturation below 90%. Ceftriaxone is given once daily."


def passage(text: str, n: int = 1) -> Passage:
    return Passage(chunk_id=f"c{n}", text=text, score=1.0, source=f"who/doc{n}.pdf", title=f"Doc {n}",
                   organisation="WHO", year=2020, section="Treatment", pages=[10 + n], page_labels=[],
                   lines=None, doc_id=f"d{n}", rank=n)


ALL = [passage(t, i) for i, t in enumerate((MALARIA, ZINC, TABLE, PARACETAMOL, PREGNANCY, OXYGEN), 1)]

CASES = [
    # (claim, verdict, words the reason must hold)
    ("Children weighing less than 20 kg should receive 3 mg/kg of artesunate per dose.", "supported", ()),
    ("Children weighing less than 20 kg should receive 4 mg/kg of artesunate per dose.", "contradicted", ("3 mg/kg", "4 mg/kg")),
    ("Larger children and adults receive 2.4 mg/kg bw per dose of artesunate.", "supported", ()),
    ("Give zinc supplements to children with diarrhoea for 10–14 days.", "supported", ()),
    ("Give zinc supplements to children with diarrhoea for 10 to 14 days.", "supported", ()),
    ("Give zinc supplements to children with diarrhoea for 20 days.", "contradicted", ("10-14 days", "20 days")),
    ("Do not give zinc supplements to children with diarrhoea.", "contradicted", ("not",)),
    ("Give antibiotics for simple diarrhoea.", "contradicted", ("not",)),
    ("Do not give antibiotics for simple diarrhoea.", "supported", ()),
    ("Give amoxicillin to pregnant women? Primaquine is recommended in pregnant women.", None, ()),
    ("Primaquine is recommended in pregnant women.", "contradicted", ("contraindicated",)),
    ("Give oral amoxicillin 40 mg/kg twice daily for 5 days.", "supported", ()),
    ("Give oral amoxicillin 40 mg/kg twice daily for 10 days.", "contradicted", ("5 days", "10 days")),
    ("Give oral cotrimoxazole 40 mg/kg twice daily for 5 days.", "contradicted", ("amoxicillin", "cotrimoxazole")),
    ("Give intravenous amoxicillin 40 mg/kg twice daily for 5 days.", "contradicted", ("oral", "IV")),
    ("Treat adults and children with severe malaria with intravenous artesunate for at least 24 h.", "supported", ()),
    ("Treat adults and children with severe malaria with intravenous artesunate for at least 12 h.", "contradicted", ("12 h",)),
    ("Treat adults and children with severe malaria with intravenous artesunate for up to 24 h.", "contradicted", ("up to",)),
    ("Give oxygen to children with an oxygen saturation below 90%.", "supported", ()),
    ("Give oxygen to adults with an oxygen saturation below 90%.", "contradicted", ("children", "adults")),
    ("Give oxygen to children with an oxygen saturation above 90%.", "contradicted", ("90%",)),
    # the table: a row with its header lines
    ("A child of 15 to < 25 kg takes 2 tablets of artemether-lumefantrine per dose.", "supported", ()),
    ("A child of 15 to < 25 kg takes 3 tablets of artemether-lumefantrine per dose.", "contradicted", ("3 tablets",)),
    ("A child of 15 to < 20 kg takes 1½ tablets of paracetamol.", "supported", ()),
    ("A child of 15 to < 20 kg takes 1 1/2 tablets of paracetamol.", "supported", ()),
    ("A child of 6 to < 10 kg takes ½ tablet of paracetamol.", "supported", ()),
    ("A child of 6 to < 10 kg takes 2 tablets of paracetamol.", "contradicted", ("2 tablets",)),
    # stitched: the drug from one sentence, the dose from another
    ("Give ceftriaxone to children with an oxygen saturation below 90%.", "unsupported", ()),
    ("Meditron recommends bed rest and herbal tea for severe malaria.", "unsupported", ()),
]


@pytest.mark.parametrize("claim,verdict,words", [c for c in CASES if c[1]])
def test_claim_verdicts(claim, verdict, words):
    got = verify_against(claim, ALL)
    assert got.verdict == verdict, (got.reason, got.evidence[0].quote if got.evidence else None)
    for word in words:
        assert word.lower() in got.reason.lower(), got.reason
    if verdict != "unsupported":
        quote = got.evidence[0].quote
        assert all(line in got.evidence[0].passage.text for line in quote.split("\n"))  # verbatim lines


def test_a_table_row_comes_with_its_header_lines():
    got = verify_against("A child of 15 to < 25 kg takes 2 tablets of artemether-lumefantrine per dose.", ALL)
    assert got.evidence[0].quote.splitlines()[-1] == "15 to < 25 2"
    assert "Tablets per dose" in got.evidence[0].quote


def test_the_reason_names_both_numbers():
    got = verify_against("Give zinc supplements to children with diarrhoea for 20 days.", ALL)
    assert got.reason == "the guideline says 10-14 days, the claim says 20 days"


@pytest.mark.parametrize("raw,value", [("½", 0.5), ("1½", 1.5), ("1 1/2", 1.5), ("2,5", 2.5), ("1,000", 1000.0),
                                       ("3/4", 0.75)])
def test_fractions_and_decimals(raw, value):
    assert parse_value(raw) == pytest.approx(value)


def test_quantities_keep_units_comparators_and_ranges():
    q = facts("Children weighing 5 to < 10 kg: 1½ tablets; SBP ≥ 140 mmHg; at least 3 days").quantities
    assert [(x.lo, x.hi, x.unit) for x in q] == [(5, 10, "kg"), (1.5, 1.5, "tablets"), (140, 140, "mmHg"), (3, 3, "days")]
    assert q[2].comparator == ">=" and q[3].comparator == ">="


def test_claims_split_on_sentences_and_drop_markers():
    claims = split_claims("Give artesunate 2.4 mg/kg [1]. Then give an ACT for 3 days [2, 3].\n- Refer if worse.")
    assert [c.text for c in claims] == ["Give artesunate 2.4 mg/kg", "Then give an ACT for 3 days", "Refer if worse"]
    assert claims[1].cites == (2, 3)
