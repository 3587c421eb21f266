"""HTML and Markdown building for the app, with no Streamlit import so it can be tested
alone. Every piece of text from a document, the index or a user goes through `esc`
(HTML) or `label` (Streamlit's Markdown labels) before it reaches the page; the only
markup is the one written here.
"""
from __future__ import annotations

import html
import re

from kb.collections import format_pages

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


def chip(text: str, kind: str = "topic", title: str = "") -> str:
    kind = kind if kind in ("topic", "profession", "type", "year") else "topic"
    hint = f' title="{esc(title)}"' if title else ""
    return f'<span class="kb-chip kb-chip-{kind}"{hint}>{esc(text)}</span>'


def plural(n: int, one: str, few: str, many: str) -> str:
    """Czech plural: 1 dokument, 2–4 dokumenty, 0 / 5+ dokumentů."""
    if n == 1:
        return one
    if 2 <= n <= 4:
        return few
    return many


def count_phrase(n: int, one: str, few: str, many: str) -> str:
    return f"{n:,}".replace(",", "\u00a0") + "\u00a0" + plural(n, one, few, many)


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


def visible_hits(hit) -> tuple[list[int], list]:
    """(pages with hits, page hits to show). A page whose snippet marks nothing matched only
    through the document's title (indexed with every page); it is not "where the word is",
    so it is left out when other pages do show the word."""
    page_hits = list(hit.page_hits or [])
    if any(p.highlights for p in page_hits):
        dropped = {p.page for p in page_hits if not p.highlights and p.page}
        page_hits = [p for p in page_hits if p.highlights or not p.page]
    else:
        dropped = set()
    pages = [p for p in hit.pages or [] if p not in dropped]
    return pages, page_hits


def result_card(hit, *, type_label: str, topic_labels: list[str], profession_labels: list[str],
                page_count: int = 0, max_pages: int = 3) -> str:
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
    chips = [chip(t, "topic") for t in topic_labels] + [chip(p, "profession") for p in profession_labels]
    if chips:
        parts.append(f'<div class="kb-chips">{"".join(chips)}</div>')
    missing = getattr(hit, "missing", None) or []
    if missing:  # listed below the documents with every word: say which one it lacks
        parts.append(f'<div class="kb-missing">chybí: {esc(", ".join(missing))}</div>')
    pages, page_hits = visible_hits(hit)
    if pages:
        parts.append(f'<div class="kb-pages">Shoda na {esc(pages_phrase(pages))}</div>')
    for page_hit in page_hits[:max_pages]:
        parts.append(page_hit_html(page_hit))
    if not page_hits and hit.snippet:
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
    """Why a tag was given. The tagger's shape (kb/tagging.py): source ("automaticky" |
    "ručně"), score, threshold, terms {term: count}, strong, in_title, pages / sections.
    Anything else is listed generically, so a change there cannot break the page."""
    if isinstance(evidence, dict) and ("terms" in evidence or "source" in evidence):
        return _tagger_evidence(evidence)
    items = _evidence_lines(evidence)
    if not items:
        return '<div class="kb-evidence">Štítek byl přidělen ručně (v metadatech dokumentu).</div>'
    return '<ul class="kb-evidence">' + "".join(f"<li>{esc(i)}</li>" for i in items[:12]) + "</ul>"


def _number(value) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, (int, float)) else ""


def _tagger_evidence(ev: dict) -> str:
    lines = []
    manual = str(ev.get("source", "")) in ("ručně", "manual", "sidecar", "metadata")
    terms = ev.get("terms") if isinstance(ev.get("terms"), dict) else {}
    if manual:
        lines.append("Přiděleno ručně v metadatech dokumentu"
                     + (" (text ho také podporuje)." if terms else "."))
    elif not terms and not ev.get("score"):
        lines.append("Text neobsahuje výrazné znaky žádné kategorie; zařazeno výchozím způsobem.")
    else:
        score, threshold = _number(ev.get("score")), _number(ev.get("threshold"))
        if score:
            lines.append(f"Přiděleno automaticky podle textu: skóre {score}"
                         + (f" (potřeba aspoň {threshold})." if threshold else "."))
    where = []
    if ev.get("in_title"):
        where.append("v názvu")
    pages = [p for p in ev.get("pages") or [] if isinstance(p, int) and p > 0]
    if pages:
        where.append(f"na str. {format_pages(pages)}")
    sections = [str(x) for x in ev.get("sections") or [] if x]
    if sections:
        where.append("v oddílech " + ", ".join(f"„{x}“" for x in sections[:5])
                     + (" …" if len(sections) > 5 else ""))
    if where:
        lines.append("Výskyt: " + ", ".join(where) + ".")
    if terms:
        strong = set(ev.get("strong") or [])
        shown = list(terms.items())[:12]
        words = ", ".join(f"„{t}“ {n}×" + (" (silný výraz)" if t in strong else "")
                          for t, n in shown)
        lines.append(f"Nalezené výrazy: {words}" + (" …" if len(terms) > 12 else ""))
    if not lines:
        lines.append("Bez dalších podrobností.")
    return '<ul class="kb-evidence">' + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"


def _evidence_lines(evidence) -> list[str]:
    if evidence is None or evidence == {} or evidence == []:
        return []
    if isinstance(evidence, str):
        return [evidence]
    if isinstance(evidence, (int, float)):
        return [str(evidence)]
    if isinstance(evidence, list):
        lines = []
        for entry in evidence:
            lines.extend(_evidence_lines(entry))
        return lines
    if isinstance(evidence, dict):
        source = evidence.get("source") or evidence.get("reason")
        if source in ("sidecar", "manual", "metadata"):
            return ["Přiděleno ručně v metadatech dokumentu."]
        term = evidence.get("term") or evidence.get("text") or evidence.get("word")
        terms = evidence.get("terms")
        if term or terms is not None:
            return _term_lines(term, terms, evidence)
        lines = []
        for key, value in evidence.items():
            if key in ("score", "weight", "confidence"):
                continue
            sub = _evidence_lines(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                lines.append(f"{key}: {value}×")
            elif sub:
                lines.extend(f"{key}: {s}" if not isinstance(value, (list, dict)) else s for s in sub)
        return lines
    return [str(evidence)]


def _term_lines(term, terms, evidence: dict) -> list[str]:
    lines = []
    if term:
        lines.append(_describe(str(term), evidence))
    if isinstance(terms, dict):
        for t, info in terms.items():
            lines.append(_describe(str(t), info if isinstance(info, dict) else {"count": info}))
    elif isinstance(terms, list):
        for t in terms:
            if isinstance(t, dict):
                lines.extend(_evidence_lines(t))
            else:
                lines.append(str(t))
    return lines


def _describe(term: str, info: dict) -> str:
    text = f"„{term}“"
    count = info.get("count") or info.get("hits") or info.get("n")
    if isinstance(count, int):
        text += f" {count}×"
    pages = info.get("pages")
    if isinstance(pages, list) and pages and all(isinstance(p, int) for p in pages):
        text += f" (str. {format_pages([p for p in pages if p > 0])})" if any(p > 0 for p in pages) else ""
    where = info.get("where") or info.get("field")
    if isinstance(where, str) and where:
        text += f" – {where}"
    return text
