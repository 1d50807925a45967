"""Generated PDFs whose printed page numbers differ from the physical ones (fpdf2, pypdf for /PageLabels)."""

from __future__ import annotations

from pathlib import Path

TOPICS = ["fever", "cough", "diarrhoea", "anaemia", "malnutrition", "burns", "seizures", "poisoning", "jaundice",
          "earache", "measles", "dehydration"]


def make_numbered_pdf(path: Path, *, pages: int = 8, first_printed: int = 1, front: int = 2, header: str = "HANDBOOK",
                      wrong_labels: bool = False, figure_page: int | None = None) -> list[str | None]:
    """Front pages without numbers, then body pages printing '<n> HANDBOOK' (even) or 'HANDBOOK <n>' (odd) on top.

    Returns the printed number per physical page (None where nothing is printed). wrong_labels adds
    /PageLabels that number the whole file in roman numerals, as the WHO pocket book does;
    figure_page (physical, 1-based) prints no number, like a full-page figure.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    printed: list[str | None] = []
    for index in range(pages):
        pdf.add_page()
        number = first_printed + index - front if index >= front else None
        if number is not None and index + 1 != figure_page:
            pdf.set_font("Helvetica", "", 8)
            pdf.cell(0, 6, f"{number} {header}" if number % 2 == 0 else f"{header} {number}", align="C")
            pdf.ln(10)
        pdf.set_font("Helvetica", "", 11)
        topic = TOPICS[index % len(TOPICS)]
        body = "Cover of the handbook." if number is None else f"Page about {topic}: give 5 ml/kg of fluid."
        pdf.multi_cell(0, 6, body + f" More sentences on {topic} follow to give the page some text.")
        printed.append(None if number is None else str(number))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    if wrong_labels:
        from pypdf import PdfWriter

        writer = PdfWriter(clone_from=str(path))
        writer.set_page_label(0, pages - 1, style="/r")
        writer.write(str(path))
    return printed
