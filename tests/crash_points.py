"""Run `kb index` and kill it with SIGKILL at one exact step of the commit protocol.

    python tests/crash_points.py POINT CORPUS INDEX

tests/test_crash.py kills the indexer at random moments too; this reaches the steps too
short for a random kill to hit (between renaming the generation and switching CURRENT,
between writing CURRENT's temporary file and replacing it...). The process dies the way
a power cut or `kill -9` ends it: no cleanup, no exception handlers.
"""
from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner, name: str, *, before=None, after=None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if before and before(*args, **kwargs):
            die()
        result = original(*args, **kwargs)
        if after and after(*args, **kwargs):
            die()
        return result

    setattr(owner, name, wrapper)


def install(point: str) -> None:
    from kb.index import store as kb_index

    published = {"done": False}

    def is_current(path, *_a, **_k) -> bool:
        return Path(path).name == kb_index.CURRENT

    def is_manifest(path, *_a, **_k) -> bool:
        return Path(path).name == kb_index.MANIFEST

    def in_cache(path, *_a, **_k) -> bool:
        return Path(path).parent.name == "cache"

    if point == "prepared":
        _wrap(kb_index, "_prepare_generation", after=lambda *a, **k: True)
    elif point == "writing":
        count = {"n": 0}

        def fifth(*_a, **_k) -> bool:
            count["n"] += 1
            return count["n"] == 5

        _wrap(kb_index, "page_records", before=fifth)
    elif point == "cache-file":  # the temporary file is written, not yet renamed
        _wrap(kb_index.os, "replace", before=lambda src, dst, *a, **k: in_cache(dst))
    elif point == "committed":  # Whoosh committed, manifest not yet written
        _wrap(kb_index, "_write_atomic", before=is_manifest)
    elif point == "manifest":  # manifest written, generation not yet renamed
        _wrap(kb_index, "_write_atomic", after=is_manifest)
    elif point == "renamed":  # gen-N.partial renamed to gen-N, CURRENT not yet written
        _wrap(kb_index, "_write_atomic", before=is_current)
    elif point == "current-tmp":  # CURRENT's temporary file written, not yet replaced
        _wrap(kb_index.os, "replace", before=lambda src, dst, *a, **k: is_current(dst))
    elif point == "published":  # CURRENT switched, old generations not yet removed
        def switched(src, dst, *a, **k) -> bool:
            published["done"] = published["done"] or is_current(dst)
            return False

        _wrap(kb_index.os, "replace", after=switched)
        _wrap(kb_index.shutil, "rmtree", before=lambda *a, **k: published["done"])
    else:
        raise SystemExit(f"unknown point {point}")


POINTS = ("prepared", "writing", "cache-file", "committed", "manifest", "renamed", "current-tmp",
          "published")

if __name__ == "__main__":
    point, corpus, index = sys.argv[1:4]
    from kb.index.pipeline import run_index
    from kb.settings import Settings

    install(point)
    run_index(Path(corpus), Path(index), settings=Settings(workers=1))
    sys.exit(3)  # the point was never reached
