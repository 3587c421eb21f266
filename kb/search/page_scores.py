"""Page scores for a Whoosh query, from postings read once and kept as arrays.

Search groups pages into documents, so it needs the score of every matching page,
not only the top ones. Whoosh computes those with a tree of matcher objects, several
Python calls per posting and field; at 20,000 pages a common word ("OSPOD", "dítě")
matches nearly every page and costs a few hundred milliseconds per query. Here each
term's postings are read once per index generation into arrays (page numbers and
BM25F scores, the same formula and statistics as Whoosh's BM25F), and a query is
evaluated over whole arrays with numpy: Or adds the scores, And keeps the pages that
match every part and adds, a boost multiplies. Query types without such a rule
(phrases, ranges) are scored by Whoosh itself and their result is kept the same way,
so the scores equal Whoosh's (up to the order of float additions) for every query.

A result is a pair of dense arrays over all page numbers (Whoosh docnums): the scores
and a mask of the matching pages. The cached postings are bounded (MAX_POSTINGS in
total, least recently used dropped first; 12 bytes a posting).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25F

MAX_POSTINGS = 3_000_000


class PageScorer:
    """Scores and matching pages for the queries of one open searcher."""

    def __init__(self, searcher, max_postings: int = MAX_POSTINGS):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.size = self.reader.doc_count_all()
        weighting = searcher.weighting
        self.bm25f = weighting if type(weighting) is BM25F else None
        self.max_postings = max_postings
        self._cache: OrderedDict = OrderedDict()  # query -> (docnums, scores or None)
        self._cached_postings = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._alive: np.ndarray | None = None

    # ------------------------------------------------------------ public

    def evaluate(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        """(scores, mask) over all pages: the score of each page and whether `q` matches it."""
        if isinstance(q, (Q.Or, Q.And)) and _plain_compound(q):
            parts = [self.evaluate(sub) for sub in q.subqueries]
            scores = np.sum([s for s, _ in parts], axis=0)
            if isinstance(q, Q.Or):
                mask = np.logical_or.reduce([m for _, m in parts])
            else:
                mask = np.logical_and.reduce([m for _, m in parts])
                scores[~mask] = 0.0
            if q.boost != 1.0:
                scores *= q.boost
            return scores, mask
        if isinstance(q, Q.Every) and not q.fieldname:
            mask = self._alive_mask()
            return mask * float(q.boost), mask.copy()  # Whoosh scores every page with the boost
        docnums, values = self._scored_leaf(q)
        scores = np.zeros(self.size)
        scores[docnums] = values
        mask = np.zeros(self.size, dtype=bool)
        mask[docnums] = True
        return scores, mask

    def mask(self, q: Q.Query) -> np.ndarray:
        """The pages that `q` matches (no scoring)."""
        if isinstance(q, (Q.Or, Q.And)) and _plain_compound(q):
            parts = [self.mask(sub) for sub in q.subqueries]
            return (np.logical_or if isinstance(q, Q.Or) else np.logical_and).reduce(parts)
        if isinstance(q, Q.Every) and not q.fieldname:
            return self._alive_mask().copy()
        mask = np.zeros(self.size, dtype=bool)
        mask[self._term_docnums(q) if isinstance(q, Q.Term) else self._scored_leaf(q)[0]] = True
        return mask

    # ------------------------------------------------------------ leaves

    def _remember(self, key, value):
        self._cache[key] = value
        self._cached_postings += len(value[0])
        while self._cached_postings > self.max_postings and len(self._cache) > 1:
            _, (docnums, _) = self._cache.popitem(last=False)
            self._cached_postings -= len(docnums)
        return value

    def _cached(self, key):
        value = self._cache.get(key)
        if value is not None:
            self._cache.move_to_end(key)
        return value

    def _term_docnums(self, q: Q.Term) -> np.ndarray:
        key = ("docnums", q.fieldname, q.text)
        hit = self._cached(q) or self._cached(key)
        if hit is not None:
            return hit[0]
        return self._remember(key, (self._postings(q.fieldname, q.text)[0], None))[0]

    def _scored_leaf(self, q: Q.Query) -> tuple[np.ndarray, np.ndarray]:
        hit = self._cached(q)
        if hit is not None:
            return hit
        if isinstance(q, Q.Term) and self._bm25f_field(q.fieldname):
            value = self._term_scores(q)
        else:  # Whoosh scores it (phrases, ranges, anything new)
            items = sorted(self.searcher.search(q, limit=None).items())
            value = (np.array([d for d, _ in items], dtype=np.int64),
                     np.array([s for _, s in items], dtype=np.float64))
        return self._remember(q, value)

    def _bm25f_field(self, fieldname: str) -> bool:
        return self.bm25f is not None and fieldname in self.schema and self.schema[fieldname].scorable

    def _postings(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        docnums: list[int] = []
        weights: list[float] = []
        btext = None
        if fieldname in self.schema:
            try:
                btext = self.schema[fieldname].to_bytes(text)
            except ValueError:
                pass
        for segment, base in (self.reader.leaf_readers() if btext is not None else ()):
            if (fieldname, btext) not in segment:
                continue
            m = segment.postings(fieldname, btext)  # with deleted pages filtered out
            if type(m) is W3LeafMatcher and _read_blocks(m, docnums, weights, base):
                continue
            m = segment.postings(fieldname, btext)
            while m.is_active():
                docnums.append(base + m.id())
                weights.append(m.weight())
                m.next()
        return np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64)

    def _term_scores(self, q: Q.Term) -> tuple[np.ndarray, np.ndarray]:
        """BM25F exactly as whoosh.scoring.BM25FScorer computes it."""
        docnums, tf = self._postings(q.fieldname, q.text)
        if not len(docnums):
            return docnums, tf
        field = q.fieldname
        w = self.bm25f
        B = w._field_B.get(field, w.B)
        K1 = w.K1
        idf = self.searcher.idf(field, q.text)
        avgfl = self.searcher.avg_field_length(field) or 1
        fl = self._field_lengths(field)[docnums]
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        if q.boost != 1.0:
            scores *= q.boost
        return docnums, scores

    def _field_lengths(self, field: str) -> np.ndarray:
        lengths = self._lengths.get(field)
        if lengths is None:
            # (an empty field reads as None; no posting ever points at one)
            length = self.reader.doc_field_length
            lengths = np.array([length(d, field, 1) or 1 for d in range(self.size)], dtype=np.float64)
            self._lengths[field] = lengths
        return lengths

    def _alive_mask(self) -> np.ndarray:
        if self._alive is None:
            self._alive = np.zeros(self.size, dtype=bool)
            self._alive[list(self.reader.all_doc_ids())] = True
        return self._alive


def _read_blocks(m, docnums: list[int], weights: list[float], base: int) -> bool:
    """All postings of a plain Whoosh 3 posting list (one segment, nothing deleted), a
    block of up to 128 at a time instead of four method calls per posting: reading a
    common word's postings the first time drops from ~50 to ~10 ms at 20,000 pages.
    Uses attributes private to whoosh.codec.whoosh3; False (and nothing added) if they
    are not there, and the caller reads posting by posting."""
    start = len(docnums)
    try:
        while m.is_active():
            m.id(), m.weight()  # load the block's ids and weights
            ids = m._ids
            docnums.extend(ids if not base else [base + d for d in ids])
            weights.extend(m._weights)
            if len(docnums) != len(weights) or m._i != 0:
                raise AttributeError("unexpected block layout")
            m._next_block()
    except AttributeError:
        del docnums[start:], weights[start:]
        return False
    return True


def _plain_compound(q) -> bool:
    # An Or with minmatch or coordination scaling scores differently: Whoosh does it
    return bool(q.subqueries) and not getattr(q, "minmatch", 0) and not getattr(q, "scale", None)


def clause_shares(clause_masks: list[np.ndarray], doc_of: np.ndarray, documents: int) -> np.ndarray:
    """Each query clause's share of the whole query, by its inverse document frequency
    (BM25's) over the whole index: a filter or the detail page's one document does not
    change it, so a document's pages are weighed alike on every screen. `clause_masks`
    are the records each clause matches, `doc_of` the document of each record. The
    shares add up to 1; a word most documents have gets a small one."""
    df = np.empty(len(clause_masks))
    for i, mask in enumerate(clause_masks):
        present = np.zeros(documents, dtype=bool)
        present[doc_of[mask]] = True
        df[i] = np.count_nonzero(present)
    idf = np.log(1.0 + (documents - df + 0.5) / (df + 0.5))
    return idf / idf.sum()
