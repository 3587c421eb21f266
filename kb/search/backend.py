"""The search backend for one machine: Whoosh over the live index generation. It matches
pages (kb/search/page_scores.py), groups them per document, reranks by where the words
stand (kb/search/rerank.py), counts facets and cuts snippets (kb/search/snippets.py).
"""
from __future__ import annotations

import gc
from collections import Counter
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
from kb.search.facet_counts import FacetTable
from kb.search.filters import filter_query, validate_filters
from kb.search.page_scores import PageScorer, clause_shares
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

CONTENTS_CHECK_PAGES = 5  # a result's best pages checked for contents pages (moved behind)
PAGE_DECAY = 0.5  # each further matching page adds half of the previous one's weight


class DocMatch:
    """One document's match in a search: its score, the query clauses it lacks and its
    matching pages as (score, docnum), best first. A search matches hundreds of
    documents but shows twenty: the page list and the lacking clauses are read from the
    query's arrays only when asked for."""

    __slots__ = ("score", "title", "lack_count", "loaded", "doc", "_lacking", "_pages", "_source")

    def __init__(self, score: float, title: float, lack_count: int, lacking: np.ndarray | None, doc: int,
                 pages: tuple[np.ndarray, np.ndarray], lo: int, hi: int):
        # title: the part of the score that no page carries (a document found by its title alone)
        self.score, self.title, self.lack_count = score, title, lack_count
        self.loaded: dict[int, dict] = {}  # docnum -> stored fields read so far
        self.doc = doc  # the document's number in the backend's document index
        self._lacking = lacking
        self._pages: list[tuple[float, int]] | None = None
        self._source = (pages, lo, hi)

    @property
    def missing(self) -> list[int]:
        """Indices of the clauses the document lacks."""
        return [] if self._lacking is None else np.flatnonzero(self._lacking[:, self.doc]).tolist()

    @property
    def pages(self) -> list[tuple[float, int]]:
        if self._pages is None:
            (scores, docnums), lo, hi = self._source
            self._pages = list(zip(scores[lo:hi].tolist(), docnums[lo:hi].tolist(), strict=True))
        return self._pages

    @pages.setter
    def pages(self, pages: list[tuple[float, int]]) -> None:
        self._pages = pages

    def rank_key(self, path: str) -> tuple:
        """Documents with every word first, then those lacking one ("chybí: …"); by score."""
        return self.lack_count, -self.score, path


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
        self._facet_table: FacetTable | None = None
        self._titles: np.ndarray | None = None

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
        records = [r for r in self.searcher.documents(path=path) if r["section"] != kb_index.TITLE_SECTION]
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
        unfiltered = sorted(grouped.items(), key=lambda kv: kv[1].rank_key(kv[0]))
        ranked = self._with_filters(unfiltered, selected)
        if len(parsed.clauses) > 1:
            ranked = self._rerank(ranked, parsed, max(0, request.limit))
        copies: dict[str, list[str]] = {}
        if request.group:  # one result per group of near-identical documents, counted once
            ranked, copies = neardup.collapse(ranked, self._groups())
        facets = self._facets(ranked)
        filter_counts = {}
        for facet in FACETS:  # each facet counted without its own filter, from the same matches
            if facet.id not in selected:
                filter_counts[facet.id] = facets[facet.id]
                continue
            others = self._with_filters(unfiltered, selected, leave_out=facet.id)
            if request.group:
                others = neardup.collapse(others, self._groups())[0]
            filter_counts[facet.id] = self._facets(others)[facet.id]
        required = [c.text for c in parsed.required]
        results = [self._hit(path, match, parsed, required, max(0, request.page_snippets))
                   for path, match in ranked[: max(0, request.limit)]]
        for hit in results:
            hit.duplicates = neardup.similar_to(self.manifest, hit.path, copies.get(hit.path, []))
        partial = sum(1 for _, match in ranked if match.lack_count)
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
            # one pass over each segment's term list (a lookup per term in a multi-segment
            # index costs a second at 20,000 pages)
            frequency: Counter = Counter()
            for segment, _ in self.searcher.reader().leaf_readers():
                for term, info in segment.iter_field("content"):
                    frequency[term.decode() if isinstance(term, bytes) else term] += info.doc_frequency()
            self._family_index = Families(frequency.items())
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
               optional: list[Q.Query] = ()) -> dict[str, DocMatch]:
        """Documents in which at least `min_match` of the clauses match (each on any of
        its pages or in its title), with the pages whose own text matches scored (best
        first) and the indices of the clauses they lack (`missing`). A page that matches
        more of the words scores higher; the `optional` clauses add to the score of the
        pages they match, never to a document's requirements. The title is the
        document's (a record of its own, kb/index/store.py, scored once per document):
        its score is the context of each of the document's matching pages, a word of it
        counts as present on each of them, and it makes no page a hit, so a document
        found by its title alone has no pages.

        Works on arrays over all records (kb/search/page_scores.py): at 20,000 pages a
        common word matches nearly all of them, and Python only visits each matching
        document."""
        doc_of, doc_paths = self._doc_index()
        is_title = self._title_records()
        n = len(clauses)
        browsing = n == 1 and isinstance(clauses[0], Q.Every)  # filters only: no title to match
        scoring = clauses[0] if n == 1 and not optional else Q.Or([*clauses, *optional])
        scores, mask = self._pages.evaluate(scoring)
        clause_masks = [self._pages.mask(clause) for clause in clauses] if n > 1 or optional else [mask]
        mask = mask & np.logical_or.reduce(clause_masks)  # a page with only a filler word is no hit
        if filter_q is not None:  # the filtered fields are on every record of a document
            mask &= self._pages.mask(filter_q)
        if browsing:
            mask &= ~is_title
        # has[i, d]: clause i matches document d; in_title[i, d]: it matches d's title
        has = np.zeros((n, len(doc_paths)), dtype=bool)
        in_title = np.zeros((n, len(doc_paths)), dtype=bool)
        for i, clause_mask in enumerate(clause_masks):
            hit = clause_mask & mask
            has[i, doc_of[hit]] = True
            in_title[i, doc_of[hit & is_title]] = True
        allowed = has.sum(axis=0) >= min_match
        if not allowed.any():
            return {}
        # The title's score is the context of each of its document's pages (a page of a
        # document titled with the query words is read in their light); a document found
        # by its title alone scores its title's.
        title_score = np.zeros(len(doc_paths))
        titles = np.flatnonzero(mask & is_title & allowed[doc_of])
        title_score[doc_of[titles]] = scores[titles]
        scores = scores + title_score[doc_of]
        if n > 1:
            # BM25 alone lets many hits of one word outweigh a page with all: a page is
            # weighed by the share of the query it covers (a word of the title counts as
            # present on each page of its document). Each word's share is its IDF, so
            # lacking a common word ("rodin") costs less than lacking the word the query
            # is about ("zadluženost").
            share = clause_shares(clause_masks, doc_of, len(doc_paths))
            covered = np.sum([share[i] * (m | in_title[i][doc_of]) for i, m in enumerate(clause_masks)],
                             axis=0)
            scores = scores * covered ** 2
            title_score *= (share @ has) ** 2
        docnums = np.flatnonzero(mask & ~is_title & allowed[doc_of])
        page_scores, docs = scores[docnums], doc_of[docnums]
        order = np.lexsort((docnums, -page_scores, docs))  # per document: best first, ties by docnum
        docs, page_scores, docnums = docs[order], page_scores[order], docnums[order]
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]]) if len(docs) else np.zeros(0, dtype=np.int64)
        rank = np.arange(len(docs)) - np.repeat(starts, np.diff(np.r_[starts, len(docs)]))
        weights = np.where(rank < 10, PAGE_DECAY ** np.minimum(rank, 10), 0.0)
        doc_scores = np.bincount(docs, weights=page_scores * weights, minlength=len(doc_paths))
        title_only = np.ones(len(doc_paths), dtype=bool)
        title_only[docs] = False
        title_score = np.where(title_only, title_score, 0.0)  # the part of a score no page carries
        doc_scores = (doc_scores + title_score).tolist()
        ends = np.r_[starts[1:], len(docs)][:len(starts)]
        span = {d: (lo, hi) for d, lo, hi in zip(docs[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)}
        lacking = ~has if n > 1 else None
        lack_counts = lacking.sum(axis=0).tolist() if lacking is not None else [0] * len(doc_paths)
        pages = (page_scores, docnums)
        found = sorted(set(span) | set(doc_of[titles].tolist()))
        return {doc_paths[d]: DocMatch(doc_scores[d], title_score[d], lack_counts[d], lacking, d, pages,
                                       *span.get(d, (0, 0)))
                for d in found}

    def _title_records(self) -> np.ndarray:
        """Whether each record is a document's title record (kb/index/store.py), made once."""
        if self._titles is None:
            self._titles = np.fromiter((s == kb_index.TITLE_SECTION for s in self._column("section")), dtype=bool)
        return self._titles

    def _rerank(self, ranked: list[tuple[str, DocMatch]], parsed: ParsedQuery, limit: int
                ) -> list[tuple[str, DocMatch]]:
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
        for _, match in ranked[:count]:
            pages, loaded = match.pages, match.loaded
            rescored = []
            for score, docnum in pages[:RERANK_PAGES]:
                fields = loaded.get(docnum) or loaded.setdefault(docnum, stored(docnum))
                rescored.append((score * proximity(fields.get("content", ""), fields.get("heading", ""), clauses),
                                 docnum))
            pages = sorted(rescored, key=lambda p: (-p[0], p[1])) + pages[RERANK_PAGES:]
            match.pages = pages
            match.score = match.title + sum(score * PAGE_DECAY**i for i, (score, _) in enumerate(pages[:10]))
        top = sorted(ranked[:count], key=lambda kv: kv[1].rank_key(kv[0]))
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

    def _first_page(self, doc: int) -> dict:
        """The stored fields of a document's first page (or section), read alone."""
        doc_of, _ = self._doc_index()
        records = np.flatnonzero((doc_of == doc) & ~self._title_records()).tolist()
        sections = self._column("section")
        return self.searcher.stored_fields(min(records, key=sections.__getitem__)) if records else {}

    def _matching_paths(self, q: Q.Query) -> set[str]:
        doc_of, doc_paths = self._doc_index()
        return {doc_paths[d] for d in np.unique(doc_of[self._pages.mask(q)]).tolist()}

    def _with_filters(self, ranked: list[tuple[str, DocMatch]], selected: dict[str, set[str]],
                      leave_out: str = "") -> list[tuple[str, DocMatch]]:
        """The ranked documents that have, for every selected facet (but `leave_out`),
        one of its selected values."""
        checks = [(k, wanted) for k, wanted in selected.items() if k != leave_out]
        if not checks:
            return ranked
        docs = self.manifest["documents"]
        return [(path, match) for path, match in ranked
                if path in docs and all(not wanted.isdisjoint(docs[path].values(k)) for k, wanted in checks)]

    def _facets(self, ranked: list[tuple[str, DocMatch]]) -> dict[str, dict[str, int]]:
        if self._facet_table is None:
            self._facet_table = FacetTable(self.manifest["documents"])
        return self._facet_table.count(path for path, _ in ranked)

    def _hit(self, path: str, match: DocMatch, parsed: ParsedQuery, required: list[str],
             snippets: int) -> DocumentHit:
        doc = self.manifest["documents"].get(path) or IndexedDocument(path)
        page_hits = []
        stored = self.searcher.stored_fields
        loaded = {docnum: match.loaded.get(docnum) or stored(docnum)
                  for _, docnum in match.pages[:max(snippets, CONTENTS_CHECK_PAGES)]}
        match.pages = contents_pages_last(match.pages, loaded)
        for _, docnum in match.pages[:max(snippets, 1)]:  # the best page gives the result's snippet
            fields = loaded.get(docnum) or stored(docnum)
            snippet, marks = make_snippet(fields.get("content", ""), parsed.highlight_terms,
                                          phrases=parsed.highlight_phrases)
            page_hits.append(PageHit(page=fields["page"], heading=fields.get("heading", ""),
                                     snippet=snippet, highlights=marks, ocr=bool(fields.get("ocr"))))
        if page_hits:
            best = page_hits[0]
        else:  # found by its title alone: no page is named; the snippet is how it begins
            snippet, marks = make_snippet(self._first_page(match.doc).get("content", ""),
                                          parsed.highlight_terms, phrases=parsed.highlight_phrases)
            best = PageHit(0, "", snippet, marks)
        return DocumentHit(
            path=path,
            title=doc.display_title,
            doc_type=doc.doc_type,
            tags={facet.id: list(doc.values(facet.id)) for facet in TAG_FACETS},
            score=round(match.score, 4),
            pages=self._page_numbers(match.pages),
            snippet=best.snippet,
            highlights=best.highlights,
            year=doc.year,
            organization=doc.organization,
            page_hits=page_hits,
            missing=[required[i] for i in match.missing],
        )

    def _page_numbers(self, pages: list[tuple[float, int]]) -> list[int]:
        numbers = self._column("page")
        return [numbers[docnum] for _, docnum in pages if numbers[docnum] > 0]
