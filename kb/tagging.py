"""Tagging (placeholder until the taxonomy issue): sidecar tags only."""
from __future__ import annotations

from kb.model import Document
from kb.taxonomy import load_taxonomy, taxonomy_fingerprint  # noqa: F401


def tag_document(document: Document, taxonomy: dict) -> dict:
    meta = document.meta
    return {
        "doc_type": meta.get("doc_type") or "jine",
        "topics": sorted(set(meta.get("topics", [])) - set(meta.get("topics_exclude", []))),
        "professions": sorted(set(meta.get("professions", [])) - set(meta.get("professions_exclude", []))),
        "evidence": {},
    }
