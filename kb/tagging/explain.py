"""One document as `kb show` presents it: its metadata and each tag with the evidence
that gave it, as JSON or as Czech lines for people. Reads only the record that
indexing stored (kb/tagging/ made the evidence), so it needs no re-extraction."""
from __future__ import annotations

import difflib
from pathlib import Path

from kb.czech import format_pages, pages_count
from kb.extract import format_label
from kb.facets import TAG_FACETS
from kb.model import Evidence, IndexedDocument, SectionPart
from kb.taxonomy import label

FACET_NAMES = {f.id: f.plural for f in TAG_FACETS}
SHOWN_KEYS = ("path", "title", "format", "pages", "sections", "year", "organization", "source_url",
              "summary", "ocr_pages", "doc_type", "evidence")  # and the tag facets, before the evidence
MAX_TERMS_SHOWN = 10


def find_document(documents: dict[str, IndexedDocument], path: str,
                  corpus: Path | None = None) -> IndexedDocument | None:
    """The record of `path` as a user types it: the indexed path
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


def similar_paths(documents: dict[str, IndexedDocument], path: str, n: int = 3) -> list[str]:
    by_name = {p.rsplit("/", 1)[-1]: p for p in documents}
    names = difflib.get_close_matches(path.rsplit("/", 1)[-1], list(by_name), n=n, cutoff=0.5)
    return [by_name[name] for name in names]


def describe(entry: IndexedDocument) -> dict:
    """The JSON of `kb show --json`: the record's public fields plus Czech labels."""
    stored = entry.to_json()
    data = {key: stored[key] for key in SHOWN_KEYS if key != "evidence"}
    data.update({facet: list(ids) for facet, ids in entry.tags.items()})
    data["evidence"] = stored["evidence"]
    data["labels"] = {
        "doc_type": label("doc_types", entry.doc_type),
        **{facet: {t: label(facet, t) for t in ids} for facet, ids in entry.tags.items()},
    }
    return data


def _number(value) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, (int, float)) else "?"


def _quoted(values, limit: int) -> str:
    values = [str(v) for v in values if v]
    text = ", ".join(f"„{v}“" for v in values[:limit])
    return text + (f" a další ({len(values) - limit})" if len(values) > limit else "")


def _counted(terms: dict, strong) -> str:
    shown = [f"„{t}“ {n}×" + (" (silný výraz)" if t in strong else "")
             for t, n in list(terms.items())[:MAX_TERMS_SHOWN]]
    more = f" a další ({len(terms) - MAX_TERMS_SHOWN})" if len(terms) > MAX_TERMS_SHOWN else ""
    return ", ".join(shown) + more


def _part_name(part: SectionPart) -> str:
    name = f"„{part.label}“" if part.label else "jeden oddíl"
    if part.pages:
        name += f" (str. {format_pages(part.pages)})"
    return name


def evidence_lines(evidence: Evidence | None) -> list[str]:
    """Why one tag is there, as Czech sentences: how it was decided (by hand, by the
    whole text, by one section about it, by outputs the document names), the words
    found and where they stand. The one formatter of tag evidence: `kb show` prints
    these lines and the app's "Proč tento štítek?" lists them."""
    ev = evidence or Evidence()
    lines = []
    score = f"skóre {_number(ev.score)}"
    if ev.threshold is not None:
        score += f", potřeba aspoň {_number(ev.threshold)}"
    if ev.manual:
        lines.append("Přiděleno ručně v metadatech dokumentu"
                     + (f" (text ho také podporuje, {score})." if ev.terms else "."))
    elif not ev.terms and not ev.score:
        lines.append("Text neobsahuje výrazné znaky žádné kategorie; zařazeno výchozím způsobem.")
    elif ev.basis == "section" and ev.part:
        lines.append(f"Přiděleno automaticky: tématu se věnuje oddíl {_part_name(ev.part)}"
                     f" (skóre oddílu {_number(ev.part.score)}, potřeba aspoň "
                     f"{_number(ev.threshold)}).")
    elif ev.basis == "outputs" and ev.outputs:
        lines.append("Přiděleno automaticky: dokument uvádí výstupy nebo akce na toto téma: "
                     + _quoted(ev.outputs, 3) + ".")
    else:
        lines.append(f"Přiděleno automaticky podle textu ({score}).")
    if ev.terms:
        lines.append("Nalezené výrazy: " + _counted(ev.terms, set(ev.strong)) + ".")
    where = []
    if ev.in_title:
        where.append("v názvu")
    if ev.pages:
        where.append("na str. " + format_pages(ev.pages))
    if ev.sections:
        where.append("v oddílech " + _quoted(ev.sections, 6))
    if where:
        lines.append("Výskyt: " + ", ".join(where) + ".")
    if ev.weak:
        lines.append("Jen v seznamu názvů nebo v titulu seriálu (samo nestačí): "
                     + _counted(ev.weak, set()) + ".")
    return lines


def human_lines(entry: IndexedDocument) -> list[str]:
    """`kb show` without --json."""
    lines = [entry.display_title, ""]
    size = pages_count(entry.page_count, space=" ") if entry.page_count else f"{entry.section_count} oddílů (bez stran)"
    lines.append(f"  soubor:      {entry.path} ({format_label(entry.format)}, {size})")
    type_evidence = entry.type_evidence
    how = "ručně v metadatech" if type_evidence.manual else "automaticky"
    lines.append(f"  typ:         {label('doc_types', entry.doc_type)} [{entry.doc_type}] — {how}")
    if type_evidence.terms:
        lines.extend(f"               {line}" for line in evidence_lines(type_evidence)[1:])
    for value, name in ((entry.year, "rok"), (entry.organization, "organizace"),
                        (entry.source_url, "zdroj"), (entry.summary, "shrnutí")):
        if value:
            lines.append(f"  {name + ':':12} {value}")
    if entry.ocr_pages:
        lines.append(f"  text rozpoznán z obrázku (OCR) na str. {format_pages(entry.ocr_pages)}")
    for facet, name in FACET_NAMES.items():
        lines.append("")
        tags = entry.values(facet)
        if not tags:
            lines.append(f"{name}: žádné")
            continue
        lines.append(f"{name}:")
        for tag in tags:
            lines.append(f"  {label(facet, tag)} [{tag}]")
            lines.extend(f"      {line}" for line in evidence_lines(entry.evidence_for(facet, tag)))
    for facet, name in FACET_NAMES.items():
        if entry.excluded.get(facet):
            removed = ", ".join(f"{label(facet, t)} [{t}]" for t in entry.excluded[facet])
            lines.append(f"\n{name} odebrané ručně (metadata): {removed}")
    return lines
