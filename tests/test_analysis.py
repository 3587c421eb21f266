"""The Czech analyzer as a user meets it: an inflected or unaccented query word finds
the document's word, different words stay apart, identifiers stay findable, and the
analyzer can be stored in the index (pickled).

The labelled word list tests/data/analyzer_cases.yaml is shared with
benchmarks/analyzer_compare.py, which compares the analyzer with other methods."""
from __future__ import annotations

import itertools
import pickle
from pathlib import Path

import pytest
import yaml
from whoosh import query as Q
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from kb.analysis import czech_analyzer, terms

CASES = Path(__file__).resolve().parent / "data" / "analyzer_cases.yaml"

# Each row: words or phrases that must reach the same terms, so any of them finds the others.
SAME = [
    # the cases required by issue 2
    ("kyberšikana", "kyberšikaně", "kyberšikanou"),
    ("sebepoškozování", "sebepoškozováním"),
    ("domácí násilí", "domácího násilí", "domácím násilím"),
    ("pěstoun", "pěstouni", "pěstounů"),
    ("opatrovník", "opatrovníka", "opatrovníci"),
    ("dítě", "dítětem", "dětmi"),
    ("rozhovor", "rozhovoru"),
    ("supervize", "supervizí"),
    ("metodika", "metodiky", "metodice"),
    ("soudce", "soudci"),
    ("škola", "školách"),
    # typed without diacritics, also inflected
    ("domaci nasili", "domácí násilí"),
    ("kybersikana", "kyberšikana"),
    ("kybersikane", "kyberšikaně", "kyberšikana"),
    ("domaciho nasili", "domácího násilí", "domácí násilí"),
    ("pestounum", "pěstounům", "pěstoun"),
    ("detmi", "děti", "dítě"),
    ("skolach", "škola"),
    ("sebeposkozovanim", "sebepoškozování"),
    ("opatrovnikum", "opatrovníci"),
    ("sluzeb", "služba", "službě"),
    # consonant changes and mobile e
    ("Praha", "Praze"),
    ("dluh", "dluzích"),
    ("riziko", "rizicích"),
    ("vztah", "vztazích"),
    ("matka", "matce", "matek"),
    ("babička", "babičce", "babiček"),
    ("otec", "otce", "otcem", "otců"),
    ("obec", "obce", "obcí"),
    ("sourozenec", "sourozence", "sourozencům"),
    ("týden", "týdne", "týdnu"),
    ("březen", "března", "březnu"),
    ("nájem", "nájmu", "nájmem"),
    ("zájem", "zájmu", "zajmu"),
    ("příjem", "příjmy", "prijmu"),
    ("stupeň", "stupně", "stupen"),
    ("povinen", "povinna", "povinný"),
    ("poradna", "poraden", "poradnách"),
    # bare stems that look inflected (problém-u, advokát-a, záznam-u, proces-u)
    ("problém", "problému", "problémy", "problémem"),
    ("systém", "systému", "systémy"),
    ("advokát", "advokáta", "advokáti", "advokátů"),
    ("záznam", "záznamu", "záznamy"),
    ("program", "programu"),
    ("proces", "procesu", "procesy"),
    ("trauma", "traumatu", "traumata", "traumatem"),
    ("výslech", "výslechu", "výslechem"),
    ("strach", "strachu", "strachem"),
    ("stres", "stresu"),
    ("úspěch", "úspěchu"),
    # irregular: another stem or vowel
    ("děti", "dětí", "dětem", "dětech"),
    ("lidé", "lidí", "lidem", "lidmi"),
    ("dům", "domu", "domy", "dum"),
    ("den", "dne", "dny", "dnů"),
    ("péče", "péči", "péčí", "pece"),
    # people and institutions of the domain
    ("pracovník", "pracovníci", "pracovníků", "pracovnících"),
    ("kurátor", "kurátoři", "kuratora"),
    ("senior", "senioři", "seniorům", "seniori"),
    ("psycholog", "psychologové", "psychologovi"),
    ("rodina", "rodině", "rodinách", "rodine"),
    ("rodič", "rodiče", "rodičů", "rodicu"),
    ("exekuce", "exekucí", "exekucemi"),
    ("byt", "bytu", "byty", "bytech"),
    ("závislost", "závislostí", "zavislostmi"),
]

# Different words that must not meet: a search for one must not find the other.
DISTINCT = [
    ("plán", "plat"),
    ("plánu", "platu"),
    ("péče", "pec"),
    ("soud", "soudce"),
    ("byt", "bytost"),
    ("dítě", "dít"),
    ("škola", "školka"),
    ("školení", "školní"),
    ("šetření", "šetrný"),
    ("opatření", "opatrně"),
    ("sezení", "seznam"),
    ("policie", "police"),
    ("věk", "věc"),
    ("oběť", "oběd"),
    ("otec", "otčím"),
    ("otcem", "otčímem"),
    ("chlapec", "chlap"),
    ("stres", "strach"),
    ("domov", "dům"),
    ("náhradní", "náhrada"),
    ("nemoc", "nemocnice"),
    ("porada", "poradna"),
    ("výživné", "výživa"),
    ("úzkost", "úzký"),
    ("drogy", "drogerie"),
    ("rodina", "rodič"),
]


@pytest.mark.parametrize("forms", SAME, ids=lambda forms: " / ".join(forms))
def test_forms_of_one_word_meet(forms):
    first = terms(forms[0])
    assert first, f"{forms[0]!r} lost all its words"
    for other in forms[1:]:
        assert terms(other) == first, f"{other!r} -> {terms(other)}, {forms[0]!r} -> {first}"


@pytest.mark.parametrize("pair", DISTINCT, ids=lambda pair: " ≠ ".join(pair))
def test_different_words_stay_apart(pair):
    a, b = (terms(word) for word in pair)
    assert a and b, pair
    assert not set(a) & set(b), f"{pair[0]} -> {a}, {pair[1]} -> {b}"


def test_function_words_are_dropped_but_not_the_flat():
    assert terms("proč můžeme být") == []
    assert terms("byt") == ["byt"]  # `byt` (flat) is not the stopword `být`
    assert terms("muži") == terms("muž") != terms("můžeme")


# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize("text, expected", [
    ("CZ.03.2.63/0.0/0.0/16_063/0006543", ["cz.03.2.63/0.0/0.0/16_063/0006543"]),
    ("IČO 27193451", ["ico", "27193451"]),
    ("§ 6 zákona č. 359/1999 Sb.", ["§", "6", "zakon", "359/1999", "sb"]),
    ("jan.novak@mpsv.cz", ["jan.novak@mpsv.cz"]),
    ("Jana.Nováková@MPSV.cz", ["jana.novakova@mpsv.cz"]),
    ("12.3.2024", ["12.3.2024"]),
    ("2024-03-12", ["2024-03-12"]),
    ("sp. zn. 12 C 345/2023", ["sp", "zn", "12", "345/2023"]),
])
def test_identifiers_stay_whole(text, expected):
    assert terms(text) == expected


def _ram_index(texts: dict[str, str]):
    schema = Schema(path=ID(stored=True), content=TEXT(analyzer=czech_analyzer(), phrase=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for path, text in texts.items():
            writer.add_document(path=path, content=text)
    return ix


def _found(ix, query_text: str, phrase: bool = False) -> set[str]:
    words = terms(query_text)
    q = (Q.Phrase("content", words) if phrase
         else Q.And([Q.Term("content", w) for w in words]))
    with ix.searcher() as searcher:
        return {hit["path"] for hit in searcher.search(q, limit=None)}


DOCS = {
    "projekt": "Projekt CZ.03.2.63/0.0/0.0/16_063/0006543 podpořil IČO 27193451.",
    "zakon": "Podle § 6 zákona č. 359/1999 Sb. kontaktujte poradna@example.cz do 12.3.2024.",
    "rozhovor": "Rozhovoru s dítětem předchází příprava; domácího násilí se týká jinak.",
    "jiny": "Projekt CZ.03.2.63/0.0/0.0/16_063/0009999 a zákon č. 108/2006 Sb.",
}


@pytest.mark.parametrize("query_text, expected", [
    ("CZ.03.2.63/0.0/0.0/16_063/0006543", {"projekt"}),
    ("0006543", {"projekt"}),
    ("27193451", {"projekt"}),
    ("359/1999", {"zakon"}),
    ("§ 6 zákona 359/1999", {"zakon"}),
    ("poradna@example.cz", {"zakon"}),
    ("12.3.2024", {"zakon"}),
    ("rozhovor s dítětem", {"rozhovor"}),
    ("domaci nasili", {"rozhovor"}),
])
def test_identifiers_and_words_are_found_in_an_index(query_text, expected):
    assert _found(_ram_index(DOCS), query_text) == expected


def test_phrase_ignores_inflection_and_stopwords_but_keeps_order():
    ix = _ram_index(DOCS)
    assert _found(ix, "rozhovor s dítětem", phrase=True) == {"rozhovor"}
    assert _found(ix, "dítětem rozhovor", phrase=True) == set()


def test_analyzer_pickles_and_keeps_its_terms():
    analyzer = czech_analyzer()
    restored = pickle.loads(pickle.dumps(analyzer))
    text = "Kyberšikaně a domácímu násilí čelí dětmi; CZ.03.2.63/0.0/0.0/16_063/0006543."
    assert [t.text for t in restored(text)] == [t.text for t in analyzer(text)]
    pickle.loads(pickle.dumps(_ram_index(DOCS).schema))


# ---------------------------------------------------------------- the labelled word list

# Reached with the analyzer of this commit (benchmarks/analyzer_compare.py prints them):
# 2169 of 2180 same-word pairs (99.5 %; the misses are the verb pomáhat, which a light
# stemmer cannot join), 7 of 61 distinct pairs merged (péče/pecí, vina/víno, právo/pravý,
# případ/připadat and krize/kříž differ only in diacritics; ústav/ústava, dilema/díl),
# no two groups merged. A change may improve these, never make them worse.
MIN_CONFLATED = 0.994
MAX_FALSE_MERGES = 7


def _load_cases():
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    groups = [list(dict.fromkeys(str(f) for f in forms)) for forms in data["groups"].values()]
    side = lambda x: [str(f) for f in (x if isinstance(x, list) else [x])]  # noqa: E731
    distinct = [(side(a), side(b)) for a, b in data["distinct"]]
    return groups, distinct


def _meet(a: str, b: str) -> bool:
    return bool(set(terms(a)) & set(terms(b)))


def test_word_list_is_big_enough():
    groups, distinct = _load_cases()
    assert len(groups) >= 40 and sum(map(len, groups)) >= 150 and len(distinct) >= 40


def test_word_list_forms_meet():
    groups, _ = _load_cases()
    pairs = [pair for forms in groups for pair in itertools.combinations(forms, 2)]
    missed = [pair for pair in pairs if not _meet(*pair)]
    rate = 1 - len(missed) / len(pairs)
    assert rate >= MIN_CONFLATED, f"{rate:.2%} of {len(pairs)} pairs; missed: {missed}"


def test_word_list_distinct_words_stay_apart():
    groups, distinct = _load_cases()
    merged = [(a_side[0], b_side[0]) for a_side, b_side in distinct
              if any(_meet(a, b) for a in a_side for b in b_side)]
    assert len(merged) <= MAX_FALSE_MERGES, merged
    group_terms = [set().union(*(terms(f) for f in forms)) for forms in groups]
    across = [(groups[i][0], groups[j][0])
              for i, j in itertools.combinations(range(len(groups)), 2)
              if group_terms[i] & group_terms[j]]
    assert across == [], "words of different groups meet"


# ---------------------------------------------------------------- lemmas (kb/analysis/lemmas_cs.txt)


@pytest.mark.parametrize("forms", [
    ("jít", "šel", "jde", "půjdu", "sel"),  # the stem changes
    ("zjistit", "zjistí", "zjistil", "zjisti"),  # unaccented as typed
    ("obsahovat", "obsahuje", "obsahovali"),
    ("vysoký", "vyšší", "nejvyšší"),
    ("rok", "roce", "let"),
    ("člověk", "lidé", "lidi"),
], ids=lambda forms: " / ".join(forms))
def test_verb_forms_comparatives_and_irregular_words_meet(forms):
    first = terms(forms[0])
    for other in forms[1:]:
        assert terms(other) == first, f"{other!r} -> {terms(other)}, {forms[0]!r} -> {first}"


def test_unaccented_muze_is_the_man_not_a_dropped_stopword():
    # muze folds both muže (the man) and může (can, a stopword): it must not vanish
    assert terms("muze") == terms("muže") == terms("muž")
    assert terms("může") == [] and terms("muzeme") == []


def test_negated_verbs_meet_each_other_but_not_the_positive_or_a_look_alike():
    assert terms("nestál") == terms("nestát") == terms("nestojí")
    assert not set(terms("nestál")) & set(terms("stál") + terms("nést") + terms("nese"))
    assert terms("nemoci") == terms("nemoc")  # the noun, not ne + moci
    assert not set(terms("nemůže")) & set(terms("nemoc"))


def test_highlights_find_the_forms_of_a_verb_whose_stem_changes():
    from kb.analysis import highlight_spans

    text = "Včera šel do poradny, dnes jde znovu a nepůjde sám; jitro bylo chladné."
    spans = highlight_spans(text, set(terms("jít")))
    assert [text[s:e] for s, e in spans] == ["šel", "jde"]
    negated = highlight_spans(text, set(terms("nepůjde")))
    assert [text[s:e] for s, e in negated] == ["nepůjde"]
