"""The query language (DESIGN.md) as Whoosh queries: words are ANDed, "..." is a phrase,
OR between words, -word excludes. Matching goes through the one Czech analyzer, so case,
diacritics and inflection do not matter. Each typed word also matches its thesaurus
expansions and its word family at lower weights; question words and fillers rank but are
never required.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as Q

from kb.analysis import fold, terms
from kb.analysis.thesaurus import load_thesaurus
from kb.errors import QueryError

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 40
FAMILY_WEIGHT = 0.4  # a word of the typed word's family (kb/analysis/families.py); the thesaurus has 0.5
SYNONYM_FAMILY_WEIGHT = 0.2  # a word of a one-word synonym's family (adopce: osvojení, so osvojitelé)
SEARCH_FIELDS = ("content", "title", "heading")


@dataclass
class Clause:
    """One required unit of a query: a word, a "phrase", an `a OR b` group, or a thesaurus
    expression typed as several words ("domácí násilí"). A document lacking it is listed
    below the complete ones with `text` in its `missing`."""

    text: str  # as typed, for "chybí: …"
    query: Q.Query  # the typed words or any of their expansions
    optional: bool = False  # a question word or filler: ranks, never required


@dataclass
class ParsedQuery:
    """The user's query as Whoosh queries, plus what to highlight."""

    must: list[Q.Query]  # the required clauses' queries (in `clauses` order)
    must_not: list[Q.Query]
    highlight_terms: set[str]  # single words: highlighted wherever they stand
    phrases: list[list[str]]
    expanded: list[str] = field(default_factory=list)  # thesaurus expressions added to the query
    clauses: list[Clause] = field(default_factory=list)  # required and optional, as typed
    # multi-word phrases (typed or added): highlighted only where the words stand together
    highlight_phrases: set[tuple[str, ...]] = field(default_factory=set)
    family: list[str] = field(default_factory=list)  # index terms of the typed words' families

    @property
    def empty(self) -> bool:
        return not self.must

    @property
    def required(self) -> list[Clause]:
        return [c for c in self.clauses if not c.optional]

    @property
    def optional(self) -> list[Clause]:
        return [c for c in self.clauses if c.optional]

    def min_match(self) -> int:
        """How many required clauses a document must have: all of one, else all but one
        (Elasticsearch's minimum_should_match "-1"). More would drop the answer to a
        question whose wording differs in one word; fewer would flood it."""
        n = len(self.must)
        return n if n <= 1 else n - 1


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')

# Words of a question that say how it is asked, not what about: they rank (a page
# with "kam se obrátit" is a good answer to it) but never make a query fail. Most
# question words (jak, co, kdy, kde, proč, kdo) are stopwords of the analyzer anyway.
FILLER_WORDS = """
    kam odkud kudy jaký jaká jaké jakého jakou jakým jakých jakém kolik čí zda jestli zdali
    dělat udělat dělá postupovat postup řešit obrátit najít hledat zjistit poradit pomoct
    mám máme máte musím musíme musí muset měl měla měli mělo lze dá dát chci chce chceme
    moje mého mému mou naše vaše nějak nějaký něco někdo někde kdyby kdybych správně vůbec
    """.split()


# A query with one of these is a question (most are stopwords, so this looks at the text).
QUESTION_WORDS = frozenset(fold(w) for w in """
    jak co kdy kde kam proč kdo čí jaký jaká jaké kolik odkud kudy zda jestli čím komu koho
    """.split())
# An infinitive as typed (folded): -at, -it, -et/-ět, -out, -ovat, -ít, -ýt; not -át of a
# noun when typed with its accent (advokát, certifikát), which folding would hide.
_INFINITIVE = re.compile(r"\w{2,}(?:[aie]t|out|yt)$")


def _is_infinitive(word: str) -> bool:
    lower = word.lower()
    return _INFINITIVE.search(fold(lower)) is not None and not (lower.endswith("át") and len(lower) > 5)
_WORD_CHARS = re.compile(r"\w+")


@lru_cache(maxsize=1)
def filler_terms() -> frozenset[str]:
    """The analyzed terms of FILLER_WORDS (through the one analyzer, so they follow it)."""
    return frozenset(t for w in FILLER_WORDS for t in terms(w))


def field_query(term_list: list[str], boost: float = 1.0) -> Q.Query | None:
    """One word or phrase, matched in the body, title or heading."""
    if not term_list:
        return None
    if len(term_list) == 1:
        return Q.Or([Q.Term(f, term_list[0], boost=boost) for f in SEARCH_FIELDS])
    return Q.Or([Q.Phrase(f, term_list, boost=boost) for f in SEARCH_FIELDS])


def _phrase_text(words: str) -> str:
    return f'"{words}"'


def parse_query(text: str, related: Callable[[str], list[str]] | None = None) -> ParsedQuery:
    """The query language (module docstring) as Whoosh queries. `related(term)` gives the
    other words of a term's family that the index has (kb/analysis/families.py): each typed word
    also matches them, at FAMILY_WEIGHT."""
    text = "".join(ch if ch.isprintable() else " " for ch in text or "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"Dotaz je příliš dlouhý (víc než {MAX_QUERY_CHARS} znaků). Zkraťte ho na "
                         "několik klíčových slov.")
    if text.count('"') % 2:
        raise QueryError('V dotazu chybí uzavírací uvozovka ("). Doplňte ji, nebo uvozovky smažte.')
    groups: list[list[Q.Query]] = []  # OR-groups of clauses, ANDed together
    group_terms: list[list[str] | None] = []  # analyzed terms of each single-clause group
    group_texts: list[list[str]] = []  # each group's words as typed
    must_not: list[Q.Query] = []
    highlight: set[str] = set()
    highlight_phrases: set[tuple[str, ...]] = set()
    phrases: list[list[str]] = []
    pending_or = False
    for match in _TOKEN.finditer(text.replace("(", " ").replace(")", " ")):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if word is not None:
            if word == "OR":
                pending_or = bool(groups)
                continue
            negated = word.startswith("-") and len(word) > 1
            word = word.lstrip("-") if negated else word
        term_list = terms(phrase if phrase is not None else word)
        clause = field_query(term_list)
        if clause is None:
            pending_or = False
            continue
        if negated:
            must_not.append(clause)
            continue
        typed = _phrase_text(" ".join(phrase.split())) if phrase is not None else word
        if len(term_list) > 1:
            highlight_phrases.add(tuple(term_list))
        else:
            highlight.update(term_list)
        if phrase is not None or len(term_list) > 1:
            phrases.append(term_list)
        if pending_or and groups:
            groups[-1].append(clause)
            group_terms[-1] = None  # an OR group takes no part in thesaurus expansion
            group_texts[-1].append(typed)
        else:
            groups.append([clause])
            group_terms.append(term_list)
            group_texts.append([typed])
        pending_or = False
    if len(groups) + len(must_not) > MAX_CLAUSES:
        raise QueryError(f"Dotaz má příliš mnoho slov (víc než {MAX_CLAUSES}). Vyberte ta nejdůležitější.")
    queries = [g[0] if len(g) == 1 else Q.Or(g) for g in groups]
    texts = [" OR ".join(t) for t in group_texts]
    expanded, spans, synonyms = _expand(queries, group_terms, highlight, highlight_phrases)
    question = any(fold(w.lower()) in QUESTION_WORDS for w in _WORD_CHARS.findall(text))
    clauses = _clauses(queries, texts, group_terms, spans, question)
    family = _add_families(clauses, queries, group_terms, synonyms, related, highlight) if related else []
    return ParsedQuery(must=[c.query for c in clauses if not c.optional], must_not=must_not,
                       highlight_terms=highlight, phrases=phrases, expanded=expanded, clauses=clauses,
                       highlight_phrases=highlight_phrases, family=family)


def _add_families(clauses: list[Clause], queries: list[Q.Query], group_terms: list[list[str] | None],
                  synonyms: dict[int, list[str]], related: Callable[[str], list[str]],
                  highlight: set[str]) -> list[str]:
    """Each required one-word clause also accepts the other words of its family, at a
    lower weight than the word typed (and than a thesaurus synonym), and the words of its
    one-word synonyms' families at a lower weight still (adopce: osvojení, so also
    osvojitelé). Returns the terms added."""
    added: list[str] = []
    by_query = {id(q): i for i, q in enumerate(queries)}
    for clause in clauses:
        if clause.optional:
            continue
        i = by_query.get(id(clause.query))
        single = group_terms[i] if i is not None else None
        if not single or len(single) != 1:
            continue
        weighted = dict.fromkeys(related(single[0]), FAMILY_WEIGHT)
        for synonym in synonyms.get(i, []):
            for m in related(synonym):
                weighted.setdefault(m, SYNONYM_FAMILY_WEIGHT)
        members = [m for m in weighted if m not in highlight]
        if not members:
            continue
        clause.query = Q.Or([clause.query, *(field_query([m], boost=weighted[m]) for m in members)])
        highlight.update(members)
        added.extend(m for m in members if m not in added)
    return added


def _clauses(queries: list[Q.Query], texts: list[str], group_terms: list[list[str] | None],
             spans: list[tuple[int, int]], question: bool = False) -> list[Clause]:
    """The query's units: a thesaurus expression typed as several words is one unit (the
    words of "domácí násilí" are one thing, found together or not at all); a lone filler
    word is optional, and so is an infinitive in a question ("jak MLUVIT s dítětem o
    rozvodu": the nouns say what about, the verb how), unless the query has nothing else."""
    clauses: list[Clause] = []
    covered = {i: (start, end) for start, end in spans for i in range(start, end)}
    fillers = filler_terms()
    i = 0
    while i < len(queries):
        if i in covered:
            start, end = covered[i]
            parts = queries[start:end]
            clauses.append(Clause(" ".join(texts[start:end]), parts[0] if len(parts) == 1 else Q.And(parts)))
            i = end
            continue
        single = group_terms[i]
        optional = single is not None and len(single) == 1 and not texts[i].startswith('"') and (
            single[0] in fillers or (question and _is_infinitive(texts[i])))
        clauses.append(Clause(texts[i], queries[i], optional=optional))
        i += 1
    if all(c.optional for c in clauses):
        for c in clauses:
            c.optional = False
    return clauses


def _expand(must: list[Q.Query], group_terms: list[list[str] | None], highlight: set[str],
            highlight_phrases: set[tuple[str, ...]]
            ) -> tuple[list[str], list[tuple[int, int]], dict[int, list[str]]]:
    """Thesaurus expansion: each clause covered by a known expression becomes an Or of
    the typed clause and the expression's synonyms at a lower weight (so documents that
    only use the synonym are found, but rank below those with the typed words). A
    synonym of several words is a phrase: it matches, and is highlighted, only where its
    words stand together.
    Returns the added expressions as written, for "Hledáno také: …", the (start,
    end) clause ranges that matched an expression, and the one-word synonyms (terms) of
    each one-word clause, whose families the clause accepts too."""
    thesaurus = load_thesaurus()
    expanded: list[str] = []
    spans: list[tuple[int, int]] = []
    synonyms: dict[int, list[str]] = {}
    for expansion in thesaurus.find_expansions(group_terms):
        alternatives = [field_query(list(a.terms), boost=thesaurus.weight) for a in expansion.alternatives]
        for i in range(expansion.start, expansion.end):
            must[i] = Q.Or([must[i], *alternatives])
        spans.append((expansion.start, expansion.end))
        if expansion.end - expansion.start == 1:
            synonyms.setdefault(expansion.start, []).extend(
                a.terms[0] for a in expansion.alternatives if len(a.terms) == 1)
        for alternative in expansion.alternatives:
            if len(alternative.terms) > 1:
                highlight_phrases.add(tuple(alternative.terms))
            else:
                highlight.update(alternative.terms)
            if alternative.text not in expanded:
                expanded.append(alternative.text)
    return expanded, spans, synonyms

