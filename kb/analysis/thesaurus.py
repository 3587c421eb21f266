"""The search thesaurus (kb/analysis/thesaurus.yaml): synonyms, abbreviations and everyday
wording, so that `OSPOD` also finds "orgán sociálně-právní ochrany dětí" and "dítě se
řeže" also finds "sebepoškozování".

Expressions are analyzed with the project's analyzer. `find_expansions` looks for them
in the typed query (a sequence of clauses, each a list of analyzed terms) and returns
what to add to which clauses; kb/search/ turns that into Whoosh queries with a lower
weight than the typed words.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kb.analysis import terms

THESAURUS_PATH = Path(__file__).with_name("thesaurus.yaml")
DEFAULT_WEIGHT = 0.5
DEFAULT_MAX_EXPANSIONS = 12


@dataclass(frozen=True)
class Alternative:
    text: str  # as written in the thesaurus: shown to the user ("Hledáno také: …")
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """Clauses `start`..`end` (exclusive) of the query matched an expression; each of
    those clauses also accepts any of `alternatives`."""

    start: int
    end: int
    alternatives: tuple[Alternative, ...]


@dataclass
class Thesaurus:
    # first analyzed term -> [(expression terms, alternatives)], longest expression first
    index: dict[str, list[tuple[tuple[str, ...], tuple[Alternative, ...]]]]
    weight: float = DEFAULT_WEIGHT
    max_expansions: int = DEFAULT_MAX_EXPANSIONS

    def find_expansions(self, clauses: list[list[str] | None]) -> list[Expansion]:
        """Expressions found in consecutive clauses of a query, longest first, not
        overlapping. `clauses` holds the analyzed terms of each ANDed clause (None for a
        clause that cannot take part, e.g. an OR group). An expression must cover whole
        clauses: a typed phrase is never split."""
        found: list[Expansion] = []
        budget = self.max_expansions
        i = 0
        while i < len(clauses) and budget > 0:
            match = self._match_at(clauses, i)
            if match is None:
                i += 1
                continue
            end, alternatives = match
            alternatives = alternatives[:budget]
            budget -= len(alternatives)
            found.append(Expansion(i, end, alternatives))
            i = end
        return found

    def _match_at(self, clauses: list[list[str] | None], start: int):
        first = clauses[start]
        if not first:
            return None
        for expression, alternatives in self.index.get(first[0], []):
            run: list[str] = []
            stop = start
            while stop < len(clauses) and clauses[stop] and len(run) < len(expression):
                run.extend(clauses[stop])
                stop += 1
            if tuple(run) == expression:
                return stop, alternatives
        return None


def _analyzed(text) -> Alternative | None:
    analyzed = tuple(terms(str(text)))
    return Alternative(str(text), analyzed) if analyzed else None


def build(data: dict) -> Thesaurus:
    """A Thesaurus from the YAML structure (`groups`, `one_way`, `weight`, `max_expansions`)."""
    targets: dict[tuple[str, ...], dict[tuple[str, ...], Alternative]] = {}

    def add(source: Alternative, alternative: Alternative) -> None:
        if source.terms != alternative.terms:
            targets.setdefault(source.terms, {}).setdefault(alternative.terms, alternative)

    for group in data.get("groups") or []:
        members = [a for a in (_analyzed(x) for x in group or []) if a]
        for source in members:
            for alternative in members:
                add(source, alternative)
    for source_text, alternatives in (data.get("one_way") or {}).items():
        source = _analyzed(source_text)
        if source is None:
            continue
        if isinstance(alternatives, str):
            alternatives = [alternatives]
        for text in alternatives or []:
            alternative = _analyzed(text)
            if alternative:
                add(source, alternative)
    index: dict[str, list[tuple[tuple[str, ...], tuple[Alternative, ...]]]] = {}
    for expression, alternatives in targets.items():
        index.setdefault(expression[0], []).append((expression, tuple(alternatives.values())))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return Thesaurus(index, float(data.get("weight", DEFAULT_WEIGHT)),
                     int(data.get("max_expansions", DEFAULT_MAX_EXPANSIONS)))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Thesaurus:
    with open(path, encoding="utf-8") as f:
        return build(yaml.safe_load(f) or {})


def load_thesaurus(path: Path | None = None) -> Thesaurus:
    """The thesaurus, reloaded when the file changes; an empty one if it is missing."""
    path = path or THESAURUS_PATH
    try:
        return _load(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return Thesaurus({})
