"""Trainer collections ("Moje sada materiálů"): documents or chosen pages with a note,
in the trainer's order.

A collection is small plain data. It travels three ways, all validated on the way in
because each is untrusted (a shared link, a file from a colleague):
- a compact URL parameter (JSON, zlib, base64url), so a reload or a shared link keeps it;
- a JSON file the trainer downloads and loads again;
- the export (kb/library/exports.py): a ZIP of the original files with a reading list
  whose citations kb/library/citations.py writes.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import zlib
from dataclasses import dataclass, field

from kb.errors import KbError
from kb.paths import UnsafePath, normalise_rel

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
