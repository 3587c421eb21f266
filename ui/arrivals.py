"""The watched folder in the app (kb/index/watch.py): with KB_WATCH=1 the watcher runs beside
the app; the home page lists newly arrived documents and shows new ones as soon as a
run publishes them, without a restart or a click."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import streamlit as st

from kb.index import store as kb_index
from kb.index.watch import newly_arrived, start_background
from ui import state
from ui.html import esc, label

log = logging.getLogger("kb.app")
REFRESH_SECONDS = 3


def watching() -> bool:
    return os.environ.get("KB_WATCH", "").strip().lower() in ("1", "true", "yes", "ano")


@st.cache_resource(show_spinner=False)
def _watcher(corpus: str, index: str):
    """One watcher process per app server (not per browser session)."""
    from kb.settings import Settings

    return start_background(Settings.from_env())


def ensure_watcher(cfg) -> None:
    if not watching():
        return
    if cfg.read_only:
        log.warning("KB_WATCH=1 is ignored: the app runs read-only (KB_READ_ONLY)")
        return
    _watcher(str(cfg.corpus_dir), str(cfg.index_dir))


def render(lib) -> None:
    """'Nově přidané' on the home page; reruns the page when a newer index is published."""
    created, arrivals = lib.backend.arrivals()
    recent = newly_arrived(lib.documents(), arrivals, created)
    if recent:
        st.subheader("Nově přidané")
        for i, doc in enumerate(recent):
            st.button(label(doc.display_title), key=f"arrived-{i}", type="tertiary",
                      on_click=state.open_doc, args=(doc.path,))
            st.html(f'<div class="kb-newest-meta">{esc(doc.path)}</div>')
    _follow(str(lib.settings.index_dir), lib.generation)


@st.fragment(run_every=REFRESH_SECONDS)
def _follow(index_dir: str, shown: str) -> None:
    """Checks (a file read) whether the index moved on; then shows the new one."""
    live = kb_index.current_generation(Path(index_dir))
    if live is not None and str(live) != shown:
        st.rerun()
