"""How a citation says where it is: the printed page first when it differs from the PDF's page."""

from rag.types import place


def test_printed_page_first_then_the_pdf_page():
    assert place([110], ["86"]) == "p. 86 (PDF p. 110)"
    assert place([110, 111], ["86", "87"]) == "pp. 86-87 (PDF pp. 110-111)"
    assert place([3], ["3"]) == "p. 3"
    assert place([3, 4], []) == "pp. 3-4"
    assert place(None, None, [40, 52]) == "lines 40-52"
    assert place(None) == ""
