"""Word families: a practitioner's word also finds its derivations in the documents (the
noun, its adjective, its agent noun, its abstract noun), at a lower weight than the
word typed, and the result says which words were added ("Hledáno také")."""
from __future__ import annotations

import pytest
from conftest import open_text_corpus

from kb.analysis import word_term
from kb.analysis.families import family_key
from kb.search import SearchRequest

TEXTS = {
    "trauma.txt": "Bezpečí\n\nDítě s traumatem potřebuje předvídatelný den a klidného dospělého.",
    "zadluzeni.txt": "Poradna\n\nZadlužení rodiny řeší dluhová poradna se splátkovým kalendářem.",
    "podvodnik.txt": "Senioři\n\nPodvodníci se vydávají za pracovníky plynárny.",
    "podvod.txt": "Senioři a podvod\n\nPodvod u dveří: senior nikoho cizího nepouští domů. Podvod "
                  "nahlaste policii.",
    "osvojitele.txt": "Náhradní rodiny\n\nBudoucí osvojitelé procházejí přípravou a psychologickým "
                      "posouzením.",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    b = open_text_corpus(tmp_path_factory.mktemp("families"), TEXTS)
    yield b
    b.close()


def ask(backend, query: str):
    return backend.search(SearchRequest(query=query, limit=20))


@pytest.mark.parametrize("query,path,added", [
    ("traumatizované dítě", "trauma.txt", "traumatem"),
    ("dluh", "zadluzeni.txt", "zadlužení"),
    ("podvodné", "podvodnik.txt", "podvodníci"),
    ("splátky", "zadluzeni.txt", "splátkovým"),  # the -ový adjective, a word of its own
])
def test_a_word_finds_its_derivations_and_says_so(backend, query, path, added):
    result = ask(backend, query)
    hit = next(h for h in result.results if h.path == path)
    assert hit.missing == []
    assert added in result.expanded
    assert added in [hit.snippet[s:e].lower() for s, e in hit.highlights]


def test_a_synonym_brings_its_own_family(backend):
    # adopce -> osvojení (thesaurus) -> osvojitelé (its family): the text that only
    # speaks of adopters is found, and "Hledáno také" says how
    result = ask(backend, "adopce")
    assert [(h.path, h.missing) for h in result.results] == [("osvojitele.txt", [])]
    assert "osvojení" in result.expanded and "osvojitelé" in result.expanded


def test_the_word_typed_ranks_above_its_derivations(backend):
    ranked = [h.path for h in ask(backend, "podvod").results]
    assert ranked == ["podvod.txt", "podvodnik.txt"]


@pytest.mark.parametrize("one,other", [
    ("zákon", "žák"), ("autismus", "auto"), ("rodina", "rodit"), ("rodina", "rodič"),
    ("plán", "platit"),
])
def test_unrelated_words_stay_apart(one, other):
    assert family_key(word_term(one)) != family_key(word_term(other))
