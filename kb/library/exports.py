"""The export of a collection: a ZIP of the original files (only files inside the
corpus) in the trainer's order, with a reading list in Markdown and DOCX (citations by
kb/library/citations.py, the trainer's notes) and the collection file to load it again."""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kb.czech import czech_date
from kb.library.citations import citation_parts
from kb.library.collections import Collection, Item
from kb.model import IndexedDocument
from kb.paths import UnsafePath, resolve_in_corpus

# `]` only makes a link before `(` or `[` (a reference definition needs a line-leading
# `[`, escaped below), so "[online]" and "[b. m.]" stay as written.
_MD_SPECIAL = re.compile(r"([\\`*_<>~])|&(?=#?\w+;)|(\])(?=[(\[])")


def md_escape(text: str) -> str:
    """Text as literal Markdown: no link, emphasis, HTML, entity or heading can come out
    of it. Only characters that could start markup are escaped, so the file stays
    readable as plain text too (no `\\(`, `\\&` or `\\[` in ordinary prose)."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + (m.group(1) or m.group(2) or "&"),
                           re.sub(r"\s+", " ", str(text or "")))
    # a line-leading "1." / "-" / "+" / "=" / "#" / "[" would start a list, heading or definition
    return re.sub(r"^(\d+)\.", r"\1\\.", re.sub(r"^([-+=#\[])", r"\\\1", text))




@dataclass
class ExportEntry:
    item: Item
    entry: IndexedDocument  # a placeholder with the path as its title when not indexed
    archive_name: str = ""  # name inside the ZIP; "" when the file was not included
    problem: str = ""


def _archive_name(position: int, rel: str) -> str:
    base = posixpath.basename(rel)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '\\/:*?"<>|') or "soubor"
    return f"{position:02d}-{base}"


def prepare_export(collection: Collection, documents: dict[str, IndexedDocument], corpus: Path
                   ) -> list[ExportEntry]:
    """Match items to indexed documents and to files inside the corpus. Items that are
    not indexed or whose file is missing or outside the corpus get a `problem`."""
    prepared = []
    for position, item in enumerate(collection.items, start=1):
        entry = documents.get(item.path)
        export = ExportEntry(item=item, entry=entry or IndexedDocument(item.path, title=item.path))
        if entry is None:
            export.problem = "Dokument v knihovně není (byl odstraněn nebo přejmenován)."
        else:
            try:
                resolve_in_corpus(corpus, item.path)
                export.archive_name = _archive_name(position, item.path)
            except UnsafePath as e:
                export.problem = str(e)
        prepared.append(export)
    return prepared


def _md_run(text: str, style: str) -> str:
    if style == "i":
        return f"*{md_escape(text)}*"
    if style == "url":
        return f"<{text}>"  # validated by _safe_url: http(s), no spaces, quotes or angle brackets
    return md_escape(text)


def reading_list_markdown(collection: Collection, prepared: list[ExportEntry],
                          today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    lines = [f"# {md_escape(collection.name)}", "",
             f"Seznam literatury (citace podle ČSN ISO 690), vytvořeno {czech_date(today)}.", ""]
    for number, export in enumerate(prepared, start=1):
        cite = "".join(_md_run(text, style)
                       for text, style in citation_parts(export.entry, export.item.pages, today))
        marker = f"{number}. "
        lines.append(marker + cite)
        # a nested list: each detail on its own line, not glued onto the citation paragraph
        lines.extend(f"{' ' * len(marker)}- {label}: {md_escape(value)}" for label, value in _details(export))
        lines.append("")
    return "\n".join(lines)


def _details(export: ExportEntry) -> list[tuple[str, str]]:
    """The lines under a citation in both reading lists: the note and the file."""
    details = []
    if export.item.note:
        details.append(("Poznámka", export.item.note))
    if export.archive_name:
        details.append(("Soubor", export.archive_name))
    elif export.problem:
        details.append(("Soubor nebyl přiložen", export.problem))
    return details


def reading_list_docx(collection: Collection, prepared: list[ExportEntry],
                      today: dt.date | None = None) -> bytes:
    import docx
    from docx.shared import Pt

    today = today or dt.date.today()
    document = docx.Document()
    document.core_properties.title = collection.name
    document.core_properties.language = "cs-CZ"
    document.add_heading(collection.name, level=1)
    document.add_paragraph(f"Seznam literatury (citace podle ČSN ISO 690), vytvořeno {czech_date(today)}.")
    for export in prepared:
        paragraph = document.add_paragraph(style="List Number")
        for text, style in citation_parts(export.entry, export.item.pages, today):
            paragraph.add_run(_xml_safe(text)).italic = style == "i"
        for label, value in _details(export):
            extra = document.add_paragraph(_xml_safe(f"{label}: {value}"))
            extra.paragraph_format.left_indent = Pt(18)
            extra.paragraph_format.space_after = Pt(2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xml_safe(text: str) -> str:
    # python-docx refuses control characters that XML cannot hold
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


@dataclass
class ExportResult:
    data: bytes
    included: list[str]
    problems: list[tuple[str, str]]  # (path, reason)


def export_zip(collection: Collection, documents: dict[str, IndexedDocument], corpus: Path,
               today: dt.date | None = None) -> ExportResult:
    """The ZIP a trainer takes home: the original files in the trainer's order, the
    reading list (Markdown and DOCX) and the collection file to load it again."""
    today = today or dt.date.today()
    prepared = prepare_export(collection, documents, corpus)
    buffer = io.BytesIO()
    included, problems = [], []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for export in prepared:
            if not export.archive_name:
                problems.append((export.item.path, export.problem))
                continue
            try:
                # resolved again right before reading: the file may have changed meanwhile
                source = resolve_in_corpus(corpus, export.item.path)
                archive.write(source, f"materialy/{export.archive_name}")
                included.append(export.item.path)
            except (UnsafePath, OSError) as e:
                export.problem = str(e) if isinstance(e, UnsafePath) else "Soubor nejde přečíst."
                export.archive_name = ""
                problems.append((export.item.path, export.problem))
        archive.writestr("seznam-literatury.md", reading_list_markdown(collection, prepared, today))
        archive.writestr("seznam-literatury.docx", reading_list_docx(collection, prepared, today))
        titles = {e.item.path: e.entry.title for e in prepared}
        archive.writestr("sada-materialu.json", collection.to_json(titles))
    return ExportResult(data=buffer.getvalue(), included=included, problems=problems)


def export_filename(collection: Collection, suffix: str, today: dt.date | None = None) -> str:
    from kb.library.uploads import ascii_slug

    today = today or dt.date.today()
    return f"{ascii_slug(collection.name) or 'sada'}-{today.isoformat()}.{suffix}"
