"""Generated image-only PDF pages (a 'scan' with no text layer) with known text, for OCR tests."""

from __future__ import annotations

from pathlib import Path

SCANNED_LINES = ["Give oral rehydration salts after each loose stool.",
                 "Refer the child urgently if there is severe dehydration."]


def make_scanned_pdf(path: Path, lines: list[str] = SCANNED_LINES, *, text_page: str | None = None) -> Path:
    """A PDF whose page 1 is a picture of `lines` (PIL, 200 dpi) and, optionally, page 2 a normal text page."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(image)
    font = _font(ImageFont, 40)
    for n, line in enumerate(lines):
        draw.text((150, 200 + n * 80), line, fill=0, font=font)
    picture = Path(path).with_suffix(".png")
    image.save(picture)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(picture), x=0, y=0, w=210, h=297)
    if text_page:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text_page)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    picture.unlink()
    return Path(path)


def _font(image_font, size: int):
    """A real TrueType font where the system has one (OCR reads it well), else PIL's own scalable default."""
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(candidate).is_file():
            return image_font.truetype(candidate, size)
    return image_font.load_default(size)
