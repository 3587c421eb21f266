"""The search backend for one machine: Whoosh over the live index generation. It matches
pages (kb/search/page_scores.py), groups them per document, reranks by where the words
stand (kb/search/rerank.py), counts facets and cuts snippets (kb/search/snippets.py).
"""
from __future__ import annotations

import gc
from collections import Counter
from itertools import chain
from pathlib import Path

import numpy as np
from whoosh import query as Q
from whoosh.scoring import BM25F

from kb.analysis import highlight_spans
from kb.analysis.families import Families
from kb.errors import QueryError
from kb.facets import FACETS, TAG_FACETS
from kb.index import neardup
from kb.index import store as kb_index
from kb.model import IndexedDocument
from kb.safe_text import safe_text
from kb.search import DocumentHit, PageHit, SearchRequest, SearchResult
from kb.search.filters import filter_query, validate_filters
from kb.search.page_scores import PageScorer
from kb.search.query import ParsedQuery, parse_query
from kb.search.rerank import (
    OPTIONAL_WEIGHT,
    RERANK_EXTRA,
    RERANK_PAGES,
    ClauseTerms,
    clause_terms,
    proximity,
)
from kb.search.snippets import contents_pages_last, make_snippet

PAGES_PER_RESULT = 5
PAGE_DECAY = 0.5  # each further matching page adds half of the previous one's weight


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
        filter_q = filter_query(request)
        selected = {k: set(v) for k, v in request.filters.items() if v}
        if parsed.empty:
            if parsed.must_not or request.query.strip():
                raise QueryError(
                    "Dotaz obsahuje jen běžná slova (a, v, na…) nebo jen vylučovaná slova. "
                    "Napište aspoň jedno slovo, které hledáte."
                )
            if filter_q is None and not selected:
                raise QueryError("Zadejte hledaný výraz nebo vyberte aspoň jeden filtr.")
        optional = [c.query for c in parsed.optional]
        grouped = self._group(parsed.must or [Q.Every()], filter_q, parsed.min_match() if parsed.must else 1,
                              optional)
        if parsed.must_not:  # -word excludes whole documents, not just the pages with it
            for path in self._matching_paths(Q.Or(parsed.must_not)):
                grouped.pop(path, None)
        # Documents with every word first, then those lacking one ("chybí: …").
        unfiltered = sorted(grouped.items(), key=lambda kv: (len(kv[1]["missing"]), -kv[1]["score"], kv[0]))
        ranked = self._with_filters(unfiltered, selected)
        if len(parsed.clauses) > 1:
            ranked = self._rerank(ranked, parsed, max(0, request.limit))
        copies: dict[str, list[str]] = {}
        if request.group:  # one result per group of near-identical documents, counted once
            ranked, copies = neardup.collapse(ranked, self._groups())
        facets = self._facets(dict(ranked))
        filter_counts = {}
        for facet in FACETS:  # each facet counted without its own filter, from the same matches
            if facet.id not in selected:
                filter_counts[facet.id] = facets[facet.id]
                continue
            others = self._with_filters(unfiltered, selected, leave_out=facet.id)
            if request.group:
                others = neardup.collapse(others, self._groups())[0]
            filter_counts[facet.id] = self._facets(dict(others))[facet.id]
        required = [c.text for c in parsed.required]
        results = [self._hit(path, data, parsed, required) for path, data in ranked[: max(0, request.limit)]]
        for hit in results:
            hit.duplicates = neardup.similar_to(self.manifest, hit.path, copies.get(hit.path, []))
        partial = sum(1 for _, data in ranked if data["missing"])
        expanded = parsed.expanded + [w for w in map(self._written, parsed.family) if w and w not in parsed.expanded]
        return SearchResult(query=safe_text(request.query), total=len(ranked), results=results, facets=facets,
                            expanded=expanded, partial=partial, filter_counts=filter_counts)

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
        clauses = ClauseTerms([(clause_terms(c.query), 1.0 if not c.optional else OPTIONAL_WEIGHT)
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

    def _with_filters(self, ranked: list[tuple[str, dict]], selected: dict[str, set[str]],
                      leave_out: str = "") -> list[tuple[str, dict]]:
        """The ranked documents that have, for every selected facet (but `leave_out`),
        one of its selected values."""
        checks = [(k, wanted) for k, wanted in selected.items() if k != leave_out]
        if not checks:
            return ranked
        docs = self.manifest["documents"]
        return [(path, data) for path, data in ranked
                if path in docs and all(not wanted.isdisjoint(docs[path].values(k)) for k, wanted in checks)]

    def _facets(self, grouped: dict[str, dict]) -> dict[str, dict[str, int]]:
        docs = self.manifest["documents"]
        found = [docs[path] for path in grouped if path in docs]
        facets = {  # Counter counts an iterable in C
            facet.id: Counter(chain.from_iterable(doc.values(facet.id) for doc in found)) for facet in FACETS
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
            tags={facet.id: list(doc.values(facet.id)) for facet in TAG_FACETS},
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
