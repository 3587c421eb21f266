"""Adding documents to the corpus from the admin page.

An upload is untrusted: its name may hold `../`, its type may lie, it may be huge or
empty. So the type is read from the content bytes (the name only has to agree), the
size is limited, the file name is rebuilt from safe ASCII characters, the target must
lie inside the corpus, and an existing file is replaced only with explicit consent.
The optional sidecar (title, year, organisation, tags) is validated and written with
`yaml.safe_dump`, so nothing typed into the form can become YAML code.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.errors import KbError
from kb.extract.sniff import wrong_format_reason
from kb.facets import TAG_FACETS
from kb.paths import UnsafePath, normalise_rel
from kb.taxonomy import ids

# content type -> file suffix written to the corpus
SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "txt": ".txt", "md": ".md"}
MB = 1024 * 1024
MAX_NAME_CHARS = 80
TEXT_SNIFF_BYTES = 64 * 1024
MAX_SIDECAR_TEXT = 500
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                     *(f"lpt{i}" for i in range(10))}


class UploadError(KbError):
    """An upload was refused; the Czech message says why and what to do."""


class UploadExists(UploadError):
    """A file of that name is already in the corpus; replacing it needs consent."""

    def __init__(self, message: str, rel_path: str, alternative: str):
        super().__init__(message)
        self.rel_path = rel_path
        self.alternative = alternative


# ---------------------------------------------------------------- content type


def detect_type(data: bytes) -> str | None:
    """'pdf', 'docx' or 'txt' from the bytes themselves; None for anything else."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist()[:5000])  # the central directory only: no inflating
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        return None
    return "txt" if _looks_like_text(data) else None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:TEXT_SNIFF_BYTES]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(sample) * 0.01:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        if e.start >= len(sample) - 4:  # a character cut by the sample's end
            return True
    # a legacy 8-bit encoding (cp1250, ISO-8859-2): letters, not binary noise
    high = sum(1 for b in sample if b >= 0x80)
    return high <= len(sample) * 0.3


def check_upload(data: bytes, filename: str, max_bytes: int) -> str:
    """The content type of an acceptable upload, or UploadError with the reason."""
    size = len(data)
    if size == 0:
        raise UploadError("Soubor je prázdný (0 bajtů). Vyberte jiný soubor.")
    if size > max_bytes:
        limit = str(max_bytes // MB) if max_bytes % MB == 0 else _mb(max_bytes)
        raise UploadError(f"Soubor je příliš velký ({_mb(size)} MB, limit {limit} MB). "
                          "Zmenšete ho (např. uložením PDF v menší kvalitě) nebo požádejte správce "
                          "o zvýšení limitu KB_MAX_UPLOAD_MB.")
    kind = detect_type(data)
    if kind is None:
        raise UploadError("Obsah souboru není PDF, DOCX ani prostý text, a proto ho nelze přidat. "
                          "Uložte dokument jako PDF nebo DOCX a zkuste to znovu.")
    claimed = Path(filename or "").suffix.lower()
    if kind == "txt" and claimed == ".md":
        kind = "md"
    if claimed in SUFFIXES.values() and SUFFIXES[kind] != claimed:
        raise UploadError(wrong_format_reason(claimed, data))  # the indexer's own words
    return kind


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f}".replace(".", ",") if value < 10 else str(round(value))


# ---------------------------------------------------------------- names and targets


def ascii_slug(text: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """'Metodika – Kyberšikana (2024)' -> 'metodika-kybersikana-2024'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:max_chars].rstrip("-")


def safe_filename(filename: str, kind: str) -> str:
    """A safe file name for the corpus: no folders, ASCII letters, digits and dashes,
    the suffix of the detected type."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    slug = ascii_slug(stem)
    if not slug or slug in _WINDOWS_RESERVED:
        slug = f"dokument-{slug}" if slug else "dokument"
    return slug + SUFFIXES[kind]


def corpus_folders(corpus: Path) -> list[str]:
    """Existing visible sub-folders of the corpus ('' = the corpus itself), for the form."""
    root = Path(corpus)
    found = [""]
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not d.startswith("_"))
        rel = Path(dirpath).relative_to(root).as_posix()
        if rel != ".":
            found.append(rel)
        if len(found) > 200:
            break
    return found


def target_path(corpus: Path, folder: str, name: str) -> tuple[Path, str]:
    """(absolute target, corpus-relative path); the folder must exist inside the corpus."""
    root = Path(corpus).resolve()
    rel = normalise_rel(f"{folder.strip('/')}/{name}" if folder.strip("/") else name)
    parent = (root / rel).parent
    try:
        real_parent = parent.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        raise UploadError(f"Složka '{folder}' v knihovně neexistuje. Vyberte jinou.") from e
    if not real_parent.is_relative_to(root) or not real_parent.is_dir():
        raise UploadError("Soubor nelze uložit mimo složku knihovny.")
    return real_parent / Path(rel).name, rel


def _alternative(target: Path) -> Path:
    for n in range(2, 1000):
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if not candidate.exists() and not candidate.with_suffix(".yaml").exists():
            return candidate
    raise UploadError("V knihovně je příliš mnoho souborů se stejným názvem. Soubor přejmenujte.")


# ---------------------------------------------------------------- sidecar


@dataclass
class SidecarFields:
    title: str = ""
    year: int | None = None
    organization: str = ""
    publisher: str = ""  # the citation's publisher and place (ČSN ISO 690), when not the author's
    place: str = ""
    source_url: str = ""
    doc_type: str = ""
    tags: dict[str, list[str]] = field(default_factory=dict)  # facet id -> ids (kb/facets.py TAG_FACETS)
    summary: str = ""

    def to_yaml_dict(self) -> dict:
        """Validated sidecar content (only filled fields)."""
        data: dict = {}
        for key in ("title", "organization", "publisher", "place", "summary"):
            value = " ".join(str(getattr(self, key) or "").split())[:MAX_SIDECAR_TEXT]
            if value:
                data[key] = value
        if self.year is not None:
            if not 1900 <= int(self.year) <= 2100:
                raise UploadError(f"Rok {self.year} není platný; zadejte rok vydání, např. 2023.")
            data["year"] = int(self.year)
        url = (self.source_url or "").strip()
        if url:
            if not re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE):
                raise UploadError("Odkaz na zdroj musí začínat http:// nebo https:// a nesmí "
                                  "obsahovat mezery.")
            data["source_url"] = url[:MAX_SIDECAR_TEXT]
        if self.doc_type:
            _check_ids("doc_types", [self.doc_type], "typ dokumentu")
            data["doc_type"] = self.doc_type
        for facet in TAG_FACETS:
            values = list(dict.fromkeys(self.tags.get(facet.id) or []))
            if values:
                _check_ids(facet.section, values, facet.label.lower())
                data[facet.id] = values
        return data


def _check_ids(section: str, values: list[str], what: str) -> None:
    unknown = [v for v in values if v not in set(ids(section))]
    if unknown:
        raise UploadError(f"Neznámá hodnota ({what}): {', '.join(unknown)[:100]}. Vyberte ze seznamu.")


# ---------------------------------------------------------------- saving


@dataclass
class SavedUpload:
    rel_path: str
    kind: str
    replaced: bool
    sidecar: str = ""  # corpus-relative path of the written sidecar, if any


def _write_new(target: Path, data: bytes, *, replace: bool) -> None:
    """Write via a temporary file in the same folder: a reader never sees half a file.
    Without `replace`, os.link refuses an existing target atomically (no race)."""
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_upload(
    corpus: Path,
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    folder: str = "",
    sidecar: SidecarFields | None = None,
    overwrite: bool = False,
    rename_if_exists: bool = False,
) -> SavedUpload:
    """Check and store one upload in the corpus. An existing file raises UploadExists
    unless `overwrite` (the user agreed to replace it) or `rename_if_exists`."""
    kind = check_upload(data, filename, max_bytes)
    sidecar_data = sidecar.to_yaml_dict() if sidecar else {}
    try:
        target, rel = target_path(corpus, folder, safe_filename(filename, kind))
    except UnsafePath as e:
        raise UploadError(str(e)) from e
    if target.is_symlink() or target.with_suffix(".yaml").is_symlink():
        raise UploadError("Na místě souboru je odkaz (symlink); z bezpečnostních důvodů ho nelze přepsat.")
    # an orphaned NAME.yaml would silently attach itself to the new file: a conflict too
    exists = target.exists() or target.with_suffix(".yaml").exists()
    if exists and not overwrite:
        alternative = _alternative(target)
        alt_rel = f"{Path(rel).parent.as_posix()}/{alternative.name}".lstrip("./")
        if not rename_if_exists:
            raise UploadExists(f"V knihovně už je soubor '{rel}'. Chcete ho nahradit, nebo uložit "
                               f"nový soubor jako '{alt_rel}'?", rel, alt_rel)
        target, rel, exists = alternative, alt_rel, False
    sidecar_target = target.with_suffix(".yaml")
    for path in (target, sidecar_target):
        if path.exists() and not path.is_file():
            raise UploadError(f"'{path.name}' v knihovně není soubor; nelze ho nahradit.")
    try:
        _write_new(target, data, replace=target.exists())
        sidecar_rel = ""
        # Replacing a document without new metadata keeps its old sidecar (a new version
        # of the same document); new metadata replaces it.
        if sidecar_data:
            text = yaml.safe_dump(sidecar_data, allow_unicode=True, sort_keys=False)
            _write_new(sidecar_target, text.encode("utf-8"), replace=sidecar_target.exists())
            sidecar_rel = rel.rsplit(".", 1)[0] + ".yaml"
    except FileExistsError as e:
        raise UploadError("Soubor se stejným názvem mezitím přidal někdo jiný. Zkuste to znovu.") from e
    except OSError as e:
        raise UploadError(f"Soubor nešlo uložit ({e.strerror}). Zkontrolujte místo na disku a "
                          "oprávnění ke složce knihovny.") from e
    return SavedUpload(rel_path=rel, kind=kind, replaced=exists, sidecar=sidecar_rel)
