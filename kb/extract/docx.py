"""DOCX extraction with python-docx: paragraphs, headings, lists, tables, headers and
footers in reading order. DOCX has no pages, so the text is split into sections by
heading: a hit can then be shown under the heading it falls in."""
from __future__ import annotations

import io
import zipfile
import zlib

from kb.errors import ExtractionError
from kb.extract.sniff import wrong_format_reason
from kb.model import Document, Page

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # zip bombs stop here, long before memory does


def extract(data: bytes, rel_path: str) -> Document:
    _check_container(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(io.BytesIO(data))
        sections, headings = _sections(doc)
        furniture = _headers_and_footers(doc)
        title = (doc.core_properties.title or "").strip()
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, AttributeError,
            TypeError, IndexError, RecursionError) as e:
        raise ExtractionError(
            "Dokument Word je poškozený a nejde přečíst. Otevřete ho ve Wordu a uložte znovu."
        ) from e
    except Exception as e:  # lxml raises its own XMLSyntaxError for broken XML
        if type(e).__name__ == "XMLSyntaxError":
            raise ExtractionError(
                "Dokument Word obsahuje poškozený text (XML) a nejde přečíst. Uložte ho znovu."
            ) from e
        raise
    if furniture:
        sections.append(Page(number=0, text="\n".join(furniture), heading="Záhlaví a zápatí"))
    if not any(s.text.strip() for s in sections):
        raise ExtractionError("Dokument Word neobsahuje žádný text.")
    return Document(path=rel_path, title=title, format="docx", pages=sections, headings=headings)


def _check_container(data: bytes) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise ExtractionError(wrong_format_reason(".docx", data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ExtractionError("Dokument Word je poškozený (neúplný archiv). Uložte ho znovu.") from e
    if "word/document.xml" not in names:
        raise ExtractionError("Soubor .docx neobsahuje text dokumentu Word. Uložte ho znovu ve Wordu.")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ExtractionError(
            "Dokument Word by se rozbalil do více než 200 MB (podezřelý soubor). Nebyl zpracován."
        )
    _verify_entries(data)


def _verify_entries(data: bytes) -> None:
    """Inflate every entry in small steps, never past the size it declares, and check its
    checksum. A zip bomb that understates its sizes fails here after a few bytes; without
    this, zipfile.read() inflates the whole stream into memory before it truncates."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as entry:
                    while entry.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError, zlib.error) as e:
        raise ExtractionError(
            "Dokument Word je poškozený (archiv nesouhlasí s obsahem). Uložte ho znovu ve Wordu."
        ) from e


def _heading_level(paragraph) -> int:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    lowered = name.lower()
    if lowered == "title" or lowered == "název":
        return 1
    for prefix in ("heading ", "nadpis "):
        if lowered.startswith(prefix) and lowered[len(prefix):].strip().isdigit():
            return int(lowered[len(prefix):])
    return 0


def _sections(doc) -> tuple[list[Page], list[str]]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    sections: list[Page] = []
    headings: list[str] = []
    heading, lines = "", []

    def flush():
        if lines:
            sections.append(Page(number=0, text="\n".join(lines), heading=heading))

    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            if _heading_level(block):
                flush()
                heading, lines = text, [text]
                headings.append(text)
            else:
                lines.append(text)
        elif isinstance(block, Table):
            lines.extend(_table_rows(block))
    flush()
    return sections, headings


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _headers_and_footers(doc) -> list[str]:
    seen: list[str] = []
    for section in doc.sections:
        for part in (section.header, section.footer):
            if part is None or part.is_linked_to_previous and seen:
                continue
            for paragraph in part.paragraphs:
                text = paragraph.text.strip()
                if text and text not in seen:
                    seen.append(text)
    return seen
