"""Text cleaning: Unicode, hyphenation, spaces, page numbers, running headers and footers."""

from __future__ import annotations

import pytest

from ingest.clean import (
    clean_text,
    collapse_spaces,
    find_running_lines,
    is_page_number,
    join_hyphenation,
    normalize_unicode,
    remove_running_headers,
    strip_page_numbers,
)


def test_nfkc_expands_ligatures_and_closes_the_gap_some_exporters_leave():
    assert normalize_unicode("ﬁrst, diﬃ cult, hyperinﬂ ated") == "first, difficult, hyperinflated"
    assert normalize_unicode("the staﬀ member") == "the staff member"  # 'ﬀ' ends words: keep the space


def test_private_use_bullets_and_control_characters():
    assert normalize_unicode("\uf0b7 Diazepam\x18") == "• Diazepam"


def test_symbol_font_units_and_pypdf_glyph_names_become_what_is_printed():
    assert normalize_unicode("very low < 35.5\uf0b0C") == "very low < 35.5°C"  # the degree sign a number needs
    assert normalize_unicode("/L50776 Give five blows\n/L50776 Turn the child") == "• Give five blows\n• Turn the child"
    assert normalize_unicode("\uf06f propofol") == "□ propofol"
    # a unit or a DOI is no glyph name
    assert normalize_unicode("10 mg /kg, doi:10.1016/S2214-109X(20)30") == "10 mg /kg, doi:10.1016/S2214-109X(20)30"


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("treat-\nment", "treatment"),
        ("treat- \n  ment of", "treatment of"),
        ("test-and-\ntreat", "test-and-treat"),  # already a compound: the hyphen is real
        ("MASTOIDI-\nTIS", "MASTOIDITIS"),  # capitals in headings hyphenate too
        ("CO-\nARTEMETHER", "CO-ARTEMETHER"),  # short capital prefixes keep their hyphen
        ("10-\n20 mg", "10-\n20 mg"),  # numbers are ranges, not words
        ("anti-\nMalaria", "anti-\nMalaria"),  # a capital after the break: not a split word
        ("end of line -\nnext", "end of line -\nnext"),  # a dash standing alone
    ],
)
def test_join_hyphenation(raw, joined):
    assert join_hyphenation(raw) == joined


def test_collapse_spaces_keeps_lines():
    assert collapse_spaces("a  \t b\u00a0 c\n  d   e  \n") == "a b c\nd e\n"


@pytest.mark.parametrize("line", ["12", " - 12 - ", "iv", "XII", "Page 3 / 663", "2 of 478", "page 7"])
def test_page_numbers(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["mild", "civil", "Dose 12", "12 mg", "5 ml/kg", "Table 3"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_page_numbers_are_stripped_at_edges_only():
    # A bare number inside a page is table data (a dose, a weight), not a page number.
    assert strip_page_numbers("12\nWeight\n250\nDose\n\nxiv\n") == "Weight\n250\nDose"


def test_clean_text_squeezes_blank_lines():
    assert clean_text("\n\na\n\n\n\nb  c\r\n\n") == "a\n\nb c"


WORDS = "fever cough rash anaemia pain shock seizure malaria measles cholera".split()


def _pages(n: int) -> list[str]:
    return [
        f"WHO guidelines for malaria - Chapter {i % 3}\nBody text about {WORDS[i % 10]} and {WORDS[i // 10]}.\n"
        f"Remarks\nMore about {WORDS[(i + 3) % 10]}.\nGuideline page {i} of {n}"
        for i in range(1, n + 1)
    ]


def test_running_headers_and_footers_are_removed_whatever_the_digits():
    cleaned = remove_running_headers(_pages(20))
    assert cleaned[4] == "Body text about shock and fever.\nRemarks\nMore about measles."


def test_lines_also_found_mid_page_are_content_not_furniture():
    # 'Remarks' opens many pages, but it also sits mid-page: it is a label of the text.
    pages = ["Remarks\nfirst text"] * 5 + [f"Intro {i}\na\nb\nc\nRemarks\nd\ne\nf\ng" for i in range(10)]
    headers, _ = find_running_lines(pages)
    assert "remarks" not in headers


def test_numeric_table_rows_repeated_at_page_bottoms_stay():
    pages = [f"Text {i}\nmore\nand more\n3.5 4 5 6 7" for i in range(10)]
    assert remove_running_headers(pages)[0].endswith("3.5 4 5 6 7")


def test_few_pages_are_left_alone():
    assert remove_running_headers(["Header\nA", "Header\nB"]) == ["Header\nA", "Header\nB"]
