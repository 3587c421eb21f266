"""Search: parse the query language, match pages, group them per document, count
facets, and cut a snippet with highlight offsets from the best page.

This is the public face: what the app and the CLI exchange with a backend
(SearchRequest, the result dataclasses, the SearchBackend protocol), open_backend and
parse_query. The work is done in modules of one job each:
  query.py     the query language (DESIGN.md) as Whoosh queries: clauses, fillers,
               thesaurus and word-family expansion
  filters.py   the request's filters, checked and turned into a Whoosh query
  snippets.py  match spans, snippets (SNIPPET_CHARS), contents pages
  rerank.py    where the words stand: proximity and headings
  backend.py   WhooshBackend, the backend for one machine
  page_scores.py, suggest.py  page scores from cached postings; "Měli jste na mysli"

The app and the CLI use only the `SearchBackend` protocol (from `open_backend`).
Another backend (e.g. OpenSearch, docs/scaling.md) implements the same methods and
returns the same dataclasses; the query language, filters and snippets stay defined here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from kb.model import IndexedDocument
from kb.search.query import parse_query

__all__ = ["DocumentHit", "PageHit", "SearchBackend", "SearchRequest", "SearchResult", "open_backend",
           "parse_query"]

# ---------------------------------------------------------------- request / result


@dataclass
class SearchRequest:
    query: str = ""
    # facet id (kb/facets.py) -> ids; values of one facet are OR-ed, facets AND-ed
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    limit: int = 20
    group: bool = True  # near-identical documents as one result (kb/index/neardup.py)
    paths: list[str] = field(default_factory=list)  # only these documents (e.g. one document's hits)
    # Pages of each result given a snippet (DocumentHit.page_hits), best first: a result
    # card shows 3; one document's hits (kb/library/browse.py:hit_in_document) ask for more.
    # At least 1: the result's own snippet is the best page's.
    page_snippets: int = 3


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
    tags: dict[str, list[str]]  # facet id -> ids, every list-valued facet (kb/facets.py)
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
    # The app's filter counts: per facet, the documents the query finds with that value
    # added to the other facets' filters (its own left out), so choosing a second topic
    # (OR-ed) never looks like a dead end. Not part of the CLI JSON.
    filter_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["filter_counts"]
        for hit in data["results"]:
            hit.update(hit.pop("tags"))  # DESIGN.md: "topics": [...], "professions": [...] per result
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



def open_backend(index_dir: Path) -> SearchBackend:
    """The search backend for an index; raises IndexMissing when there is none yet."""
    # Imported here: kb/search/backend.py builds the dataclasses above, so it imports this module.
    from kb.search.backend import WhooshBackend

    return WhooshBackend(index_dir)
