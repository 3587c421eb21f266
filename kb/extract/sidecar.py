"""Sidecar metadata: `NAME.yaml` beside `NAME.pdf`. Read with yaml.safe_load only;
anything malformed becomes a warning and the document is indexed without it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.facets import FACETS, TAG_FACETS
from kb.safe_text import safe_text

MAX_SIDECAR_BYTES = 64 * 1024
TEXT_FIELDS = ("title", "organization", "publisher", "place", "source_url", "summary",
               *(f.id for f in FACETS if not f.multi))
LIST_FIELDS = tuple(key for f in TAG_FACETS for key in (f.id, f.exclude_key))


def sidecar_path(document_path: Path) -> Path:
    """NAME.yaml, or NAME.yml when only that one exists (the indexer hashes this file, so
    editing either spelling is noticed)."""
    path = document_path.with_suffix(".yaml")
    alt = document_path.with_suffix(".yml")
    return alt if not path.is_file() and alt.is_file() else path


def load_sidecar(document_path: Path) -> tuple[dict[str, Any], list[str]]:
    """Return (metadata, warnings). Missing sidecar -> ({}, [])."""
    path = sidecar_path(document_path)
    if not path.is_file():
        return {}, []
    name = path.name
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_SIDECAR_BYTES:
            return {}, [f"Metadata {name} jsou příliš velká (nad 64 kB) a byla vynechána."]
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as e:
        mark = getattr(e, "problem_mark", None)
        where = f" na řádku {mark.line + 1}" if mark is not None else ""
        return {}, [f"Metadata {name} mají chybu zápisu{where}; dokument je zařazen bez nich. "
                    "Opravte soubor YAML (např. chybějící uvozovka nebo závorka)."]
    except OSError:
        return {}, [f"Metadata {name} nejdou otevřít; dokument je zařazen bez nich."]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [f"Metadata {name} musí být slovník (klíč: hodnota); dokument je zařazen bez nich."]
    return _validate(data, name)


def _validate(data: dict, name: str) -> tuple[dict[str, Any], list[str]]:
    meta: dict[str, Any] = {}
    warnings: list[str] = []
    for key in TEXT_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            meta[key] = safe_text(str(value)).strip()[:500]
        else:
            warnings.append(f"Metadata {name}: pole '{key}' musí být text; bylo vynecháno.")
    year = data.get("year")
    # Only scalars are ever turned into text: str() of an alias bomb (billion laughs) would
    # expand it exponentially, while the parsed YAML itself only shares references.
    if year is not None and (not isinstance(year, (int, str)) or isinstance(year, bool)):
        warnings.append(f"Metadata {name}: rok musí být číslo (např. 2023); byl vynechán.")
    elif year is not None:
        try:
            meta["year"] = int(str(year).strip()[:4])
        except ValueError:
            warnings.append(f"Metadata {name}: rok '{safe_text(str(year)[:20])}' není číslo; byl vynechán.")
    for key in LIST_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value[:100]):
            meta[key] = [safe_text(v).strip() for v in value[:100]]
        else:
            warnings.append(f"Metadata {name}: pole '{key}' musí být seznam štítků; bylo vynecháno.")
    unknown = sorted(safe_text(str(k)[:40]) for k in data if k not in meta and k not in
                     (*TEXT_FIELDS, *LIST_FIELDS, "year"))
    if unknown:
        warnings.append(f"Metadata {name}: neznámá pole {', '.join(unknown)} byla ignorována.")
    return meta, warnings
