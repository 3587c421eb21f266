"""HTML and Markdown building for the app, with no Streamlit import so it can be tested
alone. Every piece of text from a document, the index or a user goes through `esc`
(HTML) or `label` (Streamlit's Markdown labels) before it reaches the page; the only
markup is the one written here.
"""
from __future__ import annotations

import html
import re

from kb.czech import count_phrase, format_pages
from kb.facets import FACETS, TAG_FACETS
from kb.tagging.explain import evidence_lines
from kb.taxonomy import label as tax_label

_LABEL_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$^=&])")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def label(text: object, max_chars: int = 200) -> str:
    """Text for a Streamlit widget label or st.markdown: Markdown, colour directives
    (`:red[...]`), emoji codes and LaTeX (`$`) are all neutralised by backslashes, and
    line breaks cannot start a new block."""
    text = " ".join(str(text or "").split())
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return _LABEL_SPECIAL.sub(r"\\\1", text)


def message(text: object) -> str:
    """A (Czech) message for st.error / st.warning: Markdown-safe, not shortened."""
    return label(text, max_chars=5000)


def marked(snippet: str, highlights: list) -> str:
    """The snippet escaped, with the matched words in <mark>. Offsets that are out of
    range, reversed or overlapping are skipped, never trusted."""
    snippet = snippet or ""
    out, pos = [], 0
    spans = []
    for span in highlights or []:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= start < end <= len(snippet):
            spans.append((start, end))
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(esc(snippet[pos:start]))
        out.append(f"<mark>{esc(snippet[start:end])}</mark>")
        pos = end
    out.append(esc(snippet[pos:]))
    return "".join(out)


CHIP_KINDS = frozenset({f.chip for f in FACETS} | {"year"})


def chip(text: str, kind: str = "topic", title: str = "") -> str:
    kind = kind if kind in CHIP_KINDS else "topic"
    hint = f' title="{esc(title)}"' if title else ""
    return f'<span class="kb-chip kb-chip-{kind}"{hint}>{esc(text)}</span>'


def seconds(value) -> str:
    """1.489 -> '1,5' (Czech decimal comma)."""
    try:
        return f"{float(value):.1f}".replace(".", ",")
    except (TypeError, ValueError):
        return "?"


def pages_phrase(pages: list[int]) -> str:
    """'str. 3, 7' for the pages with hits (ascending, ranges joined)."""
    pages = [p for p in pages or [] if isinstance(p, int) and p > 0]
    return f"str. {format_pages(pages)}" if pages else ""


def tag_chips(tags: dict[str, list[str]]) -> list[str]:
    """A chip per tag (facet id -> ids, kb/facets.py), in registry order."""
    return [chip(tax_label(f.section, v), f.chip) for f in TAG_FACETS for v in tags.get(f.id) or []]


def result_card(hit, *, type_label: str, page_count: int = 0, max_pages: int = 3) -> str:
    """The body of one result (title is a button above it): meta line, chips, pages and
    the best pages' snippets."""
    meta = [type_label]
    if hit.organization:
        meta.append(hit.organization)
    if hit.year:
        meta.append(str(hit.year))
    if page_count:
        meta.append(count_phrase(page_count, "strana", "strany", "stran"))
    parts = [f'<div class="kb-meta">{" · ".join(esc(m) for m in meta)}</div>']
    chips = tag_chips(hit.tags)
    if chips:
        parts.append(f'<div class="kb-chips">{"".join(chips)}</div>')
    missing = getattr(hit, "missing", None) or []
    if missing:  # listed below the documents with every word: say which one it lacks
        parts.append(f'<div class="kb-missing">chybí: {esc(", ".join(missing))}</div>')
    if hit.pages:
        parts.append(f'<div class="kb-pages">Shoda na {esc(pages_phrase(hit.pages))}</div>')
    for page_hit in hit.page_hits[:max_pages]:
        parts.append(page_hit_html(page_hit))
    if not hit.page_hits and hit.snippet:  # found by its title: how the document begins
        parts.append(f'<div class="kb-hit">{marked(hit.snippet, hit.highlights)}</div>')
    return f'<div class="kb-result">{"".join(parts)}</div>'


def page_hit_html(page_hit) -> str:
    where = []
    if page_hit.page:
        where.append(f"str. {page_hit.page}")
    if page_hit.heading:
        where.append(page_hit.heading)
    head = f'<span class="kb-where">{esc(" – ".join(where))}</span> ' if where else ""
    ocr = ' <span class="kb-ocr" title="Text rozpoznaný ze skenu může obsahovat chyby">rozpoznaný text (OCR)</span>' \
        if getattr(page_hit, "ocr", False) else ""
    return f'<div class="kb-hit">{head}{marked(page_hit.snippet, page_hit.highlights)}{ocr}</div>'


def evidence_html(evidence) -> str:
    """Why a tag was given: the lines of kb/tagging/explain.py (the same `kb show` prints)."""
    lines = evidence_lines(evidence)
    return '<ul class="kb-evidence">' + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"
