"""The index handle for all sessions of the app, built on first start when missing.

One WhooshBackend per server process (st.cache_resource), reopened when a reindex
publishes a new generation (`is_stale`). Searches go through one lock: a Whoosh
searcher is shared by all sessions, and a laptop app has no need for parallel reads.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path

import streamlit as st

from kb.errors import IndexMissing
from kb.index.pipeline import RunReport, run_index
from kb.model import IndexedDocument
from kb.search import SearchRequest, SearchResult, open_backend
from kb.search.suggest import CorpusStats, build_stats
from kb.settings import Settings

log = logging.getLogger("kb.app")
_LOCK = threading.RLock()


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _open(index_dir: str):
    return open_backend(Path(index_dir))


class Library:
    """What the pages use: search, documents and the corpus path, behind one lock."""

    def __init__(self, backend, settings: Settings):
        self.backend = backend
        self.settings = settings
        self.corpus = settings.corpus_dir

    def search(self, request: SearchRequest) -> SearchResult:
        with _LOCK:
            return self.backend.search(request)

    def documents(self) -> list[IndexedDocument]:
        return self.backend.documents()

    def groups(self) -> list[list[str]]:
        return self.backend.groups()

    def documents_by_path(self) -> dict[str, IndexedDocument]:
        return {d.path: d for d in self.backend.documents()}

    def document(self, path: str) -> IndexedDocument | None:
        return self.backend.document(path) if path else None

    def page_texts(self, path: str) -> list[dict]:
        with _LOCK:
            return self.backend.page_texts(path)

    def skipped(self) -> list[dict]:
        getter = getattr(self.backend, "skipped", None)
        return getter() if getter else []

    @property
    def generation(self) -> str:
        return str(getattr(self.backend, "generation", ""))

    def stats(self) -> CorpusStats:
        return _stats(self.generation, _BackendRef(self))


class _BackendRef:
    """Passes the library to a cached function without making it part of the cache key."""

    def __init__(self, library: Library):
        self.library = library


@st.cache_resource(show_spinner=False, max_entries=2, hash_funcs={_BackendRef: lambda _: 0})
def _stats(generation: str, ref: _BackendRef) -> CorpusStats:
    with _LOCK:
        return build_stats(ref.library.backend)


def open_library(cfg: Settings) -> Library:
    """The library for this run; raises IndexMissing when no index exists yet."""
    backend = _open(str(cfg.index_dir))
    if backend.is_stale():
        _open.clear()
        backend = _open(str(cfg.index_dir))
    return Library(backend, cfg)


def reopen() -> None:
    _open.clear()


def build_index(cfg: Settings, progress=None) -> RunReport:
    """Run the indexer (the same as `kb index`); waits if another window is indexing."""
    report = run_index(cfg.corpus_dir, cfg.index_dir,
                       settings=dataclasses.replace(cfg, wait_for_lock=True), progress=progress)
    reopen()
    return report


__all__ = ["IndexMissing", "Library", "build_index", "open_library", "reopen", "settings"]
