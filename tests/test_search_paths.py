"""SearchRequest.paths: a search over only the given documents, which is how the detail
page gets the hit pages of the one document it shows."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import make_pdf
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
