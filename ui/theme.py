"""Page styling (chips, highlighted words, result cards) and Czech for Streamlit's own
English strings. Only our own constant CSS and script; nothing a user typed goes in.

Streamlit has no option for the language of its own texts (1.67: the skip link "Skip to
main content", the uploader's "Upload", "100MB per file", "35.6KB", "Remove …" are
literals in its frontend). CSS can hide a text but cannot rewrite one that changes (a
file's size), so one small script, run by st.html(unsafe_allow_javascript=True) in the
page itself (not in a frame), rewrites exactly those texts where Streamlit puts them: a
table of (where, English, Czech), applied again whenever the page changes."""
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
/* the element that holds the script below takes no room (nor a gap between blocks) */
[data-testid="stLayoutWrapper"]:has(> .st-key-kb-czech) { display: none; }
/* result cards: title, meta, chips and snippets closer together */
.st-key-results [data-testid="stVerticalBlock"], .st-key-home [data-testid="stVerticalBlock"],
.st-key-similar [data-testid="stVerticalBlock"] { gap: 0.45rem; }
.kb-filters { font-size: 0.9rem; color: #2d3748; margin: -0.3rem 0 0.4rem 0; }
/* a result's title is a button: make it read as a heading link */
.st-key-results button[kind="tertiary"] p, .st-key-home button[kind="tertiary"] p,
.st-key-similar button[kind="tertiary"] p { font-size: 1.08rem; font-weight: 600; text-align: left; }
</style>
"""


CZECH_JS = r"""<script>
/* Streamlit's own English strings, in Czech (theme.py explains why this is a script). */
(() => {
  const limit = __LIMIT_MB__;
  const size = (n, unit) => {  // "35.6KB" -> "35,6 kB" (decimal comma, kB, a space)
    const units = {B: "B", KB: "kB", MB: "MB", GB: "GB"};
    const value = unit === "B" ? String(Math.round(Number(n))) : n.replace(".", ",");
    return `${value} ${units[unit]}`;
  };
  const SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB)$/;
  const tooBig = `Soubor je větší než ${limit} MB, a proto ho nelze nahrát. Zmenšete ho (např. `
    + "uložením PDF v menší kvalitě nebo rozdělením), nebo požádejte správce o zvýšení limitu "
    + "KB_MAX_UPLOAD_MB.";
  // [where (CSS selector), English text (string or RegExp), Czech (string or function)]
  const TEXTS = [
    ["[data-testid=stSkipToContent]", "Skip to main content", "Přeskočit na hlavní obsah"],
    ["[data-testid=stFileUploaderDropzone] button", "Upload", "Vybrat soubor"],
    ["[data-testid=stFileUploaderDropzone]", "Drag and drop a file here", "Pusťte soubor sem"],
    ["[data-testid=stFileUploaderDropzone]", "Drag and drop files here", "Pusťte soubory sem"],
    ["[data-testid=stFileUploaderDropzoneInstructions]", /^\d+(?:\.\d+)?[KMG]?B per file$/,
     `Nejvýš ${limit} MB na soubor`],
    ["[data-testid=stFileUploaderDropzoneInstructions]", /^ • (.*)$/, (m) => ` · ${m[1]}`],
    ["[data-testid=stFileChip]", SIZE, (m) => size(m[1], m[2])],
    ["[data-testid=stFileChip]", "Error: ", "Chyba: "],
    // the chip's error, also in the tooltip shown on pointing at its red icon
    ["[data-testid=stFileChip], [data-testid=stTooltipErrorContent]",
     /^File must be .* or smaller\.$/, tooBig],
    ["[data-testid=stFileChip], [data-testid=stTooltipErrorContent]", "Upload failed",
     "Nahrání se nepodařilo. Zkuste soubor vybrat znovu."],
    ["[data-testid=stFileChip], [data-testid=stTooltipErrorContent]",
     /^(.*) files are not allowed\.$/, "Tento typ souboru nelze nahrát; vyberte PDF, DOCX nebo TXT."],
  ];
  const LABELS = [  // aria-label and title attributes (what a screen reader or a tooltip says)
    [/^Remove (.*)$/, (m) => `Odebrat ${m[1]}`],
    [/^Cancel upload of (.*)$/, (m) => `Zrušit nahrávání ${m[1]}`],
    [/^(.*), (\d+(?:\.\d+)?)(B|KB|MB|GB)$/, (m) => `${m[1]}, ${size(m[2], m[3])}`],
    [/^Click to retry upload$/, () => "Kliknutím nahrajete znovu"],
    [/^Add files$/, () => "Přidat soubory"],
    [/^file upload$/, () => "Nahrání souboru"],
  ];
  const czech = (text, english, to) => {
    const m = typeof english === "string" ? (text === english ? [text] : null) : text.match(english);
    return m ? (typeof to === "function" ? to(m) : to) : null;
  };
  const translate = () => {
    for (const [where, english, to] of TEXTS) {
      for (const el of document.querySelectorAll(where)) {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        // the text node is changed in place: React keeps its own node and does not notice
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const done = czech(node.nodeValue, english, to);
          if (done !== null && done !== node.nodeValue) node.nodeValue = done;
        }
      }
    }
    for (const el of document.querySelectorAll(
        "[data-testid=stFileUploader] [aria-label], [data-testid=stFileUploader] [title]")) {
      for (const attr of ["aria-label", "title"]) {
        const value = el.getAttribute(attr);
        if (!value) continue;
        for (const [english, to] of LABELS) {
          const done = czech(value, english, to);
          if (done !== null) { if (done !== value) el.setAttribute(attr, done); break; }
        }
      }
    }
  };
  if (window.kbCzech) return;  // one observer per page, however many reruns
  window.kbCzech = new MutationObserver(translate);
  window.kbCzech.observe(document.body, {childList: true, subtree: true, characterData: true,
                                         attributes: true, attributeFilter: ["aria-label", "title"]});
  translate();
})();
</script>
"""


def inject(upload_limit_mb: int) -> None:
    """The CSS, and the script that puts Streamlit's own texts in Czech; the uploader's
    limit line names kb's limit (KB_MAX_UPLOAD_MB), not the browser's larger one."""
    st.html(CSS)
    with st.container(key="kb-czech"):
        st.html(CZECH_JS.replace("__LIMIT_MB__", str(int(upload_limit_mb))), unsafe_allow_javascript=True)
