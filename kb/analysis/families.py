"""Word families: the derivations a practitioner treats as one thing (trauma /
traumatizovaný / traumatický, dluh / zadluženost, autismus / autista, delikvent /
delikvence, podvod / podvodník, násilí / násilník / násilná, hraní / hráčství).

Derived generally, not listed: `family_key` strips Czech derivational suffixes from an
index term (agent -ník, abstract -ost/-ství, adjectival -ní/-ný/-ový/-ický/-istický, verbal
-ení/-ání/-ovaný/-it/-uje/-l, -ismus/-ista, -ence/-ent) and a za- prefix left in front
of such a derivation (za-dluž-en-ost), then puts what is left through the project's
analyzer like any word. Terms with the same key are one family. `Families` groups the
terms of one index's own vocabulary, so a query word is expanded only to words that
some document really uses; kb/search/ adds them at a lower weight than the typed
word and lists them under "Hledáno také".
"""
from __future__ import annotations

from collections import defaultdict

from kb.analysis import PARTICIPLE_STEMS, word_term

MIN_TERM = 4  # shorter terms have no derivation to strip
MIN_ROOT = 4  # a shorter root is mostly a prefix (pod-, na-, po-) and joins unrelated words...
SHORT_ROOT_RULES = frozenset({"n", "cstv"})  # ...but hra-ní, hrá-čství come down to "hra"
MAX_MEMBERS = 6  # related words added per query word, the most widespread first

# (suffix of a folded term, replacement), tried longest first and again on what is left.
# The terms are the analyzer's (case endings already gone): "zadluzenost", "hracstv",
# "traumatizovan", "nasilnik", "delikvenk" (delikvence), "autistick". -ismus and -ista
# keep "is" (autis), so aut-ismus never comes down to aut-o.
_RULES = sorted([
    ("izovan", ""), ("ovan", ""), ("ost", ""), ("cstv", ""), ("stv", ""), ("nik", ""), ("ov", ""),
    ("istick", "is"), ("ism", "is"), ("ist", "is"), ("ick", ""), ("enk", "ent"),
    ("uj", ""), ("aj", ""), ("it", ""), ("il", ""), ("l", ""), ("n", ""),
], key=lambda rule: -len(rule[0]))
_VOWELS = frozenset("aeiouy")


def _strip(term: str) -> tuple[str, bool]:
    """The term without its derivational suffixes; True when one was removed."""
    stripped = False
    changed = True
    while changed:
        changed = False
        for suffix, replacement in _RULES:
            if not term.endswith(suffix):
                continue
            root = term[: len(term) - len(suffix)] + replacement
            if suffix == "n" and root[-1:] in _VOWELS and root[-1:] not in "ae":
                continue  # -ín, -on are stems (rodina, zákon); -ní/-ný, -ání, -ení derive
            if suffix == "l" and root[-1:] in _VOWELS:
                continue  # -el, -al are stems (model, signál); -l after a consonant is a participle
            if len(root) < (MIN_ROOT - 1 if suffix in SHORT_ROOT_RULES else MIN_ROOT):
                continue
            term, stripped, changed = root, True, True
            break
    return term, stripped


def family_key(term: str) -> str:
    """The family of one index term (the term itself when it has no derivation)."""
    if not term.isalpha() or len(term) < MIN_TERM:
        return term
    if term[-1] == "i" and term[:-1].endswith(PARTICIPLE_STEMS):
        term = term[:-1]  # the verbal noun (zadlužení: "zadluzeni") is its participle's family
    root, stripped = _strip(term)
    if not stripped:
        return term
    if root.startswith("za") and len(root) - 2 >= MIN_ROOT:
        root = root[2:]  # za-dluž-en-ost: the prefix comes with the derivation
    if len(root) < MIN_ROOT:
        return root
    # What is left goes through the analyzer like a word: dluž -> dluh, traumat -> tra
    # (the analyzer's own term for trauma).
    return word_term(root) or root


class Families:
    """The word families of one index's vocabulary (the terms of its text fields)."""

    def __init__(self, terms_with_counts):
        groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for term, count in terms_with_counts:
            if term.isalpha():
                groups[family_key(term)].append((count, term))
        self._groups = {key: [t for _, t in sorted(members, key=lambda m: (-m[0], m[1]))]
                        for key, members in groups.items()}

    def related(self, term: str) -> list[str]:
        """Other words of `term`'s family that the index contains, most widespread first."""
        members = self._groups.get(family_key(term), [])
        return [m for m in members if m != term][:MAX_MEMBERS]
