"""Markdown, HTML and plain-text parsers, and format dispatch (parse_file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parsers.formats import SUPPORTED_SUFFIXES, decode, parse_file
from ingest.parsers.html import parse_html
from ingest.parsers.markdown import parse_markdown
from ingest.parsers.text import parse_text
from rag.errors import BadDocument

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
MSF_MD = SHARED / "corpus/msf/msf_clinical_guidelines_diagnosis_treatment_manual.md"

MANUAL = """The *Clinical guidelines* has been developed by Médecins Sans Frontières.

Chapter 1: A few symptoms

Shock

Fever

Chapter intro that is a sentence.
Shock

Last updated: 2023

Shock is a condition of reduced tissue perfusion.

Clinical features

Signs of hypotension.

| Weight | Dose |
|---|---|
| 5 kg | 10 mg |
| **10 kg**
wrapped cell | 20 mg |

After the table.
### Treatment in hospital

Give fluids.
Fever

Fever is a rise in body temperature.
Chapter 2: Respiratory diseases

Otitis
- Acute otitis media
Otitis

About otitis.

Acute otitis media

Treat with amoxicillin.
"""


@pytest.fixture()
def manual(tmp_path) -> Path:
    path = tmp_path / "manual.md"
    path.write_text(MANUAL, encoding="utf-8")
    return path


def _block_at(doc, line: int):
    return next(b for b in doc.blocks if b.line_start <= line <= b.line_end)


def test_markdown_sections_from_chapter_contents_and_headings(manual):
    doc = parse_markdown(manual)
    lines = MANUAL.split("\n")
    where = {text: lines.index(text) + 1 for text in
             ["Signs of hypotension.", "Give fluids.", "Fever is a rise in body temperature.", "About otitis.",
              "Treat with amoxicillin."]}
    assert _block_at(doc, where["Signs of hypotension."]).section == ("Chapter 1: A few symptoms", "Shock")
    assert _block_at(doc, where["Give fluids."]).section == (
        "Chapter 1: A few symptoms", "Shock", "Treatment in hospital")
    assert _block_at(doc, where["Fever is a rise in body temperature."]).section == (
        "Chapter 1: A few symptoms", "Fever")
    assert _block_at(doc, where["About otitis."]).section == ("Chapter 2: Respiratory diseases", "Otitis")
    assert _block_at(doc, where["Treat with amoxicillin."]).section == (
        "Chapter 2: Respiratory diseases", "Otitis", "Acute otitis media")


def test_markdown_blocks_are_verbatim_line_spans(manual):
    doc = parse_markdown(manual)
    lines = MANUAL.split("\n")
    for block in doc.blocks:
        assert block.text == "\n".join(lines[block.line_start - 1 : block.line_end])
    assert doc.format == "markdown" and doc.page_count is None and doc.page_texts == [MANUAL]
    assert doc.organisation == "MSF"


def test_markdown_table_is_its_own_block_with_wrapped_rows(manual):
    doc = parse_markdown(manual)
    table = next(b for b in doc.blocks if b.text.startswith("| Weight"))
    assert table.text.endswith("wrapped cell | 20 mg |")
    assert "After the table." not in table.text


def test_markdown_without_chapters_uses_heading_levels(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("# Guide\n\nIntro.\n\n## Dosing\n\n### Children\n\nText.\n\n## Referral\n\nMore.\n")
    doc = parse_markdown(path)
    assert doc.title == "Guide"
    assert [b.section for b in doc.blocks] == [
        ("Guide",), ("Guide", "Dosing"), ("Guide", "Dosing", "Children"), ("Guide", "Referral")]


@pytest.mark.corpus
def test_msf_manual_gold_lines_fall_in_blocks_with_the_gold_section():
    if not MSF_MD.exists():
        pytest.skip("no shared corpus")
    doc = parse_markdown(MSF_MD)
    items = [json.loads(line) for line in (SHARED / "eval/dev.jsonl").read_text().splitlines()]
    items = [i for i in items if i.get("lines")]
    assert items
    for item in items:
        first, last = item["lines"]
        blocks = [b for b in doc.blocks if b.line_start <= last and first <= b.line_end]
        assert blocks, item["id"]
        gold = item["section"].split(" > ")
        for block in blocks:
            assert block.section[0] == gold[0], item["id"]
            # The gold topic names the book's topic; a title may carry a qualifier ("Bacterial meningitis").
            assert gold[1].casefold() in block.section[1].casefold(), item["id"]
            assert all(part in block.section for part in gold[2:]), item["id"]


HTML = """<!DOCTYPE html><html lang="fr-FR"><head><title>Guide paludisme</title>
<style>p {color: red}</style><script>var x = 1;</script></head><body>
<nav>Home | About</nav><h1>Paludisme</h1><p>Le paludisme est une maladie.</p>
<h2>Traitement</h2><ul><li>Artésunate IV pour les formes graves</li><li><p>ACT pendant 3 jours</p></li></ul>
<table><tr><th>Poids</th><th>Dose</th></tr><tr><td>5 kg</td><td>10 mg</td></tr></table>
<h3>Enfants</h3><div class="x"><div>Dose adaptée au poids.</div></div><h2>Prévention</h2><p>Moustiquaires.</p>
<footer>Copyright</footer></body></html>"""


def test_html_sections_tables_and_dropped_furniture(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    doc = parse_html(path)
    assert (doc.format, doc.title, doc.language, doc.page_count) == ("html", "Guide paludisme", "fr", None)
    by_section = {b.section: b.text for b in doc.blocks if b.kind == "text"}
    assert by_section[("Paludisme",)] == "Le paludisme est une maladie."
    assert "- ACT pendant 3 jours" in by_section[("Paludisme", "Traitement")]
    assert by_section[("Paludisme", "Traitement", "Enfants")] == "Dose adaptée au poids."
    assert by_section[("Paludisme", "Prévention")] == "Moustiquaires."
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.text == "| Poids | Dose |\n|---|---|\n| 5 kg | 10 mg |"  # a pipe table: the chunker repeats its header
    assert all(w not in doc.page_texts[0] for w in ("var x", "color", "Home", "Copyright"))
    assert all(b.line_start is None for b in doc.blocks)


def test_text_paragraph_blocks_with_line_spans(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Title line\n\nFirst para\ncontinues\n\n\nSecond para\n", encoding="utf-8")
    doc = parse_text(path)
    assert [(b.text, b.line_start, b.line_end) for b in doc.blocks] == [
        ("Title line", 1, 1), ("First para\ncontinues", 3, 4), ("Second para", 7, 7)]
    assert doc.format == "text" and doc.title == "Title line"


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.md", b"# Heading\n\ntext", "markdown"),
        ("a.markdown", b"text", "markdown"),
        ("a.htm", b"<html><body><p>text</p></body></html>", "html"),
        ("a.txt", b"<!DOCTYPE html><html><body><p>an html page saved as txt</p></body></html>", "html"),
        ("a.txt", "Plain café\n".encode("utf-8-sig"), "text"),
    ],
)
def test_parse_file_dispatch(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_bytes(content)
    assert parse_file(path).format == fmt


def test_parse_file_decodes_cp1252_with_a_warning(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Médecins Sans Frontières – dose".encode("cp1252"))
    doc = parse_file(path)
    assert doc.blocks[0].text == "Médecins Sans Frontières – dose"
    assert "cp1252" in doc.warnings[0]


def test_decode_utf8_bom():
    assert decode("\ufeffcafé".encode("utf-8")) == ("café", None)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty.md: empty file"),
        ("fake.pdf", b"<html>not found</html>", "fake.pdf: not a PDF (starts with b'<html>"),
        ("slides.pptx", b"PK\x03\x04", "unsupported format"),
        ("big.txt", b"x" * 2048, "GQA_MAX_FILE_MB"),
    ],
)
def test_parse_file_refuses(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadDocument, match=reason.replace("(", r"\(")):
        parse_file(path, max_bytes=1024)


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == {".pdf", ".md", ".markdown", ".html", ".htm", ".txt"}
