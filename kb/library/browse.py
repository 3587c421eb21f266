"""What the app shows around a search: the library overview before any query, filter
counts for the current query, and the hits inside one document.

The filter counts of a search come with its result (SearchResult.filter_counts, one
search for all facets).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb.facets import FACETS
from kb.model import IndexedDocument
from kb.search import DocumentHit, SearchRequest
from kb.taxonomy import ids

DETAIL_PAGE_SNIPPETS = 10  # matching pages the detail page of a document lists with a snippet


@dataclass
class Overview:
    documents: int
    pages: int
    # facet id (kb/facets.py) -> value id -> document count, taxonomy order, zero counts left out
    counts: dict[str, dict[str, int]]
    newest: list[IndexedDocument] = field(default_factory=list)
    years: tuple[int, int] | None = None


def overview(documents: list[IndexedDocument], newest: int = 6,
             groups: dict[str, list[str]] | None = None) -> Overview:
    """Counts and newest documents of the whole library. Near-duplicates (`groups`: path
    -> the members of its group) count once, as search counts them: their first member
    by path stands for the group."""
    groups = groups or {}
    distinct = [d for d in documents if d.path not in groups or min(groups[d.path]) == d.path]
    counts = {}
    for facet in FACETS:
        found = Counter(v for doc in distinct for v in doc.values(facet.id))
        known = [i for i in ids(facet.section) if found[i]]
        extra = sorted(i for i in found if i not in known)
        counts[facet.id] = {i: found[i] for i in known + extra}
    dated = [d.year for d in documents if isinstance(d.year, int) and d.year > 0]
    by_age = sorted(distinct, key=lambda d: (-(d.year or 0), d.title.lower()))
    years = (min(dated), max(dated)) if dated else None
    return Overview(
        documents=len(documents),
        pages=sum(d.page_count for d in documents),
        counts=counts,
        newest=by_age[:newest],
        years=years,
    )


def has_criteria(request: SearchRequest) -> bool:
    return bool((request.query or "").strip() or any(request.filters.values())
                or request.year_from is not None or request.year_to is not None)


def library_overview(backend, newest: int = 6) -> Overview:
    """overview() of everything the backend holds, its near-duplicate groups counted once."""
    groups = {path: members for members in backend.groups() for path in members}
    return overview(backend.documents(), newest, groups)


def hit_in_document(backend, request: SearchRequest, path: str) -> DocumentHit | None:
    """The search hit for one document (its matching pages and snippets), ignoring filters,
    or None when the query does not match it."""
    if not (request.query or "").strip():
        return None
    result = backend.search(SearchRequest(query=request.query, paths=[path], limit=1, group=False,
                                          page_snippets=DETAIL_PAGE_SNIPPETS))
    return result.results[0] if result.results else None
