"""Small documents made by the tests themselves (fpdf2, python-docx, raw bytes)."""
from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "tools" / "fonts"


def make_pdf(path: Path, pages: list[str], *, title: str | None = None, header: str | None = None,
             footer: bool = False, password: str | None = None) -> Path:
    """A PDF with one text per page; optional running header and "Strana N z M" footer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        if header:
            pdf.set_xy(15, 8)
            pdf.cell(0, 6, header)
        pdf.set_xy(15, 20)
        pdf.multi_cell(180, 6, text)
        if footer:
            pdf.set_xy(15, 280)
            pdf.cell(0, 6, f"Strana {number} z {len(pages)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    if password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(str(path)))
        writer.encrypt(user_password=password, owner_password="vlastnik", algorithm="RC4-128")
        with open(path, "wb") as f:
            writer.write(f)
    return path


def make_docx(path: Path, blocks: list[tuple[str, object]], *, title: str | None = None,
              header: str | None = None) -> Path:
    """blocks: ("h1"|"h2"|"p"|"li", text) or ("table", [[cell, ...], ...])."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for kind, value in blocks:
        if kind in ("h1", "h2"):
            document.add_heading(value, level=int(kind[1]))
        elif kind == "li":
            document.add_paragraph(value, style="List Bullet")
        elif kind == "table":
            table = document.add_table(rows=len(value), cols=len(value[0]))
            for r, row in enumerate(value):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_scanned_pdf(path: Path, pages: list[tuple[str, str]], *, dpi: int = 200) -> Path:
    """A PDF whose pages are ("scan", text): the text drawn into a picture, no text
    layer, as a scanner makes it; or ("text", text): an ordinary page with a text layer."""
    import io

    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_auto_page_break(False)
    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), round(12 / 72 * dpi))  # 12 pt
    for kind, text in pages:
        pdf.add_page()
        if kind == "text":
            pdf.set_font("DejaVu", size=11)
            pdf.set_xy(15, 20)
            pdf.multi_cell(180, 6, text)
            continue
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y, margin = dpi, round(dpi * 0.8)
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                if font.getlength(f"{line} {word}") > width - 2 * margin and line:
                    draw.text((margin, y), line, font=font, fill=25)
                    y, line = y + round(font.size * 1.5), word
                else:
                    line = f"{line} {word}".strip()
            draw.text((margin, y), line, font=font, fill=25)
            y += round(font.size * 2.2)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        buffer.seek(0)
        pdf.image(buffer, x=0, y=0, w=210, h=297)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
