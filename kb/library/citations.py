"""Citations of indexed documents after ČSN ISO 690, as (text, style) runs that the
app, the Markdown and the DOCX reading lists all render alike."""
from __future__ import annotations

import datetime as dt
import re

from kb.czech import format_pages
from kb.model import IndexedDocument


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())


def _safe_url(url: str) -> str:
    url = _one_line(url)
    if re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE):
        return url
    return ""


_UPPER = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ"
# "…, ve spolupráci s X" / "…, pro město X": a partner or a client, not an author
_SECONDARY = re.compile(r"(?:,\s*|\s+)(ve\s+spolupráci\s+se?\s.+)$|,\s*(pro\s.+)$", re.IGNORECASE)
# "A, z. s., a B, o. p. s." / "A; B": several bodies (a new one starts with a capital)
_SEVERAL = re.compile(rf"\s*;\s*|,?\s+a\s+(?=[{_UPPER}])")
# "Úřad X, odbor Y" / "Spolek X — centrum Y": a unit under its parent body
_UNIT = re.compile(r",\s+(?=(?:odbor|oddělení|sekce|úsek|útvar|referát)\b)|\s+[—–]\s+")
# a town's own office names the place of publication: "Městský úřad Lipnice nad Orlicí"
_TOWN_OFFICE = re.compile(r"^(?:Městský|Obecní|Místní)\s+úřad\s+(.+)$")


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def corporate_authors(organization: str) -> tuple[list[list[str]], str]:
    """The organisation field as ČSN ISO 690 corporate authors: a list of bodies, each its
    hierarchy from the top (["Krajský úřad Podhorského kraje", "Odbor sociálních věcí"]),
    and the secondary responsibility ("Ve spolupráci s …", "Pro město …") that is not
    an author at all."""
    text = _one_line(organization)
    secondary = ""
    match = _SECONDARY.search(text)
    if match:
        secondary = _sentence_start((match.group(1) or match.group(2)).rstrip(". ")) + "."
        text = text[:match.start()]
    bodies = []
    for body in _SEVERAL.split(text.strip(" ,;")):
        units = [_sentence_start(u.strip(" ,")) for u in _UNIT.split(body) if u.strip(" ,")]
        if units:
            bodies.append(units)
    return bodies, secondary


def _join_bodies(bodies: list[list[str]], top_only: bool = False) -> str:
    names = [b[0] if top_only else ". ".join(u.rstrip(".") if i < len(b) - 1 else u
                                             for i, u in enumerate(b)) for b in bodies]
    return "; ".join(names)


def _end(text: str) -> str:
    return text if text.endswith(".") else text + "."


def citation_parts(entry: IndexedDocument, pages: list[int], cited: dt.date) -> list[tuple[str, str]]:
    """A citation as (text, style) runs, style "" | "i" (italic) | "url", so Markdown and
    DOCX render the same thing.

    ČSN ISO 690 for a corporate author's document: Autor. *Název* [online]. Další
    odpovědnost. Místo: Nakladatel, rok [cit. RRRR-MM-DD]. S. x–y. Dostupné z: URL.
    The corporate author is written as the body calls itself, a unit after its parent
    ("Krajský úřad X. Odbor Y"), several bodies divided by semicolons; the publisher is
    the author's top body unless the sidecar names one (`publisher`), the place comes
    from the sidecar (`place`) or a town office's name, else [b. m.] (bez místa), and
    an unknown year is [b. r.] (bez roku)."""
    runs: list[tuple[str, str]] = []
    bodies, secondary = corporate_authors(entry.organization)
    title = _one_line(entry.display_title).rstrip(".")
    url = _safe_url(entry.source_url)
    year = entry.year
    if bodies:
        runs.append((_end(_join_bodies(bodies)) + " ", ""))
    runs.append((title, "i"))
    tail = " [online]" if url else ""
    tail += ". "
    if secondary:
        tail += secondary + " "
    publisher = _one_line(entry.publisher) or _join_bodies(bodies, top_only=True)
    town = _TOWN_OFFICE.match(bodies[0][0]) if bodies else None
    place = _one_line(entry.place) or (town.group(1) if town else "")
    if publisher:
        tail += f"{place or '[b. m.]'}: {publisher}, "
    tail += str(year) if year else "[b. r.]"
    if url:
        tail += f" [cit. {cited.isoformat()}]"
    tail += "."
    if pages:
        tail += f" S. {format_pages(pages)}."
    if url:
        tail += " Dostupné z: "
    runs.append((tail, ""))
    if url:
        runs.append((url, "url"))
    return runs


def citation_text(entry: IndexedDocument, pages: list[int], cited: dt.date | None = None) -> str:
    return "".join(text for text, _ in citation_parts(entry, pages, cited or dt.date.today()))
