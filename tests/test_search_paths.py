"""Where a result's pages come from. The title is the document's, not a page's: a
result's `pages` are the pages whose own text has the query's words, the same in
`kb search --json` and in the app, and a document found only by its title is listed with
no pages. SearchRequest.paths searches only the given documents, which is how the detail
page gets the hit pages of the one document it shows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import make_pdf
from conftest import kb_json
from streamlit.testing.v1 import AppTest

from kb.index.pipeline import run_index
from kb.search import SearchRequest, open_backend

APP = str(Path(__file__).resolve().parent.parent / "app.py")

MEDIACE = "mediace/mediace-v-rodine.pdf"  # "mediace" in the title and on pages 1 and 2, not 3
DLUHY = "dluhy/dluhy-a-mediace.pdf"  # "mediace" in the title only


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("title")
    corpus = base / "corpus"
    make_pdf(corpus / MEDIACE, [
        "Mediace pomáhá rodičům domluvit se na péči o dítě bez soudu.",
        "Mediátor vede rozhovor. Mediace je dobrovolná a důvěrná.",
        "Exekuce a dluhy rodiny řeší dluhová poradna, ne soud.",
    ])
    (corpus / "mediace" / "mediace-v-rodine.yaml").write_text("title: Mediace v rodině\n", encoding="utf-8")
    make_pdf(corpus / DLUHY, [
        "Oddlužení je soudní řízení, ve kterém dlužník splácí část dluhů.",
        "Dluhová poradna pomůže sepsat návrh na oddlužení.",
    ])
    (corpus / "dluhy" / "dluhy-a-mediace.yaml").write_text("title: Dluhy a mediace\n", encoding="utf-8")
    index = base / "index"
    run_index(corpus, index, workers=1)
    return corpus, index


def open_app(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_pages(at: AppTest) -> list[str]:
    """The 'Shoda na str. …' lines the page shows, in order."""
    html = "\n".join(h.value for h in at.get("html"))
    return re.findall(r'<div class="kb-pages">Shoda na ([^<]*)</div>', html)


def test_the_detail_page_lists_the_hit_pages_of_its_document(env):
    at = open_app({"q": "poradna", "doc": DLUHY})
    assert shown_pages(at) == ["str. 2"]


def test_a_paths_filter_searches_only_those_documents(library):
    _, index = library
    backend = open_backend(index)
    try:
        result = backend.search(SearchRequest(query="poradna", paths=[DLUHY]))
        assert [hit.path for hit in result.results] == [DLUHY] and result.total == 1
        assert result.results[0].pages == [2]
        everywhere = backend.search(SearchRequest(query="poradna"))
        assert {hit.path for hit in everywhere.results} == {MEDIACE, DLUHY}
    finally:
        backend.close()


def cli_results(index: Path, query: str) -> dict[str, dict]:
    return {hit["path"]: hit for hit in kb_json("search", query, "--index", str(index))["results"]}


def test_a_page_without_the_word_is_not_listed_though_the_title_has_it(library):
    _, index = library
    hits = cli_results(index, "mediace")
    assert sorted(hits[MEDIACE]["pages"]) == [1, 2]  # page 3 is about debts
    assert all(p["page"] != 3 for p in hits[MEDIACE]["page_hits"])


def test_a_document_found_only_by_its_title_is_listed_without_pages(library):
    _, index = library
    hits = cli_results(index, "mediace")
    hit = hits[DLUHY]
    assert hit["pages"] == [] and hit["page_hits"] == [] and hit["highlights"] == []
    assert hit["snippet"].startswith("Oddlužení je soudní řízení")  # how the document begins
    assert list(hits) == [MEDIACE, DLUHY]  # the one whose pages have the word comes first


def test_the_app_shows_the_same_pages_as_the_cli(env):
    _, index = env
    cli = cli_results(index, "mediace")
    at = open_app({"q": "mediace"})
    # one "Shoda na" line per result with pages: only the document whose text has the word
    assert shown_pages(at) == ["str. 1–2"] and sorted(cli[MEDIACE]["pages"]) == [1, 2]
    html = "\n".join(h.value for h in at.get("html"))
    assert "Oddlužení je soudní řízení" in html  # the title-only result still shows how it begins


def test_the_detail_page_of_a_title_only_match_says_so(env):
    at = open_app({"q": "mediace", "doc": MEDIACE})
    assert shown_pages(at) == ["str. 1–2"]
    at = open_app({"q": "mediace", "doc": DLUHY})
    html = "\n".join(h.value for h in at.get("html"))
    assert shown_pages(at) == [] and "Dotaz odpovídá názvu dokumentu" in html
