"""The taxonomy (kb/taxonomy.yaml): ids, Czech labels and terms of topics,
professions and document types. Loaded once; ids are the contract of DESIGN.md."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")
FACETS = ("topics", "professions", "doc_types")


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


def ids(facet: str) -> list[str]:
    return list(load_taxonomy()[facet])


def label(facet: str, id_: str) -> str:
    entry = load_taxonomy()[facet].get(id_) or {}
    return entry.get("label", id_)
