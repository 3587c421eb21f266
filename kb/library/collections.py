"""Trainer collections ("Moje sada materiálů"): documents or chosen pages with a note,
in the trainer's order, and their export.

A collection is small plain data. It travels three ways, all validated on the way in
because each is untrusted (a shared link, a file from a colleague):
- a compact URL parameter (JSON, zlib, base64url), so a reload or a shared link keeps it;
- a JSON file the trainer downloads and loads again;
- the export: a ZIP of the original files (only files inside the corpus) with a reading
  list in Markdown and DOCX, citations after ČSN ISO 690 and the trainer's notes.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import KbError
from kb.paths import UnsafePath, normalise_rel, resolve_in_corpus

DEFAULT_NAME = "Moje sada materiálů"
FILE_FORMAT = "kb-sada"
FILE_VERSION = 1
PARAM_PREFIX = "1."
MAX_ITEMS = 200
MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 120
MAX_PAGE = 100_000
MAX_PAGES_PER_ITEM = 500
MAX_PARAM_CHARS = 12_000
MAX_FILE_BYTES = 1024 * 1024
MAX_DECOMPRESSED = 512 * 1024
# Above this the URL gets unwieldy for browsers and proxies; the app then asks the
# trainer to save the collection as a file instead.
URL_SAFE_CHARS = 6000


class CollectionError(KbError):
    """A collection (URL parameter or file) cannot be read; the message says why."""


# ---------------------------------------------------------------- the data


@dataclass
class Item:
    path: str  # corpus-relative, "/"
    pages: list[int] = field(default_factory=list)  # empty = the whole document
    note: str = ""


@dataclass
class Collection:
    items: list[Item] = field(default_factory=list)
    name: str = DEFAULT_NAME

    def __len__(self) -> int:
        return len(self.items)

    def paths(self) -> list[str]:
        return [item.path for item in self.items]

    def find(self, path: str) -> Item | None:
        return next((item for item in self.items if item.path == path), None)

    def add(self, path: str, pages: list[int] | None = None, note: str = "") -> bool:
        """Add a document (pages empty) or some of its pages. Adding a document that is
        already there merges the pages (the whole document stays whole). True if new."""
        path = normalise_rel(path)
        pages = clean_pages(pages or [])
        existing = self.find(path)
        if existing is not None:
            if existing.pages and pages:
                existing.pages = sorted(set(existing.pages) | set(pages))[:MAX_PAGES_PER_ITEM]
            else:
                existing.pages = []
            if note and not existing.note:
                existing.note = clean_note(note)
            return False
        if len(self.items) >= MAX_ITEMS:
            raise CollectionError(f"Sada může mít nejvýš {MAX_ITEMS} položek. "
                                  "Rozdělte materiály do více sad.")
        self.items.append(Item(path=path, pages=pages, note=clean_note(note)))
        return True

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]

    def move(self, index: int, delta: int) -> None:
        """Move item `index` up (delta < 0) or down; out-of-range moves do nothing."""
        target = index + delta
        if 0 <= index < len(self.items) and 0 <= target < len(self.items):
            self.items.insert(target, self.items.pop(index))

    def set_note(self, index: int, note: str) -> None:
        if 0 <= index < len(self.items):
            self.items[index].note = clean_note(note)

    def set_pages(self, index: int, pages: list[int]) -> None:
        if 0 <= index < len(self.items):
            self.items[index].pages = clean_pages(pages)

    # ------------------------------------------------------------ serialisation

    def to_data(self) -> dict:
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "name": self.name,
            "items": [{"path": i.path, "pages": i.pages, "note": i.note} for i in self.items],
        }

    def to_json(self, titles: dict[str, str] | None = None) -> bytes:
        """The file the trainer downloads. Titles are added for people reading the file;
        loading ignores them (the index knows the current title)."""
        data = self.to_data()
        data["saved"] = dt.date.today().isoformat()
        if titles:
            for item in data["items"]:
                if item["path"] in titles:
                    item["title"] = titles[item["path"]]
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> tuple[Collection, list[str]]:
        """Load a saved file: (collection, warnings about items that were left out)."""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if len(raw) > MAX_FILE_BYTES:
            raise CollectionError("Soubor se sadou je příliš velký (nad 1 MB). Je to opravdu uložená sada?")
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise CollectionError("Soubor není uložená sada materiálů (neplatný JSON). "
                                  "Vyberte soubor, který jste si z aplikace stáhli.") from e
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise CollectionError("Soubor není uložená sada materiálů. "
                                  "Vyberte soubor sada-materialu.json stažený z aplikace.")
        return cls._from_data(data)

    def to_param(self) -> str:
        """Compact URL form: '1.' + base64url(zlib(JSON)). Empty collection -> ''."""
        if not self.items:
            return ""
        rows = [[i.path, i.pages, i.note] if i.note else [i.path, i.pages] for i in self.items]
        payload = {"i": rows}
        if self.name != DEFAULT_NAME:
            payload["n"] = self.name
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        encoded = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
        return PARAM_PREFIX + encoded

    @classmethod
    def from_param(cls, value: str) -> tuple[Collection, list[str]]:
        if not value:
            return cls(), []
        if not value.startswith(PARAM_PREFIX) or len(value) > MAX_PARAM_CHARS:
            raise CollectionError("Sadu materiálů v odkazu nejde přečíst (odkaz je poškozený nebo "
                                  "zkrácený). Načtěte ji ze staženého souboru.")
        body = value[len(PARAM_PREFIX):]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj()
            raw = inflater.decompress(compressed, MAX_DECOMPRESSED)
            if inflater.unconsumed_tail:
                raise CollectionError("Sada v odkazu je příliš velká.")
            payload = json.loads(raw.decode("utf-8"))
        except CollectionError:
            raise
        except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise CollectionError("Sadu materiálů v odkazu nejde přečíst (odkaz je poškozený nebo "
                                  "zkrácený). Načtěte ji ze staženého souboru.") from e
        if not isinstance(payload, dict) or not isinstance(payload.get("i"), list):
            raise CollectionError("Sadu materiálů v odkazu nejde přečíst.")
        items = []
        for row in payload["i"]:
            if isinstance(row, list) and row:
                items.append({"path": row[0], "pages": row[1] if len(row) > 1 else [],
                              "note": row[2] if len(row) > 2 else ""})
            else:
                items.append(row)
        return cls._from_data({"name": payload.get("n", DEFAULT_NAME), "items": items})

    @classmethod
    def _from_data(cls, data: dict) -> tuple[Collection, list[str]]:
        warnings: list[str] = []
        name = data.get("name")
        collection = cls(name=clean_name(name) if isinstance(name, str) else DEFAULT_NAME)
        items = data.get("items")
        if not isinstance(items, list):
            raise CollectionError("V sadě chybí seznam položek.")
        for raw_item in items:
            if len(collection.items) >= MAX_ITEMS:
                warnings.append(f"Sada má víc než {MAX_ITEMS} položek; další byly vynechány.")
                break
            if not isinstance(raw_item, dict) or not isinstance(raw_item.get("path"), str):
                warnings.append("Jedna položka sady nemá platnou cestu k souboru a byla vynechána.")
                continue
            try:
                pages = raw_item.get("pages") or []
                if not isinstance(pages, list):
                    raise ValueError
                note = raw_item.get("note") or ""
                collection.add(raw_item["path"], [int(p) for p in pages if not isinstance(p, bool)],
                               note if isinstance(note, str) else "")
            except UnsafePath as e:
                warnings.append(f"Položka byla vynechána: {e}")
            except (ValueError, TypeError, OverflowError):
                warnings.append(f"Položka '{str(raw_item['path'])[:80]}' má neplatná čísla stran "
                                "a byla vynechána.")
        return collection, warnings


# ---------------------------------------------------------------- small helpers


def clean_note(note: str) -> str:
    note = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in note or "")
    return note.strip()[:MAX_NOTE_CHARS]


def clean_name(name: str) -> str:
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
    return name[:MAX_NAME_CHARS] or DEFAULT_NAME


def clean_pages(pages: list[int]) -> list[int]:
    return sorted({int(p) for p in pages if 0 < int(p) <= MAX_PAGE})[:MAX_PAGES_PER_ITEM]


_PAGE_RANGE = re.compile(r"^\s*(\d{1,6})\s*(?:[-–—]\s*(\d{1,6})\s*)?$")


def parse_pages(text: str) -> list[int]:
    """'3, 5-7' -> [3, 5, 6, 7]. Empty text -> [] (the whole document)."""
    pages: set[int] = set()
    for part in re.split(r"[,;]", text or ""):
        if not part.strip():
            continue
        m = _PAGE_RANGE.match(part)
        if not m:
            raise CollectionError(f"'{part.strip()[:20]}' není číslo strany. Pište např. 3, 5-7.")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo < 1 or hi < lo or hi - lo > MAX_PAGES_PER_ITEM or hi > MAX_PAGE:
            raise CollectionError(f"Rozsah stran '{part.strip()[:20]}' není platný.")
        pages.update(range(lo, hi + 1))
    return sorted(pages)[:MAX_PAGES_PER_ITEM]


def format_pages(pages: list[int]) -> str:
    """[3, 4, 5, 7] -> '3–5, 7' (en dash between the ends of a range, as Czech typography has it)."""
    out: list[str] = []
    pages = sorted(set(pages))
    i = 0
    while i < len(pages):
        j = i
        while j + 1 < len(pages) and pages[j + 1] == pages[j] + 1:
            j += 1
        out.append(str(pages[i]) if i == j else f"{pages[i]}–{pages[j]}")
        i = j + 1
    return ", ".join(out)


def czech_date(day: dt.date) -> str:
    return f"{day.day}. {day.month}. {day.year}"


# ---------------------------------------------------------------- citations (ČSN ISO 690)


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())


def _safe_url(url: str) -> str:
    url = _one_line(url)
    if re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE):
        return url
    return ""


_UPPER = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ"
# "…, ve spolupráci s X" / "…, pro město X": a partner or a client, not an author
_SECONDARY = re.compile(r"(?:,\s*|\s+)(ve\s+spolupráci\s+se?\s.+)$|,\s*(pro\s.+)$", re.IGNORECASE)
# "A, z. s., a B, o. p. s." / "A; B": several bodies (a new one starts with a capital)
_SEVERAL = re.compile(rf"\s*;\s*|,?\s+a\s+(?=[{_UPPER}])")
# "Úřad X, odbor Y" / "Spolek X — centrum Y": a unit under its parent body
_UNIT = re.compile(r",\s+(?=(?:odbor|oddělení|sekce|úsek|útvar|referát)\b)|\s+[—–]\s+")
# a town's own office names the place of publication: "Městský úřad Lipnice nad Orlicí"
_TOWN_OFFICE = re.compile(r"^(?:Městský|Obecní|Místní)\s+úřad\s+(.+)$")


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def corporate_authors(organization: str) -> tuple[list[list[str]], str]:
    """The organisation field as ČSN ISO 690 corporate authors: a list of bodies, each its
    hierarchy from the top (["Krajský úřad Podhorského kraje", "Odbor sociálních věcí"]),
    and the secondary responsibility ("Ve spolupráci s …", "Pro město …") that is not
    an author at all."""
    text = _one_line(organization)
    secondary = ""
    match = _SECONDARY.search(text)
    if match:
        secondary = _sentence_start((match.group(1) or match.group(2)).rstrip(". ")) + "."
        text = text[:match.start()]
    bodies = []
    for body in _SEVERAL.split(text.strip(" ,;")):
        units = [_sentence_start(u.strip(" ,")) for u in _UNIT.split(body) if u.strip(" ,")]
        if units:
            bodies.append(units)
    return bodies, secondary


def _join_bodies(bodies: list[list[str]], top_only: bool = False) -> str:
    names = [b[0] if top_only else ". ".join(u.rstrip(".") if i < len(b) - 1 else u
                                             for i, u in enumerate(b)) for b in bodies]
    return "; ".join(names)


def _end(text: str) -> str:
    return text if text.endswith(".") else text + "."


def citation_parts(entry: dict, pages: list[int], cited: dt.date) -> list[tuple[str, str]]:
    """A citation as (text, style) runs, style "" | "i" (italic) | "url", so Markdown and
    DOCX render the same thing.

    ČSN ISO 690 for a corporate author's document: Autor. *Název* [online]. Další
    odpovědnost. Místo: Nakladatel, rok [cit. RRRR-MM-DD]. S. x–y. Dostupné z: URL.
    The corporate author is written as the body calls itself, a unit after its parent
    ("Krajský úřad X. Odbor Y"), several bodies divided by semicolons; the publisher is
    the author's top body unless the sidecar names one (`publisher`), the place comes
    from the sidecar (`place`) or a town office's name, else [b. m.] (bez místa), and
    an unknown year is [b. r.] (bez roku)."""
    runs: list[tuple[str, str]] = []
    bodies, secondary = corporate_authors(entry.get("organization", ""))
    title = _one_line(entry.get("title") or entry.get("path", "")).rstrip(".")
    url = _safe_url(entry.get("source_url", ""))
    year = entry.get("year")
    if bodies:
        runs.append((_end(_join_bodies(bodies)) + " ", ""))
    runs.append((title, "i"))
    tail = " [online]" if url else ""
    tail += ". "
    if secondary:
        tail += secondary + " "
    publisher = _one_line(entry.get("publisher", "")) or _join_bodies(bodies, top_only=True)
    town = _TOWN_OFFICE.match(bodies[0][0]) if bodies else None
    place = _one_line(entry.get("place", "")) or (town.group(1) if town else "")
    if publisher:
        tail += f"{place or '[b. m.]'}: {publisher}, "
    tail += str(year) if year else "[b. r.]"
    if url:
        tail += f" [cit. {cited.isoformat()}]"
    tail += "."
    if pages:
        tail += f" S. {format_pages(pages)}."
    if url:
        tail += " Dostupné z: "
    runs.append((tail, ""))
    if url:
        runs.append((url, "url"))
    return runs


def citation_text(entry: dict, pages: list[int], cited: dt.date | None = None) -> str:
    return "".join(text for text, _ in citation_parts(entry, pages, cited or dt.date.today()))


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


# ---------------------------------------------------------------- export


@dataclass
class ExportEntry:
    item: Item
    entry: dict  # manifest entry (title, organization, year, source_url, format...)
    archive_name: str = ""  # name inside the ZIP; "" when the file was not included
    problem: str = ""


def _archive_name(position: int, rel: str) -> str:
    base = posixpath.basename(rel)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '\\/:*?"<>|') or "soubor"
    return f"{position:02d}-{base}"


def prepare_export(collection: Collection, documents: dict[str, dict], corpus: Path
                   ) -> list[ExportEntry]:
    """Match items to indexed documents and to files inside the corpus. Items that are
    not indexed or whose file is missing or outside the corpus get a `problem`."""
    prepared = []
    for position, item in enumerate(collection.items, start=1):
        entry = documents.get(item.path)
        export = ExportEntry(item=item, entry=entry or {"path": item.path, "title": item.path})
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


def export_zip(collection: Collection, documents: dict[str, dict], corpus: Path,
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
        titles = {e.item.path: e.entry.get("title", "") for e in prepared}
        archive.writestr("sada-materialu.json", collection.to_json(titles))
    return ExportResult(data=buffer.getvalue(), included=included, problems=problems)


def export_filename(collection: Collection, suffix: str, today: dt.date | None = None) -> str:
    from kb.library.uploads import ascii_slug

    today = today or dt.date.today()
    return f"{ascii_slug(collection.name) or 'sada'}-{today.isoformat()}.{suffix}"
