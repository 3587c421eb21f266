"""The facet registry (kb/facets.py): every facet it lists is an index field, a sidecar
key, a CLI option with its ids in --help, a filter and a count, without any other table."""
from __future__ import annotations

import pytest
from conftest import kb_json, run_kb

from kb.extract.sidecar import load_sidecar
from kb.facets import FACETS, TAG_FACETS
from kb.index.store import get_schema
from kb.taxonomy import ids, label, load_taxonomy


def test_every_facet_has_a_taxonomy_section_with_ascii_ids():
    taxonomy = load_taxonomy()
    for facet in FACETS:
        assert taxonomy[facet.section], facet.id
        for id_ in ids(facet.id):
            assert id_.isascii() and id_ == id_.lower() and " " not in id_, id_
            assert label(facet.id, id_) != id_ or id_.isupper()  # a Czech label, not the id


def test_every_facet_is_an_index_field():
    names = set(get_schema().names())
    assert {f.id for f in FACETS} <= names


@pytest.mark.parametrize("facet", FACETS, ids=lambda f: f.id)
def test_cli_help_offers_every_facet_and_its_ids(facet):
    out = run_kb("search", "--help", check=True).stdout
    assert f"{facet.option} ID" in out
    assert f"{facet.plural} ({facet.option})" in out
    for id_ in ids(facet.id):
        assert id_ in out


@pytest.mark.parametrize("facet", TAG_FACETS, ids=lambda f: f.id)
def test_sidecar_reads_every_tag_facet_and_its_exclusions(tmp_path, facet):
    doc = tmp_path / "a.txt"
    doc.write_text("text", encoding="utf-8")
    first, second = ids(facet.id)[:2]
    doc.with_suffix(".yaml").write_text(f"{facet.id}: [{first}]\n{facet.exclude_key}: {second}\n",
                                        encoding="utf-8")
    meta, warnings = load_sidecar(doc)
    assert warnings == []
    assert meta[facet.id] == [first] and meta[facet.exclude_key] == [second]


def test_a_filter_of_every_facet_narrows_the_results_and_is_counted(indexed):
    _, index_dir = indexed
    everything = kb_json("search", "dítě", "--index", str(index_dir), "--limit", "100")
    assert set(everything["facets"]) == {f.id for f in FACETS}
    for facet in FACETS:
        for value, count in everything["facets"][facet.id].items():
            narrowed = kb_json("search", "dítě", facet.option, value, "--index", str(index_dir), "--limit", "100")
            assert narrowed["total"] == count
            for hit in narrowed["results"]:
                assert value in (hit[facet.id] if facet.multi else [hit[facet.id]])


def test_an_unknown_filter_id_is_one_czech_line(indexed):
    _, index_dir = indexed
    for facet in FACETS:
        done = run_kb("search", "dítě", facet.option, "neexistuje", "--index", str(index_dir))
        assert done.returncode == 2
        assert f"Neznámý filtr {facet.param}: neexistuje" in done.stderr
        assert "Traceback" not in done.stderr


def test_one_search_counts_every_facet_without_its_own_filter(indexed):
    """The sidebar's counts come with the result: for a selected facet, how many documents
    each value would give with the other filters kept (as a search without it finds)."""
    from kb.library.browse import library_overview
    from kb.search import SearchRequest, open_backend

    _, index_dir = indexed
    backend = open_backend(index_dir)
    try:
        everything = library_overview(backend).counts["doc_type"]
        assert len(everything) > 1  # the test corpus has several types
        chosen = next(iter(everything))
        narrowed = backend.search(SearchRequest(filters={"doc_type": (chosen,)}, limit=100))
        assert narrowed.total == everything[chosen] < sum(everything.values())
        assert narrowed.facets["doc_type"] == {chosen: everything[chosen]}
        assert narrowed.filter_counts["doc_type"] == everything
        for facet in FACETS:
            if facet.id != "doc_type":
                assert narrowed.filter_counts[facet.id] == narrowed.facets[facet.id]
        assert "filter_counts" not in narrowed.to_dict()  # not part of the CLI JSON
    finally:
        backend.close()
