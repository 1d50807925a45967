"""Two generated editions of one guideline (tests/support/pdf.py's writer), for the superseded-edition tests.

The second edition (2010) treats severe malaria in children with quinine; the third (2015) replaced it
with artesunate, reworded. Both answer SEVERE_QUESTION, and the older one's words match it better, so
only the edition preference ranks the newer one first. The older edition alone has a section on
chloroquine prophylaxis (ONLY_OLD_QUESTION): there it is the only source.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.pdf import GuidelinePdf, make_guideline_pdf

TITLE = "Guidelines for the treatment of malaria"
OLD_TITLE, OLD_YEAR, OLD_EDITION = f"{TITLE}, second edition", 2010, "Second edition"
NEW_TITLE, NEW_YEAR, NEW_EDITION = f"{TITLE}, third edition", 2015, "Third edition"
NEW_LABEL = f"{NEW_EDITION}, {NEW_YEAR}"

SEVERE_QUESTION = "What is the dose of intravenous quinine for severe malaria in children?"
OLD_SEVERE = ("Severe malaria in children: give intravenous quinine, a loading dose of 20 mg/kg, then 10 mg/kg "
              "every 8 hours until the child can take oral medication.")
NEW_SEVERE = ("Artesunate, given intravenously or intramuscularly for at least 24 hours, is now recommended for all "
              "patients with severe malaria, including infants, pregnant women and breastfeeding mothers.")
ONLY_OLD_QUESTION = "Which chloroquine prophylaxis for travellers?"
OLD_ONLY = "Travellers to areas without chloroquine resistance may take chloroquine prophylaxis weekly."

_SHARED = [
    ("1. Introduction", ["This guideline covers the treatment of uncomplicated malaria in children and adults."]),
    ("2. Treatment", ["Treatment should start as soon as the diagnosis is confirmed by a parasitological test."]),
    ("2.1 Uncomplicated malaria", ["Give artemether-lumefantrine twice daily for three days with fatty food."]),
]
OLD_SECTIONS = [*_SHARED, ("2.2 Severe malaria", [OLD_SEVERE]), ("3. Prophylaxis", [OLD_ONLY])]
NEW_SECTIONS = [*_SHARED, ("2.2 Severe malaria", [NEW_SEVERE]),
                ("3. Prevention", ["Insecticide-treated nets should be used by everyone living in endemic areas."])]


def write_old_edition(folder: Path, name: str = "malaria_2nd_ed_2010.pdf") -> GuidelinePdf:
    """The second edition (2010) as a PDF in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_guideline_pdf(folder / name, title=OLD_TITLE, year=OLD_YEAR, sections=OLD_SECTIONS, table=False)


def write_new_edition(folder: Path, name: str = "malaria_3rd_ed_2015.pdf") -> GuidelinePdf:
    """The third edition (2015) as a PDF in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_guideline_pdf(folder / name, title=NEW_TITLE, year=NEW_YEAR, sections=NEW_SECTIONS, table=False)


def write_other_guideline(folder: Path, name: str = "hypertension.pdf") -> GuidelinePdf:
    """An unrelated guideline, so the editions are not the whole index."""
    folder.mkdir(parents=True, exist_ok=True)
    sections = [("1. Hypertension", ["Start drug treatment in adults with a blood pressure of 140/90 mmHg or more."]),
                ("2. Follow-up", ["Review adults on treatment monthly until their blood pressure is controlled."])]
    return make_guideline_pdf(folder / name, title="Guideline for the pharmacological treatment of hypertension",
                              year=2021, sections=sections, table=False, header="Hypertension guideline")
