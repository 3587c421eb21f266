"""Paths inside the corpus: the one check that every file the app serves, exports or
writes really lies inside the corpus folder.

A path comes from the index, a URL (a shared collection), a loaded JSON file or an
upload form, so it is untrusted: it is normalised, `..`, absolute paths, backslashes,
hidden parts and control characters are refused, and the resolved file (symlinks
followed) must stay inside the resolved corpus root.
"""
from __future__ import annotations

import posixpath
from pathlib import Path

from kb.errors import KbError

MAX_PATH_CHARS = 500


class UnsafePath(KbError):
    """A path points outside the corpus or is not a plain relative path."""


def normalise_rel(rel: str) -> str:
    """A clean corpus-relative path with `/`, or UnsafePath. Never touches the disk."""
    if not isinstance(rel, str) or not rel.strip():
        raise UnsafePath("Prázdná cesta k souboru.")
    if len(rel) > MAX_PATH_CHARS or any(ord(ch) < 32 or ch == "\x7f" for ch in rel):
        raise UnsafePath("Cesta k souboru obsahuje nepovolené znaky.")
    if "\\" in rel or rel.startswith(("/", "~")) or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePath(f"Cesta '{rel[:80]}' není relativní cesta uvnitř knihovny.")
    parts = rel.split("/")
    if any(part in ("..", ".") for part in parts):
        raise UnsafePath(f"Cesta '{rel[:80]}' míří mimo knihovnu (obsahuje '..').")
    clean = posixpath.normpath(rel)
    if clean.startswith(".") or any(part.startswith(".") for part in clean.split("/")):
        raise UnsafePath(f"Cesta '{rel[:80]}' vede ke skrytému souboru.")
    return clean


def resolve_in_corpus(corpus: Path, rel: str, *, must_exist: bool = True) -> Path:
    """The absolute path of corpus-relative `rel`, guaranteed inside `corpus`."""
    clean = normalise_rel(rel)
    root = Path(corpus).resolve()
    candidate = root / clean
    try:
        resolved = candidate.resolve(strict=must_exist)
    except (OSError, RuntimeError) as e:
        raise UnsafePath(f"Soubor '{clean}' v knihovně není (byl přesunut nebo smazán?).") from e
    if not resolved.is_relative_to(root):
        raise UnsafePath(f"Soubor '{clean}' vede mimo složku knihovny; nelze ho použít.")
    if must_exist and not resolved.is_file():
        raise UnsafePath(f"'{clean}' není soubor.")
    return resolved
