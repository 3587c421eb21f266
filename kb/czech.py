"""Czech number words for every front end (CLI, app, exports): one plural rule and one
way to write a count, so "2 strany" / "5 stran" cannot differ between them."""
from __future__ import annotations

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
