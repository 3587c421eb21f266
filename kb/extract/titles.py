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
    if meaningful(sidecar_title):
        return _clean(sidecar_title)  # the person's own spelling, never recased
    for candidate in (document.title, *document.headings[:1]):
        if meaningful(candidate):
            return _clean(sentence_case(candidate, document))
    for page in document.pages:
        for line in page.text.splitlines():
            if meaningful(line) and len(line.split()) >= 2:
                return _clean(sentence_case(line, document))
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


def sentence_case(title: str, document: Document) -> str:
    """'METODIKA PRÁCE S RODINOU PRO OSPOD' -> 'Metodika práce s rodinou pro OSPOD'.
    A title typed in capitals reads as shouting in a result list. A word stays in
    capitals only if the document's ordinary (not all-capitals) lines write it so (an
    abbreviation), and with a capital if they write it so inside a sentence (a name);
    titles with any lower-case letter are left alone."""
    letters = [c for c in title if c.isalpha()]
    if len(letters) < 4 or not all(c.isupper() for c in letters):
        return title
    upper, capital, lower = set(), set(), set()  # how ordinary lines write each word
    for page in document.pages:
        for line in page.text.splitlines():
            if not any(c.islower() for c in line):
                continue
            for sentence in re.split(r"(?<=[.!?:])\s+", line):
                for n, word in enumerate(re.findall(r"\w+", sentence)):
                    if word.isupper():
                        upper.add(word.lower())
                    elif word[:1].isupper():
                        if n:  # a capital inside a sentence: a name (Lipnice nad Orlicí)
                            capital.add(word.lower())
                    else:
                        lower.add(word.lower())
    parts = []
    for part in re.split(r"(\W+)", title):
        key = part.lower()
        if not part.isalpha() or key in lower:
            parts.append(key if part.isalpha() else part)
        elif len(part) > 1 and key in upper:
            parts.append(part)  # an abbreviation (OSPOD)
        elif key in capital:
            parts.append(key.capitalize())
        else:
            parts.append(key)
    text = "".join(parts)
    return text[:1].upper() + text[1:]


def _clean(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= 160 else title[:157].rsplit(" ", 1)[0] + "…"
