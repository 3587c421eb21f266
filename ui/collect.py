"""Adding to the trainer's collection from anywhere on the page (a button callback)."""
from __future__ import annotations

import streamlit as st

from kb.collections import CollectionError, format_pages
from kb.paths import UnsafePath
from ui import state
from ui.html import label


def add_to_collection(path: str, pages: list[int], title: str = "") -> None:
    collection = state.collection()
    try:
        new = collection.add(path, pages)
    except (CollectionError, UnsafePath) as e:
        st.toast(label(str(e), 300), icon=":material/warning:")
        return
    what = label(title or path, 80)
    where = f" (str. {format_pages(pages)})" if pages else ""
    if new:
        st.toast(f"Přidáno do sady: {what}{label(where)}", icon=":material/check_circle:")
    else:
        st.toast(f"Už v sadě je, stránky doplněny: {what}{label(where)}", icon=":material/info:")
