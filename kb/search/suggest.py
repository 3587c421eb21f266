"""Help when a search goes nowhere, and a way onward from a document.

- "Měli jste na mysli …?": each query word that the index does not know is compared
  (folded, by edit distance) with the words actually written in the corpus; the most
  frequent close word replaces it. The suggestion is offered only if it finds something.
- "Podobné dokumenty": documents that share tags and characteristic words (tf-idf over
  the same stems the index uses), with the shared tags and words to say why.

Both read the stored text of the live index once per index generation (`CorpusStats`).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kb.analysis import FOLDED_STOPWORDS, fold, word_term
from kb.errors import KbError
from kb.facets import BY_ID, TAG_FACETS
from kb.model import IndexedDocument

WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
MIN_WORD_FREQ = 2  # a word written once in the corpus is as likely a typo as the query
TOP_TERMS = 60
SIMILAR_LIMIT = 5
TAG_WEIGHT = 0.35
PROPER_NOUN_SHARE = 0.8  # written with a capital this often: a name (town, organisation)


@dataclass
class Similar:
    path: str
    score: float
    shared_tags: list[tuple[str, str]] = field(default_factory=list)  # (facet, id)
    shared_words: list[str] = field(default_factory=list)


@dataclass
class CorpusStats:
    word_freq: dict[str, int]  # folded lowercase word -> occurrences
    surface: dict[str, str]  # folded word -> its most frequent written form
    stems: set[str]  # every stem in the corpus (the index's own keys)
    by_length: dict[int, list[str]]  # candidate words for spelling, by length
    vectors: dict[str, dict[str, float]]  # path -> stem -> normalised tf-idf weight
    stem_surface: dict[str, str]  # stem -> most frequent written form
    tags: dict[str, set[tuple[str, str]]]  # path -> {(facet, id)}
    tag_weights: dict[tuple[str, str], float] = field(default_factory=dict)  # rarer tags weigh more


def _tags(entry: IndexedDocument) -> set[tuple[str, str]]:
    return {(f.id, v) for f in TAG_FACETS if f.similarity for v in entry.values(f.id)}


def build_stats(backend) -> CorpusStats:
    """Read every stored page once. Cost grows with the corpus (about a second for
    a few thousand pages); callers cache the result per index generation."""
    written: dict[str, Counter] = defaultdict(Counter)  # folded -> written forms
    doc_stems: dict[str, Counter] = {}
    stem_forms: dict[str, Counter] = defaultdict(Counter)
    capitalised: Counter = Counter()  # mid-sentence occurrences with a capital: names
    mid_sentence: Counter = Counter()
    tags = {}
    per_doc: dict[str, Counter] = {}
    for entry in backend.documents():
        path = entry.path
        tags[path] = _tags(entry)
        counts: Counter = Counter()
        texts = [entry.title]
        texts += [r.get("content", "") for r in backend.page_texts(path)]
        for text in texts:
            for match in WORD.finditer(text):
                word = match.group()
                lower = word.lower()
                counts[lower] += 1
                if _mid_sentence(text, match.start()):
                    mid_sentence[lower] += 1
                    if word[0].isupper() and not word.isupper():
                        capitalised[lower] += 1
        per_doc[path] = counts
    names = {w for w, n in capitalised.items() if n >= PROPER_NOUN_SHARE * mid_sentence[w] and n >= 2}
    for path, counts in per_doc.items():
        stems: Counter = Counter()
        for word, n in counts.items():
            folded = fold(word)
            written[folded][word] += n
            key = word_term(word)  # the index's own term: šel and jde meet, as in search
            if key is None or folded in FOLDED_STOPWORDS or word in names:
                continue
            stems[key] += n
            stem_forms[key][word] += n
        doc_stems[path] = stems

    word_freq = {w: sum(forms.values()) for w, forms in written.items()}
    surface = {w: forms.most_common(1)[0][0] for w, forms in written.items()}
    by_length: dict[int, list[str]] = defaultdict(list)
    for word, n in word_freq.items():
        if n >= MIN_WORD_FREQ and word not in FOLDED_STOPWORDS:
            by_length[len(word)].append(word)
    all_stems = set(stem_forms)
    return CorpusStats(
        word_freq=word_freq,
        surface=surface,
        stems=all_stems,
        by_length=dict(by_length),
        vectors=_tfidf(doc_stems),
        stem_surface={k: forms.most_common(1)[0][0] for k, forms in stem_forms.items()},
        tags=tags,
        tag_weights=_tag_weights(tags),
    )


def _mid_sentence(text: str, start: int) -> bool:
    """True when the word at `start` follows a word or comma on the same line (so a
    capital letter there marks a name, not the start of a sentence or heading)."""
    before = text[max(0, start - 3):start].rstrip(" ")
    return bool(before) and before[-1] not in ".!?:;\n\r•-–—\"„“(" and not before[-1].isdigit()


def _tag_weights(tags: dict[str, set[tuple[str, str]]]) -> dict[tuple[str, str], float]:
    """Facet weight x inverse document frequency: sharing a rare topic means more than
    sharing the audience most documents have."""
    n_docs = max(1, len(tags))
    df: Counter = Counter(t for doc_tags in tags.values() for t in doc_tags)
    return {t: BY_ID[t[0]].similarity * math.log(1 + n_docs / n) for t, n in df.items()}


def _tfidf(doc_stems: dict[str, Counter]) -> dict[str, dict[str, float]]:
    n_docs = max(1, len(doc_stems))
    df: Counter = Counter()
    for stems in doc_stems.values():
        df.update(stems.keys())
    vectors = {}
    for path, stems in doc_stems.items():
        weights = {}
        for key, n in stems.items():
            if len(key) < 3 or df[key] >= n_docs and n_docs > 2:
                continue  # in every document: says nothing about this one
            weights[key] = (1 + math.log(n)) * math.log(1 + n_docs / df[key])
        top = sorted(weights.items(), key=lambda kv: -kv[1])[:TOP_TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors[path] = {k: w / norm for k, w in top}
    return vectors


# ---------------------------------------------------------------- spelling


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two neighbours costs 1), giving up
    with `limit + 1` as soon as the distance must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct_word(stats: CorpusStats, word: str) -> str | None:
    """The corpus word closest to `word` (which the index does not know), or None."""
    folded = fold(word.lower())
    if len(folded) < 3:
        return None
    limit = 1 if len(folded) <= 5 else 2
    best: tuple[int, int, str] | None = None
    for length in range(len(folded) - limit, len(folded) + limit + 1):
        for candidate in stats.by_length.get(length, ()):
            distance = edit_distance(folded, candidate, limit)
            if distance > limit:
                continue
            rank = (distance, -stats.word_freq[candidate], candidate)
            if best is None or rank < best:
                best = rank
    return stats.surface[best[2]] if best else None


def known(stats: CorpusStats, word: str) -> bool:
    folded = fold(word.lower())
    term = word_term(word)
    return folded in FOLDED_STOPWORDS or term is None or term in stats.stems


_QUERY_WORD = re.compile(r"(?<![\w:])-?([^\W\d_][\w]*)", re.UNICODE)


def spelling_suggestion(stats: CorpusStats, query: str) -> str | None:
    """The query with unknown words replaced by their closest corpus words, or None
    when every word is known or nothing close exists. Operators and quotes stay."""
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        word = match.group(1)
        if word == "OR" or known(stats, word):
            return match.group(0)
        better = correct_word(stats, word)
        if not better:
            return match.group(0)
        changed = True
        prefix = match.group(0)[: match.start(1) - match.start(0)]
        return prefix + (better.capitalize() if word[:1].isupper() else better)

    suggestion = _QUERY_WORD.sub(replace, query)
    return suggestion if changed and suggestion != query else None


def did_you_mean(backend, stats: CorpusStats, request) -> str | None:
    """A corrected query that finds documents with the request's filters, or None."""
    from dataclasses import replace

    suggestion = spelling_suggestion(stats, request.query or "")
    if not suggestion:
        return None
    try:
        result = backend.search(replace(request, query=suggestion, limit=1))
    except KbError:
        return None
    return suggestion if result.total else None


# ---------------------------------------------------------------- more like this


def similar_documents(stats: CorpusStats, path: str, limit: int = SIMILAR_LIMIT) -> list[Similar]:
    """Documents most like `path`: cosine of tf-idf vectors plus shared tags (a weighted
    Jaccard: rare tags and topics count more than common audiences)."""
    mine = stats.vectors.get(path)
    if mine is None:
        return []
    my_tags = stats.tags.get(path, set())
    found = []
    for other, vector in stats.vectors.items():
        if other == path:
            continue
        shared = set(mine) & set(vector)
        cosine = sum(mine[k] * vector[k] for k in shared)
        other_tags = stats.tags.get(other, set())
        union = my_tags | other_tags
        weight = stats.tag_weights
        overlap = (sum(weight.get(t, 1.0) for t in my_tags & other_tags)
                   / sum(weight.get(t, 1.0) for t in union)) if union else 0.0
        score = (1 - TAG_WEIGHT) * cosine + TAG_WEIGHT * overlap
        if score <= 0.02:
            continue
        words = sorted(shared, key=lambda k: -(mine[k] * vector[k]))[:5]
        found.append(Similar(
            path=other,
            score=round(score, 4),
            shared_tags=sorted(my_tags & other_tags, key=lambda t: (-BY_ID[t[0]].similarity, t)),
            shared_words=[stats.stem_surface.get(k, k) for k in words],
        ))
    found.sort(key=lambda s: (-s.score, s.path))
    return found[:limit]
