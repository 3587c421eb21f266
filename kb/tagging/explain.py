"""One document as `kb show` presents it: its metadata and each tag with the evidence
that gave it, as JSON or as Czech lines for people. Reads only the manifest entry that
indexing stored (kb/tagging/ made the evidence), so it needs no re-extraction."""
from __future__ import annotations

import difflib
from pathlib import Path

from kb.czech import pages_count
from kb.extract import format_label
from kb.library.collections import format_pages
from kb.tagging import MANUAL
from kb.taxonomy import label

FACET_NAMES = {"topics": "Témata", "professions": "Profese"}
SHOWN_KEYS = ("path", "title", "format", "pages", "sections", "year", "organization", "source_url",
              "summary", "ocr_pages", "doc_type", "topics", "professions", "evidence")
MAX_TERMS_SHOWN = 10


def find_document(documents: dict[str, dict], path: str, corpus: Path | None = None) -> dict | None:
    """The manifest entry for `path` as a user types it: the indexed path
    (`metodiky/x.pdf`), the same with the corpus folder in front or as a file on disk,
    or a unique end of a path (`x.pdf`)."""
    wanted = path.replace("\\", "/").strip()
    while wanted.startswith("./"):
        wanted = wanted[2:]
    if wanted in documents:
        return documents[wanted]
    if corpus is not None:
        try:
            rel = Path(path).resolve().relative_to(Path(corpus).resolve()).as_posix()
        except (ValueError, OSError):
            rel = ""
        if rel in documents:
            return documents[rel]
        prefix = Path(corpus).as_posix().rstrip("/") + "/"
        if wanted.startswith(prefix) and wanted[len(prefix):] in documents:
            return documents[wanted[len(prefix):]]
    ends = [p for p in documents if p.endswith("/" + wanted)]
    return documents[ends[0]] if len(ends) == 1 else None


def similar_paths(documents: dict[str, dict], path: str, n: int = 3) -> list[str]:
    by_name = {p.rsplit("/", 1)[-1]: p for p in documents}
    names = difflib.get_close_matches(path.rsplit("/", 1)[-1], list(by_name), n=n, cutoff=0.5)
    return [by_name[name] for name in names]


def describe(entry: dict) -> dict:
    """The JSON of `kb show --json`: the stored entry's public fields plus Czech labels."""
    data = {key: entry.get(key) for key in SHOWN_KEYS}
    data["evidence"] = data["evidence"] or {}
    data["labels"] = {
        "doc_type": label("doc_types", entry.get("doc_type") or "jine"),
        "topics": {t: label("topics", t) for t in entry.get("topics") or []},
        "professions": {p: label("professions", p) for p in entry.get("professions") or []},
    }
    return data


def _number(value) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, (int, float)) else "?"


def _quoted(values, limit: int) -> str:
    values = [str(v) for v in values if v]
    text = ", ".join(f"„{v}“" for v in values[:limit])
    return text + (f" a další ({len(values) - limit})" if len(values) > limit else "")


def _counted(terms: dict, strong: set[str]) -> str:
    shown = [f"„{t}“ {n}×" + (" (silný výraz)" if t in strong else "")
             for t, n in list(terms.items())[:MAX_TERMS_SHOWN]]
    more = f" a další ({len(terms) - MAX_TERMS_SHOWN})" if len(terms) > MAX_TERMS_SHOWN else ""
    return ", ".join(shown) + more


def _part_name(part: dict) -> str:
    name = f"„{part['label']}“" if part.get("label") else "jeden oddíl"
    if part.get("pages"):
        name += f" (str. {format_pages(part['pages'])})"
    return name


def evidence_lines(evidence: dict | None) -> list[str]:
    """Why one tag is there, as Czech sentences: how it was decided (by hand, by the
    whole text, by one section about it, by outputs the document names), the words
    found and where they stand. The one formatter of tag evidence: `kb show` prints
    these lines and the app's "Proč tento štítek?" lists them."""
    ev = evidence if isinstance(evidence, dict) else {}
    lines = []
    terms = ev.get("terms") or {}
    score = f"skóre {_number(ev.get('score'))}"
    if ev.get("threshold") is not None:
        score += f", potřeba aspoň {_number(ev.get('threshold'))}"
    if ev.get("source") == MANUAL:
        lines.append("Přiděleno ručně v metadatech dokumentu"
                     + (f" (text ho také podporuje, {score})." if terms else "."))
    elif not terms and not ev.get("score"):
        lines.append("Text neobsahuje výrazné znaky žádné kategorie; zařazeno výchozím způsobem.")
    elif ev.get("basis") == "section" and ev.get("part"):
        part = ev["part"]
        lines.append(f"Přiděleno automaticky: tématu se věnuje oddíl {_part_name(part)}"
                     f" (skóre oddílu {_number(part.get('score'))}, potřeba aspoň "
                     f"{_number(ev.get('threshold'))}).")
    elif ev.get("basis") == "outputs" and ev.get("outputs"):
        lines.append("Přiděleno automaticky: dokument uvádí výstupy nebo akce na toto téma: "
                     + _quoted(ev["outputs"], 3) + ".")
    else:
        lines.append(f"Přiděleno automaticky podle textu ({score}).")
    if terms:
        lines.append("Nalezené výrazy: " + _counted(terms, set(ev.get("strong") or [])) + ".")
    where = []
    if ev.get("in_title"):
        where.append("v názvu")
    if ev.get("pages"):
        where.append("na str. " + format_pages(ev["pages"]))
    if ev.get("sections"):
        where.append("v oddílech " + _quoted(ev["sections"], 6))
    if where:
        lines.append("Výskyt: " + ", ".join(where) + ".")
    if ev.get("weak"):
        lines.append("Jen v seznamu názvů nebo v titulu seriálu (samo nestačí): "
                     + _counted(ev["weak"], set()) + ".")
    return lines


def human_lines(entry: dict) -> list[str]:
    """`kb show` without --json."""
    data = describe(entry)
    evidence = data["evidence"]
    lines = [data["title"] or data["path"], ""]
    fmt = format_label(data["format"])
    size = pages_count(data["pages"], space=" ") if data.get("pages") else f"{data.get('sections') or 0} oddílů (bez stran)"
    lines.append(f"  soubor:      {data['path']} ({fmt}, {size})")
    type_evidence = evidence.get("doc_type") or {}
    how = "ručně v metadatech" if type_evidence.get("source") == "ručně" else "automaticky"
    lines.append(f"  typ:         {data['labels']['doc_type']} [{data['doc_type']}] — {how}")
    if type_evidence.get("terms"):
        lines.extend(f"               {line}" for line in evidence_lines(type_evidence)[1:])
    for key, name in (("year", "rok"), ("organization", "organizace"), ("source_url", "zdroj"),
                      ("summary", "shrnutí")):
        if data.get(key):
            lines.append(f"  {name + ':':12} {data[key]}")
    if data.get("ocr_pages"):
        lines.append(f"  text rozpoznán z obrázku (OCR) na str. {format_pages(data['ocr_pages'])}")
    for facet, name in FACET_NAMES.items():
        lines.append("")
        tags = data.get(facet) or []
        if not tags:
            lines.append(f"{name}: žádné")
            continue
        lines.append(f"{name}:")
        for tag in tags:
            lines.append(f"  {data['labels'][facet][tag]} [{tag}]")
            lines.extend(f"      {line}" for line in evidence_lines((evidence.get(facet) or {}).get(tag)))
    excluded = evidence.get("excluded") or {}
    for facet, name in FACET_NAMES.items():
        if excluded.get(facet):
            removed = ", ".join(f"{label(facet, t)} [{t}]" for t in excluded[facet])
            lines.append(f"\n{name} odebrané ručně (metadata): {removed}")
    return lines
