"""Generated PDFs for tests (fpdf2, plus pypdf for page labels and encryption), with known facts.

Use `make_guideline_pdf` for a realistic small guideline: a cover and a front-matter page
(labelled i, ii), then one page per section (labelled 1, 2, ...), an outline (bookmarks) built
from the section titles, a running header and a footer with the page number on every page after
the cover, and a dosing table. It returns a `GuidelinePdf` saying which phrase is on which
physical page (1-based, as pypdf's reader.pages[i] is page i+1) and in which section path.
Only latin-1 text: fpdf2's core fonts cannot draw anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SECTIONS: list[tuple[str, list[str]]] = [
    ("1. Introduction", ["This guideline covers the treatment of uncomplicated malaria in children and adults."]),
    ("2. Treatment", ["Treatment should start as soon as the diagnosis is confirmed by a parasitological test."]),
    ("2.1 Uncomplicated malaria", ["Give artemether-lumefantrine twice daily for three days with fatty food."]),
    ("2.2 Severe malaria", ["Give intravenous artesunate for at least 24 hours and until oral medication is tolerated."]),
    ("3. Prevention", ["Insecticide-treated nets should be used by everyone living in endemic areas."]),
]
TABLE_ROWS = [("Body weight", "Dose", "Tablets"), ("5 to < 15 kg", "20/120 mg", "1 tablet"),
              ("15 to < 25 kg", "40/240 mg", "2 tablets"), ("25 to < 35 kg", "60/360 mg", "3 tablets")]
TABLE_PHRASE = "Dosing table: artemether-lumefantrine by body weight"


@dataclass
class Phrase:
    """A sentence written into the PDF, where it is, and the section path it belongs to."""

    text: str
    page: int  # physical, 1-based
    section: tuple[str, ...]


@dataclass
class GuidelinePdf:
    """What `make_guideline_pdf` wrote, for assertions.

    path: the file. page_count: physical pages. phrases: every body sentence with its page and
    section path (section paths follow the numbering: "2.1 ..." sits under "2. ..."). labels: the
    expected printed page label per physical page (None for all if page_labels=False).
    header / footer_prefix: the running header text and the footer's text before the page number.
    table_page: the physical page of the dosing table (None without a table); table_rows: its rows.
    """

    path: Path
    title: str
    organisation: str
    page_count: int
    phrases: list[Phrase] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    header: str | None = None
    footer_prefix: str | None = None
    table_page: int | None = None
    table_rows: list[tuple[str, str, str]] = field(default_factory=list)

    def phrase(self, start: str) -> Phrase:
        """The phrase that starts with `start`."""
        return next(p for p in self.phrases if p.text.startswith(start))


ORG_NAMES = {"WHO": "World Health Organization", "MSF": "Medecins Sans Frontieres"}


def _fpdf(header: str | None, footer_prefix: str | None):
    """An FPDF whose pages after the cover carry a running header and a numbered footer."""
    from fpdf import FPDF

    class GuidelineFPDF(FPDF):
        def header(self):
            if header and self.page_no() > 1:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT", align="C")
                self.ln(4)

        def footer(self):
            if footer_prefix and self.page_no() > 1:
                self.set_y(-15)
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 10, f"{footer_prefix} {self.page_no()}", align="C")

    pdf = GuidelineFPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    return pdf


def _level(title: str) -> int:
    """Outline level from the title's numbering: '2.' -> 0, '2.1' -> 1."""
    number = re.match(r"^(\d+(?:\.\d+)*)", title)
    return number.group(1).count(".") if number else 0


def _path(stack: list[str], title: str) -> list[str]:
    """The section path after `title` starts, nesting by numbering depth."""
    return stack[: _level(title)] + [title]


def _write_cover(pdf, title: str, organisation: str, year: int) -> None:
    """Cover page (big title) and a front-matter page with copyright and licence."""
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 24)
    pdf.multi_cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 8, ORG_NAMES.get(organisation, organisation), new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, f"\u00a9 {ORG_NAMES.get(organisation, organisation)} {year}\nISBN 978-92-4-000000-0\n"
                   "Some rights reserved. This work is available under the CC BY-NC-SA 3.0 IGO licence.\n"
                   "Foreword: these recommendations are written for health workers in district hospitals.",
                   new_x="LMARGIN", new_y="NEXT")


def _write_table(pdf) -> None:
    """A dosing table: one row of cells per weight band."""
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 6, TABLE_PHRASE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for row in TABLE_ROWS:
        for cell in row:
            pdf.cell(50, 7, cell, border=1)
        pdf.ln(7)


def make_guideline_pdf(
    path: Path,
    *,
    title: str = "Guidelines for the treatment of malaria",
    organisation: str = "WHO",
    sections: list[tuple[str, list[str]]] | None = None,
    header: str | None = "Malaria treatment guideline - running header",
    footer: str | None = "Guideline page",
    page_labels: bool = True,
    table: bool = True,
    year: int = 2021,
    page_per_section: bool = True,
    outline: bool = True,
) -> GuidelinePdf:
    """Write a small guideline PDF (see the module docstring) and return what is where.

    page_per_section=False runs sections on, so several start mid-page. outline=False writes no
    bookmarks: the headings are only the bold 14 pt lines above the 11 pt body text.
    """
    path = Path(path)
    sections = DEFAULT_SECTIONS if sections is None else sections
    pdf = _fpdf(header, footer)
    pdf.set_title(title)
    pdf.set_author(ORG_NAMES.get(organisation, organisation))
    _write_cover(pdf, title, organisation, year)
    facts = GuidelinePdf(path, title, organisation, 0, header=header, footer_prefix=footer)
    stack: list[str] = []
    for index, (heading, paragraphs) in enumerate(sections):
        if page_per_section or index == 0:
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        if outline:
            pdf.start_section(heading, level=_level(heading))
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        stack = _path(stack, heading)
        pdf.set_font("Helvetica", "", 11)
        for text in paragraphs:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            facts.phrases.append(Phrase(text, pdf.page_no(), tuple(stack)))
        if table and index == min(2, len(sections) - 1):
            _write_table(pdf)
            facts.table_page, facts.table_rows = pdf.page_no(), list(TABLE_ROWS)
    pdf.output(str(path))
    facts.page_count = pdf.pages_count
    facts.labels = [None] * facts.page_count
    if page_labels:
        facts.labels = _add_page_labels(path, facts.page_count)
    return facts


def _add_page_labels(path: Path, count: int) -> list[str | None]:
    """Label the cover and front matter i, ii and the body 1, 2, ... (pypdf PdfWriter)."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(path))
    writer.set_page_label(0, 1, style="/r")
    if count > 2:
        writer.set_page_label(2, count - 1, style="/D", start=1)
    writer.write(str(path))
    return ["i", "ii"][:count] + [str(n) for n in range(1, count - 1)]


def make_simple_pdf(path: Path, pages: list[str | list[str]], *, line_height: float = 6) -> Path:
    """A plain 11 pt PDF, one page per item: a text, or a list of lines (one paragraph each)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", "", 11)
    for page in pages:
        pdf.add_page()
        for text in [page] if isinstance(page, str) else page:
            if text:
                pdf.multi_cell(0, line_height, text, new_x="LMARGIN", new_y="NEXT")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return Path(path)


def make_encrypted_pdf(path: Path, *, user_password: str = "secret") -> Path:
    """An encrypted PDF (RC4-128, readable without extra packages); user_password='' opens freely."""
    from pypdf import PdfWriter

    plain = Path(path).with_suffix(".plain.pdf")
    make_simple_pdf(plain, ["Confidential guideline text about oral rehydration salts."])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    writer.write(str(path))
    plain.unlink()
    return Path(path)


def make_truncated_pdf(path: Path, keep: float = 0.3) -> Path:
    """A real guideline PDF cut after `keep` of its bytes, as an interrupted download leaves it."""
    full = Path(path).with_suffix(".full.pdf")
    make_guideline_pdf(full, page_labels=False)
    data = full.read_bytes()
    full.unlink()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def make_corrupt_pdf(path: Path) -> Path:
    """A file with a PDF signature and nothing readable after it."""
    Path(path).write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    return Path(path)


def make_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """Pages with drawings but no text layer, like a scan."""
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(pages):
        pdf.add_page()
        pdf.set_fill_color(40 * n % 255, 120, 200)
        pdf.rect(20, 20, 170, 250, style="F")
    pdf.output(str(path))
    return Path(path)


def make_not_pdf(path: Path) -> Path:
    """An HTML error page saved under a .pdf name."""
    Path(path).write_bytes(b"<!DOCTYPE html><html><body>404 Not Found</body></html>")
    return Path(path)


def make_cyclic_outline_pdf(path: Path) -> GuidelinePdf:
    """A guideline PDF whose outline loops: the last bookmark's /Next and the first's /First point back."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    facts = make_guideline_pdf(path, page_labels=False)
    writer = PdfWriter(clone_from=str(path))
    outlines = writer.root_object["/Outlines"]
    first_ref = outlines.raw_get("/First")
    first = first_ref.get_object()
    outlines["/Last"].get_object()[NameObject("/Next")] = first_ref
    first[NameObject("/First")] = first_ref
    first[NameObject("/Last")] = first_ref
    writer.write(str(path))
    return facts


MONOGRAPHS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("AMOXICILLIN oral", [("Indications", ["Respiratory infections, otitis media and pyelonephritis."]),
                          ("Dosage", ["Child: 25 mg/kg 2 times daily for 5 days.", "Adult: 1 g 2 times daily."])]),
    ("ZINC sulfate oral", [("Indications", ["Adjunct to oral rehydration in acute diarrhoea in children."]),
                           ("Dosage and duration", ["Child under 6 months: 10 mg once daily for 10 days.",
                                                    "Child 6 months to 5 years: 20 mg once daily for 10 days."]),
                           ("Precautions", ["Do not give iron at the same time: zinc reduces its absorption."])]),
    ("PARACETAMOL oral", [("Indications", ["Mild pain and fever."]),
                          ("Dosage", ["Child: 15 mg/kg 3 times daily.", "Adult: 1 g 3 times daily."])]),
]


def make_monograph_pdf(path: Path, *, filler_lines: int = 45) -> list[Phrase]:
    """A drug guide without an outline: per drug a 24 pt name, 14 pt subheadings and 10 pt text.

    Each drug starts a page; `filler_lines` lines of body text under the first subheading push the
    rest of the monograph onto the next page, whose text then carries no drug name of its own.
    Returns every body sentence with its physical page and expected section (drug, subheading).
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    phrases: list[Phrase] = []
    for drug, parts in MONOGRAPHS:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 24)
        pdf.multi_cell(0, 12, drug, new_x="LMARGIN", new_y="NEXT")
        for n, (heading, sentences) in enumerate(parts):
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            for text in sentences:
                pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
                phrases.append(Phrase(text, pdf.page_no(), (drug, heading)))
            if n == 0:
                for line in range(filler_lines):
                    pdf.multi_cell(0, 5, f"Background note {line} on the use of this medicine in practice.",
                                   new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return phrases
