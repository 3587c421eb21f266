"""The trainer's collection from anywhere on the page: the "Přidat do sady" button with
visible state (in the set it offers removal) and a toast that says what really changed."""
from __future__ import annotations

import streamlit as st

from kb.czech import format_pages
from kb.library.collections import CollectionError
from kb.paths import UnsafePath
from ui import state
from ui.html import label

MAX_HIT_PAGES = 20  # pages with hits one click adds; more are picked in the detail


def add_to_collection(path: str, pages: list[int], title: str = "") -> None:
    collection = state.collection()
    before = collection.find(path)
    old_pages = None if before is None else list(before.pages)
    try:
        collection.add(path, pages)
    except (CollectionError, UnsafePath) as e:
        st.toast(label(str(e), 300), icon=":material/warning:")
        return
    st.toast(_outcome(label(title or path, 80), old_pages, pages), icon=":material/check_circle:")


def remove_from_collection(path: str, title: str = "") -> None:
    collection = state.collection()
    for index, item in enumerate(collection.items):
        if item.path == path:
            collection.remove(index)
            st.toast(f"Odebráno ze sady: {label(title or path, 80)}", icon=":material/remove_circle:")
            return


def _outcome(what: str, old_pages: list[int] | None, pages: list[int]) -> str:
    """Czech words for what the click changed; old_pages None = it was not in the set,
    [] = the whole document was."""
    where = f" (str. {format_pages(pages)})" if pages else ""
    if old_pages is None:
        return f"Přidáno do sady: {what}{where}"
    if old_pages == []:
        return f"Celý dokument už v sadě je: {what}"
    if not pages:
        return f"V sadě je teď celý dokument (dříve str. {format_pages(old_pages)}): {what}"
    added = sorted(set(pages) - set(old_pages))
    if not added:
        return f"Tyto stránky už v sadě jsou: {what}{where}"
    return f"Do sady doplněny str. {format_pages(added)}: {what}"


def whole_document_button(container, path: str, title: str, key: str) -> None:
    """'Přidat do sady', or 'V sadě ✓ · odebrat' once the whole document is in the set."""
    item = state.collection().find(path)
    if item is not None and not item.pages:
        container.button("V sadě ✓ · odebrat", key=key, width="stretch", on_click=remove_from_collection,
                         args=(path, title), help="Dokument je v Mé sadě materiálů; kliknutím ho odeberete")
    elif item is not None:
        container.button("Přidat celý dokument", key=key, width="stretch", on_click=add_to_collection,
                         args=(path, [], title),
                         help=f"V sadě jsou zatím jen str. {format_pages(item.pages)}")
    else:
        container.button("Přidat do sady", key=key, width="stretch", on_click=add_to_collection,
                         args=(path, [], title), help="Přidat celý dokument do Mé sady materiálů")


def hit_pages_offer(pages: list[int], in_set: list[int] | None) -> tuple[str, str, list[int], bool]:
    """(button text, help, pages it adds, already done) for the pages with hits; says so
    when only the first MAX_HIT_PAGES of them go in. in_set: None = not in the set,
    [] = the whole document is."""
    pages = sorted({p for p in pages if p > 0})
    chosen = pages[:MAX_HIT_PAGES]
    if in_set is not None and (not in_set or set(chosen) <= set(in_set)):
        return f"Str. {format_pages(chosen)} v sadě ✓", "Tyto stránky už v sadě jsou", chosen, True
    if len(pages) > MAX_HIT_PAGES:
        return (f"Přidat prvních {MAX_HIT_PAGES} str. se shodou",
                f"Shoda je na {len(pages)} stranách; přidá se prvních {MAX_HIT_PAGES} "
                f"(str. {format_pages(chosen)}). Další stránky vyberete v detailu dokumentu.", chosen, False)
    return f"Přidat str. {format_pages(chosen)}", "Přidat do sady jen stránky se shodou", chosen, False


def hit_pages_button(container, path: str, title: str, pages: list[int], key: str) -> None:
    if not any(p > 0 for p in pages):
        return
    item = state.collection().find(path)
    text, hint, chosen, done = hit_pages_offer(pages, None if item is None else item.pages)
    container.button(text, key=key, width="stretch", disabled=done, help=hint,
                     on_click=add_to_collection, args=(path, chosen, title))
