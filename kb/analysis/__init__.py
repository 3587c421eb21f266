"""The Czech analyzer: one definition for documents, queries, highlights and tagging.

Chain: tokenize (keeping identifiers such as project numbers, e-mails, dates and
`359/1999` whole) | lowercase | Czech stopwords | identifier parts | the lemma table,
else fold diacritics and a light stem.

Lemmas: kb/analysis/lemmas_cs.txt maps the ~36,000 common forms whose lemma the stemmer cannot
reach to their lemma's term: verb forms (šel/jde -> jít, stanovil/stanoví -> stanovit,
obsahuje -> obsahovat), comparatives (vyšší/nejvyšší -> vysoký) and irregular words
(let/roce -> rok, lidé -> člověk). A verb's term is its folded infinitive ("jit"), so it
does not meet a noun its stem looks like (obsahovat/obsah, dát/data); negated verb forms
get ne + the verb's term (_negated), so they meet each other but not the positive verb
nor a look-alike (nestát / nést). Keys are folded, so unaccented input meets; where
folding is ambiguous the accented forms are listed as written and the unaccented key
takes the most frequent reading that is not a stopword (`muze` is muže, not the
stopword může). The table is derived by scripts/build_lemma_table.py (its docstring
gives the rules) from simplemma's Czech dictionary (simplemma: MIT; its Czech data
derive from Michal Měchura's lemmatization lists, ODbL 1.0, and Wiktionary, CC BY-SA;
the table is therefore a derived database under the ODbL 1.0), pruned and ranked by
wordfreq's Czech frequencies. It is loaded once per process, on the first word that is
not cached (~50 ms, ~10 MB); benchmarks/real_czech.py measures it and its effect on
real Czech (UD CLTT gold lemmas).

Why fold *before* stemming: people type without diacritics, so `kybersikane` and
`kyberšikaně` must reach the stemmer as the same string; then they always get the
same stem. The stemmer is the Dolamic–Savoy light stemmer (the rules of Lucene's
CzechStemmer) with its suffixes folded and these changes, measured by
benchmarks/analyzer_compare.py on tests/data/analyzer_cases.yaml and by
benchmarks/real_czech.py on real Czech (UD CLTT gold lemmas):
- consonant endings are stripped again after the first ending, so a bare stem that
  happens to end like an ending (problém, advokát, záznam, proces, trauma-tu) meets
  its other forms (problému, advokáti, záznamu, procesu, traumata);
- the mobile e of -ec is dropped with c -> k (otec/otce, obec/obcí, sourozenec/
  sourozence), but not before n, where it is usually not mobile (šetření vs šetrný,
  školení vs školní, sezení vs seznam);
- words of their own stay apart, as a dictionary has them: the adjective in -ový keeps
  its -ov (daňový, daňové are not daň: -ové is no longer a case ending, and the noun
  plurals in -ové, členové, are in the lemma table), and a soft ending after a
  participle stem marks the verbal noun (stanovení, použití keep an "i": they are not
  stanovený, použitý); word families (families.py) join both at a lower weight;
- an exception table for irregular forms (děti -> dítě, dům/domu, den/dne, nájem/
  nájmu, březen/března), for stems that only look inflected (strach, výslech) and
  for words that the rules would merge with others (péče vs pec, dítě vs dít,
  otčím vs otec).
The comparison with simplemma, Snowball, spaCy and others is in that benchmark.
Every rule strips an ending, changes the last letter of what is left or keeps a
letter, so a word's folded form starts with its term minus one letter (minus two for
-ov: otcův is "otcov"), or is listed in EXCEPTIONS or in the lemma table (šel for jit):
highlight_spans relies on that, with a reverse lookup of the table.

The per-word stages run in one Whoosh Filter (CzechFilter) after the tokenizer, with
module-level state only, so the analyzer pickles (Whoosh stores it inside the index
schema). A token's term is cached, so a word is worked out once per process: that
keeps the analyzer about as fast as Whoosh's StandardAnalyzer.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from whoosh.analysis import Filter, RegexTokenizer

# Changes whenever the terms of some text change: an index built with another
# version must be rebuilt for its terms to meet the query's.
ANALYZER_VERSION = 4

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
    proč můžeme můžete můžeš můžou můžu mohou mohl mohla mohli mohlo moci
    """.split()
)


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Latin letters with diacritics (Czech, Slovak, German, Polish...) -> plain letters.
_FOLD_TABLE = {
    code: _fold_slow(chr(code))
    for code in range(0xC0, 0x250)
    if _fold_slow(chr(code)) != chr(code) and _fold_slow(chr(code)).isascii()
}


def fold(text: str) -> str:
    """Remove diacritics: `žluťoučký` -> `zlutoucky`."""
    if text.isascii():
        return text
    folded = text.translate(_FOLD_TABLE)
    return folded if folded.isascii() else _fold_slow(folded)


# Unaccented forms of stopwords are stopwords too (`protoze`), except `byt`: folded
# `být`, but mostly the flat of the housing topic.
FOLDED_STOPWORDS = (frozenset(fold(w) for w in CZECH_STOPWORDS) - {"byt"}) | CZECH_STOPWORDS

# Case endings of the light stemmer, folded, by length; one is stripped, the longest
# first, when at least three letters remain (Lucene: `len > 7 && endsWith("atech")`...).
_ENDINGS_4 = frozenset({"etem", "atum"})
_ENDINGS_3 = frozenset({"ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu",
                        "ach", "ata", "aty", "ych", "ama", "ami", "ovi", "ymi"})
_ENDINGS_2 = frozenset({"em", "es", "im", "um", "at", "am", "os", "us", "ym", "mi", "ou"})
# The endings above that end in a consonant and so may also end a bare stem.
_CONSONANT_ENDINGS_3 = frozenset({"ech", "ich", "ach", "ych"})
_CONSONANT_ENDINGS_2 = frozenset({"em", "es", "im", "um", "at", "am", "os", "us", "ym"})
_VOWELS = frozenset("aeiouy")
_MIN_STEM = 3

# Irregular forms and protected words (folded form -> stem key). A key with a
# diacritic cannot be reached by any folded word, so it stands apart.
EXCEPTIONS = {
    # dítě / děti: the plural has another stem; dít (se) is a verb
    "deti": "dit", "detem": "dit", "detech": "dit", "detmi": "dit", "detsky": "detsk",
    "dit": "dít",
    # péče must not meet pec (oven): give péče its own key for all its forms
    "pece": "peče", "peci": "peče", "peca": "peče",
    # člověk / lidé
    "lide": "clovk", "lidi": "clovk", "lidem": "clovk", "lidmi": "clovk", "lidech": "clovk",
    "dobra": "dobr", "dobre": "dobr",
    # dům / domu, den / dne: the vowel of the stem changes
    "dum": "dom",
    "dne": "den", "dni": "den", "dnem": "den", "dny": "den", "dnu": "den", "dnech": "den",
    "dnum": "den",
    # mobile e before -m and -n, which the rules keep (šetření vs šetrný needs it kept)
    "najem": "najm", "podnajem": "podnajm", "pronajem": "pronajm", "zajem": "zajm",
    "prijem": "prijm", "pojem": "pojm", "dojem": "dojm", "objem": "objm",
    "tyden": "tydn", "leden": "ledn", "brezen": "brezn", "duben": "dubn", "kveten": "kvetn",
    "cerven": "cervn", "srpen": "srpn", "rijen": "rijn", "stupen": "stupn", "uroven": "urovn",
    "povinen": "povinn", "schopen": "schopn", "pritomen": "pritomn", "ochoten": "ochotn",
    "poraden": "poradn", "ubytoven": "ubytovn",
    # otčím (stepfather) is not otec
    **dict.fromkeys(("otcim", "otcima", "otcimu", "otcimovi", "otcimem", "otcimove",
                     "otcimy", "otcimum", "otcimech"), "otčím"),
}
# Stems that end like an ending but are not inflected there (strach, not str-ach).
KEEP_STEMS = frozenset({"strach", "stres", "vyslech", "uspech", "neuspech", "status"})


def _stem(word: str) -> str:
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    stemmed = _remove_case(word)
    if word[len(stemmed):] in _SOFT_ENDINGS and _verbal_noun(stemmed):
        return stemmed + "i"
    return _normalize(_remove_possessive(stemmed))

# The soft endings of adjectives and of neuter nouns in -í (stanovení, stanovením,
# stanoveních; správní). After a participle stem (-en, -an, -it, -yt, -nut) they mark the
# verbal noun, a word of its own (stanovení, the act, is not stanovený, the adjective;
# použití is not použitý): the term keeps an "i". Soft nouns that end so (jelen-i,
# kapitán-i) are in the lemma table.
_SOFT_ENDINGS = frozenset({"i", "iho", "imu", "im", "ich", "imi"})
PARTICIPLE_STEMS = ("en", "an", "it", "yt", "nut")


def _verbal_noun(stemmed: str) -> bool:
    return len(stemmed) >= 4 and stemmed.endswith(PARTICIPLE_STEMS) and (
        len(stemmed) >= 5 or stemmed[-1] == "t")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lowercase, folded word. Digits and very short words are returned as they are."""
    return _stem(word)


def _remove_case(word: str) -> str:
    if word in KEEP_STEMS:
        return word
    n = len(word)
    if n > 7 and word.endswith("atech"):
        stemmed = word[:-5]
    elif n > 6 and word[-4:] in _ENDINGS_4:
        stemmed = word[:-4]
    elif n > 5 and word[-3:] in _ENDINGS_3:
        stemmed = word[:-3]
    elif n > 4 and word[-2:] in _ENDINGS_2:
        stemmed = word[:-2]
    elif n > 3 and word[-1] in _VOWELS:
        stemmed = word[:-1]
    else:
        return word
    # strip consonant endings again: problému -> problém -> probl, like problém itself
    while stemmed[-1] in "hmst" and stemmed not in KEEP_STEMS:
        n = len(stemmed)
        if n > 5 and stemmed[-3:] in _CONSONANT_ENDINGS_3:
            stemmed = stemmed[:-3]
        elif n > 4 and stemmed[-2:] in _CONSONANT_ENDINGS_2:
            stemmed = stemmed[:-2]
        else:
            break
    return stemmed


def _remove_possessive(word: str) -> str:
    # otcův/otcova: -ův is -ov (ů -> o), so the forms of a possessive meet. The
    # suffixes -ov and -in themselves stay: daňový, daňové are the adjective, a word of
    # its own beside daň (word families join them at a lower weight), and skupina,
    # medicína keep their -in (stripping it made medicína medik); the noun plurals in
    # -ové (členové) are in the lemma table.
    if len(word) > 5 and word.endswith("uv") and word[-3] != "o":  # not smlouv(a)
        return word[:-2] + "ov"
    return word


def _normalize(word: str) -> str:
    # consonant alternations so that e.g. metodika/metodice, Praha/Praze, otec/otce meet
    last = word[-1]
    if len(word) <= _MIN_STEM:
        if last == "c" and word[-2] not in _VOWELS:
            return word[:-1] + "k"  # otc(e) -> otk, like otec
        return word
    if last == "c":
        if word[-2] == "e":
            return word[:-2] + "k"  # mobile e: otec/otce, sourozenec/sourozence
        return word[:-1] + "k"
    if last == "z":
        return word[:-1] + "h"
    if word[-2] == "e" and last not in _VOWELS and last != "n":
        return word[:-2] + last  # mobile e: -ek/-k (domeček/domečku)
    return word


# ---------------------------------------------------------------- lemma table

# form -> term for the words the stemmer gets wrong (kb/analysis/lemmas_cs.txt, built from
# simplemma's Czech dictionary by scripts/build_lemma_table.py), and the verb terms whose
# negated forms get "ne" + term. Loaded on the first word that is not cached yet.
_LEMMAS: dict[str, str] | None = None
_NEGATABLE: frozenset[str] = frozenset()
_FORMS_OF: dict[str, list[str]] | None = None  # term -> folded table forms, for highlights


def _load_lemmas() -> dict[str, str]:
    global _LEMMAS, _NEGATABLE
    text = resources.files("kb.analysis").joinpath("lemmas_cs.txt").read_text(encoding="utf-8")
    body, _, verbs = text.partition("\n# VERBS\n")
    start = 0
    while body.startswith("#", start):  # the header
        start = body.index("\n", start) + 1
    # "form term" pairs: one split and one dict in C, not a loop of 100,000 lines
    items = body[start:].split()
    _NEGATABLE = frozenset(verbs.split())
    _LEMMAS = dict(zip(items[::2], items[1::2], strict=True))
    return _LEMMAS


def index_term(word: str) -> str:
    """The index term of one lowercase word, stopword or not: its lemma's term from the
    lemma table (the word as written, then folded), else its folded light stem."""
    table = _LEMMAS if _LEMMAS is not None else _load_lemmas()
    term = table.get(word)
    if term is None:
        folded = fold(word)
        term = table.get(folded) if folded is not word else None
        if term is None:
            term = _negated(word, folded, table) or _stem(folded)
    return term


def _negated(word: str, folded: str, table: dict[str, str]) -> str | None:
    """ne + a verb form (nestanovil, nemůže): ne + the verb's term, so negated forms meet
    each other but neither the positive verb nor a look-alike (nestát / nést). A negated
    spelling that is a word of its own (nemoci) is in the table and never gets here."""
    if len(folded) < 5 or not folded.startswith("ne") or not folded.isalpha():
        return None
    term = table.get(word[2:]) or table.get(folded[2:])
    return "ne" + term if term in _NEGATABLE else None


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
    elif lower in FOLDED_STOPWORDS and lower not in (_LEMMAS or _load_lemmas()):
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


# ---------------------------------------------------------------- highlighting

# Accented letters of Czech (and Slovak, German) texts; matching runs on lowercased
# text, and a text with any other non-ASCII letter takes the exact path.
_ACCENTED = "áäčďéěíĺľňóôöŕřšťúůüýž"
_OTHER_LETTER = re.compile(f"[^\\W\\x00-\\x7f{_ACCENTED}]")
_DIGIT_OR_AT = re.compile(r"[\d@]")
_JOINERS = frozenset("./_@+-")  # characters that join words into identifiers and e-mails
_WORD = re.compile(r"\w+")
_VARIANTS: dict[str, str] = {}
for _letter in _ACCENTED:
    _VARIANTS[fold(_letter)] = _VARIANTS.get(fold(_letter), fold(_letter)) + _letter


def _letter_class(letter: str) -> str:
    variants = _VARIANTS.get(letter, letter)
    return f"[{variants}]" if len(variants) > 1 else re.escape(letter)


@lru_cache(maxsize=512)
def _candidate_finder(wanted: frozenset[str]) -> re.Pattern | None:
    """A regex for the (lowercased) word starts that may have one of the `wanted` terms;
    None when the terms do not allow it (identifiers, one-letter prefixes): then all
    words are analyzed."""
    prefixes: set[str] = set()
    for term in wanted:
        if not term.isalnum() or len(term) < 3:
            return None
        # -ův is -ov in a term (otcův -> otcov): one letter more may differ
        prefixes.add(fold(term[:-2] if term.endswith("ov") else term[:-1]))
        prefixes.update(word for word, key in EXCEPTIONS.items() if key == term)
        prefixes.update(_table_forms(term))
        if term.startswith("ne") and term[2:] in _NEGATABLE:
            prefixes.update("ne" + form for form in _table_forms(term[2:]))
    if not prefixes:
        return None
    ordered = sorted(prefixes, key=lambda p: (-len(p), p))
    first = "".join(sorted({c for p in ordered for c in _VARIANTS.get(p[0], p[0])}))
    # One character class first, so the regex engine skips to those letters at C speed;
    # the lookbehinds then check "at a word start" and which prefix the letter began.
    alternatives = "|".join(
        f"(?<={_letter_class(p[0])})" + "".join(_letter_class(c) for c in p[1:]) for p in ordered
    )
    return re.compile(f"[{re.escape(first)}]" + r"(?<!\w.)(?:" + alternatives + r")\w*")


def _table_forms(term: str) -> list[str]:
    """The folded forms the lemma table gives `term` (šel, jde for jit): they need not
    start like the term."""
    global _FORMS_OF
    if _FORMS_OF is None:
        forms_of: dict[str, list[str]] = {}
        for form, key in (_LEMMAS if _LEMMAS is not None else _load_lemmas()).items():
            forms_of.setdefault(key, []).append(fold(form))
        _FORMS_OF = forms_of
    return _FORMS_OF.get(term, [])


def highlight_spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """(start, end) of the words of `text` whose term is in `wanted`, in order: the same
    as filtering tokens_with_offsets(text), but only words that may match are analyzed.

    Every rule of the stemmer strips an ending or changes the last letter of what is
    left, so a word with term t starts with t[:-1] once folded, or is one of the
    EXCEPTIONS or lemma-table forms listed for t (šel, jde for jit), or ne + one of
    those for a negated verb. A regex over the lowercased text, each letter matching its
    accented forms, finds such word starts at C speed; the space-delimited chunk around
    each is then tokenized as usual (a token never spans a space, so the chunk splits
    as it does inside the whole text), or, when nothing joins the word to its
    neighbours, the word is the token. Snippets call this for up to 100 pages per query."""
    finder = _candidate_finder(frozenset(wanted)) if wanted else None
    lower = text.lower()
    if finder is None or len(lower) != len(text) or _OTHER_LETTER.search(lower):
        return [(s, e) for term, s, e in tokens_with_offsets(text) if term in wanted]
    spans = []
    done, n = 0, len(text)
    for match in finder.finditer(lower):
        at, end = match.span()  # the whole word
        if at < done:
            continue
        after = text[end:end + 1]
        if (at == 0 or text[at - 1] not in _JOINERS) and (
                after not in _JOINERS or (after == "." and text[end + 1:end + 2] in ("", " "))):
            # Nothing joins the word to its neighbours (a full stop ending a sentence
            # does not): no identifier or e-mail can take it in, the word is the token.
            if word_term(text[at:end]) in wanted:
                spans.append((at, end))
            done = end
            continue
        # The chunk between two spaces (any whitespace would do: tokenizing restarts
        # cleanly after one; a chunk with newlines inside is just longer).
        lo = text.rfind(" ", 0, at) + 1
        hi = text.find(" ", at)
        hi = n if hi < 0 else hi
        if _DIGIT_OR_AT.search(text, lo, hi) is None:
            # No identifier or e-mail can start here: the token is the word that starts at
            # the match (a later word of the chunk is a candidate of its own).
            end = _WORD.match(text, at).end()
            if word_term(text[at:end]) in wanted:
                spans.append((at, end))
            done = end
            continue
        for token in TOKEN_PATTERN.finditer(text, lo, hi):
            if word_term(token.group()) in wanted:
                spans.append((token.start(), token.end()))
        done = hi
    return spans
