"""Znalostní báze metodik sociální práce — the Streamlit app.

Run: `streamlit run app.py` (serves http://localhost:8501; see README to expose it).
This file only wires the pages together (st.navigation: Hledání at "/", /sada, /sprava);
the pages live in ui/, all logic in kb/.
"""
from __future__ import annotations

import logging

import streamlit as st

from kb.errors import IndexMissing, KbError
from ui import admin_page, arrivals, collection_page, detail_page, search_page, state, theme
from ui.backend import Library, open_library, settings
from ui.html import label
from ui.html import message as html_message

log = logging.getLogger("kb.app")
FIRST_BUILD = search_page.FIRST_BUILD
# (page id = URL path, Czech title, icon); the first is the home page at "/"
PAGES = (("hledani", "Hledání", ":material/search:"),
         ("sada", "Moje sada materiálů", ":material/collections_bookmark:"),
         ("sprava", "Správa knihovny", ":material/settings:"))


def main() -> None:
    st.set_page_config(page_title="Metodiky sociální práce", page_icon="📚", layout="wide",
                       initial_sidebar_state="expanded",
                       menu_items={"About": "Znalostní báze metodik sociální práce"})
    theme.inject(settings().max_upload_bytes // (1024 * 1024))
    state.load_from_url()
    arrivals.ensure_watcher(settings())
    lib = _library()
    if lib is None:
        return
    pages = _pages(lib)
    page = st.navigation(list(pages.values()))
    wanted = state.pop_page_request()  # an older link's ?view=sada|sprava
    if wanted in pages and pages[wanted].url_path != page.url_path:
        st.switch_page(pages[wanted])
    _render_notices()
    page.run()
    state.write_url()


def _pages(lib: Library) -> dict[str, st.Page]:
    """The app's pages; the collection's title carries its size ("Moje sada materiálů (3)")."""
    render = {"hledani": lambda: _render_search(lib), "sada": lambda: collection_page.render(lib),
              "sprava": lambda: admin_page.render(lib)}
    count = len(state.collection())
    pages = {}
    for i, (page_id, title, icon) in enumerate(PAGES):
        if page_id == "sada" and count:
            title = f"{title} ({count})"
        pages[page_id] = st.Page(render[page_id], title=title, icon=icon, url_path=page_id,
                                 default=i == 0)
    return pages


def _render_search(lib: Library) -> None:
    """Search and its results, or one document's detail when the URL names it (doc=)."""
    view = state.current()
    if view.doc:
        detail_page.render(lib, view)
    else:
        _render_masthead()
        search_page.render(lib, view)


def _library() -> Library | None:
    """The open index; built first (with progress) when there is none yet."""
    cfg = settings()
    try:
        return open_library(cfg)
    except IndexMissing as e:
        if getattr(cfg, "read_only", False):
            st.title("Metodiky sociální práce")
            st.error(html_message(f"{e} Aplikace běží jen pro čtení (KB_READ_ONLY), index musí "
                                  "vytvořit správce příkazem kb index."))
            return None
    st.title("Metodiky sociální práce")
    st.info("Knihovna se připravuje: dokumenty se čtou a indexují. Při prvním spuštění to chvíli trvá.")
    report = admin_page.run_reindex(None, cfg)
    if report is None:
        st.caption(label(f"Složka s dokumenty: {cfg.corpus_dir}. Jinou složku nastavíte proměnnou "
                         "KB_CORPUS_DIR, složku indexu proměnnou KB_INDEX_DIR.", 500))
        return None
    st.session_state[FIRST_BUILD] = report
    st.rerun()


def _render_masthead() -> None:
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    left.title("Metodiky sociální práce")
    if state.current().request.query or state.current().request.filters:
        right.button("Úvodní stránka", on_click=state.go_home, width="stretch")


def _render_notices() -> None:
    for kind, text in state.notices():
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(html_message(text))


def run() -> None:
    # st.rerun() / st.stop() raise BaseException subclasses and pass through untouched
    try:
        main()
    except KbError as e:
        st.error(html_message(e))
    except Exception:  # the page shows what to do; the details go to the server log
        log.exception("Unexpected error in the app")
        st.error("Něco se pokazilo a stránku nešlo zobrazit. Zkuste ji načíst znovu (F5). "
                 "Pokud chyba trvá, přeindexujte knihovnu na stránce Správa knihovny "
                 "nebo kontaktujte správce (podrobnosti jsou v záznamu serveru).")


# Streamlit runs this file as __main__. The indexer's worker processes (spawn) import the
# parent's __main__ as __mp_main__: without this guard each worker would run the app.
if __name__ == "__main__":
    run()
