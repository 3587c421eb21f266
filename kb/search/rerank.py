"""Where the words stand: a page of several query words whose words stand together
(one sentence or paragraph) and in a heading answers a question better than one with
the same words scattered; proximity() is that factor of a page's score, applied to the
top pages of the top documents (WhooshBackend._rerank)."""
from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from whoosh import query as Q

from kb.analysis import word_term
from kb.search.snippets import CONTENTS_LINE, is_contents_page, match_spans

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


def clause_terms(q: Q.Query) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
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
    if not _HEADING_LINE.match(line) or CONTENTS_LINE.search(line):
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

