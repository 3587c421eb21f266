"""Compare ways of turning Czech words into index terms, on our own labelled words.

For every method it prints one Markdown row:
- pairs conflated: of all pairs of forms of one word (tests/data/analyzer_cases.yaml,
  `groups`, accented and unaccented), how many reach the same term (recall);
- groups whole: groups whose forms all meet one another;
- false merges: of the `distinct` pairs (plán/plat, péče/pec ...), how many meet;
- cross-group: pairs of different groups that meet anywhere (a second, unlabelled
  false-merge count);
- tokens/s: corpus/src/*.md analysed as documents (with positions), cold caches, best
  of --repeat runs; `cost` is the time relative to Whoosh's StandardAnalyzer on the
  same text, cold (one indexing run of this corpus) and warm (a second pass: a long
  run or a server answering queries). Methods other than the Whoosh analyzers run in
  the same chain (our tokenizer | lowercase | the method, lru_cached per word), so the
  figures compare the methods, not their packaging. Times are CPU time of this
  process (steadier than wall time on a shared machine).
A second table checks the stemmers on words nobody picked: the corpus vocabulary,
with simplemma's lemmas as a noisy reference (the word list was used to tune
kb.analysis, so its figures flatter it; this one does not).

Usage:
    .venv/bin/python benchmarks/analyzer_compare.py [--repeat 5] [--show METHOD]...
`--show` prints the failing pairs of a method (its name or a unique part of it).
spaCy rows appear only when spaCy and the `cs_core_news_sm` package are installed.
"""
from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StandardAnalyzer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import analysis  # noqa: E402

CASES = ROOT / "tests" / "data" / "analyzer_cases.yaml"
CORPUS = ROOT / "corpus" / "src"

Key = frozenset  # the terms of one word; two words meet when their terms intersect


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


# ------------------------------------------------------------ Lucene's CzechStemmer
# The Dolamic-Savoy light stemmer exactly as Lucene implements it (accented input).

_LUCENE_CASE = (
    (7, ("atech",)),
    (6, ("ětem", "etem", "atům")),
    (5, ("ech", "ich", "ích", "ého", "ěmi", "emi", "ému", "ěte", "ete", "ěti", "eti", "ího",
         "iho", "ími", "ímu", "imu", "ách", "ata", "aty", "ých", "ama", "ami", "ové", "ovi",
         "ými")),
    (4, ("em", "es", "ém", "ím", "ům", "at", "ám", "os", "us", "ým", "mi", "ou")),
)
_LUCENE_VOWELS = set("aeiouůyáéíýě")


def lucene_stem(word: str, folded: bool = False) -> str:
    """Lucene's CzechStemmer; with `folded`, the same rules applied to folded text."""
    rules = _LUCENE_CASE_FOLDED if folded else _LUCENE_CASE
    s = word
    for min_len, suffixes in rules:
        if len(s) > min_len and s.endswith(suffixes):
            s = s[: -len(next(x for x in suffixes if s.endswith(x)))]
            break
    else:
        if len(s) > 3 and s[-1] in _LUCENE_VOWELS:
            s = s[:-1]
    if len(s) > 5 and s.endswith(("ov", "in", "ův")):
        s = s[:-2]
    if not s:
        return s
    if s.endswith("čt"):
        return s[:-2] + "ck"
    if s.endswith("št"):
        return s[:-2] + "sk"
    if s[-1] in "cč":
        return s[:-1] + "k"
    if s[-1] in "zž":
        return s[:-1] + "h"
    if len(s) > 1 and s[-2] == "e":
        return s[:-2] + s[-1]
    if len(s) > 2 and s[-2] == "ů":
        return s[:-2] + "o" + s[-1]
    return s


_LUCENE_CASE_FOLDED = tuple(
    (n, tuple(dict.fromkeys(fold(x) for x in suffixes))) for n, suffixes in _LUCENE_CASE
)


# ------------------------------------------------------------------------- methods


@dataclass
class Method:
    name: str
    key: Callable[[str], Key]  # lowercase word -> its terms
    word: Callable[[str], str] | None = None  # per-token function for the speed run
    analyzer: Callable[[], object] | None = None  # or a whole Whoosh analyzer
    note: str = ""


def _single(fn: Callable[[str], str]) -> Callable[[str], Key]:
    return lambda w: frozenset([fn(w)]) if fn(w) else frozenset()


def build_methods() -> list[Method]:
    import simplemma
    import snowballstemmer
    import Stemmer

    snow = snowballstemmer.stemmer("czech")
    pystem = Stemmer.Stemmer("czech")
    standard = StandardAnalyzer()

    def lemma(w: str) -> str:
        return simplemma.lemmatize(w, lang="cs").lower()

    fns: dict[str, Callable[[str], str]] = {
        "fold only (no stemming)": fold,
        "simplemma, then fold": lambda w: fold(lemma(w)),
        "fold, then simplemma": lambda w: lemma(fold(w)),
        "Snowball czech (snowballstemmer), then fold": lambda w: fold(snow.stemWord(w)),
        "fold, then Snowball czech (snowballstemmer)": lambda w: snow.stemWord(fold(w)),
        "PyStemmer czech, then fold": lambda w: fold(pystem.stemWord(w)),
        "fold, then PyStemmer czech": lambda w: pystem.stemWord(fold(w)),
        "Lucene light stemmer, then fold": lambda w: fold(lucene_stem(w)),
        "fold, then Lucene light rules (folded)": lambda w: lucene_stem(fold(w), folded=True),
        "kb.analysis.stem after fold": lambda w: analysis.stem(fold(w)),
        "simplemma, fold, then kb.analysis.stem": lambda w: analysis.stem(fold(lemma(w))),
    }
    methods = [
        Method("Whoosh StandardAnalyzer (baseline)",
               lambda w: frozenset(t.text for t in standard(w)), analyzer=StandardAnalyzer),
    ]
    for name, fn in fns.items():
        methods.append(Method(name, _single(fn), word=fn))
    methods.append(Method(
        "two fields: simplemma lemma OR kb stem",
        lambda w: frozenset(["L:" + fold(lemma(w)), "S:" + analysis.stem(fold(w))]),
        word=lambda w: fold(lemma(w)) + analysis.stem(fold(w)),
        note="a match in either field counts",
    ))
    methods.append(Method(
        "kb czech_analyzer() (the project's)",
        lambda w: frozenset(analysis.terms(w)),
        analyzer=analysis.czech_analyzer,
        note="tokenizer, stopwords and identifiers included",
    ))
    methods.extend(_spacy_methods())
    return methods


def _spacy_methods() -> list[Method]:
    try:
        import spacy

        nlp = spacy.load("cs_core_news_sm", exclude=["parser", "ner"])
    except Exception as exc:  # not installed, or the model does not load
        print(f"(spaCy skipped: {exc.__class__.__name__}: {exc})", file=sys.stderr)
        return []

    @cache
    def lemma(w: str) -> str:
        doc = nlp(w)
        return "".join(t.lemma_ for t in doc).lower()

    return [
        Method("spaCy cs_core_news_sm lemma (word alone), then fold",
               _single(lambda w: fold(lemma(w))), note="speed: nlp.pipe on whole paragraphs"),
        Method("spaCy lemma, fold, then kb.analysis.stem",
               _single(lambda w: analysis.stem(fold(lemma(w))))),
    ]


def spacy_speed(texts: list[str], words: int, repeat: int) -> float | None:
    try:
        import spacy

        nlp = spacy.load("cs_core_news_sm", exclude=["parser", "ner"])
    except Exception:
        return None
    best = float("inf")
    for _ in range(max(1, repeat // 3)):
        start = time.process_time()
        for doc in nlp.pipe(texts, batch_size=32):
            for t in doc:
                fold(t.lemma_.lower())
        best = min(best, time.process_time() - start)
    return words / best


# ---------------------------------------------------------------------- measuring


@dataclass
class Score:
    pairs: int = 0
    conflated: int = 0
    groups: int = 0
    groups_whole: int = 0
    distinct: int = 0
    false_merges: list[str] = field(default_factory=list)
    cross_group: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.conflated / self.pairs if self.pairs else 0.0


def load_cases(path: Path = CASES) -> tuple[dict[str, list[str]], list[tuple[list[str], list[str]]]]:
    """The labelled groups (name -> unique lowercase forms) and distinct pairs."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = {
        name: list(dict.fromkeys(str(f).lower() for f in forms))
        for name, forms in data["groups"].items()
    }
    distinct = []
    for a, b in data["distinct"]:
        side = lambda x: [str(f).lower() for f in (x if isinstance(x, list) else [x])]  # noqa: E731
        distinct.append((side(a), side(b)))
    return groups, distinct


def score(key: Callable[[str], Key], groups, distinct) -> Score:
    s = Score()
    keys = {w: key(w) for forms in groups.values() for w in forms}
    for a_side, b_side in distinct:
        for w in a_side + b_side:
            keys.setdefault(w, key(w))
    meet = lambda a, b: bool(keys[a] & keys[b])  # noqa: E731
    for forms in groups.values():
        s.groups += 1
        whole = True
        for a, b in itertools.combinations(forms, 2):
            s.pairs += 1
            if meet(a, b):
                s.conflated += 1
            else:
                whole = False
                s.missed.append(f"{a} {sorted(keys[a])} / {b} {sorted(keys[b])}")
        s.groups_whole += whole
    for a_side, b_side in distinct:
        s.distinct += 1
        hits = [(a, b) for a in a_side for b in b_side if meet(a, b)]
        if hits:
            a, b = hits[0]
            s.false_merges.append(f"{a} / {b} -> {sorted(keys[a] & keys[b])}")
    names = list(groups)
    for g1, g2 in itertools.combinations(names, 2):
        hit = next(((a, b) for a in groups[g1] for b in groups[g2] if meet(a, b)), None)
        if hit:
            s.cross_group.append(f"{g1}/{g2}: {hit[0]} = {hit[1]} -> {sorted(keys[hit[0]] & keys[hit[1]])}")
    return s


class _WordFilter(Filter):
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, tokens):
        for t in tokens:
            t.text = self.fn(t.text)
            yield t


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))]


def clear_kb_caches() -> None:
    analysis.clear_caches()


def time_analyzer(make: Callable[[], object], texts: list[str], repeat: int,
                  clear: Callable[[], None]) -> tuple[float, float]:
    """Best wall times of `repeat` runs over all texts: with cold caches (each run
    starts empty: one indexing run of this corpus) and warm (a second pass over the
    same text: a long run, or a server answering queries)."""
    cold = warm = float("inf")
    for _ in range(repeat):
        clear()
        ana = make()
        for kind in ("cold", "warm"):
            start = time.process_time()
            for text in texts:
                for _t in ana(text, positions=True):
                    pass
            took = time.process_time() - start
            if kind == "cold":
                cold = min(cold, took)
            else:
                warm = min(warm, took)
    return cold, warm


def heldout_table(methods: list[Method], texts: list[str]) -> str:
    """A check on words nobody chose: the corpus vocabulary, with simplemma's lemmas as
    a noisy reference (it splits derived words a stemmer rightly joins, and does not
    know unaccented forms). Methods that use simplemma are left out (circular)."""
    import simplemma

    vocab = sorted({w for t in texts for w in re.findall(r"[^\W\d_]{3,}", t.lower())})
    lemma = {w: fold(simplemma.lemmatize(w, lang="cs").lower()) for w in vocab}
    lemma_pairs = _pairs(Counter(lemma.values()))
    lines = [
        f"\nHeld-out: {len(vocab)} distinct corpus words, simplemma lemmas as reference "
        f"({lemma_pairs} same-lemma pairs)\n",
        "| method | same-lemma pairs joined | joined pairs of different lemmas |",
        "|---|---|---|",
    ]
    for m in methods:
        if "simplemma" in m.name or m.name.startswith("spaCy"):
            continue
        key = {w: (sorted(m.key(w)) or [f"<stop:{w}>"])[0] for w in vocab}
        joined = _pairs(Counter(key.values()))
        agree = _pairs(Counter((key[w], lemma[w]) for w in vocab))
        lines.append(f"| {m.name} | {agree}/{lemma_pairs} ({agree / lemma_pairs:.1%}) | "
                     f"{joined - agree} |")
    return "\n".join(lines)


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", action="append", default=[], help="print failures of METHOD")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)

    groups, distinct = load_cases()
    n_forms = sum(len(f) for f in groups.values())
    texts = corpus_texts()
    words = sum(len(re.findall(r"\w+", t)) for t in texts)
    methods = build_methods()

    print(f"{len(groups)} lemma groups, {n_forms} forms, "
          f"{sum(len(f) * (len(f) - 1) // 2 for f in groups.values())} same-word pairs; "
          f"{len(distinct)} distinct pairs; corpus: {len(texts)} files, {words} words\n")
    print("| method | pairs conflated | groups whole | false merges | cross-group "
          "| tokens/s cold | cost cold | cost warm |")
    print("|---|---|---|---|---|---|---|---|")
    base = None
    results = {}
    for m in methods:
        s = score(m.key, groups, distinct)
        results[m.name] = s
        speed = cost = cost_warm = "–"
        if not args.no_speed:
            times = None
            if m.analyzer is not None:
                times = time_analyzer(m.analyzer, texts, args.repeat, clear_kb_caches)
            elif m.word is not None:
                cached = lru_cache(maxsize=200_000)(m.word)

                def make(fn=cached):
                    return RegexTokenizer(analysis.TOKEN_PATTERN) | LowercaseFilter() | _WordFilter(fn)

                def clear(fn=cached):
                    fn.cache_clear()
                    clear_kb_caches()

                times = time_analyzer(make, texts, args.repeat, clear)
            elif m.name.startswith("spaCy cs_core"):
                tps = spacy_speed(texts, words, args.repeat)
                if tps:
                    times = (words / tps, words / tps)
            if times:
                base = base or times
                speed = f"{words / times[0]:,.0f}"
                cost = f"{times[0] / base[0]:.2f}×"
                cost_warm = f"{times[1] / base[1]:.2f}×"
        print(f"| {m.name} | {s.conflated}/{s.pairs} ({s.recall:.1%}) | "
              f"{s.groups_whole}/{s.groups} | {len(s.false_merges)}/{s.distinct} | "
              f"{len(s.cross_group)} | {speed} | {cost} | {cost_warm} |")

    print(heldout_table(methods, texts))

    for wanted in args.show:
        match = [n for n in results if wanted.lower() in n.lower()]
        if len(match) != 1:
            print(f"\n--show {wanted!r}: matches {match or 'nothing'}")
            continue
        s = results[match[0]]
        print(f"\n## {match[0]}\n### missed same-word pairs ({len(s.missed)})")
        print("\n".join(f"- {x}" for x in s.missed))
        print(f"### false merges ({len(s.false_merges)})")
        print("\n".join(f"- {x}" for x in s.false_merges))
        print(f"### cross-group merges ({len(s.cross_group)})")
        print("\n".join(f"- {x}" for x in s.cross_group))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
