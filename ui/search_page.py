"""The search page: the search box, the home overview before a query, results with
their pages and snippets, the empty state, and the filters in the sidebar."""
from __future__ import annotations

import streamlit as st

from kb.czech import quoted
from kb.errors import KbError, QueryError
from kb.facets import FACETS, TAG_FACETS, facet
from kb.library.browse import Overview, has_criteria, library_overview
from kb.model import IndexedDocument
from kb.search import SearchResult
from kb.search.suggest import did_you_mean
from kb.taxonomy import ids
from kb.taxonomy import label as tax_label
from ui import arrivals, duplicates, state
from ui.backend import Library
from ui.collect import hit_pages_button, whole_document_button
from ui.files import pdf_url
from ui.html import count_phrase, esc, label, result_card, seconds
from ui.html import message as html_message

FIRST_BUILD = "first_build_report"
TIPS = (
    "Pište česky, jak mluvíte: na diakritice ani tvaru slova nezáleží (domaci nasili = domácí násilí).",
    "Přesnou frázi dejte do uvozovek: „rozhovor s dítětem“.",
    "Slovo OR slovo najde jedno z nich, -slovo vyloučí dokumenty s tímto slovem.",
)


# ---------------------------------------------------------------- search box


def render_search_box() -> None:
    with st.form("search", border=False, enter_to_submit=True):
        left, right = st.columns([7, 1], vertical_alignment="bottom")
        left.text_input(
            "Co hledáte?",
            key=state.widget_key(state.Q),
            placeholder="např. kyberšikana, rozhovor s dítětem, domaci nasili",
        )
        right.form_submit_button("Hledat", type="primary", on_click=state.commit, args=(state.Q,),
                                 width="stretch")


# ---------------------------------------------------------------- sidebar filters


def render_filters(lib: Library, view: state.View, counts: dict[str, dict[str, int]],
                   ov: Overview) -> None:
    sb = st.sidebar
    sb.subheader("Zúžit výsledky")
    for facet_ in FACETS:
        key = state.filter_key(facet_)
        selected = list(st.session_state.get(key) or [])
        facet_counts = counts.get(facet_.id, {})
        options = [i for i in ids(facet_.section) if facet_counts.get(i) or i in selected]
        options += [i for i in selected if i not in options]

        def fmt(value: str, _facet=facet_, _counts=facet_counts) -> str:
            return f"{tax_label(_facet.section, value)} ({_counts.get(value, 0)})"

        sb.multiselect(
            facet_.label,
            options,
            key=state.widget_key(key),
            format_func=fmt,
            on_change=state.commit,
            args=(key,),
            placeholder="Vyberte…" if options else "Nic k výběru",
            disabled=not options,
            select_all=False,  # its label is English-only
        )
    _render_year_filter(ov)
    if any(st.session_state.get(state.filter_key(f)) for f in FACETS) or st.session_state.get(state.YEARS):
        sb.button("Zrušit všechny filtry", on_click=state.clear_filters, width="stretch")


def _render_year_filter(ov: Overview) -> None:
    if not ov.years or ov.years[0] == ov.years[1]:
        return
    lo, hi = ov.years
    current = st.session_state.get(state.YEARS) or (lo, hi)
    current = (max(lo, min(current[0], hi)), min(hi, max(current[1], lo)))
    st.session_state["w_" + state.YEARS] = current

    def commit_years() -> None:
        value = tuple(st.session_state["w_" + state.YEARS])
        st.session_state[state.YEARS] = None if value == (lo, hi) else value
        st.session_state[state.DOC] = None
        state.reset_paging()

    st.sidebar.slider("Rok vydání", lo, hi, key="w_" + state.YEARS, on_change=commit_years)
    if st.session_state.get(state.YEARS):
        st.sidebar.caption("Dokumenty bez uvedeného roku se při omezení roku nezobrazují.")


# ---------------------------------------------------------------- home


def render_home(lib: Library, ov: Overview) -> None:
    st.html(f'<div class="kb-muted">V knihovně je {esc(count_phrase(ov.documents, "dokument", "dokumenty", "dokumentů"))}'
            f' ({esc(count_phrase(ov.pages, "strana", "strany", "stran"))} v PDF). '
            "Vyberte téma nebo profesi, nebo napište, co hledáte.</div>")
    with st.container(key="home"):
        arrivals.render(lib)
        for facet_ in TAG_FACETS:
            _facet_grid(facet_.id, ov.counts[facet_.id])
        if not any(ov.counts[f.id] for f in TAG_FACETS):  # untagged library: browse by type
            for facet_ in FACETS:
                if not facet_.multi and ov.counts[facet_.id]:
                    _facet_grid(facet_.id, ov.counts[facet_.id])
        st.subheader("Nejnovější dokumenty")
        for i, doc in enumerate(ov.newest):
            st.button(label(doc.display_title), key=f"newest-{i}", type="tertiary",
                      on_click=state.open_doc, args=(doc.path,))
            meta = [tax_label("doc_types", doc.doc_type)]
            meta += [m for m in (doc.organization, str(doc.year or "")) if m]
            st.html(f'<div class="kb-newest-meta">{" · ".join(esc(m) for m in meta)}</div>')
    with st.expander("Jak hledat"):
        st.html('<ul class="kb-list">' + "".join(f"<li>{esc(t)}</li>" for t in TIPS) + "</ul>")


def _facet_grid(facet_id: str, counts: dict[str, int]) -> None:
    facet_ = facet(facet_id)
    st.subheader(facet_.plural)
    if not counts:
        st.caption("Dokumenty zatím nemají přidělené štítky tohoto druhu.")
        return
    columns = st.columns(3)
    for i, (value, n) in enumerate(counts.items()):
        columns[i % 3].button(
            f"{label(tax_label(facet_.section, value))} · {n}",
            key=f"browse-{facet_.section}-{value}",
            on_click=state.browse,
            args=(state.filter_key(facet_), value),
            width="stretch",
            help=f"Zobrazit {count_phrase(n, 'dokument', 'dokumenty', 'dokumentů')}",
        )


# ---------------------------------------------------------------- results


def render_results(lib: Library, view: state.View, result: SearchResult) -> None:
    total = result.total
    st.html(f'<div class="kb-count">Nalezeno <b>{esc(count_phrase(total, "dokument", "dokumenty", "dokumentů"))}</b>'
            + (f' pro {esc(quoted(view.request.query))}' if view.request.query.strip() else "")
            + "</div>")
    active = _active_filters(view)
    if active:
        st.html(f'<div class="kb-filters">Omezeno na: {esc("; ".join(active))}</div>')
    expanded = [e for e in (getattr(result, "expanded", None) or []) if isinstance(e, str) and e]
    if expanded:
        st.html(f'<div class="kb-expanded">Hledáno také: {esc(", ".join(expanded))}</div>')
    documents = lib.documents_by_path()
    with st.container(key="results"):
        for i, hit in enumerate(result.results):
            _render_hit(lib, i, hit, documents.get(hit.path))
    if total > len(result.results):
        st.button(f"Zobrazit další výsledky ({total - len(result.results)})", on_click=state.more_results)


def _active_filters(view: state.View) -> list[str]:
    request = view.request
    parts = []
    for facet_ in FACETS:
        values = request.filters.get(facet_.id)
        if values:
            parts.append(f"{facet_.short} " + " nebo ".join(tax_label(facet_.section, v) for v in values))
    if request.year_from is not None:
        parts.append(f"roky {request.year_from}–{request.year_to}")
    return parts


def _render_hit(lib: Library, i: int, hit, entry: IndexedDocument | None) -> None:
    with st.container(border=True):
        st.button(label(hit.title or hit.path), key=f"open-{i}", type="tertiary",
                  on_click=state.open_doc, args=(hit.path,), help="Otevřít detail dokumentu")
        st.html(result_card(
            hit,
            type_label=tax_label("doc_types", hit.doc_type),
            page_count=entry.page_count if entry else 0,
        ))
        best_page = next((p.page for p in hit.page_hits if p.page), 0)
        cols = st.columns([1.2, 1.2, 1.4, 2], vertical_alignment="center")
        cols[0].button("Detail", key=f"detail-{i}", on_click=state.open_doc, args=(hit.path,),
                       width="stretch")
        whole_document_button(cols[1], hit.path, hit.title, key=f"add-{i}")
        hit_pages_button(cols[2], hit.path, hit.title, hit.pages, key=f"addp-{i}")
        url = pdf_url(lib.corpus, entry, best_page) if entry else None
        if url:
            cols[3].link_button(f"Otevřít PDF na str. {best_page}" if best_page else "Otevřít PDF",
                                url, width="stretch")
        duplicates.render(lib, i, hit)


def render_empty(lib: Library, view: state.View) -> None:
    query = view.request.query.strip()
    st.html('<div class="kb-empty"><h3>Nic jsme nenašli'
            + (f" pro {esc(quoted(query))}" if query else "") + "</h3></div>")
    suggestion = None
    if query:
        try:
            suggestion = did_you_mean(lib, lib.stats(), view.request)
        except KbError:
            suggestion = None
    if suggestion:
        st.button(f"Měli jste na mysli: {label(suggestion)}?", key="did-you-mean", type="primary",
                  on_click=state.set_query, args=(suggestion,))
    filtered = any(view.request.filters.values()) or view.request.year_from is not None
    if filtered:
        st.write("Hledání je omezené filtry. Bez nich by mohlo něco najít:")
        st.button("Hledat bez filtrů", key="drop-filters", on_click=state.clear_filters)
    st.html('<div class="kb-muted">Zkuste také:</div><ul class="kb-list">'
            "<li>méně slov nebo obecnější slovo (např. „šikana“ místo „kyberšikana na Instagramu“),</li>"
            "<li>zkontrolovat překlepy,</li>"
            "<li>vybrat téma na úvodní stránce.</li></ul>")
    st.button("Zpět na úvodní stránku", key="home-from-empty", on_click=state.go_home)


def render_first_build() -> None:
    """After the index was built on first start: what happened, once, on the home page."""
    report = st.session_state.get(FIRST_BUILD)
    if not report:
        return
    skipped = report.get("skipped") or []
    text = ("Knihovna je připravená: "
            f"{count_phrase(report.get('documents', 0), 'dokument', 'dokumenty', 'dokumentů')} "
            f"zaindexováno za {seconds(report.get('seconds', 0))} s.")
    if skipped:
        text += " " + count_phrase(len(skipped), "soubor byl přeskočen", "soubory byly přeskočeny",
                                   "souborů bylo přeskočeno") + "."
    st.success(text)
    if skipped:
        with st.expander("Přeskočené soubory a proč"):
            st.html('<ul class="kb-list">' + "".join(
                f"<li><b>{esc(s.get('path'))}</b>: {esc(s.get('reason'))}</li>" for s in skipped) + "</ul>")


def render_query_error(message: str) -> None:
    st.error(html_message(message))
    st.html('<ul class="kb-list">' + "".join(f"<li>{esc(t)}</li>" for t in TIPS) + "</ul>")


# ---------------------------------------------------------------- the page


def render(lib: Library, view: state.View) -> None:
    render_search_box()
    ov = library_overview(lib)
    request = view.request
    if not has_criteria(request):
        render_first_build()
        render_filters(lib, view, ov.counts, ov)
        render_home(lib, ov)
        return
    try:
        result = lib.search(request)
    except QueryError as e:
        render_filters(lib, view, ov.counts, ov)
        render_query_error(str(e))
        return
    render_filters(lib, view, result.filter_counts, ov)
    if result.total:
        render_results(lib, view, result)
    else:
        render_empty(lib, view)
