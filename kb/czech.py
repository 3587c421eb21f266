"""Czech number words for every front end (CLI, app, exports): one plural rule, one
way to write a count, a page list and a date, so "2 strany" / "5 stran" or "3–5" / "3, 4, 5"
cannot differ between them."""
from __future__ import annotations

import datetime as dt
import re

_STRAIGHT_PAIR = re.compile(r'"([^"]*)"')


def plural(n: int, one: str, few: str, many: str) -> str:
    """Czech plural: 1 dokument, 2–4 dokumenty, 0 / 5+ dokumentů."""
    if n == 1:
        return one
    if 2 <= n <= 4:
        return few
    return many


def count_phrase(n: int, one: str, few: str, many: str, *, space: str = "\u00a0") -> str:
    """'2 strany', '1 234 stran' (thousands grouped by a space as Czech writes them)."""
    return f"{n:,}".replace(",", space) + space + plural(n, one, few, many)


def pages_count(n: int, *, space: str = "\u00a0") -> str:
    return count_phrase(n, "strana", "strany", "stran", space=space)


def quoted(text: str) -> str:
    """Text in Czech quotes „…“; quotes inside become the inner pair ‚…‘ and a text that
    is one quoted phrase is not quoted twice: '"rozhovor s dítětem"' -> „rozhovor s dítětem“."""
    text = " ".join(str(text or "").split())
    if len(text) > 1 and text[0] == '"' and text[-1] == '"' and '"' not in text[1:-1]:
        text = text[1:-1]
    text = _STRAIGHT_PAIR.sub("‚\\1‘", text).replace("„", "‚").replace("“", "‘")
    return f"„{text}“"


def format_pages(pages: list[int]) -> str:
    """[3, 4, 5, 7] -> '3–5, 7' (en dash between the ends of a range, as Czech typography has it)."""
    out: list[str] = []
    pages = sorted(set(pages))
    i = 0
    while i < len(pages):
        j = i
        while j + 1 < len(pages) and pages[j + 1] == pages[j] + 1:
            j += 1
        out.append(str(pages[i]) if i == j else f"{pages[i]}–{pages[j]}")
        i = j + 1
    return ", ".join(out)


def czech_date(day: dt.date) -> str:
    return f"{day.day}. {day.month}. {day.year}"
