"""The view's state: session keys of the widgets, read from the URL when a session
opens and written back after every run, so a search can be shared and a reload keeps it.

URL (DESIGN.md): ?q=QUERY&topic=ID&profession=ID&type=ID&doc=PATH, filters repeatable;
one parameter per facet of kb/facets.py (Facet.param).
Two optional additions keep the rest of the view: `year=FROM-TO` (a narrowed year
range) and `sada=...` (the trainer's collection, compact). The other two pages have
their own paths (/sada, /sprava: st.navigation in app.py); an older link's
`view=sada|sprava` still opens them.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from kb.facets import FACETS, Facet
from kb.library.collections import URL_SAFE_CHARS, Collection, CollectionError
from kb.search import SearchRequest
from kb.taxonomy import ids

# session keys
Q = "q"
YEARS = "f_years"
DOC = "doc"
PAGE_REQUEST = "page_request"
LIMIT = "limit"
COLLECTION = "collection"
NOTICES = "notices"



def filter_key(facet: Facet) -> str:
    """Session key of a facet's selected values: f_topic, f_profession, f_type, …"""
    return f"f_{facet.param}"


VIEWS = ("hledani", "sada", "sprava")  # the page ids of app.PAGES
PAGE_SIZE = 20
MAX_Q_CHARS = 1000


@dataclass
class View:
    request: SearchRequest
    doc: str | None


def _notice(kind: str, text: str) -> None:
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def load_from_url() -> None:
    """Once per session: widget state from the URL (unknown filter ids are dropped)."""
    if st.session_state.get("_url_loaded"):
        return
    st.session_state["_url_loaded"] = True
    params = st.query_params
    st.session_state[Q] = (params.get("q") or "")[:MAX_Q_CHARS]
    dropped = []
    for facet in FACETS:
        known = set(ids(facet.section))
        values = list(dict.fromkeys(params.get_all(facet.param)))
        st.session_state[filter_key(facet)] = [v for v in values if v in known]
        dropped += [v for v in values if v not in known]
    if dropped:
        _notice("warning", "Odkaz obsahoval neznámé filtry, které byly vynechány: "
                + ", ".join(v[:40] for v in dropped[:5]) + ".")
    st.session_state[YEARS] = parse_years(params.get("year") or "")
    st.session_state[DOC] = params.get("doc") or None
    if params.get("view") in VIEWS:
        st.session_state[PAGE_REQUEST] = params.get("view")
    st.session_state[LIMIT] = PAGE_SIZE
    collection = Collection()
    if params.get("sada"):
        try:
            collection, warnings = Collection.from_param(params.get("sada"))
            for w in warnings:
                _notice("warning", w)
        except CollectionError as e:
            _notice("error", str(e))
    st.session_state[COLLECTION] = collection


def parse_years(value: str) -> tuple[int, int] | None:
    parts = value.replace("–", "-").split("-")
    try:
        numbers = [int(p) for p in parts if p.strip()]
    except ValueError:
        return None
    if len(numbers) == 1:
        numbers *= 2
    if len(numbers) != 2 or not all(1900 <= n <= 2100 for n in numbers):
        return None
    return (min(numbers), max(numbers))


def current() -> View:
    ss = st.session_state
    years = ss.get(YEARS)
    request = SearchRequest(
        query=ss.get(Q, "") or "",
        filters={f.id: tuple(ss[filter_key(f)]) for f in FACETS if ss.get(filter_key(f))},
        year_from=years[0] if years else None,
        year_to=years[1] if years else None,
        limit=ss.get(LIMIT, PAGE_SIZE),
    )
    return View(request=request, doc=ss.get(DOC))


def pop_page_request() -> str | None:
    """The page an opening link asked for with ?view= (once; the path names it after)."""
    return st.session_state.pop(PAGE_REQUEST, None)


def collection() -> Collection:
    return st.session_state.setdefault(COLLECTION, Collection())


def write_url() -> None:
    """Mirror the state into the URL; untouched when nothing changed (no history noise)."""
    ss = st.session_state
    wanted: dict[str, list[str]] = {}
    if (ss.get(Q) or "").strip():
        wanted["q"] = [ss[Q].strip()]
    for facet in FACETS:
        if ss.get(filter_key(facet)):
            wanted[facet.param] = list(ss[filter_key(facet)])
    if ss.get(YEARS):
        a, b = ss[YEARS]
        wanted["year"] = [f"{a}-{b}"]
    if ss.get(DOC):
        wanted["doc"] = [ss[DOC]]
    param = collection().to_param()
    if param and len(param) <= URL_SAFE_CHARS:  # larger: the page asks to save it as a file
        wanted["sada"] = [param]
    present = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    if present != wanted:
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})


def notices() -> list[tuple[str, str]]:
    return st.session_state.pop(NOTICES, [])


def push_notice(kind: str, text: str) -> None:
    _notice(kind, text)


# ---------------------------------------------------------------- widgets
# Widgets get their own keys ("w_" + canonical key): Streamlit forgets a widget's state
# in a run that does not draw it (another page), while the canonical keys persist.


def widget_key(key: str) -> str:
    """Prime the widget from the canonical value; call right before drawing the widget."""
    st.session_state["w_" + key] = st.session_state.get(key)
    return "w_" + key


def commit(key: str) -> None:
    """on_change: the widget's new value becomes the canonical one."""
    st.session_state[key] = st.session_state.get("w_" + key)
    st.session_state[DOC] = None  # a new search or filter shows the results again
    reset_paging()


# ---------------------------------------------------------------- callbacks (run before widgets)


def reset_paging() -> None:
    st.session_state[LIMIT] = PAGE_SIZE


def set_query(text: str) -> None:
    st.session_state[Q] = text
    st.session_state[DOC] = None
    reset_paging()


def browse(facet_key: str, value: str) -> None:
    """From the home page: show all documents with one topic / profession."""
    for facet in FACETS:
        st.session_state[filter_key(facet)] = []
    st.session_state[facet_key] = [value]
    st.session_state[DOC] = None
    reset_paging()


def clear_filters() -> None:
    for facet in FACETS:
        st.session_state[filter_key(facet)] = []
    st.session_state[YEARS] = None
    reset_paging()


def go_home() -> None:
    st.session_state[Q] = ""
    clear_filters()
    st.session_state[DOC] = None


def open_doc(path: str) -> None:
    st.session_state[DOC] = path


def close_doc() -> None:
    st.session_state[DOC] = None


def more_results() -> None:
    st.session_state[LIMIT] = st.session_state.get(LIMIT, PAGE_SIZE) + PAGE_SIZE
