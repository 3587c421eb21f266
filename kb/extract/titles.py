"""Choose a document title: sidecar, else a meaningful file property, else the first
heading or line, else the file name."""
from __future__ import annotations

import re
from pathlib import Path

from kb.model import Document

# Titles that word processors put in by themselves and that say nothing.
_MEANINGLESS = re.compile(
    r"^(microsoft (word|powerpoint)|untitled|bez názvu|dokument\d*|document\d*|"
    r"název|title|prezentace|snímek)\b|\.(docx?|pdf|odt|rtf|txt)$",
    re.IGNORECASE,
)


def meaningful(title: str | None) -> bool:
    if not title:
        return False
    title = title.strip()
    return len(title) >= 4 and any(c.isalpha() for c in title) and not _MEANINGLESS.search(title)


def choose_title(document: Document, sidecar_title: str | None, path: Path) -> str:
    # document.title holds the file's own title property as the extractor found it
    for candidate in (sidecar_title, document.title, *document.headings[:1]):
        if meaningful(candidate):
            return _clean(candidate)
    for page in document.pages:
        for line in page.text.splitlines():
            if meaningful(line) and len(line.split()) >= 2:
                return _clean(line)
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def _clean(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= 160 else title[:157].rsplit(" ", 1)[0] + "…"
