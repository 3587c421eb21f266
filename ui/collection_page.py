"""'Moje sada materiálů': the trainer's collection — order, pages, notes — and its export."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.czech import format_pages
from kb.library.citations import citation_parts
from kb.library.collections import URL_SAFE_CHARS, Collection, CollectionError, parse_pages
from kb.library.exports import (
    export_filename,
    export_zip,
    prepare_export,
    reading_list_docx,
    reading_list_markdown,
)
from kb.model import IndexedDocument
from ui import state
from ui.backend import Library
from ui.html import count_phrase, esc
from ui.html import message as html_message

LOADED = "collection_loaded_file"


def render(lib: Library) -> None:
    collection = state.collection()
    st.header("Moje sada materiálů")
    documents = lib.documents_by_path()
    if not collection.items:
        st.info("Sada je zatím prázdná. Ve výsledcích hledání nebo v detailu dokumentu klikněte na "
                "„Přidat do sady“. Sadu pak stáhnete jako ZIP se soubory a seznamem literatury.")
        _render_load(collection)
        return
    _render_name(collection)
    st.html(f'<div class="kb-muted">{esc(count_phrase(len(collection), "položka", "položky", "položek"))}'
            " v pořadí, v jakém je budete používat. Stránky a poznámky se propíšou do seznamu literatury.</div>")
    for index, item in enumerate(collection.items):
        _render_item(collection, index, item, documents.get(item.path))
    st.divider()
    _render_export(lib, collection, documents)
    _render_load(collection)


def _render_name(collection: Collection) -> None:
    st.session_state["w_collection_name"] = collection.name

    def commit() -> None:
        from kb.library.collections import clean_name

        collection.name = clean_name(st.session_state["w_collection_name"] or "")

    st.text_input("Název sady (nadpis seznamu literatury)", key="w_collection_name", on_change=commit,
                  max_chars=120)


def _render_item(collection: Collection, index: int, item, entry: IndexedDocument | None) -> None:
    with st.container(border=True, key=f"item-{index}"):
        title = entry.display_title if entry else item.path
        head, buttons = st.columns([3.2, 2.8], vertical_alignment="top")
        head.html(f'<div class="kb-tag-head">{index + 1}. {esc(title)}</div>'
                  + (f'<div class="kb-cite">{citation_html(entry, item.pages)}</div>' if entry else
                     '<div class="kb-cite">Tento dokument v knihovně už není; do ZIP se nepřiloží.</div>'))
        b1, b2, b3 = buttons.columns(3)
        b1.button("Výš", key=f"up-{index}", icon=":material/arrow_upward:", disabled=index == 0,
                  on_click=collection.move, args=(index, -1), width="stretch")
        b2.button("Níž", key=f"down-{index}", icon=":material/arrow_downward:",
                  disabled=index == len(collection) - 1,
                  on_click=collection.move, args=(index, 1), width="stretch")
        b3.button("Odebrat", key=f"remove-{index}", icon=":material/delete:",
                  on_click=collection.remove, args=(index,), width="stretch")
        pages_col, note_col = st.columns([1, 3])
        pages_key, note_key = f"w_pages_{index}", f"w_note_{index}"
        st.session_state[pages_key] = format_pages(item.pages).replace("–", "-")
        st.session_state[note_key] = item.note
        max_page = entry.page_count if entry else 0

        def commit_pages(i: int = index, key: str = pages_key, limit: int = max_page) -> None:
            try:
                pages = parse_pages(st.session_state[key])
                if limit and any(p > limit for p in pages):
                    raise CollectionError(f"Dokument má jen {limit} stran.")
                collection.set_pages(i, pages)
            except CollectionError as e:
                state.push_notice("warning", f"Stránky u položky {i + 1}: {e}")

        pages_col.text_input("Stránky (prázdné = celý dokument)", key=pages_key, on_change=commit_pages,
                             placeholder="např. 3, 5-7", disabled=not max_page,
                             help=None if max_page else "Dokument nemá stránky (DOCX, TXT); přiloží se celý.")
        note_col.text_area("Poznámka pro účastníky", key=note_key, height=68,
                           on_change=lambda i=index, key=note_key: collection.set_note(i, st.session_state[key]),
                           placeholder="Proč materiál zařazujete, na co se zaměřit…", max_chars=2000)


def citation_html(entry: IndexedDocument, pages: list[int]) -> str:
    """The ČSN ISO 690 citation as on the reading list: the title in italics."""
    runs = citation_parts(entry, pages, dt.date.today())
    return "".join(f"<i>{esc(text)}</i>" if style == "i" else esc(text) for text, style in runs)


def _render_export(lib: Library, collection: Collection, documents: dict[str, IndexedDocument]) -> None:
    st.subheader("Stáhnout")
    prepared = prepare_export(collection, documents, lib.corpus)
    problems = [(e.item.path, e.problem) for e in prepared if e.problem]
    if problems:
        st.warning(html_message("Tyto položky nebude možné přiložit: "
                                + "; ".join(f"{p}: {why}" for p, why in problems)))
    today = dt.date.today()
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(
        "Vše jako ZIP", type="primary", width="stretch", key="dl-zip",
        data=lambda: export_zip(collection, documents, lib.corpus).data,
        file_name=export_filename(collection, "zip", today), mime="application/zip",
        help="Původní soubory v pořadí sady, seznam literatury (DOCX a Markdown) a soubor sady.",
        on_click="ignore",
    )
    c2.download_button(
        "Seznam literatury (DOCX)", width="stretch", key="dl-docx",
        data=lambda: reading_list_docx(collection, prepare_export(collection, documents, lib.corpus)),
        file_name=export_filename(collection, "docx", today),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
    )
    c3.download_button(
        "Seznam literatury (Markdown)", width="stretch", key="dl-md",
        data=lambda: reading_list_markdown(collection, prepare_export(collection, documents, lib.corpus)),
        file_name=export_filename(collection, "md", today), mime="text/markdown",
        on_click="ignore",
    )
    titles = {path: entry.title for path, entry in documents.items()}
    c4.download_button(
        "Uložit sadu (JSON)", width="stretch", key="dl-json",
        data=lambda: collection.to_json(titles), file_name="sada-materialu.json",
        mime="application/json", on_click="ignore",
        help="Soubor, který můžete později znovu načíst (i na jiném počítači).",
    )
    if len(collection.to_param()) > URL_SAFE_CHARS:
        st.warning("Sada je tak velká, že se nevejde do adresy stránky. Aby o ni po zavření okna "
                   "nepřišli, uložte si ji jako soubor (Uložit sadu).")
    else:
        st.caption("Sada je uložená i v adrese stránky: záložka nebo zkopírovaný odkaz ji zachová.")
    with st.popover("Vyprázdnit sadu"):
        st.write("Odebrat ze sady všechny položky i s poznámkami? Pokud si ji chcete nechat, "
                 "uložte ji nejdřív jako soubor.")
        st.button("Ano, vyprázdnit", key="clear-collection", type="primary", on_click=_clear,
                  args=(collection,))


def _clear(collection: Collection) -> None:
    collection.items.clear()


def _render_load(collection: Collection) -> None:
    with st.expander("Načíst uloženou sadu ze souboru"):
        uploaded = st.file_uploader("Soubor sada-materialu.json", type=["json"], key="load-collection")
        if uploaded is None:
            return
        if st.session_state.get(LOADED) == uploaded.file_id:
            st.caption("Soubor byl načten.")
            return
        try:
            loaded, warnings = Collection.from_json(uploaded.getvalue())
        except CollectionError as e:
            st.error(html_message(e))
            return
        st.session_state[LOADED] = uploaded.file_id
        added = 0
        for item in loaded.items:
            if collection.add(item.path, item.pages, item.note):
                added += 1
        if not collection.name or collection.name == Collection().name:
            collection.name = loaded.name
        for w in warnings:
            state.push_notice("warning", w)
        state.push_notice("success", "Sada načtena: "
                          f"{count_phrase(added, 'nová položka', 'nové položky', 'nových položek')}.")
        st.rerun()
