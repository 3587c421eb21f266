"""Queries as people type them: a document that lacks one of the words is still found,
below the complete ones and labelled with what it lacks; question words never make a
query fail; a synonym phrase added by the thesaurus marks only where it stands whole."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_text_corpus, run_kb

from kb.search import SearchRequest
from kb.search.query import parse_query
from kb.search.snippets import make_snippet

TEXTS = {
    # every word of "zeptat dítěte názor"
    "uplny.txt": "Rozhovor\n\nJak se zeptat dítěte na jeho názor: pracovník se ptá otevřeně a "
                 "názor dítěte zapíše.",
    # lacks "názor"
    "bez-nazoru.txt": "Rozhovor s dítětem\n\nPracovník se má dítěte zeptat, jak se cítí doma.",
    # only one of the three words
    "jen-dite.txt": "Dětský domov\n\nDítě v zařízení má svého klíčového pracovníka.",
    "nasili.txt": "Pomoc obětem\n\nOběti násilí v rodině pomáhá intervenční centrum. V rodině se "
                  "řeší i jiné věci a blízkými osobami jsou prarodiče.",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    b = open_text_corpus(tmp_path_factory.mktemp("forgiving"), TEXTS)
    yield b
    b.close()


def ask(backend, query: str):
    return backend.search(SearchRequest(query=query, limit=20))


def test_a_document_missing_one_word_is_found_below_and_labelled(backend):
    result = ask(backend, "rozhovor dítě názor")
    ranked = [(h.path, h.missing) for h in result.results]
    assert ranked[0] == ("uplny.txt", [])
    assert ("bez-nazoru.txt", ["názor"]) in ranked
    assert "jen-dite.txt" not in [p for p, _ in ranked]  # two words lacking: not an answer
    assert result.partial == 1 and result.total == 2


def test_a_question_ranks_the_document_with_its_verb_above_one_without(backend):
    # "zeptat" is how the question is asked: it ranks but is not required
    result = ask(backend, "jak se zeptat dítěte na jeho názor")
    paths = [h.path for h in result.results]
    assert paths[0] == "uplny.txt"
    assert paths.index("bez-nazoru.txt") < paths.index("jen-dite.txt")
    assert {h.path: h.missing for h in result.results}["bez-nazoru.txt"] == ["názor"]


def test_the_command_line_says_which_word_is_missing(backend, tmp_path):
    index_dir = Path(backend.index_dir)
    proc = run_kb("search", "zeptat dítěte názor", "--index", index_dir)
    assert proc.returncode == 0, proc.stderr
    assert "chybí: názor" in proc.stdout
    assert proc.stdout.index("uplny.txt") < proc.stdout.index("bez-nazoru.txt")


@pytest.mark.parametrize("query", ["kam se obrátit násilí v rodině", "co dělat když násilí",
                                   "jaká pomoc kde najít násilí", "proč kdy jak násilí"])
def test_question_words_never_make_a_query_fail(backend, query):
    result = ask(backend, query)
    assert [h.path for h in result.results] == ["nasili.txt"]
    assert result.results[0].missing == []


def test_exclusion_and_phrases_keep_their_meaning(backend):
    assert "bez-nazoru.txt" not in [h.path for h in ask(backend, "zeptat dítěte názor -cítí").results]
    # a phrase is one word of the query: it is either there or listed as missing
    result = ask(backend, '"názor dítěte" zeptat')
    assert [(h.path, h.missing) for h in result.results] == [("uplny.txt", []),
                                                            ("bez-nazoru.txt", ['"názor dítěte"'])]


def test_a_synonym_phrase_marks_only_where_it_stands_whole(backend):
    hit = ask(backend, "domácí násilí").results[0]
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert hit.path == "nasili.txt"
    assert marked == ["násilí", "rodině"]  # "násilí v rodině"; not the lone "rodině", "blízkými"


def test_a_typed_phrase_marks_only_where_it_stands_whole():
    parsed = parse_query('"rozhovor s dítětem"')
    snippet, marks = make_snippet("Rozhovor vede psycholog. Rozhovor s dítětem vede pracovník.",
                                  parsed.highlight_terms, phrases=parsed.highlight_phrases)
    assert [snippet[s:e] for s, e in marks] == ["Rozhovor", "dítětem"]
    assert marks[0][0] == snippet.index("Rozhovor s")


def test_lacking_a_common_word_costs_less_than_lacking_the_subject(tmp_path):
    # "zadluženost rodin": the one text about debts (in words of the family: dluhy)
    # lacks "rodina", others lack the debts; the text about debts is the better answer,
    # however often the others say "rodina"
    texts = {"dluhy.txt": "Exekuce\n\nMladí lidé po odchodu z dětského domova mají dluhy; dluhy "
                          "řeší dluhová poradna."}
    for n in range(3):
        texts[f"rodina-{n}.txt"] = ("Rodina\n\n" + "Rodina potřebuje podporu. Pracovník navštěvuje rodinu "
                                    "a s rodinou plánuje další kroky. " * 8)
    for n in range(6):
        texts[f"jine-{n}.txt"] = "Supervize\n\nSupervize pomáhá pracovníkům v náročné práci."
    backend = open_text_corpus(tmp_path, texts)
    try:
        result = ask(backend, "zadluženost rodin")
    finally:
        backend.close()
    assert "dluhy" in result.expanded
    assert [(h.path, h.missing) for h in result.results][0] == ("dluhy.txt", ["rodin"])
    assert all(hit.missing == ["zadluženost"] for hit in result.results[1:])
