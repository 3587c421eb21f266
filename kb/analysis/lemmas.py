"""The lemma table: the term of a word the light stemmer cannot reach.

kb/analysis/lemmas_cs.txt maps the ~34,000 common forms whose lemma the stemmer cannot
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
"""
from __future__ import annotations

import re
from importlib import resources

from kb.analysis.stemmer import _stem, fold

# Forms of the productive verb classes that the table does not list (zaúčtovat,
# odpisovat, uschovávat): their folded infinitive, the term the table gives every verb
# of these classes, so a rare verb's forms meet each other and its infinitive. Only
# endings that no Czech noun or adjective has: the present (-uje, -ují…), the
# imperative (-uj, -ujte) and the past (-oval…; on the word as written, with short -i
# and -y, so the adjective zcestovalý and povalí, a form of povalit, stay out).
# Passive participles (-ován) and the -ující, -ovaný adjectives stay with the stemmer:
# they are adjectives of their own. -ávat/-ívat forms are told by their long vowels
# (-ává: zpráva is a noun), so the word as written is matched, and when a word is
# typed without diacritics only the endings that are verbal even so (-avat, -avaji,
# -aval…; not -ival: festivaly). A few rarer verbs of other classes share these
# endings (vyzuje, sluje) and get a term of their own that meets nothing else.
PRODUCTIVE_INFINITIVES = ("ovat", "avat", "ivat")  # folded endings of the classes below
_OVAT_VERB = re.compile(r"(\w+?)(?:ovat|uje|uji|uju|ujes|ujeme|ujete|ujou|uj|ujme|ujte)")
_OVAL_VERB = re.compile(r"(\w{2,}?)(?:oval|ovala|ovali|ovalo|ovaly)")
_AVAT_VERB = re.compile(r"(\w{3,}?)([áí])(?:vat|vá|váš|váme|váte|vají|vej|vejte"
                        r"|val|vala|vali|valo|valy)")
_AVAT_VERB_FOLDED = re.compile(r"(\w{3,}?)(?:(i)(?:vat|vaji)|(a)(?:vat|vaji|val|vala|vali|valo|valy))")


def _productive_verb(word: str, folded: str) -> str | None:
    tail = folded[-7:]  # every ending has a v or uj: most words are out at once
    if len(folded) < 5 or ("v" not in tail and "uj" not in tail) or not folded.isalpha():
        return None
    if match := _OVAT_VERB.fullmatch(folded):
        return match.group(1) + "ovat"
    if match := _OVAL_VERB.fullmatch(word):
        return fold(match.group(1)) + "ovat"
    if match := _AVAT_VERB.fullmatch(word):
        return fold(match.group(1) + match.group(2)) + "vat"
    if match := _AVAT_VERB_FOLDED.fullmatch(folded):
        return match.group(1) + (match.group(2) or match.group(3)) + "vat"
    return None


# form -> term for the words the stemmer gets wrong (kb/analysis/lemmas_cs.txt, built from
# simplemma's Czech dictionary by scripts/build_lemma_table.py), and the verb terms whose
# negated forms get "ne" + term. Loaded on the first word that is not cached yet.
_LEMMAS: dict[str, str] | None = None
_NEGATABLE: frozenset[str] = frozenset()
_FORMS_OF: dict[str, list[str]] | None = None  # term -> folded table forms, for highlights


def table() -> dict[str, str]:
    """form -> term, loaded on the first call."""
    return _LEMMAS if _LEMMAS is not None else _load_lemmas()


def negatable(term: str) -> bool:
    """Whether ne + a form of the verb with this term gets the term ne + term."""
    table()
    return term in _NEGATABLE


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
    forms = _LEMMAS if _LEMMAS is not None else _load_lemmas()
    term = forms.get(word)
    if term is None:
        folded = fold(word)
        term = forms.get(folded) if folded is not word else None
        if term is None:
            term = _negated(word, folded, forms) or _productive_verb(word, folded) or _stem(folded)
    return term


def _negated(word: str, folded: str, forms: dict[str, str]) -> str | None:
    """ne + a verb form (nestanovil, nemůže): ne + the verb's term, so negated forms meet
    each other but neither the positive verb nor a look-alike (nestát / nést). A negated
    spelling that is a word of its own (nemoci) is in the table and never gets here."""
    if len(folded) < 5 or not folded.startswith("ne") or not folded.isalpha():
        return None
    term = forms.get(word[2:]) or forms.get(folded[2:])
    return "ne" + term if term in _NEGATABLE else None


def forms_of(term: str) -> list[str]:
    """The folded forms the lemma table gives `term` (šel, jde for jit): they need not
    start like the term."""
    global _FORMS_OF
    if _FORMS_OF is None:
        forms_of: dict[str, list[str]] = {}
        for form, key in table().items():
            forms_of.setdefault(key, []).append(fold(form))
        _FORMS_OF = forms_of
    return _FORMS_OF.get(term, [])
