"""Search through the installed `kb` command, asserting the JSON contract of DESIGN.md."""
from __future__ import annotations

import json

import pytest
from conftest import kb_json, run_kb


def search(index_dir, *args):
    return kb_json("search", *args, "--index", index_dir)


def paths(result):
    return [r["path"] for r in result["results"]]


@pytest.mark.parametrize("query,expected_path,expected_page", [
    ("domácí násilí", "metodiky/metodika.pdf", 2),
    ("domaci nasili", "metodiky/metodika.pdf", 2),
    ("domaciho nasili", "metodiky/metodika.pdf", 2),
    ("kybersikane", "letaky/kybersikana.docx", None),
    ("kyberšikanou", "letaky/kybersikana.docx", None),
    ("sebeposkozovanim", "metodiky/metodika.pdf", 1),
    ("opatrovnika", "opatrovnik.txt", None),
    ('"rozhovor s dítětem"', "metodiky/metodika.pdf", 3),
    ("0006543", "metodiky/metodika.pdf", 2),
    ("CZ.03.2.63/0.0/0.0/16_063/0006543", "metodiky/metodika.pdf", 2),
    ("27193451", "metodiky/metodika.pdf", 2),
    ("359/1999", "metodiky/metodika.pdf", 3),
    ("poradna@example-fiktivni.cz", "metodiky/metodika.pdf", 3),
])
def test_inflected_unaccented_and_identifier_queries_find_the_page(indexed, query, expected_path,
                                                                   expected_page):
    _, index_dir = indexed
    result = search(index_dir, query)
    assert paths(result)[0] == expected_path
    hit = result["results"][0]
    if expected_page is None:
        assert hit["pages"] == []
    else:
        assert hit["pages"][0] == expected_page


def test_result_has_the_contract_fields(indexed):
    _, index_dir = indexed
    result = search(index_dir, "dítě")
    assert set(result) >= {"query", "total", "results", "facets"}
    assert set(result["facets"]) >= {"topics", "professions", "doc_type"}
    hit = result["results"][0]
    for key in ("path", "title", "doc_type", "topics", "professions", "score", "pages",
                "snippet", "highlights"):
        assert key in hit
    assert result["total"] == len(result["results"])


def test_highlights_point_at_the_original_words(indexed):
    _, index_dir = indexed
    hit = search(index_dir, "domaci nasili")["results"][0]
    marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert "Domácí" in marked and "násilí" in marked
    assert "domácím" in marked  # inflected form, as written
    assert "<" not in hit["snippet"]


def test_phrase_respects_word_order(indexed):
    _, index_dir = indexed
    assert search(index_dir, '"předchází příprava"')["total"] == 1
    assert search(index_dir, '"příprava předchází"')["total"] == 0


def test_or_and_exclusion(indexed):
    _, index_dir = indexed
    both = search(index_dir, "kyberšikana OR opatrovník")
    assert set(paths(both)) >= {"letaky/kybersikana.docx", "opatrovnik.txt"}
    without = search(index_dir, "kyberšikana -učitelé")
    assert "letaky/kybersikana.docx" not in paths(without)


def test_words_are_anded(indexed):
    _, index_dir = indexed
    # no document has both words: each one found says which word it lacks
    result = search(index_dir, "kyberšikana opatrovník")
    assert {(r["path"], tuple(r["missing"])) for r in result["results"]} == {
        ("letaky/kybersikana.docx", ("opatrovník",)), ("opatrovnik.txt", ("kyberšikana",))}
    assert result["partial"] == result["total"] == 2
    assert search(index_dir, "kyberšikana opatrovník pěstoun")["total"] == 0  # two words lacking


def test_type_filter_uses_stored_tags_and_facets_count_documents(indexed):
    _, index_dir = indexed
    all_docs = search(index_dir, "dítě OR kyberšikana OR opatrovník")
    assert sum(all_docs["facets"]["doc_type"].values()) == all_docs["total"]
    for doc_type, count in all_docs["facets"]["doc_type"].items():
        filtered = search(index_dir, "dítě OR kyberšikana OR opatrovník", "--type", doc_type)
        assert filtered["total"] == count
        assert {r["doc_type"] for r in filtered["results"]} == {doc_type}


@pytest.mark.parametrize("args,message", [
    (["--topic", "neexistuje", "dite"], "Neznámý filtr"),
    (['"neuzavřená fráze'], "uvozovk"),
    (["a", "v", "na"], "jen běžná slova"),
    ([], "Zadejte hledaný výraz"),
])
def test_bad_input_gets_one_czech_message_and_exit_2(indexed, args, message):
    _, index_dir = indexed
    proc = run_kb("search", *args, "--index", index_dir)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_index_tells_what_to_do(tmp_path):
    proc = run_kb("search", "dite", "--index", tmp_path / "nic")
    assert proc.returncode == 2
    assert "kb index" in proc.stderr and "Traceback" not in proc.stderr


def test_human_output_is_czech_with_pages(indexed):
    _, index_dir = indexed
    proc = run_kb("search", "domaci nasili", "--index", index_dir)
    assert proc.returncode == 0
    assert "Nalezeno dokumentů: 1" in proc.stdout and "str. 2" in proc.stdout


def test_list_json_carries_metadata(indexed):
    _, index_dir = indexed
    docs = {d["path"]: d for d in kb_json("list", "--index", index_dir)["documents"]}
    pdf = docs["metodiky/metodika.pdf"]
    assert pdf["title"] == "Metodika pro pracovníky OSPOD"
    assert pdf["year"] == 2023 and pdf["organization"] == "Spolek Most k rodině"
    assert pdf["pages"] == 3
    assert docs["letaky/kybersikana.docx"]["pages"] == 0


def test_help_has_an_example_for_every_command():
    for command in ("index", "search", "list"):
        proc = run_kb(command, "--help")
        assert proc.returncode == 0 and ("Příklad" in proc.stdout), command


def test_json_output_is_valid_utf8_czech(indexed):
    _, index_dir = indexed
    proc = run_kb("search", "kyberšikana", "--index", index_dir, "--json")
    assert "Kyberšikana" in proc.stdout  # not \\u escapes
    json.loads(proc.stdout)


@pytest.mark.parametrize("argv", [
    ["dítě", "OR", "opatrovník", "--", "-soud", "--index", "{index}", "--json"],  # options after `--`
    ["dítě", "OR", "opatrovník", "-soud", "--index", "{index}", "--json"],  # `-word` without `--`
    ["--json", "--index", "{index}", "dítě", "OR", "opatrovník", "-soud"],
])
def test_options_may_follow_the_query_and_words_may_start_with_a_dash(indexed, argv):
    _, index_dir = indexed
    assert sorted(paths(search(index_dir, "dítě OR opatrovník"))) == ["metodiky/metodika.pdf", "opatrovnik.txt"]
    proc = run_kb("search", *[a.format(index=index_dir) for a in argv])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["query"] == "dítě OR opatrovník -soud"
    assert paths(result) == ["metodiky/metodika.pdf"]  # the guardianship text speaks of "soudu"


def test_a_mistyped_option_is_named_in_czech_with_a_suggestion(indexed):
    _, index_dir = indexed
    proc = run_kb("search", "dite", "--limt", "3", "--index", index_dir)
    assert proc.returncode == 2
    assert "Neznámá volba '--limt'" in proc.stderr and "--limit" in proc.stderr
    assert "No such option" not in proc.stderr and "Usage" not in proc.stderr
    bad_number = run_kb("search", "dite", "--limit", "hodne", "--index", index_dir)
    assert bad_number.returncode == 2 and "není platné číslo" in bad_number.stderr


def test_help_is_czech_and_lists_every_filter_id_of_the_taxonomy():
    from kb.taxonomy import load_taxonomy

    proc = run_kb("search", "--help")
    assert proc.returncode == 0
    assert "Použití: kb search" in proc.stdout and "Ukáže tuto nápovědu" in proc.stdout
    assert "Show this message" not in proc.stdout and "Options" not in proc.stdout
    taxonomy = load_taxonomy()
    for facet in ("topics", "professions", "doc_types"):
        for id_, entry in taxonomy[facet].items():
            assert id_ in proc.stdout and entry["label"] in proc.stdout, id_


def test_human_output_says_how_to_see_more_and_orders_pages(indexed):
    _, index_dir = indexed
    everything = kb_json("search", "dítě OR opatrovník", "--index", index_dir)
    assert everything["total"] == 2
    proc = run_kb("search", "dítě OR opatrovník", "--limit", "1", "--index", index_dir)
    assert f"Nalezeno dokumentů: {everything['total']} (zde 1 nejlepší; všechny vypíše --limit" in proc.stdout
    pdf = next(r for r in everything["results"] if r["path"] == "metodiky/metodika.pdf")
    assert len(pdf["pages"]) >= 2
    proc = run_kb("search", "dítě", "--index", index_dir)
    line = next(x.strip() for x in proc.stdout.splitlines() if x.strip().startswith("str. "))
    from kb.czech import format_pages

    assert line == f"str. {format_pages(pdf['pages'])} (nejlepší shoda: str. {pdf['pages'][0]})"


def test_types_are_czech_labels_and_counts_are_czech_plurals(indexed, small_corpus, tmp_path):
    _, index_dir = indexed
    proc = run_kb("search", "OSPOD", "--index", index_dir)
    assert "(Metodika, Spolek Most k rodině, 2023)" in proc.stdout and "[metodika]" not in proc.stdout
    listing = run_kb("list", "--index", index_dir).stdout
    assert "(Metodika, 2023)" in listing
    assert "(PDF, 3 strany)" in run_kb("show", "metodiky/metodika.pdf", "--index", index_dir).stdout
    summary = run_kb("index", small_corpus, "--index", tmp_path / "again").stdout
    assert "3 dokumenty (3 strany)" in summary
