"""A result's near-identical documents (kb/index/neardup.py): "a N dalších téměř stejných
dokumentů (…)" under the card, expanding to the members, each with what only it has."""
from __future__ import annotations

import streamlit as st

from kb.index.neardup import describe_group, others_phrase, percent
from ui import state
from ui.collect import add_to_collection
from ui.html import esc, label

CSS = """<style>
.kb-dup-meta { color: #4a5568; font-size: 0.85rem; margin: -0.5rem 0 0.2rem 0; }
.kb-dup-own { font-size: 0.9rem; margin: 0.15rem 0 0.35rem 0; padding-left: 0.6rem;
  border-left: 3px solid #f0c36d; overflow-wrap: anywhere; }
.kb-dup-same { color: #4a5568; font-size: 0.85rem; margin: 0 0 0.35rem 0; }
</style>"""


@st.cache_data(show_spinner=False, max_entries=128)
def _members(generation: str, path: str, duplicates: tuple, _lib) -> list[dict]:
    return describe_group(_lib, path, [{"path": p, "similarity": s} for p, s in duplicates])


def render(lib, i: int, hit) -> None:
    if not hit.duplicates:
        return
    key = tuple((d["path"], d["similarity"]) for d in hit.duplicates)
    members = _members(lib.generation, hit.path, key, lib)
    names = ", ".join(m["label"] for m in members if m["path"] != hit.path)
    st.html(CSS)
    with st.expander(label(f"a {others_phrase(len(hit.duplicates))} ({names})", 300)):
        for j, member in enumerate(members):
            shown = member["path"] == hit.path
            st.button(label(f"{member['label']}: {member['title']}"), key=f"dup-{i}-{j}", type="tertiary",
                      on_click=state.open_doc, args=(member["path"],), help="Otevřít detail dokumentu")
            meta = "zobrazený výsledek" if shown else f"shoda textu {percent(member['similarity'])}"
            st.html(f'<div class="kb-dup-meta">{esc(member["path"])} · {esc(meta)}</div>')
            if member["own"]:
                st.html("".join(_own_html(p) for p in member["own"]))
            else:
                st.html('<div class="kb-dup-same">Nic, co by ostatní neměly.</div>')
            if not shown:
                st.button("Přidat do sady tento dokument", key=f"dup-add-{i}-{j}", on_click=add_to_collection,
                          args=(member["path"], [], member["title"]),
                          help="Do sady se přidá právě tato verze dokumentu")


def _own_html(paragraph: dict) -> str:
    where = f", str. {paragraph['page']}" if paragraph["page"] else ""
    text = paragraph["text"]
    more = "…" if len(text) > 400 else ""
    return f'<div class="kb-dup-own"><b>Jen zde{esc(where)}:</b> {esc(text[:400])}{more}</div>'
