"""A document's detail: metadata, tags and why, the pages that match the query, the
original opened at a page or downloaded, the text itself, and similar documents."""
from __future__ import annotations

import posixpath

import streamlit as st

from kb.czech import quoted
from kb.errors import KbError
from kb.extract import format_label
from kb.facets import FACETS, TAG_FACETS
from kb.library.browse import hit_in_document
from kb.model import IndexedDocument
from kb.paths import UnsafePath
from kb.search.snippets import query_spans
from kb.search.suggest import similar_documents
from kb.taxonomy import label as tax_label
from ui import state
from ui.backend import Library
from ui.collect import add_to_collection, whole_document_button
from ui.files import mime_type, pdf_url, read_original
from ui.html import (
    chip,
    count_phrase,
    esc,
    evidence_html,
    label,
    marked,
    page_hit_html,
    pages_phrase,
)


def render(lib: Library, view: state.View) -> None:
    path = view.doc or ""
    entry = lib.document(path)
    back = "← Zpět na výsledky" if state.current().request.query.strip() else "← Zpět"
    st.button(back, key="back", on_click=state.close_doc)
    if entry is None:
        st.warning(label(f"Dokument '{path}' v knihovně není. Možná byl odstraněn nebo přejmenován; "
                         "zkuste ho vyhledat.", 400))
        return
    _render_head(entry)
    hit = None
    query = view.request.query.strip()
    if query:
        try:
            hit = hit_in_document(lib, view.request, path)
        except KbError:
            hit = None
    _render_actions(lib, entry, hit)
    _render_tags(entry)
    if query:
        _render_hits(lib, entry, hit, query)
    _render_add_pages(entry, hit)
    _render_text(lib, entry, query)
    _render_similar(lib, entry)


def _render_head(entry: IndexedDocument) -> None:
    rows = [("Typ", tax_label("doc_types", entry.doc_type))]
    if entry.organization:
        rows.append(("Vydal", entry.organization))
    rows.append(("Rok", str(entry.year) if entry.year else "neuveden"))
    fmt = format_label(entry.format)
    if entry.page_count:
        fmt += f", {count_phrase(entry.page_count, 'strana', 'strany', 'stran')}"
    rows.append(("Formát", fmt))
    rows.append(("Soubor", entry.path))
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    url = entry.source_url
    source = ""
    if url.lower().startswith(("http://", "https://")) and '"' not in url:
        source = (f'<tr><th>Zdroj</th><td><a href="{esc(url)}" target="_blank" rel="noopener noreferrer">'
                  f"{esc(url)}</a></td></tr>")
    st.html(f'<div class="kb-title">{esc(entry.display_title)}</div>'
            f'<table class="kb-doc-meta">{table}{source}</table>')
    if entry.summary:
        st.html(f'<div class="kb-muted">{esc(entry.summary)}</div>')
    if entry.ocr_pages:
        st.caption(f"Text stran {label(pages_phrase(list(entry.ocr_pages)))} byl rozpoznán ze skenu (OCR) "
                   "a může obsahovat chyby.")


def _render_actions(lib: Library, entry: IndexedDocument, hit) -> None:
    best = next((p.page for p in (hit.page_hits if hit else []) if p.page), 0)
    cols = st.columns(3)
    url = pdf_url(lib.corpus, entry, best or None)
    if url:
        cols[0].link_button(f"Otevřít PDF na str. {best}" if best else "Otevřít PDF", url,
                            type="primary", width="stretch")
    try:
        cols[1].download_button(
            "Stáhnout originál", key="download-original", width="stretch",
            data=lambda: read_original(lib.corpus, entry),
            file_name=posixpath.basename(entry.path), mime=mime_type(entry.path),
            on_click="ignore",
        )
    except UnsafePath as e:
        cols[1].warning(label(str(e), 300))
    whole_document_button(cols[2], entry.path, entry.title, key="detail-add")


def _render_tags(entry: IndexedDocument) -> None:
    # the type first, then the tags, each facet in registry order (kb/facets.py)
    tags = [(f, v) for f in sorted(FACETS, key=lambda f: f.multi) for v in entry.values(f.id)]
    st.html(f'<div class="kb-chips">{"".join(chip(tax_label(f.section, v), f.chip) for f, v in tags)}</div>')
    if not any(f.multi for f, _ in tags):
        st.caption("Dokument zatím nemá přidělené štítky ("
                   + ", ".join(f.plural.lower() for f in TAG_FACETS) + ").")
        return
    with st.expander("Proč tento štítek?"):
        parts = []
        for facet, value in tags:
            name = tax_label(facet.section, value)
            parts.append(f'<div class="kb-tag-head">{esc(name)} <span class="kb-muted">({esc(facet.label.lower())})'
                         '</span></div>')
            parts.append(evidence_html(entry.evidence_for(facet.id, value)))
        st.html("".join(parts))


def _render_hits(lib: Library, entry: IndexedDocument, hit, query: str) -> None:
    st.subheader("Kde se hledané slovo vyskytuje")
    if hit is None:
        st.html(f'<div class="kb-muted">Dotaz {esc(quoted(query))} v tomto dokumentu nic nenašel.</div>')
        return
    if hit.pages:
        st.html(f'<div class="kb-pages">Shoda na {esc(pages_phrase(hit.pages))}</div>')
    if not hit.page_hits:  # found by its title alone
        st.html('<div class="kb-muted">Dotaz odpovídá názvu dokumentu; v textu jeho stránek hledaná slova nejsou.</div>')
    for page_hit in hit.page_hits:
        text_col, action_col = st.columns([5, 1.3], vertical_alignment="center")
        text_col.html(page_hit_html(page_hit))
        url = pdf_url(lib.corpus, entry, page_hit.page) if page_hit.page else None
        if url:
            action_col.link_button(f"Otevřít str. {page_hit.page}", url, width="stretch")


def _render_add_pages(entry: IndexedDocument, hit) -> None:
    count = entry.page_count
    if not count:
        return
    with st.expander("Přidat do sady jen některé stránky"):
        default = sorted({p for p in (hit.pages if hit else []) if 0 < p <= count})[:20]
        key = f"w_pick_pages_{entry.path}"
        st.multiselect("Stránky", list(range(1, count + 1)), default=default, key=key,
                       format_func=lambda p: f"str. {p}", select_all=False,
                       placeholder="Vyberte stránky…")
        st.button("Přidat vybrané stránky", key="add-picked",
                  on_click=lambda: add_to_collection(entry.path, st.session_state.get(key) or [],
                                                     entry.title))


def _render_text(lib: Library, entry: IndexedDocument, query: str) -> None:
    with st.expander("Text dokumentu"):
        try:
            records = lib.page_texts(entry.path)
        except KbError:
            records = []
        if not records:
            st.caption("Text dokumentu není k dispozici.")
            return
        paged = bool(entry.page_count)
        names = [f"str. {r.get('page')}" if paged else (r.get("heading") or f"oddíl {i + 1}")
                 for i, r in enumerate(records)]
        choice = st.selectbox("Strana" if paged else "Oddíl", range(len(records)),
                              format_func=lambda i: names[i], key=f"w_text_page_{entry.path}")
        text = records[choice].get("content", "") or ""
        st.html(f'<div class="kb-text">{marked(text, query_spans(text, query))}</div>')


def _render_similar(lib: Library, entry: IndexedDocument) -> None:
    try:
        similar = similar_documents(lib.stats(), entry.path)
    except KbError:
        similar = []
    st.subheader("Podobné dokumenty")
    if not similar:
        st.caption("Knihovna nemá jiný dokument na podobné téma.")
        return
    documents = lib.documents_by_path()
    with st.container(key="similar"):
        for i, item in enumerate(similar):
            other = documents.get(item.path)
            st.button(label(other.display_title if other else item.path), key=f"similar-{i}", type="tertiary",
                      on_click=state.open_doc, args=(item.path,))
            why = [tax_label(f, v) for f, v in item.shared_tags]
            reason = []
            if why:
                reason.append("společné štítky: " + ", ".join(why))
            if item.shared_words:
                reason.append("společná slova: " + ", ".join(item.shared_words))
            st.html(f'<div class="kb-why">{esc("; ".join(reason))}</div>')
