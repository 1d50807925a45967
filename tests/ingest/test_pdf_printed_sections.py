"""Lines go under the heading printed above them, whatever order the content stream draws them in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.parsers import pdf as pdf_parser
from ingest.parsers.pdf import parse_pdf

ABOVE = ["Give 5 mg/kg once daily, not more than 300 mg.", "Do not give to children under 2 months."]
BELOW = ["Adults: 10 to 20 mg twice daily for 5 days.", "Children over 12 kg: 0.5 ml/kg, max. 15 ml."]


def _late_heading_pdf(path: Path) -> Path:
    """One page: 'Indications' at the top, 'Dosage' mid-page, drawn after the lines printed below it."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.set_y(20)
    pdf.start_section("Indications")
    pdf.text(20, 25, "Indications")
    pdf.set_font("Helvetica", size=11)
    for i, line in enumerate(ABOVE):
        pdf.text(20, 40 + 8 * i, line)
    for i, line in enumerate(BELOW):  # printed under 'Dosage', drawn before it
        pdf.text(20, 120 + 8 * i, line)
    pdf.set_font("Helvetica", size=16)
    pdf.set_y(100)
    pdf.start_section("Dosage")
    pdf.text(20, 105, "Dosage")
    pdf.output(str(path))
    return path


def _two_column_pdf(path: Path) -> Path:
    """Two columns, each under its own heading; both headings are drawn before any body line.

    The right heading is printed a little lower than the left one (on one baseline pypdf joins them
    into one line, and a heading not starting a line is not located: the page keeps the text order).
    """
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.set_y(20)
    pdf.start_section("Indications")
    pdf.text(15, 25, "Indications")
    pdf.start_section("Dosage")
    pdf.text(110, 32, "Dosage")
    pdf.set_font("Helvetica", size=11)
    for i, line in enumerate(["Severe pneumonia.", "Meningitis in infants.", "Sepsis of unknown origin."]):
        pdf.text(15, 40 + 8 * i, line)
    for i, line in enumerate(["Neonates: 50 mg/kg every 12 hours.", "Children: 100 mg/kg once daily.",
                              "Adults: 1 to 2 g once daily."]):
        pdf.text(110, 47 + 8 * i, line)
    pdf.output(str(path))
    return path


def _sections(doc) -> dict[str, tuple[str, ...]]:
    return {line: b.section for b in doc.blocks for line in b.text.split("\n")}


def test_lines_printed_below_a_late_drawn_heading_are_filed_under_it(tmp_path):
    path = _late_heading_pdf(tmp_path / "late.pdf")
    doc = parse_pdf(path, ocr=False, tables=False)
    text = doc.page_texts[0]
    assert text.index("Dosage") > text.index(BELOW[-1])  # pypdf reads the heading after the lines below it
    sections = _sections(doc)
    for line in BELOW:
        assert sections[line] == ("Dosage",)
    for line in ["Indications", *ABOVE]:
        assert sections[line] == ("Indications",)
    assert sections["Dosage"] == ("Dosage",)


def test_blocks_keep_the_page_lines_verbatim_and_once(tmp_path):
    doc = parse_pdf(_late_heading_pdf(tmp_path / "late.pdf"), ocr=False, tables=False)
    lines = [line for b in doc.blocks for line in b.text.split("\n") if line.strip()]
    assert Counter(lines) == Counter(line for line in doc.page_texts[0].split("\n") if line.strip())
    assert {b.page for b in doc.blocks} == {1}
    assert all(b.page_label == doc.page_labels[0] for b in doc.blocks)
    assert "0.5 ml/kg, max. 15 ml" in "\n".join(b.text for b in doc.blocks if b.section == ("Dosage",))


def test_each_column_goes_under_its_own_heading(tmp_path):
    doc = parse_pdf(_two_column_pdf(tmp_path / "columns.pdf"), ocr=False, tables=False)
    sections = _sections(doc)
    assert sections["Meningitis in infants."] == ("Indications",)
    assert sections["Sepsis of unknown origin."] == ("Indications",)
    assert sections["Children: 100 mg/kg once daily."] == ("Dosage",)
    assert sections["Adults: 1 to 2 g once daily."] == ("Dosage",)


@pytest.mark.parametrize("positions", [None, {}, {0: [None] * 5}])
def test_without_positions_the_text_order_rule_stays(positions):
    page = "Indications\nFever.\nDosage\n5 mg/kg.\nNot under 2 months."
    marks = [pdf_parser._Mark(0, ("Indications",)), pdf_parser._Mark(0, ("Dosage",))]
    blocks = pdf_parser._blocks([page], [None], marks, None, positions)
    assert [(b.section, b.text) for b in blocks] == [(("Indications",), "Indications\nFever."),
                                                     (("Dosage",), "Dosage\n5 mg/kg.\nNot under 2 months.")]
