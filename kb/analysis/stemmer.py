"""Fold diacritics and stem one Czech word: the light stemmer of the analyzer.

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
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache


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
