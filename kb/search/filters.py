"""The filters of a SearchRequest (topics, professions, types, years): checked against the
taxonomy, then turned into one Whoosh query that a page must match."""
from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import query as Q

from kb.errors import QueryError
from kb.extract.clean import safe_text
from kb.taxonomy import ids

if TYPE_CHECKING:
    from kb.search import SearchRequest

FILTER_KINDS = {"topics": "topics", "professions": "professions", "types": "doc_types"}


def validate_filters(request: SearchRequest) -> None:
    for attr, facet in FILTER_KINDS.items():
        known = set(ids(facet))
        unknown = [v for v in getattr(request, attr) if v not in known]
        if unknown:
            raise QueryError(
                f"Neznámý filtr {attr[:-1] if attr != 'types' else 'type'}: {safe_text(', '.join(unknown))[:200]}. "
                f"Možné hodnoty: {', '.join(sorted(known))}."
            )


def filter_query(request: SearchRequest) -> Q.Query | None:
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

