"""The Whoosh index: schema, open, and incremental, atomic (re)indexing.

Layout of the index directory:
    CURRENT               name of the live generation, replaced atomically (os.replace)
    gen-000007/           a complete Whoosh index + manifest.json (one per document)
    cache/<sha256>.json.gz  extracted text by content hash: retagging and renames
                          never re-extract
    lock                  held by the one indexer allowed to write

A run builds the next generation beside the live one (hard links of the immutable
Whoosh segment files, then a normal Whoosh commit) and only then points CURRENT at
it. A run that fails or is killed at any moment leaves CURRENT on the old,
complete generation.
"""
from __future__ import annotations

import contextlib
import fcntl
import gc
import gzip
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.analysis import ANALYZER_VERSION, czech_analyzer
from kb.atomic import write_atomic as _write_atomic  # a module name the crash tests wrap
from kb.errors import IndexLocked, IndexMissing, IndexOutdated, IndexWriteError
from kb.facets import FACETS
from kb.model import Document, IndexedDocument

# Bump the first number when the schema changes; the analyzer has its own version, and
# the facets (one field each, kb/facets.py) are part of it, so a new facet rebuilds too.
# An index of another version is rebuilt by the next run, from the extraction cache.
INDEX_VERSION = f"4.{ANALYZER_VERSION}." + "+".join(f.id for f in FACETS)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
TITLE_BOOST = 3.0
TITLE_SECTION = -1  # the `section` of a document's title record (page_records)
HEADING_BOOST = 1.5


def get_schema() -> Schema:
    analyzer = czech_analyzer()
    return Schema(
        uid=ID(unique=True, stored=True),  # path#page
        path=ID(stored=True, sortable=True),
        page=NUMERIC(stored=True, sortable=True),  # 1-based page; 0 for formats without pages
        section=NUMERIC(stored=True, sortable=True),  # order within its document; TITLE_SECTION: the title
        heading=TEXT(analyzer=analyzer, stored=True, field_boost=HEADING_BOOST),
        title=TEXT(analyzer=analyzer, field_boost=TITLE_BOOST),
        content=TEXT(analyzer=analyzer, phrase=True, stored=True),
        year=NUMERIC(stored=True),
        ocr=STORED(),
        **{f.id: KEYWORD(commas=True, stored=True) if f.multi else ID(stored=True) for f in FACETS},
    )


def page_records(document: Document, record: IndexedDocument) -> Iterator[dict]:
    """The one place that maps a Document (and its tags) to index fields: a record per
    page (or section) with its text, and one record with the document's title, so that
    search scores the title once per document and no page matches by the title alone."""
    facets = {f.id: ",".join(record.values(f.id)) for f in FACETS}
    yield {"uid": f"{document.path}#title", "path": document.path, "page": 0, "section": TITLE_SECTION,
           "title": document.title, **facets, "year": record.year or 0}
    for order, page in enumerate(document.pages):
        yield {
            "uid": f"{document.path}#{order}",
            "path": document.path,
            "page": page.number,
            "section": order,
            "heading": page.heading,
            "content": page.text,
            **facets,
            "year": record.year or 0,
            "ocr": page.ocr,
        }


# ---------------------------------------------------------------- the manifest


def read_manifest(path: Path) -> dict:
    """A generation's manifest.json, its documents as IndexedDocument records (path ->
    record). Raises OSError or ValueError for a missing or damaged file."""
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("manifest is not an object")
    if manifest.get("version") == INDEX_VERSION:  # another version's entries are not read: it is rebuilt
        try:
            manifest["documents"] = {p: IndexedDocument.from_json({**d, "path": p})
                                     for p, d in (manifest.get("documents") or {}).items()}
        except (TypeError, AttributeError, KeyError) as e:
            raise ValueError(f"damaged manifest entry: {e}") from e
    return manifest


def manifest_json(manifest: dict) -> bytes:
    """The manifest as manifest.json stores it (documents by their to_json)."""
    documents = {p: d.to_json() for p, d in manifest["documents"].items()}
    return json.dumps({**manifest, "documents": documents}, ensure_ascii=False).encode()


# ---------------------------------------------------------------- generations


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name.startswith("gen-") and gen.is_dir() else None


def open_generation(index_dir: Path) -> tuple[Path, whoosh_index.Index, dict]:
    """Open the live generation: (its directory, the Whoosh index, the manifest).

    An indexer may publish (and delete the generation before the previous one) between
    reading CURRENT and opening the files: then CURRENT has moved on, and we follow it."""
    index_dir = Path(index_dir)
    error: Exception | None = None
    for _attempt in range(5):
        gen = current_generation(index_dir)
        if gen is None:
            raise IndexMissing(
                f"Index ve složce '{index_dir}' zatím neexistuje. Nejdřív spusťte: kb index"
            )
        try:
            manifest = read_manifest(gen / MANIFEST)
            if manifest.get("version") != INDEX_VERSION:
                raise IndexOutdated(
                    f"Index ve složce '{index_dir}' vytvořila starší verze programu. "
                    "Sestavte ho znovu: kb index (text dokumentů se znovu číst nemusí)."
                )
            return gen, whoosh_index.open_dir(str(gen)), manifest
        except (OSError, ValueError, whoosh_index.IndexError) as e:
            if current_generation(index_dir) != gen:
                continue  # a newer generation was published meanwhile
            error = e
            break
    raise IndexMissing(
        f"Index ve složce '{index_dir}' nejde otevřít ({type(error).__name__}), je možná poškozený. "
        "Spusťte znovu: kb index"
    )


def _next_generation_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_tree(path: Path) -> None:
    """Flush every file of a generation to disk before CURRENT points at it: after a power
    cut, CURRENT must not name a generation whose files were still only in memory."""
    for file in path.iterdir():
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


def _prepare_generation(index_dir: Path, live: Path | None) -> Path:
    """A fresh directory for the next generation, starting as a copy of the live one.
    Whoosh never rewrites a segment file in place, so hard links are a safe, instant copy."""
    # Leftovers of a run that was killed: we hold the lock, so nobody else is writing them.
    for stale in index_dir.glob("gen-*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in [*index_dir.glob(".*.tmp"), *index_dir.glob("cache/.*.tmp")]:
        with contextlib.suppress(OSError):
            stale.unlink()
    target = index_dir / (_next_generation_name(index_dir) + ".partial")
    if live is None:
        target.mkdir()
        whoosh_index.create_in(str(target), get_schema())
        return target

    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(live, target, copy_function=link_or_copy, ignore=shutil.ignore_patterns(MANIFEST, "*.lock"))
    return target


def _publish(index_dir: Path, partial: Path, keep_previous: Path | None) -> Path:
    final = partial.with_name(partial.name.removesuffix(".partial"))
    _fsync_tree(partial)
    os.replace(partial, final)
    _fsync_dir(index_dir)
    _write_atomic(index_dir / CURRENT, final.name.encode())
    _fsync_dir(index_dir)
    # Keep the previous generation: searches that opened it a moment ago may still read it.
    for old in index_dir.glob("gen-*"):
        if old not in (final, keep_previous) and not old.name.endswith(".partial"):
            shutil.rmtree(old, ignore_errors=True)
    return final


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: bool = False):
    """Only one indexer writes at a time; a second one gets a clear message."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / "lock", "a+")
    except OSError as e:  # read-only or full disk: nothing has been touched yet
        raise IndexWriteError(_write_error_message(index_dir, e)) from e
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as e:
            raise IndexLocked(
                "Indexace už běží (spustil ji někdo jiný nebo jiné okno). "
                "Počkejte, až doběhne, a zkuste to znovu."
            ) from e
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- extraction cache


def cache_path(index_dir: Path, content_hash: str) -> Path:
    return index_dir / "cache" / f"{content_hash}.json.gz"


def save_extracted(index_dir: Path, document: Document) -> None:
    path = cache_path(index_dir, document.content_hash)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = document.to_dict()
    data["meta"] = {}  # sidecar metadata is read fresh on every run
    _write_atomic(path, gzip.compress(json.dumps(data, ensure_ascii=False).encode(), 5))


def load_extracted(index_dir: Path, content_hash: str) -> Document | None:
    try:
        data = json.loads(gzip.decompress(cache_path(index_dir, content_hash).read_bytes()))
        return Document.from_dict(data)
    except (OSError, ValueError, TypeError, EOFError):
        return None


# ---------------------------------------------------------------- writing


# Pages written into one Whoosh segment. Whoosh sorts a segment's postings in memory up
# to `limitmb` (128 MB holds about 2,500 pages); past it, it pickles them all to disk and
# merges them back at commit, which cost a third of the indexing time at 20,000 pages.
# A run over many pages writes several segments instead (a search reads them together).
SEGMENT_RECORDS = 2000


def _codec() -> W3Codec:
    """Whoosh's codec without per-block length statistics: they only serve Whoosh's
    top-N pruning, which kb never uses (search scores every matching page,
    kb/search/page_scores.py), and Whoosh reads a field length for every posting to compute
    them, a third of the commit time (benchmarks/bench.py)."""
    codec = W3Codec()
    codec.length_stats = False
    return codec


def commit_generation(
    index_dir: Path,
    manifest: dict,
    write: Iterable[tuple[Document, IndexedDocument]],
    remove: Iterable[str] = (),
    fresh: bool = False,
) -> None:
    """Write the (document, its record) pairs of `write`, then drop the paths of
    `remove`, in a new generation, then publish it with `manifest`. `write` may be a
    generator still extracting: the manifest is saved only after it is exhausted.
    `fresh` starts from an empty index instead of a copy of the live one."""
    live = current_generation(index_dir)
    partial = None
    try:
        partial = _prepare_generation(index_dir, None if fresh else live)
        ix = whoosh_index.open_dir(str(partial))
        writer = ix.writer(limitmb=128, codec=_codec())
        try:
            added = 0
            for document, indexed in write:
                writer.delete_by_term("path", document.path)
                for record in page_records(document, indexed):
                    writer.add_document(**record)
                    added += 1
                if added >= SEGMENT_RECORDS:  # one more segment, in the same unpublished generation
                    writer.commit(merge=False)
                    writer = None
                    gc.collect()  # the finished writer's postings sit in reference cycles
                    writer = ix.writer(limitmb=128, codec=_codec())
                    added = 0
            for path in remove:  # after the writes: `remove` may depend on what they skipped
                writer.delete_by_term("path", path)
        except BaseException:
            if writer is not None:
                writer.cancel()
            raise
        writer.commit()
        ix.close()
        _write_atomic(partial / MANIFEST, manifest_json(manifest))
        _fsync_dir(partial)
        _publish(index_dir, partial, keep_previous=live)
    except OSError as e:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
        raise IndexWriteError(_write_error_message(index_dir, e)) from e


def _write_error_message(index_dir: Path, error: OSError) -> str:
    import errno

    if error.errno == errno.ENOSPC:
        why = "na disku došlo místo"
        todo = "Uvolněte místo na disku a spusťte indexaci znovu."
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "do složky indexu nelze zapisovat"
        todo = "Zkontrolujte oprávnění ke složce nebo zvolte jinou (--index)."
    else:
        why = error.strerror or str(error)
        todo = "Zkontrolujte disk a spusťte indexaci znovu."
    return f"Index ve složce '{index_dir}' nešlo uložit: {why}. Předchozí index zůstal beze změny. {todo}"
