"""The Czech analyzer: one definition for documents, queries, highlights and tagging.

Chain: tokenize (keeping identifiers such as project numbers, e-mails, dates and
`359/1999` whole) | lowercase | Czech stopwords | fold diacritics | light stem.

Why fold *before* stemming: people type without diacritics, so `kybersikane` and
`kyberšikaně` must reach the stemmer as the same string; then they always get the
same stem. The stemmer is the Dolamic–Savoy light stemmer (the rules of Lucene's
CzechStemmer) with its suffixes folded, a minimum stem length, and an exception
table for irregular forms (děti -> dítě) and for short words where the light rules
would merge different words (péče vs pec). The comparison that chose this over
simplemma, Snowball and others is in benchmarks/analyzer_compare.py.

Every stage is a Whoosh Filter with module-level state only, so the analyzer
pickles (Whoosh stores it inside the index schema).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter

# Identifiers first (kept whole), then words; `§` is its own token so "§ 6" works.
TOKEN_PATTERN = re.compile(
    r"""
    [\w.+-]+@[\w-]+(?:\.[\w-]+)+              # e-mail
    | (?=[\w./_-]*\d)\w+(?:[./_-]\w+)+         # codes with a digit: 359/1999, CZ.03.2.63/0.0/...
    | §
    | \w+
    """,
    re.VERBOSE | re.UNICODE,
)
IDENTIFIER_SEPARATORS = re.compile(r"[./_@+-]+")

# Function words that carry no meaning for search (folded and unfolded forms).
CZECH_STOPWORDS = frozenset(
    """
    a aby abych abychom abyste ačkoli ale ani ano asi až bez bude budem budeme budete
    budou budu by byl byla byli bylo byly bych bychom byste být či což co ho i jak
    jako je jeho jej její jejich jemu jen jenž ještě ji jí jich jim jimi jinak jsem
    jsi jsme jsou jste k ke kde kdo kdy když ku kterou která které který kteří
    má mají mě mezi mi mít mně mnou můj může my na nad nám námi nás náš ne nebo
    nebyl nejsou než nic ním o od on ona oni ono pak po pod podle pokud pro proto
    protože před přes při s se si sice své svůj svým svých ta tak také takže tam
    tato tedy ten tento teto tím tímto to tohle toho tohoto tom tomto tomu tu tuto
    ty tyto u už v vám vás váš ve více však všechen vy z za ze že jejích jež č odst
    """.split()
)


def fold(text: str) -> str:
    """Remove diacritics: `žluťoučký` -> `zlutoucky`."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


FOLDED_STOPWORDS = frozenset(fold(w) for w in CZECH_STOPWORDS) | CZECH_STOPWORDS

# Suffixes of the light stemmer, folded, grouped by length; each group applies only
# when the word is longer than the given minimum (keeps short words intact).
_CASE_SUFFIXES = (
    (7, ("atech",)),
    (6, ("etem", "atum")),
    (5, ("ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu",
         "ach", "ata", "aty", "ych", "ama", "ami", "ove", "ovi", "ymi")),
    (4, ("em", "es", "im", "um", "at", "am", "os", "us", "ym", "mi", "ou")),
)
_VOWELS = frozenset("aeiouy")
_MIN_STEM = 3

# Irregular forms and protected short words (folded form -> stem key).
EXCEPTIONS = {
    # dítě / děti: the plural has another stem
    "deti": "dit", "detem": "dit", "detech": "dit", "detmi": "dit", "detsky": "detsk",
    # péče must not meet pec (oven): give péče its own key for all its forms
    "pece": "peče", "peci": "peče", "peca": "peče",
    # člověk / lidé
    "lide": "lid", "lidi": "lid", "lidem": "lid", "lidmi": "lid", "lidech": "lid",
    # rok / let (years) stay apart from "let" (flight) - rare in our texts, keep simple
    "dobra": "dobr", "dobre": "dobr",
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lowercase, folded word. Digits and very short words are returned as they are."""
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    stemmed = _remove_possessive(_remove_case(word))
    return _normalize(stemmed) if len(stemmed) > _MIN_STEM else stemmed


def _remove_case(word: str) -> str:
    n = len(word)
    for min_len, suffixes in _CASE_SUFFIXES:
        if n > min_len:
            for suffix in suffixes:
                if word.endswith(suffix) and n - len(suffix) >= _MIN_STEM:
                    return word[: -len(suffix)]
    if n > 3 and word[-1] in _VOWELS:
        return word[:-1]
    return word


def _remove_possessive(word: str) -> str:
    if len(word) > 5 and word.endswith(("ov", "in", "uv")):
        return word[:-2]
    return word


def _normalize(word: str) -> str:
    # consonant alternations so that e.g. metodika/metodice, soudce/soudci meet
    if word[-1] == "c":
        return word[:-1] + "k"
    if word[-1] == "z":
        return word[:-1] + "h"
    if word[-2] == "e" and word[-1] not in _VOWELS and len(word) > 4:
        return word[:-2] + word[-1]  # mobile e: -ek/-k (domeček/domečku)
    return word


class IdentifierFilter(Filter):
    """After the whole identifier (`CZ.03.2.63/0.0/0.0/16_063/0006543`), also index its
    meaningful parts (`0006543`, `16_063`...) at the same position, so a user who only
    knows the end of a project number still finds it. Queries keep the whole token."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if t.mode == "query" or not IDENTIFIER_SEPARATORS.search(text):
                yield t
                continue
            start = t.startchar if t.chars else 0
            yield t
            whole = text
            offset = 0
            for part in IDENTIFIER_SEPARATORS.split(whole):
                offset = whole.find(part, offset)
                if len(part) >= 2 and part != whole:
                    t.text = part
                    if t.chars:
                        t.startchar = start + offset
                        t.endchar = t.startchar + len(part)
                    yield t
                offset += len(part)


class FoldStemFilter(Filter):
    """Fold diacritics, then stem words; identifiers (with digits or separators) stay whole."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = stem(fold(t.text))
            yield t


class StopwordFilter(StopFilter):
    """Czech stopwords, positions renumbered so phrases skip them on both sides."""

    def __init__(self):
        super().__init__(stoplist=FOLDED_STOPWORDS, minsize=1, renumber=True)


def czech_analyzer():
    """The one analyzer of the project (documents, queries, highlights, taxonomy terms)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | StopwordFilter()
        | IdentifierFilter()
        | FoldStemFilter()
    )


_ANALYZER = czech_analyzer()


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (query mode: identifiers stay whole)."""
    return [t.text for t in _ANALYZER(text, mode="query")]


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for each word of `text`, offsets into the original string."""
    return [(t.text, t.startchar, t.endchar) for t in _ANALYZER(text, chars=True, mode="query")]
