"""Search: parse the query language, match pages, group them per document, count
facets, and cut a snippet with highlight offsets from the best page.

Query language (DESIGN.md): words are ANDed, "..." is a phrase, OR between words,
-word excludes. Matching goes through the one Czech analyzer, so case, diacritics
and inflection do not matter.

The app and the CLI use only the `SearchBackend` protocol (from `open_backend`);
`WhooshBackend` is the backend for one machine. Another backend (e.g. OpenSearch,
docs/scaling.md) implements the same methods and returns the same dataclasses; the
query language, filters and snippets stay defined here.
"""
from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Protocol

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

from kb.analysis import fold, highlight_spans, terms, tokens_with_offsets, word_term
from kb.analysis.families import Families
from kb.analysis.thesaurus import load_thesaurus
from kb.errors import QueryError
from kb.extract.clean import safe_text
from kb.index import neardup
from kb.index import store as kb_index
from kb.model import IndexedDocument
from kb.search.page_scores import PageScorer
from kb.taxonomy import ids

SNIPPET_CHARS = 240
MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 40
PAGES_PER_RESULT = 5
FAMILY_WEIGHT = 0.4  # a word of the typed word's family (kb/analysis/families.py); the thesaurus has 0.5
PAGE_DECAY = 0.5  # each further matching page adds half of the previous one's weight
FILTER_KINDS = {"topics": "topics", "professions": "professions", "types": "doc_types"}
SEARCH_FIELDS = ("content", "title", "heading")
_SCORE, _DOCNUM = itemgetter(0), itemgetter(1)  # of a (score, docnum) page


# ---------------------------------------------------------------- request / result


@dataclass
class SearchRequest:
    query: str = ""
    topics: list[str] = field(default_factory=list)
    professions: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    limit: int = 20
    group: bool = True  # near-identical documents as one result (kb/index/neardup.py)


@dataclass
class PageHit:
    page: int  # 1-based; 0 for formats without pages
    heading: str
    snippet: str
    highlights: list[tuple[int, int]]
    ocr: bool = False


@dataclass
class DocumentHit:
    path: str
    title: str
    doc_type: str
    topics: list[str]
    professions: list[str]
    score: float
    pages: list[int]
    snippet: str
    highlights: list[tuple[int, int]]
    year: int | None = None
    organization: str = ""
    page_hits: list[PageHit] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # query words (as typed) the document lacks
    # The group's other matching members, {"path", "similarity"} each (kb/index/neardup.py).
    duplicates: list[dict] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    total: int
    results: list[DocumentHit]
    facets: dict[str, dict[str, int]]
    expanded: list[str] = field(default_factory=list)
    partial: int = 0  # how many of `total` lack one of the query words (listed after the others)

    def to_dict(self) -> dict:
        data = asdict(self)
        for hit in data["results"]:
            hit["highlights"] = [list(h) for h in hit["highlights"]]
            for page in hit["page_hits"]:
                page["highlights"] = [list(h) for h in page["highlights"]]
        return data


class SearchBackend(Protocol):
    """Everything the app, the CLI and kb/search/suggest.py may ask of an index, and nothing
    else: a second backend implements exactly this. One instance reads one published
    version of the index; it is not meant to be shared between threads without a lock."""

    # The index version this backend reads; it changes when `kb index` publishes a new
    # one. Compare it or use str() of it as a cache key; its type is the backend's own.
    generation: object

    def search(self, request: SearchRequest) -> SearchResult:
        """Documents matching the request, best first, with facets and snippets; raises
        QueryError for a query or filter that cannot be understood."""
        ...

    def documents(self) -> list[IndexedDocument]:
        """The record of every indexed document, sorted by path (`kb list`)."""
        ...

    def document(self, path: str) -> IndexedDocument | None:
        """The record of one document (title, tags, evidence, ocr_pages...)."""
        ...

    def page_texts(self, path: str) -> list[dict]:
        """The stored pages (or sections) of one document in order, each a dict with at
        least `page`, `section`, `heading`, `content` and `ocr`."""
        ...

    def skipped(self) -> list[dict]:
        """Files the last indexing run could not read: `{"path", "reason"}` each."""
        ...

    def groups(self) -> list[list[str]]:
        """Every group of near-identical documents, as lists of paths (kb/index/neardup.py)."""
        ...

    def duplicates(self, path: str) -> list[dict]:
        """The other members of a document's group of near-identical documents,
        `{"path", "similarity"}` each, most similar first (kb/index/neardup.py)."""
        ...

    def arrivals(self) -> tuple[float, dict[str, float]]:
        """(when the library was first indexed, path -> when the file came to its place),
        epoch seconds, for "Nově přidané" (kb/index/watch.py)."""
        ...

    def is_stale(self) -> bool:
        """True when a newer index version has been published since this one was opened:
        the caller should open a new backend (the old one keeps working meanwhile)."""
        ...

    def close(self) -> None:
        """Release files or connections."""
        ...


# ---------------------------------------------------------------- query parsing


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


def _field_query(term_list: list[str], boost: float = 1.0) -> Q.Query | None:
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
        clause = _field_query(term_list)
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
    expanded, spans = _expand(queries, group_terms, highlight, highlight_phrases)
    question = any(fold(w.lower()) in QUESTION_WORDS for w in _WORD_CHARS.findall(text))
    clauses = _clauses(queries, texts, group_terms, spans, question)
    family = _add_families(clauses, queries, group_terms, related, highlight) if related else []
    return ParsedQuery(must=[c.query for c in clauses if not c.optional], must_not=must_not,
                       highlight_terms=highlight, phrases=phrases, expanded=expanded, clauses=clauses,
                       highlight_phrases=highlight_phrases, family=family)


def _add_families(clauses: list[Clause], queries: list[Q.Query], group_terms: list[list[str] | None],
                  related: Callable[[str], list[str]], highlight: set[str]) -> list[str]:
    """Each required one-word clause also accepts the other words of its family, at a
    lower weight than the word typed (and than a thesaurus synonym). Returns the terms
    added."""
    added: list[str] = []
    by_query = {id(q): i for i, q in enumerate(queries)}
    for clause in clauses:
        if clause.optional:
            continue
        i = by_query.get(id(clause.query))
        single = group_terms[i] if i is not None else None
        if not single or len(single) != 1:
            continue
        members = [m for m in related(single[0]) if m not in highlight]
        if not members:
            continue
        clause.query = Q.Or([clause.query, *(_field_query([m], boost=FAMILY_WEIGHT) for m in members)])
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
            highlight_phrases: set[tuple[str, ...]]) -> tuple[list[str], list[tuple[int, int]]]:
    """Thesaurus expansion: each clause covered by a known expression becomes an Or of
    the typed clause and the expression's synonyms at a lower weight (so documents that
    only use the synonym are found, but rank below those with the typed words). A
    synonym of several words is a phrase: it matches, and is highlighted, only where its
    words stand together.
    Returns the added expressions as written, for "Hledáno také: …", and the (start,
    end) clause ranges that matched an expression."""
    thesaurus = load_thesaurus()
    expanded: list[str] = []
    spans: list[tuple[int, int]] = []
    for expansion in thesaurus.find_expansions(group_terms):
        alternatives = [_field_query(list(a.terms), boost=thesaurus.weight) for a in expansion.alternatives]
        for i in range(expansion.start, expansion.end):
            must[i] = Q.Or([must[i], *alternatives])
        spans.append((expansion.start, expansion.end))
        for alternative in expansion.alternatives:
            if len(alternative.terms) > 1:
                highlight_phrases.add(tuple(alternative.terms))
            else:
                highlight.update(alternative.terms)
            if alternative.text not in expanded:
                expanded.append(alternative.text)
    return expanded, spans


def validate_filters(request: SearchRequest) -> None:
    for attr, facet in FILTER_KINDS.items():
        known = set(ids(facet))
        unknown = [v for v in getattr(request, attr) if v not in known]
        if unknown:
            raise QueryError(
                f"Neznámý filtr {attr[:-1] if attr != 'types' else 'type'}: {safe_text(', '.join(unknown))[:200]}. "
                f"Možné hodnoty: {', '.join(sorted(known))}."
            )


def _filter_query(request: SearchRequest) -> Q.Query | None:
    parts = []
    for field_name, values in (("topics", request.topics), ("professions", request.professions),
                               ("doc_type", request.types)):
        if values:
            parts.append(Q.Or([Q.Term(field_name, v) for v in values]))
    if request.year_from is not None or request.year_to is not None:
        parts.append(Q.NumericRange("year", request.year_from, request.year_to))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


# ---------------------------------------------------------------- best pages

# A line of a table of contents: "3. Priority dluhů — s. 4", "… – strana 12", "(str. 5)".
_CONTENTS_LINE = re.compile(
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
    return sum(1 for line in text.splitlines() if _CONTENTS_LINE.search(line)) >= CONTENTS_MIN_LINES


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


# ---------------------------------------------------------------- snippets


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


def query_spans(text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """The words of `text` to mark for a parsed query (snippets, a whole page)."""
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


# ---------------------------------------------------------------- where the words stand

RERANK_EXTRA = 5  # documents read beyond the page of results shown
RERANK_PAGES = 3  # best pages read per document
OPTIONAL_WEIGHT = 0.5  # a filler word counts half in proximity
WINDOW_CHARS = 200  # "together": within about one sentence or a short paragraph
SCATTERED_FLOOR = 0.4  # a page whose words all stand apart keeps this share of its score
HEADING_GAIN = 0.6  # a page whose heading holds every word scores this much more

# A heading line in page text: short, starts with a capital or a chapter number, does not
# end a sentence, a list item or a clause, and is no line of a table or a bullet list...
_HEADING_LINE = re.compile(r"^[\dA-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ„\"][^|•\n]{2,80}(?<![.,;:])$")
# ...and stands between paragraphs: the line before ends one (or is a heading) and the
# line after starts one. A line wrapped inside a sentence fails one of these.
_ENDS_PARAGRAPH = re.compile(r"[.!?:;…“\"]\s*$")
_STARTS_PARAGRAPH = re.compile(r"^\s*(?:[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ„\"•\-–]|\d+\.\s)")


def _clause_terms(q: Q.Query) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """The single terms and the phrases that satisfy a clause's query (typed words and
    their expansions), read from the query itself so that they cannot drift apart."""
    singles, phrases = set(), set()
    for leaf in q.leaves() if q.subqueries else [q]:
        if isinstance(leaf, Q.Term):
            singles.add(leaf.text)
        elif isinstance(leaf, Q.Phrase):
            phrases.add(tuple(leaf.words))
    return frozenset(singles), frozenset(phrases)


def _line_is_heading(text: str, start: int, depth: int = 0) -> bool:
    """Whether the line of `text` that starts at `start` is a heading: it looks like one
    (_HEADING_LINE, no contents line), the line before ends a paragraph (or is empty, or
    is a heading itself) and the line after starts one."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    line = text[start:end].strip()
    if not _HEADING_LINE.match(line) or _CONTENTS_LINE.search(line):
        return False
    if start > 0:
        before_start = text.rfind("\n", 0, start - 1) + 1
        before = text[before_start:start - 1].strip()
        if before and not _ENDS_PARAGRAPH.search(before) and not (
                depth < 3 and _line_is_heading(text, before_start, depth + 1)):
            return False
    after_end = text.find("\n", end + 1)
    following = text[end + 1:after_end if after_end >= 0 else len(text)] if end < len(text) else ""
    return not following.strip() or _STARTS_PARAGRAPH.match(following) is not None


class ClauseTerms:
    """The terms of a parsed query's clauses, prepared once for proximity()."""

    def __init__(self, clauses: list[tuple[tuple[frozenset, frozenset], float]]):
        self.weights = [w for _, w in clauses]
        self.singles: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()
        self.of_term: dict[str, set[int]] = {}
        for i, ((singles, phrases), _) in enumerate(clauses):
            self.singles |= singles
            self.phrases |= phrases
            for term in chain(singles, *phrases):
                self.of_term.setdefault(term, set()).add(i)

    def found(self, text: str) -> list[tuple[int, int]]:
        """(start, clause index) of each matched word of `text`, in order."""
        return [(start, i) for start, end in match_spans(text, self.singles, self.phrases)
                for i in self.of_term.get(word_term(text[start:end]), ())]


def proximity(text: str, heading: str, clauses: ClauseTerms) -> float:
    """How well one page answers a query of several clauses, as a factor of its score:
    1.0 when all the clauses the page has stand within one window (WINDOW_CHARS), down
    to SCATTERED_FLOOR when each stands alone; times up to 1 + HEADING_GAIN when its
    headings hold them (a chapter about the question)."""
    if is_contents_page(text):
        return SCATTERED_FLOOR  # it names every chapter: never the answer itself
    positions = clauses.found(text)
    if not positions:
        return SCATTERED_FLOOR
    weights = clauses.weights
    have = sum(weights[i] for i in {i for _, i in positions})
    best = 0.0
    seen: Counter = Counter()
    lo = 0
    for start, i in positions:
        seen[i] += 1
        while positions[lo][0] < start - WINDOW_CHARS:
            old = positions[lo][1]
            seen[old] -= 1
            if not seen[old]:
                del seen[old]
            lo += 1
        best = max(best, sum(weights[j] for j in seen))
    together = best / have
    # In a heading every word counts fully: "Jak se ptát", "Kdo co dělá" are the how-words
    # of a question standing where the answer starts. Only lines with a match are checked.
    in_heading = {i for _, i in clauses.found(heading)} if heading else set()
    lines: dict[int, bool] = {}
    for start, i in positions:
        if i in in_heading:
            continue
        line = text.rfind("\n", 0, start) + 1
        if line not in lines:
            lines[line] = _line_is_heading(text, line)
        if lines[line]:
            in_heading.add(i)
    return (SCATTERED_FLOOR + (1 - SCATTERED_FLOOR) * together) * (1 + HEADING_GAIN * len(in_heading) / len(weights))


# ---------------------------------------------------------------- the Whoosh backend


class WhooshBackend:
    """Search over the live index generation of `index_dir`."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self.generation, self.ix, self.manifest = kb_index.open_generation(self.index_dir)
        self.searcher = self.ix.searcher(weighting=BM25F())
        # The manifest is a few hundred thousand long-lived objects (20,000 pages). Python's
        # cycle collector would walk them all in each full collection, which the arrays and
        # tuples of a search set off now and then: pauses of ~50 ms. Freezing moves what
        # exists now out of its sight (still freed by reference counting).
        gc.freeze()
        self._pages = PageScorer(self.searcher)  # Whoosh's page scores, from cached postings
        self._columns: dict = {}
        self._docs: tuple[np.ndarray, list[str]] | None = None
        self._family_index: Families | None = None
        self._written_forms: dict[str, str] = {}
        self._group_index: dict[str, list[str]] | None = None

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    def is_stale(self) -> bool:
        """True when a newer generation has been published since this one was opened."""
        return kb_index.current_generation(self.index_dir) != self.generation

    def documents(self) -> list[IndexedDocument]:
        return sorted(self.manifest["documents"].values(), key=lambda d: d.path)

    def document(self, path: str) -> IndexedDocument | None:
        return self.manifest["documents"].get(path)

    def skipped(self) -> list[dict]:
        return list(self.manifest.get("skipped", []))

    def groups(self) -> list[list[str]]:
        return [list(members) for members in self.manifest.get("groups") or []]

    def duplicates(self, path: str) -> list[dict]:
        return neardup.group_of(self.manifest, path)

    def arrivals(self) -> tuple[float, dict[str, float]]:
        return float(self.manifest.get("created") or 0), dict(self.manifest.get("arrivals") or {})

    def page_texts(self, path: str) -> list[dict]:
        """Stored pages (or sections) of one document, in order."""
        records = self.searcher.documents(path=path)
        return sorted(records, key=lambda r: r["section"])

    def search(self, request: SearchRequest) -> SearchResult:
        validate_filters(request)
        parsed = parse_query(request.query, related=self._families().related)
        filter_q = _filter_query(request)
        if parsed.empty:
            if parsed.must_not or request.query.strip():
                raise QueryError(
                    "Dotaz obsahuje jen běžná slova (a, v, na…) nebo jen vylučovaná slova. "
                    "Napište aspoň jedno slovo, které hledáte."
                )
            if filter_q is None:
                raise QueryError("Zadejte hledaný výraz nebo vyberte aspoň jeden filtr.")
        optional = [c.query for c in parsed.optional]
        grouped = self._group(parsed.must or [Q.Every()], filter_q, parsed.min_match() if parsed.must else 1,
                              optional)
        if parsed.must_not:  # -word excludes whole documents, not just the pages with it
            for path in self._matching_paths(Q.Or(parsed.must_not)):
                grouped.pop(path, None)
        # Documents with every word first, then those lacking one ("chybí: …").
        ranked = sorted(grouped.items(), key=lambda kv: (len(kv[1]["missing"]), -kv[1]["score"], kv[0]))
        if len(parsed.clauses) > 1:
            ranked = self._rerank(ranked, parsed, max(0, request.limit))
        copies: dict[str, list[str]] = {}
        if request.group:  # one result per group of near-identical documents, counted once
            ranked, copies = neardup.collapse(ranked, self._groups())
        facets = self._facets(dict(ranked))
        required = [c.text for c in parsed.required]
        results = [self._hit(path, data, parsed, required) for path, data in ranked[: max(0, request.limit)]]
        for hit in results:
            hit.duplicates = neardup.similar_to(self.manifest, hit.path, copies.get(hit.path, []))
        partial = sum(1 for _, data in ranked if data["missing"])
        expanded = parsed.expanded + [w for w in map(self._written, parsed.family) if w and w not in parsed.expanded]
        return SearchResult(query=safe_text(request.query), total=len(ranked), results=results, facets=facets,
                            expanded=expanded, partial=partial)

    def _groups(self) -> dict[str, list[str]]:
        if self._group_index is None:
            self._group_index = neardup.group_index(self.manifest)
        return self._group_index

    def _families(self) -> Families:
        """The word families of this index's vocabulary, made at the first query."""
        if self._family_index is None:
            reader = self.searcher.reader()
            self._family_index = Families(
                (t.decode() if isinstance(t, bytes) else t, reader.doc_frequency("content", t))
                for t in reader.lexicon("content"))
        return self._family_index

    def _written(self, term: str) -> str:
        """A word of the documents whose term is `term`, as written there (lowercase), to
        show an index term in "Hledáno také"."""
        if term not in self._written_forms:
            docnums = self._pages.mask(Q.Term("content", term)).nonzero()[0][:1].tolist()
            text = self.searcher.stored_fields(docnums[0]).get("content", "") if docnums else ""
            spans = highlight_spans(text, {term})
            self._written_forms[term] = text[spans[0][0]:spans[0][1]].lower() if spans else ""
        return self._written_forms[term]

    def _group(self, clauses: list[Q.Query], filter_q: Q.Query | None, min_match: int,
               optional: list[Q.Query] = ()) -> dict[str, dict]:
        """Documents in which at least `min_match` of the clauses match (each on any of
        its pages), with their matching pages scored and the indices of the clauses they
        lack (`missing`). A page that matches more of the words scores higher; the
        `optional` clauses add to the score of the pages they match, never to a
        document's requirements.

        Works on arrays over all pages (kb/search/page_scores.py): at 20,000 pages a common
        word matches nearly all of them, and Python only visits each matching document."""
        doc_of, doc_paths = self._doc_index()
        clause_masks = [self._pages.mask(clause) for clause in clauses] if len(clauses) > 1 else []
        doc_has = None  # doc_has[i, d]: clause i matches a page of document d
        if clause_masks:
            doc_has = np.zeros((len(clause_masks), len(doc_paths)), dtype=bool)
            for i, clause_mask in enumerate(clause_masks):
                doc_has[i, doc_of[clause_mask]] = True
            allowed = doc_has.sum(axis=0) >= min_match
            if not allowed.any():
                return {}
        scoring = clauses[0] if len(clauses) == 1 and not optional else Q.Or([*clauses, *optional])
        scores, mask = self._pages.evaluate(scoring)
        if optional:  # a page with only a filler word is no hit
            mask &= np.logical_or.reduce(clause_masks) if clause_masks else self._pages.mask(clauses[0])
        if filter_q is not None:
            mask &= self._pages.mask(filter_q)
        if clause_masks:
            mask &= allowed[doc_of]
            # BM25 alone lets many hits of one word outweigh a page with all
            scores = scores * (np.sum(clause_masks, axis=0) / len(clause_masks)) ** 2
        docnums = np.flatnonzero(mask)
        if not len(docnums):
            return {}
        page_scores, docs = scores[docnums], doc_of[docnums]
        order = np.lexsort((docnums, -page_scores, docs))  # per document: best first, ties by docnum
        docs = docs[order].tolist()
        score_list, docnum_list = page_scores[order].tolist(), docnums[order].tolist()
        grouped: dict[str, dict] = {}
        start = 0
        for end in [*np.flatnonzero(np.diff(docs)).tolist(), len(docs) - 1]:
            top = score_list[start:min(end + 1, start + 10)]
            doc = docs[start]
            grouped[doc_paths[doc]] = {
                "pages": list(zip(score_list[start:end + 1], docnum_list[start:end + 1], strict=True)),
                "score": sum(score * PAGE_DECAY**i for i, score in enumerate(top)),
                "missing": [] if doc_has is None else np.flatnonzero(~doc_has[:, doc]).tolist(),
            }
            start = end + 1
        return grouped

    def _rerank(self, ranked: list[tuple[str, dict]], parsed: ParsedQuery, limit: int) -> list[tuple[str, dict]]:
        """Order the best documents by where the words stand: a page whose words stand
        together (one sentence or paragraph, see proximity) and in a heading outranks one
        with the same words scattered, so a question finds the chapter about it rather
        than a passing mention in a list. Only the top pages of the top documents are
        read (their text is needed for the snippets anyway); the tiers of missing words
        stay as they are."""
        count = min(len(ranked), max(limit, 10) + RERANK_EXTRA)
        clauses = ClauseTerms([(_clause_terms(c.query), 1.0 if not c.optional else OPTIONAL_WEIGHT)
                               for c in parsed.clauses])
        stored = self.searcher.stored_fields
        for _, data in ranked[:count]:
            pages = data["pages"]
            loaded = data.setdefault("loaded", {})
            rescored = []
            for score, docnum in pages[:RERANK_PAGES]:
                fields = loaded.get(docnum) or loaded.setdefault(docnum, stored(docnum))
                rescored.append((score * proximity(fields.get("content", ""), fields.get("heading", ""), clauses),
                                 docnum))
            pages = sorted(rescored, key=lambda p: (-p[0], p[1])) + pages[RERANK_PAGES:]
            data["pages"] = pages
            data["score"] = sum(score * PAGE_DECAY**i for i, (score, _) in enumerate(pages[:10]))
        top = sorted(ranked[:count], key=lambda kv: (len(kv[1]["missing"]), -kv[1]["score"], kv[0]))
        return top + ranked[count:]

    def _column(self, name: str):
        """docnum -> field value from Whoosh's column store (no stored-field loading),
        read into a list once: an item of a list costs a fraction of a column lookup."""
        if name not in self._columns:
            self._columns[name] = list(self.searcher.reader().column_reader(name))
        return self._columns[name]

    def _doc_index(self) -> tuple[np.ndarray, list[str]]:
        """(document number of each page, path of each document number), made once."""
        if self._docs is None:
            numbers: dict[str, int] = {}
            paths = self._column("path")
            doc_of = np.fromiter((numbers.setdefault(p, len(numbers)) for p in paths), dtype=np.int64,
                                 count=len(paths))
            self._docs = (doc_of, list(numbers))
        return self._docs

    def _matching_paths(self, q: Q.Query) -> set[str]:
        doc_of, doc_paths = self._doc_index()
        return {doc_paths[d] for d in np.unique(doc_of[self._pages.mask(q)]).tolist()}

    def _facets(self, grouped: dict[str, dict]) -> dict[str, dict[str, int]]:
        docs = self.manifest["documents"]
        found = [docs[path] for path in grouped if path in docs]
        facets = {  # Counter counts an iterable in C
            "topics": Counter(chain.from_iterable(doc.topics for doc in found)),
            "professions": Counter(chain.from_iterable(doc.professions for doc in found)),
            "doc_type": Counter(doc.doc_type for doc in found),
        }
        return {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in facets.items()}

    def _hit(self, path: str, data: dict, parsed: ParsedQuery, required: list[str]) -> DocumentHit:
        doc = self.manifest["documents"].get(path) or IndexedDocument(path)
        page_hits = []
        stored = self.searcher.stored_fields
        loaded = data.get("loaded", {})
        loaded = {docnum: loaded.get(docnum) or stored(docnum) for _, docnum in data["pages"][:PAGES_PER_RESULT]}
        data["pages"] = contents_pages_last(data["pages"], loaded)
        for _, docnum in data["pages"][:PAGES_PER_RESULT]:
            fields = loaded.get(docnum) or stored(docnum)
            snippet, marks = make_snippet(fields.get("content", ""), parsed.highlight_terms,
                                          phrases=parsed.highlight_phrases)
            page_hits.append(PageHit(page=fields["page"], heading=fields.get("heading", ""),
                                     snippet=snippet, highlights=marks, ocr=bool(fields.get("ocr"))))
        best = page_hits[0] if page_hits else PageHit(0, "", "", [])
        return DocumentHit(
            path=path,
            title=doc.display_title,
            doc_type=doc.doc_type,
            topics=list(doc.topics),
            professions=list(doc.professions),
            score=round(data["score"], 4),
            pages=self._page_numbers(data["pages"]),
            snippet=best.snippet,
            highlights=best.highlights,
            year=doc.year,
            organization=doc.organization,
            page_hits=page_hits,
            missing=[required[i] for i in data["missing"]],
        )

    def _page_numbers(self, pages: list[tuple[float, int]]) -> list[int]:
        numbers = self._column("page")
        return [numbers[docnum] for _, docnum in pages if numbers[docnum] > 0]


def open_backend(index_dir: Path) -> SearchBackend:
    """The search backend for an index; raises IndexMissing when there is none yet."""
    return WhooshBackend(index_dir)
