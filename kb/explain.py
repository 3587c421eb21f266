"""One document as `kb show` presents it: its metadata and each tag with the evidence
that gave it, as JSON or as Czech lines for people. Reads only the manifest entry that
indexing stored (kb/tagging.py made the evidence), so it needs no re-extraction."""
from __future__ import annotations

import difflib
from pathlib import Path

from kb.extract import format_label
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


def _pages_text(pages: list[int]) -> str:
    """1, 2, 3, 5 -> "1–3, 5"."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def evidence_lines(evidence: dict | None) -> list[str]:
    """Why one tag is there, in Czech: source and score, matched words, where."""
    evidence = evidence or {}
    lines = []
    score = f"skóre {_number(evidence.get('score'))}"
    if evidence.get("threshold") is not None:
        score += f" (potřeba aspoň {_number(evidence.get('threshold'))})"
    if evidence.get("source") == "ručně":
        found = " — text ho také podporuje, " + score if evidence.get("terms") else ""
        lines.append(f"ručně (v metadatech dokumentu){found}")
    else:
        lines.append(f"automaticky, {score}")
    terms = evidence.get("terms") or {}
    if terms:
        strong = set(evidence.get("strong") or [])
        shown = [f"„{t}“ {n}×" + (" (silný výraz)" if t in strong else "")
                 for t, n in list(terms.items())[:MAX_TERMS_SHOWN]]
        more = f" a další ({len(terms) - MAX_TERMS_SHOWN})" if len(terms) > MAX_TERMS_SHOWN else ""
        lines.append("výrazy: " + ", ".join(shown) + more)
    where = []
    if evidence.get("in_title"):
        where.append("v názvu")
    if evidence.get("pages"):
        where.append("na str. " + _pages_text(evidence["pages"]))
    sections = evidence.get("sections") or []
    if sections:
        where.append("v oddílech " + ", ".join(f"„{s}“" for s in sections[:6])
                     + (f" a dalších {len(sections) - 6}" if len(sections) > 6 else ""))
    if where:
        lines.append("výskyt: " + ", ".join(where))
    return lines


def human_lines(entry: dict) -> list[str]:
    """`kb show` without --json."""
    data = describe(entry)
    evidence = data["evidence"]
    lines = [data["title"] or data["path"], ""]
    fmt = format_label(data["format"])
    size = f"{data['pages']} stran" if data.get("pages") else f"{data.get('sections') or 0} oddílů (bez stran)"
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
        lines.append(f"  text rozpoznán z obrázku (OCR) na str. {_pages_text(data['ocr_pages'])}")
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
