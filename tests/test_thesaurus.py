"""The search thesaurus as a social worker meets it: typing an abbreviation or everyday
words also finds the professional wording, the typed words still rank first, and the
result says what was added ("Hledáno také: …")."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_pdf
from conftest import kb_json

from kb.analysis import terms
from kb.analysis.thesaurus import build, load_thesaurus
from kb.search.query import parse_query


def expansions(query: str) -> list[str]:
    return parse_query(query).expanded


@pytest.mark.parametrize("query,expected", [
    ("OSPOD", "orgán sociálně-právní ochrany dětí"),
    ("orgán sociálně-právní ochrany dětí", "OSPOD"),
    ("ospodu", "orgán sociálně-právní ochrany dětí"),  # inflected, lowercase
    ("NRP", "náhradní rodinná péče"),
    ("nahradni rodinna pece", "NRP"),  # without diacritics
    ("PPP", "pedagogicko-psychologická poradna"),
    ("PČR", "Policie ČR"),
    ("pcr", "Policie České republiky"),
    ("CAN", "syndrom týraného zneužívaného a zanedbávaného dítěte"),
    ("násilí v rodině", "domácí násilí"),
    ("domácím násilím", "násilí v rodině"),
    ("Cochemská praxe", "Cochemský model"),
    ("self-harm", "sebepoškozování"),
    ("kyberšikana", "online šikana"),
    ("online šikana", "kyberšikana"),
    ("dítě se řeže", "sebepoškozování"),
    ("dite se reze", "sebepoškozování"),
    ("šikana přes mobil", "kyberšikana"),
    ("rodiče se rozvádějí", "rozchod rodičů"),
    ('"rodiče se rozvádějí"', "rozchod rodičů"),  # a typed phrase counts as its words
    ("kurátorka", "kurátor"),
])
def test_query_is_expanded(query, expected):
    assert expected in expansions(query)


def test_professional_terms_do_not_expand_to_everyday_wording():
    expanded = expansions("sebepoškozování")
    assert "self-harm" in expanded  # a synonym group works both ways
    assert not {"dítě se řeže", "řeže se", "pořezává se"} & set(expanded)  # one-way entries do not


@pytest.mark.parametrize("query", [
    "péče",
    "rozhovor s dítětem",
    "NRP OR pěstoun",  # an OR group is left as typed
    "-OSPOD metodika",  # an excluded word is not expanded
])
def test_no_expansion(query):
    assert expansions(query) == []


def test_expansion_keeps_the_other_words_required():
    parsed = parse_query("OSPOD supervize")
    assert parsed.expanded == ["orgán sociálně-právní ochrany dětí"]
    assert len(parsed.must) == 2  # still two ANDed clauses: (OSPOD or synonym) and supervize


def test_expressions_must_cover_whole_clauses():
    thesaurus = build({"groups": [["domácí násilí", "násilí v rodině"]]})
    found = thesaurus.find_expansions([terms("domácí"), terms("násilí")])
    assert [(e.start, e.end) for e in found] == [(0, 2)]
    # "domácí násilí" inside a longer typed phrase is not split out of it
    assert thesaurus.find_expansions([terms("domácí násilí na seniorech")]) == []
    assert thesaurus.find_expansions([terms("domácí"), None, terms("násilí")]) == []


def test_expansions_are_limited():
    thesaurus = build({"max_expansions": 2, "groups": [["a1", "b1", "c1", "d1"]]})
    found = thesaurus.find_expansions([["a1"]])
    assert len(found[0].alternatives) == 2


def test_thesaurus_file_loads():
    thesaurus = load_thesaurus()
    assert thesaurus.weight < 1.0
    assert thesaurus.index, "kb/analysis/thesaurus.yaml is empty"


@pytest.fixture
def synonym_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    make_pdf(root / "odborny.pdf", [
        "Sebepoškozování u dospívajících\nSebepoškozování je signál, že dítě nezvládá napětí. "
        "Pracovník o sebepoškozování mluví klidně a bez výčitek."])
    make_pdf(root / "bezny.pdf", [
        "Když se dítě řeže\nRodiče často říkají: dítě se řeže a my nevíme, co dělat. "
        "Sebepoškozování je signál napětí."])
    make_pdf(root / "jine.pdf", ["Rozpočet domácnosti\nPlánujte výdaje a příjmy rodiny."])
    return root


def test_kb_search_json_reports_expansions_and_ranks_typed_words_first(synonym_corpus: Path, tmp_path: Path):
    index_dir = tmp_path / "ix"
    kb_json("index", synonym_corpus, "--index", index_dir)
    result = kb_json("search", "dite se reze", "--index", index_dir)
    assert result["expanded"] == ["sebepoškozování"]
    paths = [r["path"] for r in result["results"]]
    # the document with the typed words first, the one with only the synonym still found
    assert paths == ["bezny.pdf", "odborny.pdf"]
    synonym_hit = result["results"][1]
    marked = [synonym_hit["snippet"][s:e] for s, e in synonym_hit["highlights"]]
    assert any(m.lower().startswith("sebepoškoz") for m in marked)

    plain = kb_json("search", "rozpočet", "--index", index_dir)
    assert plain["expanded"] == []
    assert [r["path"] for r in plain["results"]] == ["jine.pdf"]


def test_self_harm_in_english_finds_the_czech_documents(synonym_corpus: Path, tmp_path: Path):
    index_dir = tmp_path / "ix"
    kb_json("index", synonym_corpus, "--index", index_dir)
    result = kb_json("search", "self-harm", "--index", index_dir)
    assert result["expanded"] == ["sebepoškozování"]
    assert {r["path"] for r in result["results"]} == {"odborny.pdf", "bezny.pdf"}
