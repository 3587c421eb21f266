"""The taxonomy (kb/taxonomy.yaml): ids, Czech labels and terms of every facet
(kb/facets.py) and the tagging settings. Loaded once; ids are the contract of DESIGN.md."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

from kb.facets import BY_ID, SECTIONS

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")
FACETS = SECTIONS  # taxonomy sections, one per facet of kb/facets.py


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for facet in FACETS:
        data.setdefault(facet, {})
    return data


def load_taxonomy(path: Path | None = None) -> dict:
    path = path or TAXONOMY_PATH
    return _load(str(path), path.stat().st_mtime)


def taxonomy_fingerprint(taxonomy: dict) -> str:
    """Changes whenever anything that tagging reads changes (so the index retags)."""
    return hashlib.sha256(yaml.safe_dump(taxonomy, sort_keys=True).encode()).hexdigest()[:16]


def _section(name: str) -> str:
    """A taxonomy section, named by itself or by its facet's id ("doc_type" -> "doc_types")."""
    return BY_ID[name].section if name in BY_ID else name


def ids(facet: str) -> list[str]:
    """The ids of a facet (by facet id or taxonomy section), in taxonomy order."""
    return list(load_taxonomy()[_section(facet)])


def label(facet: str, id_: str) -> str:
    """The Czech label of an id of a facet (by facet id or taxonomy section)."""
    entry = load_taxonomy()[_section(facet)].get(id_) or {}
    return entry.get("label", id_)
