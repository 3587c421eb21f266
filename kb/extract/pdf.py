"""PDF extraction, page by page: pdfium first, pypdf as the fallback; scanned pages are
read by OCR (kb/extract/ocr.py).

pdfium (pypdfium2) reads our PDFs about 7x faster than pypdf with the same words in
the same order (benchmarks/pdf_extractors.py); pypdf reads what pdfium refuses and
words the reasons (password, damaged file) that the administrator sees.

Cleans what PDF layout leaves in the text: words hyphenated at line ends are joined
again (unless the document writes the same word with a hyphen elsewhere, like
`sociálně-právní`), soft hyphens are dropped, and lines that repeat at the top or
bottom of most pages (running headers, footers, "Strana 3 z 12") are removed.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter

from kb.errors import ExtractionError
from kb.extract import ocr
from kb.extract.sniff import wrong_format_reason
from kb.model import Document, Page

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns loudly about harmless quirks

MIN_TEXT_CHARS = 20  # a document with less text than this on all pages has no text layer
EDGE_LINES = 3  # how many lines at the top and bottom of a page may be header/footer
PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:strana|str\.|s\.|page)\s*)?[-–]?\s*\d{1,4}\s*[-–]?\s*(?:(?:z|/|of|ze)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*([a-záčďéěíňóřšťúůýž]\w*)")


def extract(data: bytes, rel_path: str) -> Document:
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF-" not in data[:1024]:
        raise ExtractionError(wrong_format_reason(".pdf", data))
    raw_pages, property_title = read_pages(data)
    if not raw_pages:
        raise ExtractionError("PDF nemá žádné stránky. Zkontrolujte, že se soubor uložil celý.")
    raw_pages, ocr_done = ocr.fill_scanned_pages(data, raw_pages)  # scanned pages only
    if sum(len(t.strip()) for t in raw_pages) < MIN_TEXT_CHARS:
        raise ExtractionError(
            "PDF je bez textové vrstvy a ani rozpoznávání textu (OCR) v něm nenašlo nic čitelného "
            "(prázdné stránky nebo nezřetelný sken). Vložte zřetelnější sken nebo verzi PDF s textem."
        )
    texts = clean_pages(raw_pages)
    pages = [Page(number=i, text=t, ocr=i - 1 in ocr_done) for i, t in enumerate(texts, start=1)]
    return Document(path=rel_path, title=property_title, format="pdf", pages=pages)


def read_pages(data: bytes) -> tuple[list[str], str]:
    """The raw text of every page (before cleaning) and the title property."""
    try:
        return _pdfium_pages(data)
    except Exception:  # missing wheel, password, damage: pypdf decides and words the reason
        return _pypdf_pages(data)


def _pdfium_pages(data: bytes) -> tuple[list[str], str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(_from_pdfium(textpage.get_text_range()))
            textpage.close()
            page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()
    return pages, title


def _from_pdfium(text: str) -> str:
    # pdfium marks a hyphen that ends a line as U+FFFE (older builds: U+0002) and drops
    # the line break; restore "-\n" so clean_pages decides whether the word is joined.
    return text.replace("\ufffe", "-\n").replace("\x02", "-\n").replace("\x00", "")


def _pypdf_pages(data: bytes) -> tuple[list[str], str]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(
                "PDF je zaheslované. Požádejte autora o verzi bez hesla, nebo ho otevřete a uložte bez hesla."
            )
        return [page.extract_text() or "" for page in reader.pages], _property_title(reader)
    except ExtractionError:
        raise
    except FileNotDecryptedError as e:
        raise ExtractionError("PDF je zaheslované. Požádejte autora o verzi bez hesla.") from e
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError, AssertionError) as e:
        raise ExtractionError(
            "PDF je poškozené nebo neúplné a nejde přečíst. Stáhněte nebo uložte ho znovu."
        ) from e


def _property_title(reader) -> str:
    try:
        meta = reader.metadata
        return str(meta.title).strip() if meta and meta.title else ""
    except Exception:  # broken info dictionaries are common and never fatal
        return ""


def clean_pages(raw_pages: list[str]) -> list[str]:
    pages = [t.replace("\u00ad", "").replace("\r\n", "\n").replace("\r", "\n") for t in raw_pages]
    repeated = _repeated_edge_lines(pages)
    pages = [_strip_edges(t, repeated) for t in pages]
    hyphenated_words = _hyphenated_vocabulary(pages)
    return [_join_hyphenation(t, hyphenated_words) for t in pages]


def _edge_key(line: str) -> str:
    """Header/footer lines differ only in their numbers (page, date): compare without them."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _edges(lines: list[str]) -> list[str]:
    return lines[:EDGE_LINES] + lines[-EDGE_LINES:]


def _repeated_edge_lines(pages: list[str]) -> set[str]:
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        counts.update({_edge_key(ln) for ln in _edges(lines)})
    threshold = max(3, len(pages) // 2)
    return {key for key, n in counts.items() if n >= threshold}


def _strip_edges(text: str, repeated: set[str]) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    top, bottom = 0, len(lines)
    while top < min(EDGE_LINES, bottom) and _is_furniture(lines[top], repeated):
        top += 1
    while bottom > top and len(lines) - bottom < EDGE_LINES and _is_furniture(lines[bottom - 1], repeated):
        bottom -= 1
    return "\n".join(" ".join(ln.split()) for ln in lines[top:bottom])  # justified text pads spaces


def _is_furniture(line: str, repeated: set[str]) -> bool:
    return bool(PAGE_NUMBER.match(line)) or _edge_key(line) in repeated


def _hyphenated_vocabulary(pages: list[str]) -> set[str]:
    """Words the document itself writes with a hyphen inside a line (sociálně-právní)."""
    found = set()
    for text in pages:
        found.update(m.group(0).lower() for m in re.finditer(r"\b\w+-\w+\b", text))
    return found


def _join_hyphenation(text: str, keep_hyphen: set[str]) -> str:
    def join(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        if f"{left}-{right}".lower() in keep_hyphen:
            return f"{left}-{right}"
        return left + right

    return HYPHEN_BREAK.sub(join, text)
