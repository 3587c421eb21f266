"""The taxonomy compiled for matching: every term of kb/taxonomy.yaml analyzed once
with the project's analyzer, indexed by its first analyzed word, longest phrase first,
with the settings of each facet and tag; and the word lists the zones need as regexes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.analysis import fold, terms
from kb.facets import SECTIONS

DEFAULTS: dict = {
    "reference_terms": 300,
    "length_exponent": 0.6,
    "zone_weights": {"title": 1.5, "lead": 1.5, "audience": 2.0, "keywords": 2.0, "heading": 2.0,
                     "body": 1.0, "output": 1.0, "names": 0.3},
    "unscaled_zones": ["title", "lead", "audience", "keywords"],
    "lead_terms": 40,
    "kind_weights": {"strong": 1.0, "term": 0.3},
    "saturation": 12,
    "audience_statement": {"marker": "určen", "within_terms": 800},
    "reader_words": [],
    "outputs": [],
    "output_verbs": [],
    "weak_headings": [],
    "series_words": [],
}
FACET_DEFAULTS = {"min_score": 2.0, "min_pages": 3, "sections": False, "families": False, "readers_only": False}
ENTRY_KEYS = ("label", "description", "strong", "terms", "ignore")


@dataclass(frozen=True)
class Rule:
    tag: str
    kind: str  # strong | term | ignore
    display: str  # the term as written in the taxonomy, shown as evidence


@dataclass
class Compiled:
    """The taxonomy as a lookup: first analyzed term -> facet -> [(phrase, rules)],
    longest phrase first; plus the settings of each facet and tag."""

    index: dict[str, dict[str, list[tuple[tuple[str, ...], list[Rule]]]]]
    settings: dict
    facet_settings: dict[str, dict]
    tag_settings: dict[str, dict[str, dict]]
    order: dict[str, list[str]]
    audience_marker: str
    outputs: re.Pattern | None = None  # words that name an output or event (metodika, workshop)
    output_verbs: re.Pattern | None = None  # verbs saying it was made or run (vznikly, uspořádali)
    weak_headings: re.Pattern | None = None  # sections whose hits are weak (literature…)
    series: re.Pattern | None = None  # lines naming a series or blog: weak
    readers: re.Pattern | None = None  # words after which a title page names its readers (pro, milí)
    statement: re.Pattern | None = None  # the audience marker (určen…) as a word start


_COMPILED: dict[int, tuple[dict, Compiled]] = {}


def compile_taxonomy(taxonomy: dict) -> Compiled:
    """Analyze every term once per taxonomy object (the pipeline tags thousands of
    documents with one taxonomy). The dict counts as frozen once used: to try other
    terms or thresholds, change a copy."""
    cached = _COMPILED.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    settings = {**DEFAULTS, **(taxonomy.get("tagging") or {})}
    settings["zone_weights"] = {**DEFAULTS["zone_weights"], **settings["zone_weights"]}
    index: dict[str, dict[str, dict[tuple[str, ...], list[Rule]]]] = {}
    facet_settings: dict[str, dict] = {}
    tag_settings: dict[str, dict[str, dict]] = {}
    order: dict[str, list[str]] = {}
    for facet in SECTIONS:
        facet_settings[facet] = {**FACET_DEFAULTS, "zone_weights": settings["zone_weights"],
                                 "kind_weights": settings["kind_weights"], **(settings.get(facet) or {})}
        facet_settings[facet]["zone_weights"] = {**settings["zone_weights"],
                                                 **facet_settings[facet]["zone_weights"]}
        facet_settings[facet].setdefault("unscaled_zones", settings["unscaled_zones"])
        tag_settings[facet] = {}
        order[facet] = []
        for tag, entry in (taxonomy.get(facet) or {}).items():
            entry = entry or {}
            order[facet].append(tag)
            tag_settings[facet][tag] = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            seen: set[tuple[str, ...]] = set()
            for kind, text in _entry_terms(entry, bool(facet_settings[facet]["families"])):
                phrase = tuple(terms(text))
                if not phrase or phrase in seen:
                    continue  # another spelling of the same analyzed form
                seen.add(phrase)
                rule = Rule(tag, "term" if kind == "terms" else kind, text)
                index.setdefault(phrase[0], {}).setdefault(facet, {}).setdefault(phrase, []).append(rule)
    final = {
        first: {facet: sorted(phrases.items(), key=lambda kv: -len(kv[0])) for facet, phrases in by_facet.items()}
        for first, by_facet in index.items()
    }
    marker = terms(str(settings["audience_statement"].get("marker", "")))
    compiled = Compiled(final, settings, facet_settings, tag_settings, order, marker[0] if marker else "",
                        words_pattern([word_start(w) for w in settings["outputs"]], prefix=True),
                        words_pattern(settings["output_verbs"], prefix=True),
                        words_pattern(settings["weak_headings"], prefix=True),
                        words_pattern(settings["series_words"], prefix=True),
                        words_pattern(settings["reader_words"]),
                        words_pattern([settings["audience_statement"].get("marker")] if
                                      settings["audience_statement"].get("marker") else [], prefix=True))
    if len(_COMPILED) > 8:
        _COMPILED.clear()
    _COMPILED[id(taxonomy)] = (taxonomy, compiled)
    return compiled


# Accented Latin letters -> plain ones, one character each. For matching the word lists
# below in raw text, faster than kb.analysis.fold, which decomposes a whole page when it
# holds any other non-ASCII character (typographic quotes, dashes).
_PLAIN = {code: fold(chr(code)) for code in range(0xC0, 0x250) if len(fold(chr(code))) == 1
          and fold(chr(code)) != chr(code)}


def folded(text: str) -> str:
    return text.translate(_PLAIN)


def word_start(word: str) -> str:
    """The start every inflected form of a noun shares: "metodika" -> "metodik"."""
    word = str(word)
    return word[:-1] if len(word) > 4 and word[-1] in "aeiouyáéíóúůýě" else word


def words_pattern(words, prefix: bool = False) -> re.Pattern | None:
    """A regex for any of `words` in folded lowercase text (as whole words, or as word
    starts with `prefix`: "seriál" also finds "seriálu")."""
    words = [re.escape(fold(str(w).lower())) for w in words or []]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(words) + (r")" if prefix else r")\b"))


# Derived forms of a profession noun (the taxonomy lists the base word): the feminine
# (kurátor -> kurátorka, psycholog -> psycholožka, soudce -> soudkyně, policista ->
# policistka, pracovník -> pracovnice) counts as the noun itself; the adjective
# (psychologický, kurátorský, lékařský, psychiatrický) only supports.
_FEMININE = ((r"og$", "ožka"), (r"atr$", "atrička"), (r"(?<=[dj])ce$", "kyně"), (r"(?<=l)ec$", "kyně"),
             (r"ista$", "istka"), (r"ník$", "nice"), (r"(?:or|ér|át|ař|ář|el|ent|ant|eut|oun)$", r"\g<0>ka"))
_ADJECTIVE = ((r"og$", "ogický"), (r"atr$", "atrický"), (r"or$", "orský"), (r"(?:ař|ář)$", r"\g<0>ský"))


def family_forms(word: str) -> list[tuple[str, str]]:
    """[(kind, form)] derived from one profession noun: ("same", feminine), ("term", adjective)."""
    if " " in word or not word[:1].islower():
        return []  # phrases and abbreviations (OSPOD, PČR) have no such forms
    out = []
    for kind, rules in (("same", _FEMININE), ("term", _ADJECTIVE)):
        for pattern, replacement in rules:
            if re.search(pattern, word):
                out.append((kind, re.sub(pattern, replacement, word)))
                break
    return out


def _entry_terms(entry: dict, families: bool):
    """(kind, text) of one taxonomy entry, ignore phrases first (they must win), with
    the derived forms of profession nouns after the listed terms."""
    listed = [(kind, str(text)) for kind in ("ignore", "strong", "terms") for text in entry.get(kind) or []]
    yield from listed
    if families:
        for kind, text in listed:
            if kind == "ignore":
                continue
            for derived, form in family_forms(text):
                yield (kind if derived == "same" else "terms"), form
