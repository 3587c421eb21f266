"""What a result shows of a page: the words the query matches (match spans), a snippet
of SNIPPET_CHARS around the densest cluster of them, and contents pages (tables of
contents) moved behind the chapter pages they point to."""
from __future__ import annotations

import re
from functools import lru_cache

from kb.analysis import highlight_spans, tokens_with_offsets, word_term
from kb.errors import QueryError
from kb.search.query import parse_query

SNIPPET_CHARS = 240  # the length of a result's snippet (characters, before "… " and " …")

# A line of a table of contents: "3. Priority dluhů — s. 4", "… – strana 12", "(str. 5)".
CONTENTS_LINE = re.compile(
    r"(?:\s[—–-]\s*(?:s\.|str\.|strana)?\s*\d{1,3}|\(\s*(?:s\.|str\.|strana)\s*\d{1,3}\s*\)"
    r"|\s(?:s\.|str\.|strana)\s*\d{1,3})\s*$",
    re.IGNORECASE,
)
CONTENTS_MIN_LINES = 4


# Lines ending in a number: every contents line is one, and few lines of prose are, so
# counting them (one regex over the page) spares the per-line check on most pages.
_ENDS_WITH_NUMBER = re.compile(r"\d[\s)]*?(?:[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|\Z)")  # str.splitlines ends


@lru_cache(maxsize=2048)  # a property of the page; search asks it of the same pages again
def is_contents_page(text: str) -> bool:
    """True for a page that is (mostly) a table of contents: several lines ending in a
    page reference."""
    if len(_ENDS_WITH_NUMBER.findall(text)) < CONTENTS_MIN_LINES:
        return False
    return sum(1 for line in text.splitlines() if CONTENTS_LINE.search(line)) >= CONTENTS_MIN_LINES


def contents_pages_last(pages: list[tuple[float, int]], fields: dict[int, dict]) -> list[tuple[float, int]]:
    """A contents page lists every chapter title, so it matches the words of almost any
    query about its document and would be shown as the best page, while the answer is
    on the chapter page it points to. Among the pages whose stored `fields` are given,
    move contents pages behind the other matching pages (the document's score is not
    changed). A document whose only matching pages are contents pages keeps them."""
    contents = {docnum for _, docnum in pages
                if docnum in fields and is_contents_page(fields[docnum].get("content", ""))}
    if not contents or len(contents) == len(pages):
        return pages
    return [p for p in pages if p[1] not in contents] + [p for p in pages if p[1] in contents]


def match_spans(text: str, singles: set[str], phrases: set[tuple[str, ...]] = frozenset()
                ) -> list[tuple[int, int]]:
    """(start, end) of the words of `text` that the query matches: a word of `singles`
    wherever it stands, the words of a phrase only where they stand together (in order,
    nothing but stopwords between them, as the index's phrase query sees them)."""
    wanted = set(singles).union(*phrases) if phrases else singles
    spans = highlight_spans(text, wanted)
    if not phrases or not spans:
        return spans
    found = [word_term(text[s:e]) for s, e in spans]
    keep = {i for i, term in enumerate(found) if term in singles}
    for phrase in phrases:
        k = len(phrase)
        for i in range(len(found) - k + 1):
            if found[i] == phrase[0] and tuple(found[i:i + k]) == phrase and all(
                    not tokens_with_offsets(text[spans[j][1]:spans[j + 1][0]]) for j in range(i, i + k - 1)):
                keep.update(range(i, i + k))
    return [spans[i] for i in sorted(keep)]


def query_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Offsets in `text` of the words that a query as typed matches (as the index sees
    them), for marking a whole page; an unparseable query marks nothing."""
    if not (query or "").strip() or not text:
        return []
    try:
        parsed = parse_query(query)
    except QueryError:
        return []
    return match_spans(text, parsed.highlight_terms, parsed.highlight_phrases)


def make_snippet(text: str, highlight_terms: set[str], width: int = SNIPPET_CHARS,
                 phrases: set[tuple[str, ...]] = frozenset()) -> tuple[str, list[tuple[int, int]]]:
    """A plain-text window of `text` around the densest cluster of matched words, and the
    character offsets of those words in the window (original spelling, as written).
    The words of `phrases` count only where they stand together."""
    flat = text.replace("\n", " ")  # extracted pages: single spaces within lines
    if flat.isprintable() and "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
        text = flat  # (no other whitespace, no runs: what split/join would give, 10x cheaper)
    else:
        text = " ".join(text.split())
    if not text:
        return "", []
    spans = match_spans(text, highlight_terms, phrases)
    if not spans:
        cut = text[:width]
        return (cut.rsplit(" ", 1)[0] + " …" if len(text) > width else cut), []
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (start, _) in enumerate(spans):
        while spans[j][0] < start - width // 2:
            j += 1
        count = i - j + 1
        if count > best_count:
            best_count, best_start = count, spans[j][0]
    lo = max(0, best_start - width // 4)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < best_start else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    snippet = prefix + text[lo:hi] + suffix
    shift = len(prefix) - lo
    marks = [(s + shift, e + shift) for s, e in spans if s >= lo and e <= hi]
    return snippet, marks

