"""Ruled PDF tables become pipe-table blocks (ingest/pdf_tables.py via parse_pdf), on generated and real PDFs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.clean import normalize_unicode
from ingest.parsers import pdf as pdf_parser
from ingest.parsers.pdf import parse_pdf
from ingest.pdf_tables import PageTable, PlacedTable, convert, find_tables, numbers
from tests.support.pdf import make_simple_pdf

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
MSF_DRUGS = SHARED / "corpus/msf/msf_essential_drugs_practical_guide_2025-07.pdf"
WHO_EML = SHARED / "corpus/who/who_model_list_essential_medicines_23rd_2023.pdf"
AMOXICILLIN = "AMOXICILLIN oral"
CONTRA = "Contra-indications, adverse effects, precautions"

BANDS = ["Drug", "3 to < 6 kg", "6 to < 10 kg", "10 to < 15 kg", "15 to < 20 kg", "20 to < 30 kg"]
DOSES = ["1/4 tab", "1/2 tab", "1 tab", "1\u00bd tab", "2 tab", "2\u00bd tab", "3 tab"]  # '1½': latin-1 draws it
DRUGS = [f"Drug{chr(65 + i // 26)}{chr(65 + i % 26)} {100 + 5 * i} mg" for i in range(46)]
ABOVE = "Dosing of the oral drugs below follows the child's body weight; round down to the nearest band."
BELOW = "Give each dose with water after food and review the child after 48 hours of treatment."


def _rows() -> list[list[str]]:
    return [[drug] + [DOSES[(i + c) % len(DOSES)] for c in range(len(BANDS) - 1)] for i, drug in enumerate(DRUGS)]


def _write_dosing_pdf(path: Path) -> Path:
    """Prose, a ruled table of 46 drugs by weight band over two pages (header repeated on the second), prose."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, ABOVE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9)

    def row(cells: list[str], bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        for i, cell in enumerate(cells):
            pdf.cell(40 if i == 0 else 30, 7, cell, border=1)
        pdf.ln(7)

    row(BANDS, bold=True)
    for cells in _rows():
        if pdf.get_y() > pdf.h - 25:
            pdf.add_page()
            row(BANDS, bold=True)
        row(cells)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, BELOW, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def dosing(tmp_path_factory):
    path = _write_dosing_pdf(tmp_path_factory.mktemp("tables") / "dosing.pdf")
    return parse_pdf(path)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


HEADER_ROW = "| Drug | 3 to < 6 kg | 6 to < 10 kg | 10 to < 15 kg | 15 to < 20 kg | 20 to < 30 kg |"


def test_the_table_pages_become_pipe_tables_with_the_band_header(dosing):
    tables = [b for b in dosing.blocks if b.kind == "table"]
    assert sorted({b.page for b in tables}) == [1, 2]
    for block in tables:
        lines = block.text.split("\n")
        assert lines[0] == HEADER_ROW
        assert lines[1] == "|---|---|---|---|---|---|"
    body = [line for b in tables for line in b.text.split("\n")[2:]]
    assert body == ["| " + " | ".join(normalize_unicode(cell) for cell in cells) + " |" for cells in _rows()]
    assert "| DrugAB 105 mg | 1/2 tab | 1 tab | 1 1/2 tab | 2 tab | 2 1/2 tab |" in body  # '1½' spelled as pdf.py spells it


def test_every_table_chunk_carries_the_header_row(dosing, fake_embedder):
    chunks = chunk_blocks(dosing.blocks, doc_id="d" * 64, title="Doses", count_tokens=fake_embedder.count_tokens,
                          params=ChunkerParams(chunk_tokens=120, chunk_overlap=0, max_tokens=160))
    table_chunks = [c for c in chunks if "| Drug" in c.text and "tab |" in c.text]
    assert len(table_chunks) >= 4  # the table really was cut
    for chunk in table_chunks:
        assert chunk.text.startswith(HEADER_ROW), chunk.text[:200]
    # Every drug row is in exactly one chunk.
    rows = Counter(line for c in table_chunks for line in c.text.split("\n") if line.startswith("| Drug") and "mg" in line)
    assert len(rows) == len(DRUGS) and set(rows.values()) == {1}


def test_prose_above_and_below_stays_whole_and_once(dosing):
    text_blocks = [b for b in dosing.blocks if b.kind == "text"]
    assert [b.page for b in text_blocks if ABOVE in _squash(b.text)] == [1]
    assert [b.page for b in text_blocks if BELOW in _squash(b.text)] == [2]
    assert not any("tab" in b.text or "kg" in b.text for b in text_blocks)  # no table row left in the prose
    assert dosing.blocks[0].kind == "text" and dosing.blocks[-1].kind == "text"  # reading order: prose, table, prose


def test_every_number_of_the_page_survives(dosing):
    for page, text in enumerate(dosing.page_texts, start=1):
        after = sum((numbers(b.text) for b in dosing.blocks if b.page == page), Counter())
        assert after == numbers(text), page


def test_page_texts_stay_pypdf_text(dosing, tmp_path):
    plain = parse_pdf(_write_dosing_pdf(tmp_path / "again.pdf"), tables=False)
    assert plain.page_texts == dosing.page_texts
    assert not any(b.kind == "table" for b in plain.blocks)


def test_a_prose_page_yields_no_table(tmp_path):
    lines = [f"On day {d} give {d * 10} mg and {d * 5} ml, then wait {d + 2} hours before the next dose." for d in range(1, 30)]
    doc = parse_pdf(make_simple_pdf(tmp_path / "prose.pdf", [lines]))
    assert [b.kind for b in doc.blocks] == ["text"]


def test_convert_rejects_a_framed_paragraph_and_carries_spanning_labels():
    assert convert([["A long paragraph of prose " * 20], ["more prose " * 30], ["and more " * 30]]) is None
    assert convert([["Weight", "Dose"], ["5 kg", None], [None, "2 mg"]]) is None  # too few filled cells
    table = convert([["Age", "Daily dose", None], ["", "tablet", "syrup"],
                     ["< 1 year", "1/4", "2.5 ml"], ["1 to 5 years", "1/2", "5 ml"], ["> 5 years", "1", "10 ml"]])
    assert table is not None and table.header_rows == 2
    assert table.pipe_text().split("\n")[:3] == ["| Age | Daily dose | Daily dose |", "| Age | tablet | syrup |",
                                                 "|---|---|---|"]


def test_convert_takes_a_spanning_caption_out_of_the_header():
    rows = [["bisoprolol", "Tablet: 1.25 mg; 5 mg."], ["digoxin", "Tablet: 62.5 micrograms."],
            ["enalapril", "Tablet: 2.5 mg; 5 mg."]]
    table = convert([["12.4 Medicines used in heart failure", None], *rows])
    assert table is not None and table.header_rows == 1
    assert table.pipe_text().split("\n") == ["12.4 Medicines used in heart failure", "| bisoprolol | Tablet: 1.25 mg; 5 mg. |",
                                             "|---|---|", "| digoxin | Tablet: 62.5 micrograms. |",
                                             "| enalapril | Tablet: 2.5 mg; 5 mg. |"]
    two = convert([["5. MEDICINES FOR DISEASES", None], ["5.1 Antiseizure medicines", ""], *rows])
    assert two is not None and two.pipe_text().split("\n")[:3] == [
        "5. MEDICINES FOR DISEASES", "5.1 Antiseizure medicines", "| bisoprolol | Tablet: 1.25 mg; 5 mg. |"]
    # A spanning label over sub-columns is a header row, not a caption: the corner cell is empty, the label not first.
    dose = convert([["", "Daily dose", None], ["Age", "tablet", "syrup"], ["< 1 year", "1/4", "2.5 ml"],
                    ["1 to 5 years", "1/2", "5 ml"], ["> 5 years", "1", "10 ml"]])
    assert dose is not None and dose.pipe_text().startswith("|  | Daily dose | Daily dose |\n| Age | tablet | syrup |")


def test_a_table_goes_under_the_heading_printed_above_it_unless_a_heading_cannot_be_located():
    page = "Dosage\nGive by weight.\nDuration\nUnder 10 kg 5 mg\n10 kg and over 10 mg\n5 days."
    marks = [pdf_parser._Mark(0, ("Dosage",)), pdf_parser._Mark(0, ("Duration",))]
    table = PageTable([["Weight", "Dose"], ["Under 10 kg", "5 mg"], ["10 kg and over", "10 mg"]])

    def blocks(before, after):
        placed = PlacedTable(table, (3, 4), frozenset(before), frozenset(after))
        return [(b.kind, b.section, b.text) for b in pdf_parser._blocks([page], [None], marks, {0: [placed]})]

    # pypdf read 'Duration' first, but the table is printed between 'Give by weight.' and 'Duration'.
    assert blocks({0, 1}, {2, 5}) == [("text", ("Dosage",), "Dosage\nGive by weight."),
                                      ("table", ("Dosage",), table.pipe_text()),
                                      ("text", ("Duration",), "Duration\n5 days.")]
    # 'Duration' not found on the printed page: the table stays at its first line, in the same place as before.
    assert blocks({0, 1}, {5}) == [("text", ("Dosage",), "Dosage\nGive by weight."),
                                   ("text", ("Duration",), "Duration"), ("table", ("Duration",), table.pipe_text()),
                                   ("text", ("Duration",), "5 days.")]


def _clean_page(path: Path, index: int) -> str:
    """One page's text as parse_pdf cleans it (running headers aside: they need the whole document)."""
    from pypdf import PdfReader

    raw = pdf_parser._extract(PdfReader(path, strict=False), index, False, [])
    return pdf_parser._clean_pages(pdf_parser._spaced_pages([raw], False))[0]


@pytest.mark.corpus
def test_eml_section_caption_row_is_not_the_header():
    if not WHO_EML.exists():
        pytest.skip(f"no shared corpus at {WHO_EML}")
    text = _clean_page(WHO_EML, 42)
    placed = find_tables(WHO_EML, {42: text})[42]
    assert len(placed) == 1
    lines = placed[0].table.pipe_text().split("\n")
    assert lines[0] == "12.4 Medicines used in heart failure"
    assert lines[1].startswith("| \u25a1 bisoprolol") and lines[2] == "|---|---|"  # one header row: the first medicine
    assert numbers("\n".join(text.split("\n")[i] for i in placed[0].lines)) == numbers("\n".join(lines))


def _msf_amoxicillin_pdf(path: Path) -> Path:
    """MSF pages 37-38 (AMOXICILLIN oral) with an outline naming the headings the full parse finds by font."""
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(MSF_DRUGS), PdfWriter()
    for index in (36, 37):
        writer.add_page(reader.pages[index])
    drug = writer.add_outline_item(title=AMOXICILLIN, page_number=0)
    for title, page in [("Dosage", 0), ("Duration", 1), (CONTRA, 1)]:
        writer.add_outline_item(title=title, page_number=page, parent=drug)
    writer.write(str(path))
    return path


@pytest.mark.corpus
def test_msf_dosing_tables_sit_in_the_dosage_section_as_printed(tmp_path):
    """pypdf reads page 38's 'Duration' and 'Contra-indications' headings before the two dosing tables
    printed above them; each table still belongs to 'Dosage' (continued from page 37), once."""
    if not MSF_DRUGS.exists():
        pytest.skip(f"no shared corpus at {MSF_DRUGS}")
    path = _msf_amoxicillin_pdf(tmp_path / "amoxicillin.pdf")
    doc, plain = parse_pdf(path), parse_pdf(path, tables=False)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [(b.page, b.section) for b in tables] == [(2, (AMOXICILLIN, "Dosage"))] * 2
    assert [b.text.count("| < 3 months | < 6 kg |") for b in tables] == [1, 1]
    assert "125 mg x 2" in tables[0].text and "125 mg x 3" in tables[1].text
    # Prose keeps its lines and their sections; only the table blocks moved.
    def prose(d):
        return [(b.page, b.section, line) for b in d.blocks if b.kind == "text" for line in b.text.split("\n")]
    table_lines = {line for b in plain.blocks for line in b.text.split("\n") if "tab x" in line or "Daily dose" in line}
    assert prose(doc) == [p for p in prose(plain) if p[2] not in table_lines]
    assert plain.page_texts == doc.page_texts
    for page, text in enumerate(doc.page_texts, start=1):
        assert sum((numbers(b.text) for b in doc.blocks if b.page == page), Counter()) == numbers(text)


@pytest.mark.slow
@pytest.mark.corpus
def test_msf_dosing_table_keeps_its_weight_header():
    if not MSF_DRUGS.exists():
        pytest.skip(f"no shared corpus at {MSF_DRUGS}")
    doc = parse_pdf(MSF_DRUGS)
    tables = [b for b in doc.blocks if b.kind == "table" and b.page == 38]  # AMOXICILLIN oral: two tables by age/weight
    assert len(tables) == 2, [b.text[:80] for b in doc.blocks if b.page == 38]
    assert [b.section for b in tables] == [(AMOXICILLIN, "Dosage")] * 2  # printed under Dosage, read after later headings
    for table in tables:
        assert table.text.split("\n")[0] == "| Age | Weight | Daily dose | 125 mg/5 ml susp. | 250 mg tablet | 500 mg tablet |"
    assert "| 3 to < 24 months | 6 to < 12 kg | 250 mg x 2 | 10 ml x 2 | 1 tab x 2 | – |" in tables[0].text
    prose = " ".join(b.text for b in doc.blocks if b.page == 38 and b.kind == "text")
    assert "Age Weight Daily dose" not in prose and "Child: 30 mg/kg (max. 1 g) 3 times daily" in prose
