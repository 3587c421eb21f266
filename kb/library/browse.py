"""What the app shows around a search: the library overview before any query, filter
counts for the current query, and the hits inside one document.

Filter counts are disjunctive: the count beside a topic says how many documents the
current query would find with that topic added to the other filters, so choosing a
second topic (topics are OR-ed) never looks like a dead end.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from kb.model import IndexedDocument
from kb.search import DocumentHit, SearchRequest
from kb.taxonomy import ids

HIT_LOOKUP_LIMIT = 300
FACETS = (("topics", "topics"), ("professions", "professions"), ("types", "doc_type"))
# request attribute -> key in SearchResult.facets


@dataclass
class Overview:
    documents: int
    pages: int
    topics: dict[str, int]  # id -> document count, taxonomy order, zero counts left out
    professions: dict[str, int]
    types: dict[str, int]
    newest: list[IndexedDocument] = field(default_factory=list)
    years: tuple[int, int] | None = None


def overview(documents: list[IndexedDocument], newest: int = 6,
             groups: dict[str, list[str]] | None = None) -> Overview:
    """Counts and newest documents of the whole library. Near-duplicates (`groups`: path
    -> the members of its group) count once, as search counts them: their first member
    by path stands for the group."""
    groups = groups or {}
    distinct = [d for d in documents if d.path not in groups or min(groups[d.path]) == d.path]
    counts = {facet: Counter() for facet in ("topics", "professions", "types")}
    for doc in distinct:
        counts["topics"].update(doc.topics)
        counts["professions"].update(doc.professions)
        counts["types"][doc.doc_type] += 1

    def ordered(facet: str, taxonomy_facet: str) -> dict[str, int]:
        known = [i for i in ids(taxonomy_facet) if counts[facet][i]]
        extra = sorted(i for i in counts[facet] if i not in known)
        return {i: counts[facet][i] for i in known + extra}

    dated = [d.year for d in documents if isinstance(d.year, int) and d.year > 0]
    by_age = sorted(distinct, key=lambda d: (-(d.year or 0), d.title.lower()))
    years = (min(dated), max(dated)) if dated else None
    return Overview(
        documents=len(documents),
        pages=sum(d.page_count for d in documents),
        topics=ordered("topics", "topics"),
        professions=ordered("professions", "professions"),
        types=ordered("types", "doc_types"),
        newest=by_age[:newest],
        years=years,
    )


def has_criteria(request: SearchRequest) -> bool:
    return bool((request.query or "").strip() or request.topics or request.professions
                or request.types or request.year_from is not None or request.year_to is not None)


def facet_counts(backend, request: SearchRequest, result=None) -> dict[str, dict[str, int]]:
    """Counts per filter value for the current query, each facet counted with the other
    facets' filters applied but not its own. Keys: 'topics', 'professions', 'types'."""
    counts: dict[str, dict[str, int]] = {}
    for attr, result_key in FACETS:
        if not getattr(request, attr) and result is not None:
            counts[attr] = dict(result.facets.get(result_key, {}))
            continue
        others = replace(request, limit=0, **{attr: []})
        if not has_criteria(others):
            counts[attr] = _all_counts(backend, attr)
            continue
        counts[attr] = dict(backend.search(others).facets.get(result_key, {}))
    return counts


def library_overview(backend, newest: int = 6) -> Overview:
    """overview() of everything the backend holds, its near-duplicate groups counted once."""
    groups = {path: members for members in backend.groups() for path in members}
    return overview(backend.documents(), newest, groups)


def _all_counts(backend, attr: str) -> dict[str, int]:
    return dict(getattr(library_overview(backend), attr))


def hit_in_document(backend, request: SearchRequest, path: str) -> DocumentHit | None:
    """The search hit for one document (its matching pages and snippets), ignoring filters,
    or None when the query does not match it."""
    if not (request.query or "").strip():
        return None
    # SearchRequest has no path filter yet, so the document is looked up among the best
    # hits of the unfiltered query (a document ranked lower shows no hit pages).
    limit = min(len(backend.documents()), HIT_LOOKUP_LIMIT) or 1
    result = backend.search(SearchRequest(query=request.query, limit=limit, group=False))
    return next((hit for hit in result.results if hit.path == path), None)


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Offsets in `text` of the words that the query matches (as the index sees them), for
    marking a whole page; an unparseable query marks nothing."""
    from kb.errors import QueryError
    from kb.search.query import parse_query
    from kb.search.snippets import query_spans

    if not (query or "").strip() or not text:
        return []
    try:
        parsed = parse_query(query)
    except QueryError:
        return []
    return query_spans(text, parsed)

