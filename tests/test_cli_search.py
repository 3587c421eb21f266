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
    assert set(result["facets"]) == {"topics", "professions", "doc_type"}
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
