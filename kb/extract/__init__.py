"""Extraction: a file becomes one Document with its pages.

One module per format; `extract_file` picks it by suffix, checks that the content
really is of that format (an HTML page saved as .pdf is common), reads the sidecar
and decides the title. Every failure is an ExtractionError with a Czech reason.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from kb.errors import ExtractionError
from kb.extract import docx as docx_format
from kb.extract import pdf as pdf_format
from kb.extract import text as text_format
from kb.extract.sidecar import load_sidecar
from kb.extract.titles import choose_title
from kb.index import skip_reasons as reasons
from kb.model import Document
from kb.safe_text import safe_text

EXTRACTORS = {
    ".pdf": pdf_format.extract,
    ".docx": docx_format.extract,
    ".txt": text_format.extract,
    ".md": text_format.extract,
}
SUPPORTED_SUFFIXES = frozenset(EXTRACTORS)
# How each format is named to people (Document.format -> label).
FORMAT_LABELS = {"pdf": "PDF", "docx": "DOCX (Word)", "txt": "text", "md": "text (Markdown)"}


def format_label(fmt: str | None) -> str:
    return FORMAT_LABELS.get(fmt or "", fmt or "?")


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError as e:
        raise ExtractionError(reasons.NO_PERMISSION) from e
    except FileNotFoundError as e:
        raise ExtractionError(reasons.VANISHED) from e
    except OSError as e:
        raise ExtractionError(reasons.read_failed(e.strerror)) from e


def extract_bytes(data: bytes, suffix: str, rel_path: str) -> Document:
    """Extract a document from its bytes; `rel_path` is its path in the corpus. The
    caller sets content_hash: the indexer has hashed the bytes already."""
    suffix = suffix.lower()
    if not data:
        raise ExtractionError(reasons.EMPTY)
    document = EXTRACTORS[suffix](data, rel_path)
    document.title = safe_text(document.title)
    document.headings = [safe_text(h) for h in document.headings]
    for page in document.pages:
        page.text, page.heading = safe_text(page.text), safe_text(page.heading)
    return document


def extract_file(path: Path, root: Path) -> tuple[Document, list[str]]:
    """Extract `path` (inside corpus `root`); returns the Document and sidecar warnings."""
    rel_path = path.relative_to(root).as_posix()
    data = read_bytes(path)
    document = extract_bytes(data, path.suffix, rel_path)
    document.content_hash = content_hash(data)
    meta, warnings = load_sidecar(path)
    document.meta = meta
    document.title = choose_title(document, meta.get("title"), path)
    return document, warnings
