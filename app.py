"""Znalostní báze metodik sociální práce — the Streamlit app.

Run: `streamlit run app.py` (serves http://localhost:8501; see README to expose it).
This file only wires the pages together; the pages live in ui/, all logic in kb/.
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
VIEW_LABELS = {"hledani": "Hledání", "sada": "Moje sada materiálů", "sprava": "Správa knihovny"}


def main() -> None:
    st.set_page_config(page_title="Metodiky sociální práce", page_icon="📚", layout="wide",
                       initial_sidebar_state="expanded",
                       menu_items={"About": "Znalostní báze metodik sociální práce"})
    theme.inject()
    state.load_from_url()
    arrivals.ensure_watcher(settings())
    lib = _library()
    if lib is None:
        return
    _render_navigation()
    _render_notices()
    view = state.current()
    if view.view == "sada":
        collection_page.render(lib)
    elif view.view == "sprava":
        admin_page.render(lib)
    elif view.doc:
        detail_page.render(lib, view)
    else:
        _render_masthead()
        search_page.render(lib, view)
    state.write_url()


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


def _render_navigation() -> None:
    count = len(state.collection())
    labels = dict(VIEW_LABELS)
    if count:
        labels["sada"] = f"{VIEW_LABELS['sada']} ({count})"
    st.session_state["w_" + state.VIEW] = st.session_state.get(state.VIEW, "hledani")

    def commit() -> None:
        st.session_state[state.VIEW] = st.session_state["w_" + state.VIEW]

    st.sidebar.radio("Přejít na", list(VIEW_LABELS), key="w_" + state.VIEW, format_func=labels.get,
                     on_change=commit, label_visibility="collapsed")
    st.sidebar.divider()


def _render_masthead() -> None:
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    left.title("Metodiky sociální práce")
    if state.current().request.query or state.current().request.topics:
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
