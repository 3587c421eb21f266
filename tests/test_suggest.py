"""'Měli jste na mysli …?' and 'Podobné dokumenty' (kb/search/suggest.py) over a tiny library."""
from __future__ import annotations

import pytest

from kb.model import IndexedDocument
from kb.search.suggest import (
    build_stats,
    edit_distance,
    known,
    similar_documents,
    spelling_suggestion,
)


class FakeBackend:
    """The two reading methods build_stats needs, over in-memory pages."""

    def __init__(self, docs: dict[str, dict]):
        self.docs = docs

    def documents(self):
        return [IndexedDocument.from_json({"path": p, **{k: v for k, v in d.items() if k != "pages"}})
                for p, d in self.docs.items()]

    def page_texts(self, path):
        return [{"content": text, "section": i} for i, text in enumerate(self.docs[path]["pages"])]


LIBRARY = {
    "kyber.pdf": {"title": "Kyberšikana ve škole", "topics": ["kybersikana"], "professions": ["skolstvi"],
                  "pages": ["Kyberšikana je šikana přes mobil. Kyberšikana a sexting ve škole.",
                            "Při kyberšikaně škola zajistí snímky obrazovky. Kyberšikana bolí."]},
    "kyber2.pdf": {"title": "Kyberšikana — leták", "topics": ["kybersikana"], "professions": ["skolstvi"],
                   "pages": ["Kyberšikana: co dělat, když ti někdo ubližuje přes mobil a sociální sítě."]},
    "pestouni.pdf": {"title": "Pěstounská péče", "topics": ["nahradni-rodinna-pece"], "professions": ["nrp"],
                     "pages": ["Pěstouni pečují o dítě. Pěstounů je málo, pěstounská péče potřebuje podporu.",
                               "Doprovázení pěstounů, vzdělávání pěstounů, odlehčovací péče. Pracovník s dítětem mluví."]},
}


@pytest.fixture(scope="module")
def stats():
    return build_stats(FakeBackend(LIBRARY))


@pytest.mark.parametrize("a, b, distance", [
    ("kybersikana", "kybersikana", 0), ("kybersykana", "kybersikana", 1),
    ("kybresikana", "kybersikana", 1),  # two neighbours swapped
    ("pestoun", "pestouni", 1), ("abc", "xyz", 3),
])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 3) == distance


@pytest.mark.parametrize("query, suggestion", [
    ("kyberšykana", "kyberšikana"),
    ("kybresikana", "kyberšikana"),
    ("Kyberšykana ve škole", "Kyberšikana ve škole"),
    ('"kyberšykana" -pestouni', '"kyberšikana" -pestouni'),
    ("pěstouny", None),  # known (inflection): no suggestion
    ("kyberšikana", None),
    ("xyzzy", None),  # nothing close
])
def test_spelling_suggestion(stats, query, suggestion):
    assert spelling_suggestion(stats, query) == suggestion


def test_similar_documents_share_tags_and_words(stats):
    similar = similar_documents(stats, "kyber.pdf")
    assert similar[0].path == "kyber2.pdf"
    assert ("topics", "kybersikana") in similar[0].shared_tags
    assert "kyberšikana" in similar[0].shared_words
    assert all(s.path != "kyber.pdf" for s in similar)
    assert similar_documents(stats, "neni.pdf") == []


def test_a_word_the_index_finds_is_known_whatever_its_form(stats):
    # the library has "mluví": search finds it for "mluvit" (lemma-level terms), so
    # "Měli jste na mysli …?" must not treat the infinitive as a typo
    assert known(stats, "mluvit")
    assert not known(stats, "mlít")
