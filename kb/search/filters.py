"""The filters of a SearchRequest (facets of kb/facets.py, years): checked against the
taxonomy, then turned into one Whoosh query that a page must match."""
from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import query as Q

from kb.errors import QueryError
from kb.facets import BY_ID
from kb.safe_text import safe_text
from kb.taxonomy import ids

if TYPE_CHECKING:
    from kb.search import SearchRequest



def validate_filters(request: SearchRequest) -> None:
    unknown_facets = [k for k in request.filters if k not in BY_ID]
    if unknown_facets:
        raise QueryError(f"Neznámý druh filtru: {safe_text(', '.join(unknown_facets))[:200]}. "
                         f"Možné: {', '.join(BY_ID)}.")
    for facet_id, chosen in request.filters.items():
        facet = BY_ID[facet_id]
        known = set(ids(facet.section))
        unknown = [v for v in chosen if v not in known]
        if unknown:
            raise QueryError(
                f"Neznámý filtr {facet.param}: {safe_text(', '.join(unknown))[:200]}. "
                f"Možné hodnoty: {', '.join(sorted(known))}."
            )


def filter_query(request: SearchRequest) -> Q.Query | None:
    """The year range; facet filters are applied per document (WhooshBackend.search)."""
    parts = []
    if request.paths:  # e.g. the detail page: one document's hits
        parts.append(Q.Or([Q.Term("path", p) for p in request.paths]))
    if request.year_from is not None or request.year_to is not None:
        parts.append(Q.NumericRange("year", request.year_from, request.year_to))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)
