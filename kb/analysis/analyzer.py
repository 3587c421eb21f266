"""The analyzer chain: tokens of a text and their index terms.

Chain: tokenize (keeping identifiers such as project numbers, e-mails, dates and
`359/1999` whole) | lowercase | Czech stopwords | identifier parts | the lemma table,
else fold diacritics and a light stem.

The per-word stages run in one Whoosh Filter (CzechFilter) after the tokenizer, with
module-level state only, so the analyzer pickles (Whoosh stores it inside the index
schema). A token's term is cached, so a word is worked out once per process: that
keeps the analyzer about as fast as Whoosh's StandardAnalyzer.
"""
from __future__ import annotations

import re

from whoosh.analysis import Filter, RegexTokenizer

from kb.analysis import lemmas
from kb.analysis.lemmas import index_term
from kb.analysis.stemmer import stem
from kb.analysis.stopwords import CZECH_STOPWORDS, FOLDED_STOPWORDS

# Changes whenever the terms of some text change: an index built with another
# version must be rebuilt for its terms to meet the query's.
ANALYZER_VERSION = 5

# Plain words first (the common case, cheap to match), then identifiers, kept whole,
# then words again; `§` is its own token so "§ 6" works. The first alternative only
# takes a word that no other alternative could extend, so the tokens are the same as
# without it; the lookahead in front skips spaces and punctuation that cannot start
# any token with one test instead of five.
TOKEN_PATTERN = re.compile(
    r"""
    (?=[\w.+§-])
    (?:
      \w++(?![@+./-])                          # a plain word
    | [\w.+-]++@[\w-]+(?:\.[\w-]+)+            # e-mail
    | (?=[\w./_-]*\d)\w+(?:[./_-]\w+)+         # codes with a digit: 359/1999, CZ.03.2.63/0.0/...
    | §
    | \w+
    )
    """,
    re.VERBOSE | re.UNICODE,
)
IDENTIFIER_SEPARATORS = re.compile(r"[./_@+-]+")


# token as written -> its term (None: a stopword). A plain dict, because a lookup in it
# costs a third of an lru_cache hit and every token of every text goes through it.
_TERMS: dict[str, str | None] = {}
_TERMS_MAX = 500_000
_MISSING = object()


def word_term(token: str) -> str | None:
    """The index term of one token as written; None for a stopword."""
    term = _TERMS.get(token, _MISSING)
    return _new_term(token) if term is _MISSING else term


def _new_term(token: str) -> str | None:
    lower = token.lower()
    if lower in CZECH_STOPWORDS:
        term = None
    elif lower in FOLDED_STOPWORDS and lower not in lemmas.table():
        term = None  # an unaccented stopword, unless also a content word (muze: muže)
    else:
        term = index_term(lower)
    if len(_TERMS) >= _TERMS_MAX:
        _TERMS.clear()
    _TERMS[token] = term
    return term


def clear_caches() -> None:
    """Forget the cached terms (benchmarks measure a cold start with it)."""
    _TERMS.clear()
    stem.cache_clear()


def identifier_parts(text: str) -> list[tuple[str, int]]:
    """The meaningful parts of an identifier with their offsets in it:
    `cz.03.2.63/0.0/0.0/16_063/0006543` -> [("cz", 0), ("03", 3) ... ("0006543", 27)]."""
    parts = []
    offset = 0
    for part in IDENTIFIER_SEPARATORS.split(text):
        offset = text.find(part, offset)
        if len(part) >= 2 and part != text:
            parts.append((part, offset))
        offset += len(part)
    return parts


class CzechFilter(Filter):
    """Lowercase, drop stopwords (renumbering positions so phrases skip them), fold and
    stem each token; after an identifier also index its parts at the same position, so
    a user who only knows the end of a project number (`0006543`) still finds it.
    Queries keep identifiers whole.

    One filter rather than a chain of four: each Whoosh filter is a generator the
    token passes through, and four of them cost more than the (cached) work itself."""

    def __call__(self, tokens):
        pos = None
        cached = _TERMS.get
        for t in tokens:
            term = cached(t.text, _MISSING)
            if term is _MISSING:
                term = _new_term(t.text)
            if term is None:
                if not t.removestops:
                    t.stopped = True
                    t.text = index_term(t.text.lower())
                    yield t
                continue
            if t.positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.stopped = False
            written, t.text = t.text, term
            yield t
            if term.isalnum() or t.mode == "query" or not IDENTIFIER_SEPARATORS.search(term):
                continue
            start = t.startchar if t.chars else 0
            for part, offset in identifier_parts(written.lower()):
                t.text = index_term(part)
                if t.chars:
                    t.startchar = start + offset
                    t.endchar = t.startchar + len(part)
                yield t


def czech_analyzer():
    """The one analyzer of the project (documents, queries, highlights, taxonomy terms)."""
    return RegexTokenizer(TOKEN_PATTERN) | CzechFilter()


_ANALYZER = czech_analyzer()


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (query mode: identifiers stay whole)."""
    return [t.text for t in _ANALYZER(text, mode="query")]


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for each word of `text`, offsets into the original string.

    The analyzer in query mode (TOKEN_PATTERN, then word_term per token) without the
    Whoosh token stream, which costs more than the work; tagging and snippets call it
    for every page. tests/test_analysis_fast_paths.py keeps it equal to the analyzer."""
    cached = _TERMS.get
    found = []
    for match in TOKEN_PATTERN.finditer(text):
        token = match.group()
        term = cached(token, _MISSING)
        if term is _MISSING:
            term = word_term(token)
        if term is not None:
            found.append((term, match.start(), match.end()))
    return found
