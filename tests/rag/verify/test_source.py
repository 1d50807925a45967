"""Quotes checked against the source as a reader sees it: pypdf text of the original PDF page, or the
original Markdown lines, whitespace, case and glyph artefacts aside; and the verifier over a real index."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.verify.source import normalise, quote_on_source

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
POCKET = CORPUS / "who" / "who_pocket_book_hospital_care_children_2nd_ed_2013.pdf"
MSF_MD = CORPUS / "msf" / "msf_clinical_guidelines_diagnosis_treatment_manual.md"


@pytest.fixture(scope="module")
def pocket() -> Path:
    if not POCKET.is_file():
        pytest.skip(f"no corpus PDF at {POCKET}")
    return POCKET


def test_a_table_row_with_its_headers_is_on_the_pdf_page(pocket):
    assert quote_on_source("Artesunate\nFor severe malaria\nIV or IM: 2.4 mg/kg 60 mg artesumic acid", pocket, [381])


def test_a_changed_number_or_another_page_is_not(pocket):
    assert not quote_on_source("IV or IM: 4.4 mg/kg 60 mg artesumic acid", pocket, [381])
    assert not quote_on_source("IV or IM: 2.4 mg/kg 60 mg artesumic acid", pocket, [380])


def test_split_glyphs_and_line_breaks_are_forgiven(pocket):
    # pypdf reads "G ive" and breaks the line after "then at"; the quote has neither
    assert quote_on_source("Give artesunate at 2.4 mg/kg IV or IM on admission, then at 12 h and 24 h", pocket, [182])


def test_markdown_lines_are_the_original_lines():
    if not MSF_MD.is_file():
        pytest.skip(f"no corpus file at {MSF_MD}")
    lines = MSF_MD.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines, 1) if "artesunate" in line.lower() and len(line) > 60)
    quote = "  ".join(lines[n - 1].split())
    assert quote_on_source(quote, MSF_MD, lines=[n, n])
    assert not quote_on_source(quote, MSF_MD, lines=[n + 5, n + 6]) or quote in "\n".join(lines[n + 4:n + 6])


def test_normalise_reads_ligatures_dashes_and_hyphens_both_ways():
    joined, kept = normalise("ﬁrst-line treat-\nment 10–14 days “quoted”")
    assert joined == 'first-line treatment 10-14 days "quoted"'
    assert kept == 'first-line treat-ment 10-14 days "quoted"'


def test_verifier_checks_supported_quotes_on_the_original_pdf(api_index, embedder):
    from rag.index.reader import LiveIndex
    from rag.retrieval.retriever import Retriever
    from rag.settings import Settings
    from rag.verify.verifier import Verifier

    settings = Settings(index=api_index)
    verifier = Verifier(Retriever(LiveIndex(api_index), embedder, settings))
    ok = verifier.verify_claim("Treat hypertension with systolic blood pressure of 140 mmHg or higher or diastolic "
                               "of 90 mmHg or higher.")
    assert ok.verdict == "supported", (ok.reason, [e.quote for e in ok.evidence])
    assert ok.evidence[0].passage.source == "who/hypertension.pdf" and 2 in ok.evidence[0].passage.pages
    wrong = verifier.verify_claim("Treat hypertension with systolic blood pressure of 160 mmHg or higher or diastolic "
                                  "of 90 mmHg or higher.")
    assert wrong.verdict == "contradicted" and "140 mmHg" in wrong.reason and "160 mmHg" in wrong.reason


def test_an_html_quote_is_checked_against_the_visible_text_not_the_markup(tmp_path):
    page = tmp_path / "cholera.html"
    page.write_text("<html><body><h2>Rehydration</h2>\n<p>Patients with <b>severe</b> dehydration receive\n"
                    "intravenous Ringer lactate, 100&nbsp;ml/kg in 3 hours for adults &amp; children.</p>"
                    "<script>var x = 'Give 200 ml/kg';</script></body></html>", encoding="utf-8")
    quote = "Patients with severe dehydration receive intravenous Ringer lactate, 100 ml/kg in 3 hours for adults & children."
    assert quote_on_source(quote, page, None, [3, 3])
    assert not quote_on_source(quote.replace("100 ml/kg", "200 ml/kg"), page, None, [3, 3])
    assert not quote_on_source("Give 200 ml/kg", page, None, [1, 3])  # a script is not what a reader sees
