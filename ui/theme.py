"""Page styling: chips, highlighted words, result cards. Only our own constant CSS."""
from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
[data-testid="stSidebarUserContent"] { padding-top: 1rem; }
.kb-meta { color: #4a5568; font-size: 0.92rem; margin: -0.2rem 0 0.35rem 0; }
.kb-chips { margin: 0.15rem 0 0.35rem 0; line-height: 1.9; }
.kb-chip { display: inline-block; border-radius: 999px; padding: 0 0.6rem; margin: 0 0.3rem 0 0;
  font-size: 0.8rem; white-space: nowrap; border: 1px solid transparent; }
.kb-chip-topic { background: #e6f2ef; color: #1d5c50; border-color: #c5e3dc; }
.kb-chip-profession { background: #eef0fb; color: #34407a; border-color: #d3d8f3; }
.kb-chip-type { background: #f4f1ea; color: #5c4a1d; border-color: #e5ddc9; }
.kb-pages { font-size: 0.88rem; color: #2d3748; font-weight: 600; margin: 0.2rem 0; }
.kb-hit { font-size: 0.93rem; margin: 0.25rem 0 0.25rem 0; padding-left: 0.6rem;
  border-left: 3px solid #d8e6e3; overflow-wrap: anywhere; }
.kb-where { font-weight: 600; color: #1d5c50; margin-right: 0.25rem; }
.kb-hit mark, .kb-text mark { background: #fff1a8; color: inherit; padding: 0 1px; border-radius: 2px; }
.kb-ocr { font-size: 0.7rem; color: #8a6d00; border: 1px solid #e8d37a; border-radius: 4px; padding: 0 3px; }
.kb-count { font-size: 1rem; color: #2d3748; margin: 0.2rem 0 0.4rem 0; }
.kb-expanded { font-size: 0.9rem; color: #4a5568; margin-bottom: 0.5rem; }
.kb-missing { font-size: 0.85rem; color: #9b2c2c; }
.kb-empty h3 { margin-top: 0.2rem; }
.kb-title { font-size: 1.55rem; font-weight: 700; line-height: 1.25; margin: 0.2rem 0 0.3rem 0;
  overflow-wrap: anywhere; }
.kb-doc-meta { border-collapse: collapse; margin: 0.3rem 0 0.6rem 0; font-size: 0.93rem; }
.kb-doc-meta th { text-align: left; color: #4a5568; font-weight: 500; padding: 2px 16px 2px 0;
  vertical-align: top; white-space: nowrap; }
.kb-doc-meta td { padding: 2px 0; overflow-wrap: anywhere; }
.kb-evidence { font-size: 0.9rem; margin: 0.1rem 0 0.5rem 0; }
.kb-tag-head { font-weight: 600; margin-top: 0.3rem; }
.kb-text { white-space: pre-wrap; font-size: 0.92rem; line-height: 1.5; max-height: 32rem;
  overflow-y: auto; background: #fafafa; border: 1px solid #eee; border-radius: 6px; padding: 0.6rem 0.8rem; }
.kb-newest-meta { color: #4a5568; font-size: 0.85rem; margin: -0.5rem 0 0.4rem 0; }
.kb-why { color: #4a5568; font-size: 0.85rem; margin: -0.5rem 0 0.5rem 0; }
.kb-cite { font-size: 0.9rem; color: #2d3748; overflow-wrap: anywhere; }
.kb-list { margin: 0.2rem 0 0.5rem 1.1rem; padding: 0; font-size: 0.92rem; }
.kb-list li { margin: 0.1rem 0; overflow-wrap: anywhere; }
.kb-muted { color: #4a5568; font-size: 0.9rem; }
/* Streamlit's own English texts: hidden or replaced by Czech (everything the user sees is Czech) */
[data-testid="InputInstructions"] { display: none; }
[data-testid="stMainMenu"] { display: none; }
/* the (empty) header strip must not swallow clicks on content scrolled under it */
[data-testid="stHeader"], [data-testid="stToolbar"] { pointer-events: none; background: transparent; }
[data-testid="stHeader"] button, [data-testid="stToolbar"] button { pointer-events: auto; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Vybrat soubor"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "nebo sem soubor přetáhněte"; font-size: 0.8rem; }
/* result cards: title, meta, chips and snippets closer together */
.st-key-results [data-testid="stVerticalBlock"], .st-key-home [data-testid="stVerticalBlock"],
.st-key-similar [data-testid="stVerticalBlock"] { gap: 0.45rem; }
.kb-filters { font-size: 0.9rem; color: #2d3748; margin: -0.3rem 0 0.4rem 0; }
/* a result's title is a button: make it read as a heading link */
.st-key-results button[kind="tertiary"] p, .st-key-home button[kind="tertiary"] p,
.st-key-similar button[kind="tertiary"] p { font-size: 1.08rem; font-weight: 600; text-align: left; }
</style>
"""


def inject() -> None:
    st.html(CSS)
