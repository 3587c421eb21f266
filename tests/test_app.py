"""The Streamlit app through streamlit.testing.v1.AppTest: what a social worker and a
trainer see and do — home, search, filters with counts, the URL, the detail, the
collection and its export, uploads — and that hostile text stays text."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from app_corpus import (
    BROKEN,
    HOSTILE,
    KYBER,
    NASILI,
    ROZHOVOR,
    XSS_QUERY,
    build_app_corpus,
)
from streamlit.testing.v1 import AppTest

from kb.index.pipeline import run_index
from kb.library.collections import Collection, Item
from kb.library.exports import export_zip, prepare_export, reading_list_markdown
from kb.model import IndexedDocument

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> tuple[Path, Path]:
    """(corpus, index) of the small app corpus, indexed once for the module."""
    base = tmp_path_factory.mktemp("app")
    corpus = build_app_corpus(base / "corpus")
    index = base / "index"
    run_index(corpus, index, workers=1)
    return corpus, index


def open_app(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def unescape(text: str) -> str:
    """A widget label as the user reads it (Markdown backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", text)


def qp(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values as a list (AppTest gives a str for a single value)."""
    value = at.query_params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def labels(at: AppTest) -> list[str]:
    return [unescape(b.label) for b in at.button]


def button(at: AppTest, text: str, *, start: bool = False):
    for b in at.button:
        shown = unescape(b.label)
        if shown == text or (start and shown.startswith(text)):
            return b
    raise AssertionError(f"no button {text!r} among {labels(at)}")


def page_html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.get("html"))


def shown_text(at: AppTest) -> str:
    """All text the page shows: HTML blocks, Markdown, alerts, labels."""
    parts = [page_html(at)]
    parts += [m.value for m in at.markdown] + [m.value for m in at.caption]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    parts += labels(at)
    return "\n".join(parts)


def pages(at: AppTest) -> list[tuple[str, str]]:
    """The sidebar's page links (st.navigation) as (title, URL path). AppTest 1.67 shows
    no element for them and its switch_page takes page files only (our pages are
    functions), so this and go_to read AppTest's page registry."""
    return [(info["page_name"], info["url_pathname"]) for info in at._registered_pages.values()]


def go_to(at: AppTest, url_path: str) -> AppTest:
    """A click on a page link in the sidebar ("" = Hledání, the home page)."""
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info["url_pathname"] == url_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="w_q").input(query)
    button(at, "Hledat").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def result_titles(at: AppTest) -> list[str]:
    return [unescape(b.label) for b in at.button if b.key and b.key.startswith("open-")]


def sidebar_multiselect(at: AppTest, key: str):
    return at.sidebar.multiselect(key=key)


# ---------------------------------------------------------------- home


def indexed(index: Path) -> dict[str, IndexedDocument]:
    from kb.search import open_backend

    backend = open_backend(index)
    try:
        return {d.path: d for d in backend.documents()}
    finally:
        backend.close()


def tagged(index: Path, facet: str, value: str) -> list[str]:
    """Paths carrying a tag (sidecar tags plus whatever the automatic tagger added)."""
    return sorted(p for p, d in indexed(index).items() if value in d.values(facet))


def test_home_shows_topics_professions_with_counts_and_newest(env):
    _, index = env
    at = open_app()
    shown = labels(at)
    for facet, value, name in (("topics", "kybersikana", "Kyberšikana"),
                               ("topics", "domaci-nasili", "Domácí násilí"),
                               ("professions", "policie", "Policie"),
                               ("professions", "ospod", "OSPOD")):
        assert f"{name} · {len(tagged(index, facet, value))}" in shown
    # newest first: the 2024 methodology before the 2021 one
    titles = [unescape(b.label) for b in at.button if b.key and b.key.startswith("newest-")]
    assert titles.index("Kyberšikana ve škole — metodický pokyn") < \
        titles.index("Domácí násilí a spolupráce s policií")
    assert "V knihovně je 5" in page_html(at)


def test_clicking_a_topic_on_home_lists_its_documents(env):
    _, index = env
    at = open_app()
    expected = tagged(index, "topics", "domaci-nasili")
    button(at, f"Domácí násilí · {len(expected)}").click().run()
    assert "Domácí násilí a spolupráce s policií" in result_titles(at)
    assert len(result_titles(at)) == len(expected)
    assert qp(at, "topic") == ["domaci-nasili"]


# ---------------------------------------------------------------- search


def test_search_lists_one_result_per_document_with_pages_and_marked_words(env):
    at = search(open_app(), "kyberšikana")
    titles = result_titles(at)
    assert titles[0] == "Kyberšikana ve škole — metodický pokyn"
    assert len(titles) == len(set(titles))  # one result per document
    html = page_html(at)
    assert re.search(r"Nalezeno <b>\d+\xa0dokument", html)
    assert re.search(r"Shoda na str\. 1–[23]<", html)
    assert '<span class="kb-where">str. 2</span> Postup při <mark>kyberšikaně</mark>' in html
    assert "<mark>Kyberšikana</mark>" in html and "<mark>kyberšikaně</mark>" in html
    assert "Metodika · Základní škola Lipnice · 2024 · 3\xa0strany" in html
    assert 'kb-chip-topic">Kyberšikana<' in html and 'kb-chip-profession">Školství a PPP<' in html
    assert qp(at, "q") == ["kyberšikana"]


def test_search_ignores_diacritics_and_inflection(env):
    at = search(open_app(), "kybersikane")
    assert "Kyberšikana ve škole — metodický pokyn" in result_titles(at)
    assert "<mark>kyberšikaně</mark>" in page_html(at)


def test_filters_show_counts_for_the_query_and_narrow_results(env):
    _, index = env
    at = search(open_app(), "kyberšikana")
    found = set(result_titles(at))
    docs = indexed(index)
    titles = {d.title: p for p, d in docs.items()}
    matching = {titles[t] for t in found}

    def expected(facet: str, value: str) -> int:
        return sum(1 for p in matching if value in docs[p].values(facet))

    topic = sidebar_multiselect(at, "w_f_topic")
    assert f"Kyberšikana ({expected('topics', 'kybersikana')})" in topic.options
    profession = sidebar_multiselect(at, "w_f_profession")
    assert f"Policie ({expected('professions', 'policie')})" in profession.options
    profession.select("policie").run()
    narrowed = result_titles(at)
    assert "Domácí násilí a spolupráce s policií" in narrowed
    assert "Kyberšikana ve škole — metodický pokyn" not in narrowed or \
        "policie" in docs[KYBER].professions
    assert len(narrowed) == expected("professions", "policie") < len(found)
    assert qp(at, "profession") == ["policie"]
    # counts follow the query; a filter that empties the result can be dropped in one click
    at = search(at, "opatrovník")
    assert result_titles(at) == []
    assert "Opatrovník (1)" not in sidebar_multiselect(at, "w_f_topic").options
    button(at, "Hledat bez filtrů").click().run()
    assert result_titles(at) == ["Opatrovník"]


def test_app_sidebar_counts_filters_and_url_keep_the_audience(env):
    at = search(open_app(), "kyberšikana")
    audience = sidebar_multiselect(at, "w_f_audience")
    assert "Rodiče (1)" in audience.options  # the leaflet's sidecar says audience: [rodice]
    audience.select("rodice").run()
    assert result_titles(at) == ["Rozhovor s dítětem"]
    assert qp(at, "audience") == ["rodice"]
    assert 'kb-chip-profession">Rodiče<' in page_html(at)
    at = open_app({"q": "kyberšikana", "audience": "rodice"})
    assert sidebar_multiselect(at, "w_f_audience").value == ["rodice"]
    assert result_titles(at) == ["Rozhovor s dítětem"]


def test_year_filter_narrows_results(env):
    at = search(open_app(), "kyberšikana")
    slider = at.sidebar.slider(key="w_f_years")
    slider.set_range(2023, 2024).run()
    assert result_titles(at) == ["Kyberšikana ve škole — metodický pokyn"]
    assert qp(at, "year") == ["2023-2024"]


def test_url_restores_query_filters_and_detail(env):
    at = open_app({"q": "kyberšikana", "profession": "policie"})
    assert at.text_input(key="w_q").value == "kyberšikana"
    assert sidebar_multiselect(at, "w_f_profession").value == ["policie"]
    assert result_titles(at) == ["Domácí násilí a spolupráce s policií"]

    at = open_app({"q": "kyberšikana", "doc": KYBER})
    html = page_html(at)
    assert "Kyberšikana ve škole — metodický pokyn" in html
    assert "Kde se hledané slovo vyskytuje" in [s.value for s in at.subheader]


def test_url_with_unknown_filter_warns_and_still_searches(env):
    at = open_app({"q": "kyberšikana", "topic": ["kybersikana", "neexistuje"]})
    assert any("neexistuje" in unescape(w.value) for w in at.warning)
    assert sidebar_multiselect(at, "w_f_topic").value == ["kybersikana"]
    assert result_titles(at)


def test_empty_result_suggests_a_spelling_and_the_suggestion_finds_it(env):
    at = search(open_app(), "kyberšykana")
    assert result_titles(at) == []
    assert "Nic jsme nenašli pro „kyberšykana“" in page_html(at)
    suggestion = button(at, "Měli jste na mysli", start=True)
    assert unescape(suggestion.label) == "Měli jste na mysli: kyberšikana?"
    suggestion.click().run()
    assert "Kyberšikana ve škole — metodický pokyn" in result_titles(at)


def test_bad_query_gets_a_czech_message_not_a_traceback(env):
    at = search(open_app(), '"neuzavřená uvozovka')
    assert not at.exception
    assert any("uvozovk" in e.value for e in at.error)


def test_type_filter_alone_lists_documents_of_that_type(env):
    at = open_app({"type": "metodika"})
    assert sorted(result_titles(at)) == ["Domácí násilí a spolupráce s policií",
                                         "Kyberšikana ve škole — metodický pokyn"]


def test_more_results_button_shows_the_next_page(env, monkeypatch):
    monkeypatch.setattr("ui.state.PAGE_SIZE", 2)
    at = open_app({"q": "kyberšikana"})
    shown = result_titles(at)
    assert len(shown) == 2
    more = button(at, "Zobrazit další výsledky", start=True)
    more.click().run()
    assert len(result_titles(at)) > 2 and result_titles(at)[:2] == shown


# ---------------------------------------------------------------- detail


def test_detail_shows_metadata_tags_with_evidence_hits_and_similar(env):
    at = open_app({"q": "kyberšikana", "doc": KYBER})
    html = page_html(at)
    assert "<th>Vydal</th><td>Základní škola Lipnice</td>" in html
    assert "<th>Rok</th><td>2024</td>" in html
    assert "Proč tento štítek?" in [e.label for e in at.expander]
    assert "Přiděleno ručně v metadatech dokumentu" in html  # the sidecar topic
    assert re.search(r"Shoda na str\. 1–[23]<", html)
    link_labels = [b.proto.label for b in at.get("link_button")]
    assert "Otevřít PDF na str. 1" in link_labels or "Otevřít PDF na str. 2" in link_labels
    urls = [b.proto.url for b in at.get("link_button")]
    assert any(re.fullmatch(r"app/static/kb/[0-9a-f]{32}\.pdf#page=\d", u) for u in urls)
    assert "Podobné dokumenty" in [s.value for s in at.subheader]
    assert any(b.key and b.key.startswith("similar-") for b in at.button)
    download = at.get("download_button")
    assert download and download[0].proto.label == "Stáhnout originál"


def test_detail_back_button_returns_to_results(env):
    at = open_app({"q": "kyberšikana", "doc": KYBER})
    button(at, "← Zpět na výsledky").click().run()
    assert result_titles(at)
    assert "doc" not in at.query_params


def test_detail_of_missing_document_says_so(env):
    at = open_app({"doc": "neni/tady.pdf"})
    assert any("v knihovně není" in unescape(w.value) for w in at.warning)


# ---------------------------------------------------------------- collection


def test_add_to_collection_reorder_note_and_export(env):
    corpus, _ = env
    at = search(open_app(), "kyberšikana")
    at.button(key="add-0").click().run()
    assert any("Přidáno do sady" in unescape(t.value) for t in at.toast)
    # the button shows the state; the pages of a whole document in the set need no click
    assert unescape(at.button(key="add-0").label) == "V sadě ✓ · odebrat"
    assert at.button(key="addp-0").disabled and "v sadě ✓" in unescape(at.button(key="addp-0").label)
    at.button(key="add-1").click().run()
    collection: Collection = at.session_state["collection"]
    assert len(collection) == 2
    assert "sada" in at.query_params
    assert "Moje sada materiálů (2)" in [title for title, _ in pages(at)]

    go_to(at, "sada")
    assert at.header[0].value == "Moje sada materiálů"
    at.text_area(key="w_note_0").input("Pro úvodní blok kurzu").run()
    at.button(key="down-0").click().run()
    collection = at.session_state["collection"]
    assert collection.items[1].note == "Pro úvodní blok kurzu"
    labels_dl = [d.proto.label for d in at.get("download_button")]
    assert labels_dl == ["Vše jako ZIP", "Seznam literatury (DOCX)", "Seznam literatury (Markdown)",
                         "Uložit sadu (JSON)"]

    # the bytes behind "Vše jako ZIP" (the button's data is built on click)
    documents = {KYBER: IndexedDocument(KYBER, title="Kyberšikana ve škole — metodický pokyn",
                                        organization="Základní škola Lipnice", year=2024, page_count=3)}
    for item in collection.items:
        documents.setdefault(item.path, IndexedDocument(item.path, title=item.path))
    result = export_zip(collection, documents, corpus)
    names = zipfile.ZipFile(io.BytesIO(result.data)).namelist()
    assert any(n.endswith("kybersikana-ve-skole.pdf") for n in names)
    assert {"seznam-literatury.md", "seznam-literatury.docx", "sada-materialu.json"} <= set(names)
    md = zipfile.ZipFile(io.BytesIO(result.data)).read("seznam-literatury.md").decode()
    assert "Pro úvodní blok kurzu" in md


def test_collection_survives_a_reload_through_the_url(env):
    at = search(open_app(), "kyberšikana")
    [b for b in at.button if b.key == "add-0"][0].click().run()
    param = qp(at, "sada")[0]
    again = open_app({"sada": param, "view": "sada"})
    assert [i.path for i in again.session_state["collection"].items] == [KYBER]
    assert "Kyberšikana ve škole — metodický pokyn" in page_html(again)


def test_collection_file_can_be_loaded_again(env):
    saved = Collection(name="Kurz OSPOD")
    saved.add(KYBER, [2], note="Na úvod")
    saved.items.append(Item(path="../../etc/passwd"))
    at = open_app({"view": "sada"})
    at.file_uploader(key="load-collection").set_value(
        ("sada-materialu.json", saved.to_json(), "application/json"))
    at.run()
    loaded = at.session_state["collection"]
    assert loaded.paths() == [KYBER] and loaded.items[0].note == "Na úvod"
    assert loaded.name == "Kurz OSPOD"
    assert any("Sada načtena" in unescape(s.value) for s in at.success)
    assert any("mimo knihovnu" in unescape(w.value) for w in at.warning)


def test_collection_buttons_say_what_changed(env):
    at = search(open_app(), "kyberšikana")
    title = result_titles(at)[0]
    at.button(key="addp-0").click().run()
    added = [unescape(t.value) for t in at.toast]
    assert any(t.startswith(f"Přidáno do sady: {title} (str. ") for t in added), added  # a space before (
    assert unescape(at.button(key="add-0").label) == "Přidat celý dokument"
    at.button(key="add-0").click().run()
    whole = [unescape(t.value) for t in at.toast]
    assert any("V sadě je teď celý dokument" in t for t in whole), whole
    assert not any("doplněny" in t for t in whole)
    at.button(key="add-0").click().run()  # "V sadě ✓ · odebrat"
    assert any(unescape(t.value).startswith("Odebráno ze sady") for t in at.toast)
    assert len(at.session_state["collection"]) == 0


def test_adding_hit_pages_says_when_only_the_first_ones_go_in():
    from ui.collect import MAX_HIT_PAGES, hit_pages_offer

    text, hint, chosen, done = hit_pages_offer(list(range(1, 24)), None)
    assert text == f"Přidat prvních {MAX_HIT_PAGES} str. se shodou" and chosen == list(range(1, 21))
    assert "Shoda je na 23 stranách" in hint and "detailu" in hint and not done
    assert hit_pages_offer([3, 1, 2], None)[0] == "Přidat str. 1–3"
    assert hit_pages_offer([1, 2], [])[3] and hit_pages_offer([1, 2], [1, 2, 5])[3]


def test_emptying_the_collection_asks_first(env):
    saved = Collection()
    saved.add(KYBER)
    at = open_app({"sada": saved.to_param(), "view": "sada"})
    assert len(at.session_state["collection"]) == 1  # the popover only opens; nothing is lost
    at.button(key="clear-collection").click().run()
    assert len(at.session_state["collection"]) == 0
    assert "sada" not in at.query_params


def test_broken_collection_link_is_reported(env):
    at = open_app({"sada": "1.nesmysl", "view": "sada"})
    assert any("odkaz" in e.value for e in at.error)
    assert len(at.session_state["collection"]) == 0


def test_collection_link_with_path_outside_corpus_is_refused(env):
    hostile = Collection()
    hostile.items.append(Item(path="../../etc/passwd"))
    at = open_app({"sada": hostile.to_param(), "view": "sada"})
    assert len(at.session_state["collection"]) == 0
    assert any("mimo knihovnu" in unescape(w.value) for w in at.warning)


# ---------------------------------------------------------------- admin: uploads and reindex


@pytest.fixture
def fresh_env(tmp_path, monkeypatch):
    """A corpus and index of its own: these tests change the library."""
    from builders import make_pdf

    corpus = tmp_path / "corpus"
    make_pdf(corpus / "metodiky" / "supervize.pdf", ["Supervize v praxi OSPOD. Supervizor vede skupinu."])
    index = tmp_path / "index"
    run_index(corpus, index, workers=1)
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(index))
    return corpus, index


def form_key(at: AppTest, name: str) -> str:
    """The upload form's widget key of this generation (a new one after each success)."""
    generation = at.session_state["upload-generation"] if "upload-generation" in at.session_state else 0
    return f"{name}-{generation}"


def upload(at: AppTest, name: str, data: bytes, **fields) -> AppTest:
    at.file_uploader(key=form_key(at, "upload-file")).set_value((name, data, "application/octet-stream"))
    for key, value in fields.items():
        at.text_input(key=form_key(at, key)).input(value)
    button(at, "Uložit do knihovny a zaindexovat").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_saves_safely_indexes_and_refuses_overwrite_without_consent(fresh_env):
    from builders import make_pdf

    corpus, _ = fresh_env
    pdf = make_pdf(corpus.parent / "nahravka.pdf", ["Mediace rodinného konfliktu. Facilitace setkání."])
    at = open_app({"view": "sprava"})
    at = upload(at, "../../Mediace v rodině.pdf", pdf.read_bytes(), **{"upload-title": "Mediace v rodině",
                                                                       "upload-year": "2023"})
    saved = corpus / "mediace-v-rodine.pdf"
    assert saved.read_bytes() == pdf.read_bytes()
    assert "title: Mediace v rodině" in saved.with_suffix(".yaml").read_text(encoding="utf-8")
    assert any("uložen jako mediace-v-rodine.pdf" in unescape(s.value) for s in at.success)
    assert any("indexace hotová" in s.value for s in at.success)
    assert not (corpus.parent.parent / "Mediace v rodině.pdf").exists()

    # after success the form is empty: a second click uploads nothing twice
    assert at.file_uploader(key=form_key(at, "upload-file")).value is None
    assert at.text_input(key=form_key(at, "upload-title")).value == ""
    button(at, "Uložit do knihovny a zaindexovat").click()
    at.run()
    assert not any("Chcete ho nahradit" in unescape(w.value) for w in at.warning)
    assert any("Soubor nedorazil" in unescape(w.value) for w in at.warning)

    # the same name again: nothing is overwritten until the user decides
    at = upload(at, "mediace v rodine.pdf", pdf.read_bytes())
    assert any("Chcete ho nahradit" in unescape(w.value) for w in at.warning)
    button(at, "Uložit jako mediace-v-rodine-2.pdf").click().run()
    assert (corpus / "mediace-v-rodine-2.pdf").exists()


def test_upload_form_takes_publisher_and_place_for_the_citation(fresh_env):
    from builders import make_pdf

    corpus, index = fresh_env
    pdf = make_pdf(corpus.parent / "plan.pdf", ["Rodičovský plán. Jak ho sestavit s rodiči."])
    at = open_app({"view": "sprava"})
    publisher = at.text_input(key=form_key(at, "upload-publisher"))
    place = at.text_input(key=form_key(at, "upload-place"))
    assert publisher.label == "Nakladatel" and "jiný než autor" in publisher.help
    assert place.label == "Místo vydání" and "[b. m.]" in place.help
    at = upload(at, "plan.pdf", pdf.read_bytes(), **{
        "upload-title": "Rodičovský plán", "upload-year": "2023", "upload-org": "Spolek Most, z. s.",
        "upload-publisher": "Nakladatelství Most", "upload-place": "Lipnice nad Orlicí"})
    sidecar = (corpus / "plan.yaml").read_text(encoding="utf-8")
    assert "publisher: Nakladatelství Most" in sidecar and "place: Lipnice nad Orlicí" in sidecar
    # the trainer's reading list cites the document with that place and publisher
    at = open_app({"view": "sada", "sada": Collection(items=[Item("plan.pdf")]).to_param()})
    cited = "Spolek Most, z. s. <i>Rodičovský plán</i>. Lipnice nad Orlicí: Nakladatelství Most, 2023."
    assert cited in page_html(at)
    prepared = prepare_export(at.session_state["collection"], indexed(index), corpus)
    assert "Lipnice nad Orlicí: Nakladatelství Most, 2023." in reading_list_markdown(
        at.session_state["collection"], prepared)


def test_upload_form_offers_every_tag_facet_and_saves_the_chosen_audience(fresh_env):
    from builders import make_pdf

    corpus, index = fresh_env
    pdf = make_pdf(corpus.parent / "pestouni.pdf", ["Pěstounská péče. Jak pečovat o přijaté dítě."])
    at = open_app({"view": "sprava"})
    labels = [m.label for m in at.multiselect]
    assert {"Témata", "Profese", "Cílové skupiny"} <= set(labels), labels
    at.multiselect(key=form_key(at, "upload-audience")).set_value(["pestouni"])
    at = upload(at, "pestouni.pdf", pdf.read_bytes(), **{"upload-title": "Pěstounská péče v praxi"})
    sidecar = yaml.safe_load((corpus / "pestouni.yaml").read_text(encoding="utf-8"))
    assert sidecar["audience"] == ["pestouni"]
    assert "pestouni" in indexed(index)["pestouni.pdf"].values("audience")


def test_upload_checks_the_type_from_content_and_the_size(fresh_env, monkeypatch):
    at = open_app({"view": "sprava"})
    at = upload(at, "zprava.pdf", b"<html><body>Tohle je web</body></html>")
    assert any("je to webová stránka (HTML)" in unescape(e.value) for e in at.error)
    assert not any("přejmenujte" in unescape(e.value) for e in at.error)
    at = upload(at, "program.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4)
    assert any("není PDF, DOCX ani prostý text" in unescape(e.value) for e in at.error)

    monkeypatch.setenv("KB_MAX_UPLOAD_MB", "1")
    at = open_app({"view": "sprava"})
    at = upload(at, "velky.txt", b"a" * (1024 * 1024 + 1))
    assert any("příliš velký" in unescape(e.value) and "limit 1 MB" in unescape(e.value) for e in at.error)
    # a file the browser refused never arrives: say so in Czech, with the limit and what to do
    button(at, "Uložit do knihovny a zaindexovat").click()
    at.file_uploader(key=form_key(at, "upload-file")).set_value(None)
    at.run()
    refused = [unescape(w.value) for w in at.warning]
    assert any("limit 1 MB" in w and "zmenšete" in w for w in refused), refused
    assert not any(w == "Nejdřív vyberte soubor." for w in refused)


def test_reindex_button_shows_progress_result(fresh_env):
    corpus, _ = fresh_env
    (corpus / "poznamka.txt").write_text("Poznámka o supervizi a dluzích.", encoding="utf-8")
    at = open_app({"view": "sprava"})
    button(at, "Přeindexovat knihovnu").click().run()
    assert any("1 nově zařazeno" in s.value for s in at.success)


def test_missing_index_is_built_on_first_start_and_skips_are_explained(library, tmp_path, monkeypatch):
    corpus, _ = library
    own = tmp_path / "corpus"
    shutil.copytree(corpus, own)
    monkeypatch.setenv("KB_CORPUS_DIR", str(own))
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "new-index"))
    at = open_app()
    assert any("Knihovna je připravená" in s.value for s in at.success)
    assert "Přeskočené soubory a proč" in [e.label for e in at.expander]
    assert BROKEN in page_html(at)


def test_missing_corpus_is_a_czech_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_CORPUS_DIR", str(tmp_path / "neni"))
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    at = open_app()
    assert any("neexistuje" in unescape(e.value) for e in at.error)


# ---------------------------------------------------------------- safety: hostile text stays text


ALLOWED_TAGS = {"div", "span", "mark", "b", "i", "ul", "li", "table", "tr", "th", "td", "a", "style",
                "h3", "code"}


class _Tags(HTMLParser):
    """Every tag and attribute that the browser would build from the app's HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def _assert_inert(at: AppTest) -> None:
    # the one block that may run script is theme.py's own constant one, never content
    from ui.theme import CZECH_JS

    scripted = [h.value for h in at.get("html") if h.proto.unsafe_allow_javascript]
    assert len(scripted) == 1 and scripted[0].startswith(CZECH_JS.split("__LIMIT_MB__")[0])
    parser = _Tags()
    parser.feed("\n".join(h.value for h in at.get("html") if not h.proto.unsafe_allow_javascript))
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, tag  # no <script>, <img>, <iframe> from content
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name == "href":
                assert (value or "").startswith(("http://", "https://")), value
    # Markdown surfaces (labels, alerts, captions): every control character is escaped
    for text in [m.value for m in at.markdown] + [c.value for c in at.caption] + \
            [b.label for b in at.button] + [e.value for e in (*at.error, *at.warning, *at.info)]:
        assert not re.search(r"(?<!\\)\]\(", text), text  # no [..](..) link
        assert not re.search(r"(?<!\\)<(script|img|b)\b", text), text
        assert not re.search(r"(?<!\\)\*\*", text), text  # no emphasis


def test_hostile_document_renders_as_text_in_results(env):
    at = search(open_app(), "zlovolný")
    _assert_inert(at)
    html = page_html(at)
    assert "&lt;script&gt;alert(&quot;xss-script&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&quot;xss-img&quot;)&gt;" in html
    assert "&lt;img src=x onerror=alert(&quot;xss-org&quot;)&gt;" in html
    title = [b for b in at.button if b.key == "open-0"][0].label
    assert unescape(title).startswith('<script>alert("xss-title")</script> Zlovolný **dokument**')


def test_hostile_query_renders_as_text(env):
    at = search(open_app(), XSS_QUERY)
    _assert_inert(at)
    assert "&lt;script&gt;alert(‚xss-q‘)&lt;/script&gt;" in page_html(at)  # inner quotes as Czech ‚…‘


def test_hostile_document_detail_renders_as_text(env):
    at = open_app({"q": "zlovolný", "doc": HOSTILE})
    _assert_inert(at)
    html = page_html(at)
    assert 'href="javascript' not in html  # the javascript: source URL is not a link
    assert "&lt;b onmouseover=alert(1)&gt;shrnutí&lt;/b&gt;" in html


def test_hostile_collection_note_stays_text_in_the_reading_list(env):
    corpus, _ = env
    collection = Collection()
    collection.add(HOSTILE, [1], note='<script>alert("n")</script> [x](javascript:alert(1)) **b**')
    documents = {HOSTILE: IndexedDocument(HOSTILE, title="<img src=x onerror=alert(1)>", year=2020)}
    data = export_zip(collection, documents, corpus).data
    md = zipfile.ZipFile(io.BytesIO(data)).read("seznam-literatury.md").decode()
    assert not re.search(r"(?<!\\)<(script|img)", md)
    assert not re.search(r"(?<!\\)\]\(", md)  # no Markdown link
    assert "\\<script\\>" in md


# ---------------------------------------------------------------- pages (st.navigation)


def test_pages_have_czech_titles_and_their_own_paths(env):
    at = open_app()
    assert pages(at) == [("Hledání", ""), ("Moje sada materiálů", "sada"), ("Správa knihovny", "sprava")]
    icons = [info["icon"] for info in at._registered_pages.values()]
    assert all(icon.startswith(":material/") for icon in icons), icons
    go_to(at, "sprava")
    assert at.header[0].value == "Správa knihovny"
    go_to(at, "sada")
    assert at.header[0].value == "Moje sada materiálů"


def test_moving_between_pages_keeps_the_search_and_its_url(env):
    at = search(open_app({"profession": "skolstvi"}), "kyberšikana")
    shown = result_titles(at)
    go_to(at, "sada")
    assert "Hledat" not in labels(at)
    # the search travels along in the URL, so a link copied on any page restores it
    assert qp(at, "q") == ["kyberšikana"] and qp(at, "profession") == ["skolstvi"]
    go_to(at, "")
    assert result_titles(at) == shown and at.text_input(key="w_q").value == "kyberšikana"


@pytest.mark.parametrize("view, heading", [("sada", "Moje sada materiálů"), ("sprava", "Správa knihovny")])
def test_an_older_view_link_opens_its_page_with_the_rest_of_the_url(env, view, heading):
    collection = Collection()
    collection.add(KYBER)
    at = open_app({"view": view, "sada": collection.to_param(), "q": "kyberšikana"})
    assert at.header[0].value == heading
    assert qp(at, "sada") == [collection.to_param()] and qp(at, "q") == ["kyberšikana"]
    assert "view" not in at.query_params  # the path names the page from now on
    assert "Moje sada materiálů (1)" in [title for title, _ in pages(at)]


def test_all_app_views_render_without_errors(env):
    for params in ({}, {"q": "kyberšikana"}, {"view": "sada"}, {"view": "sprava"},
                   {"q": "xyz nesmysl qqq"}, {"doc": ROZHOVOR}, {"doc": NASILI, "q": "policie"}):
        at = open_app(params)
        assert not at.error, (params, [e.value for e in at.error])
