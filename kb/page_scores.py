"""Page scores for a Whoosh query, from postings read once and kept as arrays.

Search groups pages into documents, so it needs the score of every matching page,
not only the top ones. Whoosh computes those with a tree of matcher objects, several
Python calls per posting and field; at 20,000 pages a common word ("OSPOD", "dítě")
matches nearly every page and costs a few hundred milliseconds per query. Here each
term's postings are read once per index generation into two arrays (page numbers and
BM25F scores, the same formula and statistics as Whoosh's BM25F), and queries combine
those arrays: Or adds the scores, And keeps the pages in all parts and adds, a boost
multiplies. Query types without such a rule (phrases, ranges) are scored by Whoosh
itself and their result is kept the same way, so the scores equal Whoosh's (up to the
order of float additions) for every query.

The arrays are bounded (MAX_POSTINGS in total, least recently used dropped first): a
posting costs 12 bytes, so the cache stays within a few tens of MB.
"""
from __future__ import annotations

from array import array
from collections import OrderedDict

from whoosh import query as Q
from whoosh.scoring import BM25F

MAX_POSTINGS = 3_000_000


class PageScorer:
    """Scores and matching page numbers (Whoosh docnums) for one open searcher."""

    def __init__(self, searcher, max_postings: int = MAX_POSTINGS):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        weighting = searcher.weighting
        self.bm25f = weighting if type(weighting) is BM25F else None
        self.max_postings = max_postings
        self._cache: OrderedDict = OrderedDict()  # query -> (docnums, scores or None)
        self._size = 0
        self._lengths: dict[str, array] = {}
        self._all: array | None = None

    # ------------------------------------------------------------ public

    def scores(self, q: Q.Query) -> dict[int, float]:
        """docnum -> score of every page that `q` matches."""
        if isinstance(q, (Q.Or, Q.And)) and self._plain_compound(q) and q.subqueries:
            parts = [self.scores(sub) for sub in q.subqueries]
            combined = _union(parts) if isinstance(q, Q.Or) else _intersection(parts)
        elif isinstance(q, Q.Every) and not q.fieldname:
            return dict.fromkeys(self._all_docnums(), float(q.boost))  # as Whoosh: the boost
        else:
            ids, values = self._scored_leaf(q)
            return dict(zip(ids, values))
        if q.boost != 1.0:
            combined = {d: s * q.boost for d, s in combined.items()}
        return combined

    def docnums(self, q: Q.Query) -> set[int]:
        """The pages that `q` matches (no scoring)."""
        if isinstance(q, (Q.Or, Q.And)) and self._plain_compound(q) and q.subqueries:
            parts = [self.docnums(sub) for sub in q.subqueries]
            if isinstance(q, Q.Or):
                return set().union(*parts)
            parts.sort(key=len)
            return parts[0].intersection(*parts[1:])
        if isinstance(q, Q.Every) and not q.fieldname:
            return set(self._all_docnums())
        if isinstance(q, Q.Term):
            return set(self._term_ids(q))
        return set(self._scored_leaf(q)[0])

    # ------------------------------------------------------------ leaves

    @staticmethod
    def _plain_compound(q) -> bool:
        # Or with minmatch or coordination scaling scores differently: Whoosh does it
        return not getattr(q, "minmatch", 0) and not getattr(q, "scale", None)

    def _remember(self, key, value):
        self._cache[key] = value
        self._size += len(value[0])
        while self._size > self.max_postings and len(self._cache) > 1:
            _, (ids, _) = self._cache.popitem(last=False)
            self._size -= len(ids)
        return value

    def _cached(self, key):
        value = self._cache.get(key)
        if value is not None:
            self._cache.move_to_end(key)
        return value

    def _term_ids(self, q: Q.Term) -> array:
        key = ("ids", q.fieldname, q.text)
        hit = self._cached(q) or self._cached(key)
        if hit is not None:
            return hit[0]
        return self._remember(key, (self._postings(q.fieldname, q.text)[0], None))[0]

    def _scored_leaf(self, q: Q.Query) -> tuple[array, array]:
        hit = self._cached(q)
        if hit is not None:
            return hit
        if isinstance(q, Q.Term) and self._bm25f_field(q.fieldname):
            ids, values = self._term_scores(q)
        else:  # Whoosh scores it (phrases, ranges, anything new)
            items = sorted(self.searcher.search(q, limit=None).items())
            ids = array("i", (d for d, _ in items))
            values = array("d", (s for _, s in items))
        return self._remember(q, (ids, values))

    def _bm25f_field(self, fieldname: str) -> bool:
        return self.bm25f is not None and fieldname in self.schema and self.schema[fieldname].scorable

    def _postings(self, fieldname: str, text) -> tuple[array, array]:
        ids, weights = array("i"), array("d")
        if fieldname not in self.schema:
            return ids, weights
        try:
            btext = self.schema[fieldname].to_bytes(text)
        except ValueError:
            return ids, weights
        if (fieldname, btext) not in self.reader:
            return ids, weights
        m = self.reader.postings(fieldname, btext)  # deleted pages are filtered out
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        return ids, weights

    def _term_scores(self, q: Q.Term) -> tuple[array, array]:
        """BM25F exactly as whoosh.scoring.BM25FScorer computes it."""
        ids, weights = self._postings(q.fieldname, q.text)
        if not ids:
            return ids, weights
        field = q.fieldname
        w = self.bm25f
        B = w._field_B.get(field, w.B)
        K1 = w.K1
        idf = self.searcher.idf(field, q.text)
        avgfl = self.searcher.avg_field_length(field) or 1
        lengths = self._field_lengths(field)
        boost = q.boost
        values = array("d", (
            idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[d] / avgfl))) * boost
            for d, tf in zip(ids, weights)
        ))
        return ids, values

    def _field_lengths(self, field: str) -> array:
        lengths = self._lengths.get(field)
        if lengths is None:
            # (an empty field reads as None; no posting ever points at one)
            length = self.reader.doc_field_length
            lengths = array("d", (length(d, field, 1) or 1 for d in range(self.reader.doc_count_all())))
            self._lengths[field] = lengths
        return lengths

    def _all_docnums(self) -> array:
        if self._all is None:
            self._all = array("i", self.reader.all_doc_ids())
        return self._all


def _union(parts: list[dict[int, float]]) -> dict[int, float]:
    parts = sorted(parts, key=len, reverse=True)
    combined = dict(parts[0])
    get = combined.get
    for part in parts[1:]:
        for d, s in part.items():
            combined[d] = get(d, 0.0) + s
    return combined


def _intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    parts = sorted(parts, key=len)
    combined = parts[0]
    for part in parts[1:]:
        combined = {d: s + part[d] for d, s in combined.items() if d in part}
    return combined
