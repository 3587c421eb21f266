"""The fast paths of kb/analysis/ (used for every page by tagging and for up to 100
pages per query by snippets) must find exactly what the Czech analyzer finds: a
highlight the analyzer would not make, or one it would make but the snippet misses,
is a visible error."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kb.analysis import czech_analyzer, highlight_spans, terms, tokens_with_offsets

SOURCES = sorted((Path(__file__).resolve().parent.parent / "corpus" / "src").glob("*.md"))
TRICKY = [
    "Děti, dětem, dítě i DĚTSKÝ domov; otec/otce, otčím a Otčímovi; dům, domu, dne 12. 3. 2024.",
    "Projekt CZ.03.2.63/0.0/0.0/16_063/0006543, § 6 zákona č. 359/1999 Sb., poradna@example.cz.",
    "Péče o dítě, pec; pěstouni, pěstounům; KYBERŠIKANA, kyberšikaně, kybersikanou.",
    "Straße, Ærø, Ελλάδα, İstanbul: cizí písmena vedou na přesnou cestu, i s\u00adměkkým dělením.",
    "OSPOD. Sociálně-právní OSPOD/2024 x.ospod ospod.cz ospod- -ospod ospod+ jan.ospod@obec.cz OSPOD.",
    # verbs the lemma table does not list, found by their endings (kb/analysis/lemmas.py),
    # and the bare endings themselves
    "Účetní zaúčtuje a zaúčtovala, úřad uschovává a uschovával, oni přerozdělují; slovesa na ovat, "
    "avat a uje; kovali, povalí, zcestovalý, festivaly, zprávám.",
]


def _texts() -> list[str]:
    return TRICKY + [p.read_text(encoding="utf-8") for p in SOURCES]


def test_tokens_with_offsets_equal_the_analyzer():
    analyzer = czech_analyzer()
    for text in _texts():
        expected = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="query")]
        assert tokens_with_offsets(text) == expected


@pytest.mark.parametrize("query", ["děti péče", "otec", "domácí násilí", "dne dům", "pěstouni",
                                   "OSPOD", "otčím", "kybersikana", "359/1999", "0006543", "§",
                                   "právní ospod"])
def test_highlights_of_typed_queries_equal_the_analyzer(query: str):
    wanted = set(terms(query))
    for text in _texts():
        exact = [(s, e) for term, s, e in tokens_with_offsets(text) if term in wanted]
        assert highlight_spans(text, wanted) == exact, query


def test_highlights_of_random_words_equal_the_analyzer():
    rng = random.Random(6)
    texts = _texts()
    for _ in range(300):
        text = rng.choice(texts)
        tokens = tokens_with_offsets(text)
        wanted = {term for term, _, _ in rng.sample(tokens, min(3, len(tokens)))}
        exact = [(s, e) for term, s, e in tokens if term in wanted]
        assert highlight_spans(text, wanted) == exact, wanted


@pytest.mark.parametrize("wanted", [{"ovat"}, {"ovat", "slov"}, {"avat"}, {"zauctovat"}, {"uschovavat"},
                                    {"kovat"}])
def test_highlights_of_verb_terms_equal_the_analyzer(wanted):
    text = TRICKY[-1]
    exact = [(s, e) for term, s, e in tokens_with_offsets(text) if term in wanted]
    assert highlight_spans(text, wanted) == exact
