"""PDF parsing on generated PDFs (fast) and on the real corpus (marked corpus / slow)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from ingest.parsers.formats import parse_file
from ingest.parsers.pdf import MAX_OUTLINE_DEPTH, parse_pdf
from rag.errors import BadDocument
from tests.support.pdf import (
    DEFAULT_SECTIONS,
    make_corrupt_pdf,
    make_cyclic_outline_pdf,
    make_encrypted_pdf,
    make_guideline_pdf,
    make_image_only_pdf,
    make_monograph_pdf,
    make_not_pdf,
    make_simple_pdf,
    make_truncated_pdf,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
MALARIA = SHARED / "corpus/who/who_guidelines_for_malaria_2025-08-13.pdf"


@pytest.fixture(scope="module")
def guideline(tmp_path_factory):
    return make_guideline_pdf(tmp_path_factory.mktemp("pdf") / "guideline.pdf")


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "layout"])
def parsed(request, guideline):
    return parse_pdf(guideline.path, layout=request.param)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_phrase_is_on_its_physical_page_and_section(guideline, parsed):
    for phrase in guideline.phrases:
        blocks = [b for b in parsed.blocks if phrase.text in _squash(b.text)]
        assert [(b.page, b.section) for b in blocks] == [(phrase.page, phrase.section)], phrase.text


def test_printed_footer_numbers_beat_page_labels_that_disagree(guideline, parsed):
    # The generated footer prints the physical number ('Guideline page 3') while /PageLabels say i, ii, 1, 2...:
    # a reader finds the page by what is printed on it.
    assert guideline.labels == ["i", "ii", "1", "2", "3", "4", "5"]
    assert parsed.page_labels == [None, "2", "3", "4", "5", "6", "7"]
    assert parsed.page_label_sources == ["none"] + ["printed"] * 6
    assert {b.page_label for b in parsed.blocks if b.page == 3} == {"3"}
    assert any("/PageLabels disagree with the printed page numbers on 6 of 6 pages" in w for w in parsed.warnings)


def test_running_header_and_numbered_footer_are_removed(guideline, parsed):
    assert parsed.page_count == guideline.page_count == len(parsed.page_texts)
    for text in parsed.page_texts:
        assert guideline.header not in text
        assert guideline.footer_prefix not in text


def test_metadata(parsed):
    assert parsed.format == "pdf"
    assert parsed.title == "Guidelines for the treatment of malaria"
    assert (parsed.organisation, parsed.year, parsed.language) == ("WHO", 2021, "en")
    assert parsed.licence == "CC BY-NC-SA 3.0 IGO"
    assert [w for w in parsed.warnings if "label" not in w.lower()] == [] and parsed.pages_without_text == []


def test_table_rows_stay_one_per_line(guideline, parsed):
    lines = [_squash(line) for line in parsed.page_texts[guideline.table_page - 1].split("\n")]
    for row in guideline.table_rows:
        assert any(all(cell in line for cell in row) for line in lines), row


def test_sections_starting_mid_page_split_the_page(tmp_path):
    facts = make_guideline_pdf(tmp_path / "runon.pdf", page_per_section=False, table=False, header=None, footer=None)
    doc = parse_pdf(facts.path)
    body = [b for b in doc.blocks if b.page == 3]
    assert [b.section[-1] for b in body] == [title for title, _ in DEFAULT_SECTIONS]
    assert body[3].text.startswith("2.2 Severe malaria")
    for phrase in facts.phrases:
        assert [b.section for b in doc.blocks if phrase.text in _squash(b.text)] == [phrase.section]


def test_cyclic_outline_terminates_with_sections(tmp_path):
    facts = make_cyclic_outline_pdf(tmp_path / "cyclic.pdf")
    doc = parse_pdf(facts.path)
    assert doc.page_count == facts.page_count
    assert facts.phrase("Give intravenous").section in {b.section for b in doc.blocks}


def test_deep_outline_is_capped(tmp_path):
    sections = [(".".join(["1"] * depth) + f" Level {depth}", [f"Text at depth {depth}."]) for depth in range(1, 17)]
    facts = make_guideline_pdf(tmp_path / "deep.pdf", sections=sections, table=False)
    doc = parse_pdf(facts.path)
    assert max(len(b.section) for b in doc.blocks) <= MAX_OUTLINE_DEPTH + 1
    assert doc.page_count == facts.page_count


def test_caption_and_hidden_bookmarks_are_not_sections(tmp_path):
    sections = [("1. Dosing", ["Dose by weight band."]), ("Figure 1 Weight bands", ["A figure of weight bands."]),
                ("_GoBack", ["Text after a hidden bookmark."])]
    doc = parse_pdf(make_guideline_pdf(tmp_path / "captions.pdf", sections=sections, table=False).path)
    assert {b.section for b in doc.blocks if b.page > 2} == {("1. Dosing",)}


def test_no_outline_and_no_labels(tmp_path):
    facts = make_guideline_pdf(tmp_path / "plain.pdf", page_labels=False, header=None, footer=None)
    doc = parse_pdf(facts.path)
    assert doc.page_labels == [None] * facts.page_count
    path = make_simple_pdf(tmp_path / "simple.pdf", ["A page about oral rehydration salts and zinc."])
    assert parse_pdf(path).blocks[0].section == ()


def test_some_pages_without_text_are_a_warning(tmp_path):
    path = make_simple_pdf(tmp_path / "gap.pdf", ["First page about zinc for diarrhoea.", "", "Third page about ORS."])
    doc = parse_pdf(path)
    assert doc.pages_without_text == [2]
    assert "1 of 3 pages without text" in doc.warnings[0]
    assert [b.page for b in doc.blocks] == [1, 3]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (make_image_only_pdf, "2 pages without text: scanned? needs OCR"),
        (make_encrypted_pdf, "encrypted; password needed"),
        (make_truncated_pdf, "corrupt or truncated"),
        (make_corrupt_pdf, "corrupt or truncated"),
        (make_not_pdf, "not a PDF (starts with b'<!DOCTYPE html"),
        (lambda p: p.write_bytes(b"") or p, "empty file"),
    ],
)
def test_bad_pdfs_raise_bad_document_naming_the_file(tmp_path, make, reason):
    path = make(tmp_path / "bad.pdf")
    with pytest.raises(BadDocument, match=re.escape(reason)) as info:
        parse_pdf(path)
    assert str(info.value).startswith("bad.pdf: ")


def test_encrypted_with_empty_user_password_opens(tmp_path):
    doc = parse_pdf(make_encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert "oral rehydration salts" in doc.page_texts[0]


def test_page_limit_names_the_setting(guideline):
    with pytest.raises(BadDocument, match="GQA_MAX_PAGES"):
        parse_pdf(guideline.path, max_pages=3)


def test_absurdly_long_page_is_cut_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.parsers.pdf.MAX_PAGE_CHARS", 40)
    doc = parse_pdf(make_simple_pdf(tmp_path / "long.pdf", ["word " * 200]))
    assert len(doc.page_texts[0]) <= 40
    assert "cut to 40" in doc.warnings[0]


def test_parse_file_dispatches_pdf(guideline):
    assert parse_file(guideline.path).page_count == guideline.page_count


# ---- the real corpus -------------------------------------------------------------------


def _norm(text: str) -> str:
    """The evaluation's matching normalisation (shared/eval/README.md), hyphen-joined variant."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("‘’“”‐‑‒–—−", "''\"\"------"))
    return re.sub(r"\s+", " ", text.replace("-\n", "")).strip().casefold()


def _dev_items(suffix: str) -> list[dict]:
    path = SHARED / "eval/dev.jsonl"
    items = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [i for i in items if i["doc"] and i["doc"].endswith(suffix)]


@pytest.fixture(scope="module")
def malaria():
    if not MALARIA.exists():
        pytest.skip("no shared corpus")
    return parse_pdf(MALARIA)


@pytest.mark.corpus
def test_malaria_all_pages_with_outline_sections(malaria):
    assert malaria.page_count == len(malaria.page_texts) == 478
    # The cover is an image without a text layer: read by OCR where Tesseract is installed, else reported empty.
    assert malaria.pages_without_text in ([478], [1, 478])
    assert (1 in malaria.ocr_confidence) == (malaria.pages_without_text == [478])
    assert (malaria.organisation, malaria.year, malaria.licence) == ("WHO", 2025, "CC BY-NC-SA 3.0 IGO")
    sections = {b.section for b in malaria.blocks}
    assert ("5. Case management", "5.2 Treating malaria", "5.2.2 Treating severe malaria", "5.2.2.1 Artesunate") in sections
    assert not any("of 478" in text.split("\n")[-1] for text in malaria.page_texts)


@pytest.mark.corpus
def test_malaria_gold_evidence_on_gold_physical_pages(malaria):
    items = _dev_items("who_guidelines_for_malaria_2025-08-13.pdf")
    assert items
    for item in items:
        text = _norm(" ".join(b.text for b in malaria.blocks if b.page in item["pages"]))
        for phrase in item["evidence"]:
            assert _norm(phrase) in text, (item["id"], phrase)


@pytest.mark.corpus
def test_malaria_section_split_mid_page(malaria):
    blocks = [b for b in malaria.blocks if b.page == 214]
    assert blocks[-1].section[-1] == "5.2.2.1 Artesunate"
    assert blocks[-1].text.startswith("5.2.2.1 Artesunate")
    assert blocks[0].section[-1] == "5.2.2 Treating severe malaria"


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("layout", [False, True], ids=["plain", "layout"])
def test_every_pdf_dev_evidence_survives_cleaning(layout):
    items = _dev_items(".pdf")
    if not items:
        pytest.skip("no shared eval set")
    docs: dict[str, object] = {}
    missing = []
    for item in items:
        path = SHARED / "corpus" / item["doc"]
        doc = docs.get(item["doc"]) or docs.setdefault(item["doc"], parse_pdf(path, layout=layout))
        text = _norm(" ".join(doc.page_texts[p - 1] for p in item["pages"]))
        missing += [(item["id"], e) for e in item["evidence"] if _norm(e) not in text]
    if layout:
        # Layout mode lays side-by-side table columns out on shared lines, so a sentence in a
        # table cell can be interleaved with its neighbour (one dev phrase, Uganda p. 42).
        assert len(missing) <= 2, missing
    else:
        assert missing == []


def test_headings_from_font_sizes_when_there_is_no_outline(tmp_path):
    facts = make_guideline_pdf(tmp_path / "nobookmarks.pdf", outline=False)
    doc = parse_pdf(facts.path)
    for phrase in facts.phrases:
        blocks = [b for b in doc.blocks if phrase.text in _squash(b.text)]
        assert [b.page for b in blocks] == [phrase.page], phrase.text
        # Headings of one size do not nest; the innermost heading is the phrase's own.
        assert blocks[0].section[-1] == phrase.section[-1], phrase.text
    # The running header (8 pt) and the one-off cover title (24 pt) are no headings.
    assert all(facts.title not in b.section and facts.header not in b.section for b in doc.blocks if b.page > 2)


def test_drug_monograph_headings_carry_over_to_the_next_page(tmp_path):
    phrases = make_monograph_pdf(tmp_path / "drugs.pdf")
    doc = parse_pdf(tmp_path / "drugs.pdf")
    pages_per_drug = {p.section[0]: set() for p in phrases}
    for phrase in phrases:
        pages_per_drug[phrase.section[0]].add(phrase.page)
        blocks = [b for b in doc.blocks if phrase.text in _squash(b.text)]
        assert [(b.page, b.section) for b in blocks] == [(phrase.page, phrase.section)], phrase.text
    assert all(len(pages) == 2 for pages in pages_per_drug.values())  # the dosage is on the drug's second page


def test_font_headings_fall_back_to_no_sections(tmp_path):
    # One font size throughout: no heading, no section, no error.
    topics = ["zinc for diarrhoea", "oral rehydration salts", "amoxicillin for pneumonia", "oxygen for hypoxaemia"]
    path = make_simple_pdf(tmp_path / "flat.pdf", [f"A page about {t}, written in one size.\nMore on {t}." for t in topics])
    assert {b.section for b in parse_pdf(path).blocks} == {()}
