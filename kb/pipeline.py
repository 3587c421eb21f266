"""One indexing run: scan the corpus, extract what changed (in worker processes),
tag, and commit a new index generation. This is `kb index`.

Each file is read once to hash it. Unchanged files (same content and sidecar, same
taxonomy) are not touched; files whose text is cached (renamed, sidecar or taxonomy
changed) are re-tagged without re-extraction. Extraction runs in separate processes
with a time and memory limit per file, so one hostile file cannot stop the run.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fnmatch
import hashlib
import multiprocessing
import os
import resource
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb import index as kb_index
from kb.errors import ExtractionError, KbError, OcrUnavailable
from kb.extract import content_hash, extract_bytes, is_supported, ocr
from kb.extract.clean import safe_text
from kb.extract.sidecar import load_sidecar, sidecar_path
from kb.extract.titles import choose_title
from kb.model import Document
from kb.settings import Settings
from kb.tagging import load_taxonomy, tag_document, taxonomy_fingerprint

IGNORE_FILE = ".kbignore"


class CorpusMissing(KbError):
    """The corpus folder does not exist."""


@dataclass
class SourceFile:
    rel: str
    path: Path
    hash: str = ""
    sidecar_hash: str = ""
    size: int = 0


@dataclass
class RunReport:
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    documents: int = 0
    pages: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "documents": self.documents,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
        }


# Progress callback: (files done, files to process, current path)
Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------- scanning


def _ignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            if rel.startswith(pattern) or f"/{pattern}" in f"/{rel}":
                return True
        elif fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern):
            return True
    return False


def scan_corpus(root: Path, report: RunReport) -> list[SourceFile]:
    """Supported files under `root`, sorted; hidden and ignored ones left out. Links that
    lead outside the corpus or nowhere are reported, never followed."""
    patterns = _ignore_patterns(root)
    real_root = root.resolve()
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if name.startswith(".") or not is_supported(path) or _ignored(rel, patterns):
                continue
            if safe_text(rel) != rel or "\n" in rel or "\t" in rel:  # other encoding, control chars
                shown = safe_text(_printable(rel)).replace("\n", " ").replace("\t", " ")
                report.skipped.append({"path": shown, "reason": "Název souboru "
                                       "nebo složky obsahuje neplatné znaky (jiné kódování nebo "
                                       "řídicí znaky). Přejmenujte ho."})
                continue
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    report.skipped.append({"path": rel, "reason": "Odkaz (symlink) nikam nevede "
                                           "nebo tvoří smyčku. Odstraňte ho nebo opravte."})
                    continue
                if not target.is_relative_to(real_root):
                    report.skipped.append({"path": rel, "reason": "Odkaz (symlink) vede mimo složku "
                                           "knihovny; takové soubory se z bezpečnostních důvodů "
                                           "nezařazují. Zkopírujte soubor přímo do knihovny."})
                    continue
            found.append(SourceFile(rel=rel, path=path))
    return found


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _too_big(size: int, settings: Settings) -> str:
    mb = 1024 * 1024
    return (f"Soubor je příliš velký ({size / mb:.1f} MB, limit {settings.max_file_bytes / mb:.0f} MB). "
            "Rozdělte ho nebo zvyšte limit KB_MAX_FILE_MB.")


def _hash_file(source: SourceFile, settings: Settings) -> str | None:
    """Fill in the hashes; returns a Czech reason when the file cannot be read. Never
    blocks (a named pipe is refused, not opened for a blocking read) and never reads more
    than the size limit, even when the file grows meanwhile."""
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return ("Není to běžný soubor (je to roura, zařízení nebo socket), takže se nedá "
                        "přečíst jako dokument. Odstraňte ho z knihovny.")
            if info.st_size > settings.max_file_bytes:
                return _too_big(info.st_size, settings)
            data = f.read(settings.max_file_bytes + 1)
        if len(data) > settings.max_file_bytes:
            return _too_big(len(data), settings)
    except PermissionError:
        return "Soubor nelze přečíst: chybí oprávnění. Požádejte správce o přístup k souboru."
    except FileNotFoundError:
        return "Soubor zmizel během indexace. Spusťte indexaci znovu."
    except OSError as e:
        return f"Soubor nelze přečíst ({e.strerror}). Zkontrolujte disk a soubor."
    source.size = len(data)
    source.hash = content_hash(data)
    try:
        source.sidecar_hash = hashlib.sha256(sidecar_path(source.path).read_bytes()).hexdigest()
    except OSError:
        source.sidecar_hash = ""
    return None


# ---------------------------------------------------------------- extraction workers


WORKER_NICENESS = 10


def _worker_init(memory_bytes: int, ocr_options: ocr.OcrOptions | None = None,
                 hard_stop_grace: float = 60.0) -> None:
    global _grace
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is handled by the parent
    _die_with_parent()
    _grace = hard_stop_grace
    with contextlib.suppress(ValueError, OSError):  # a worker stopped by the kernel leaves no core file
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Extraction is the cheaper stage (pdfium): the one Whoosh writer in the parent is what
    # bounds indexing, so on a busy CPU it goes first (benchmarks/bench.py), and so does a
    # search app on the same machine.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    threading.Thread(target=_watchdog, args=(hard_stop_grace,), daemon=True).start()
    ocr.configure(ocr_options)  # the OCR cache lives in this run's index directory
    if memory_bytes > 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        except (ValueError, OSError):
            pass


def _die_with_parent() -> None:
    """When the indexer is killed (kill -9, the OOM killer), its workers must not wait
    for work forever: Linux ends them with it (PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        return
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


class _Timeout(BaseException):
    """Raised by the per-file alarm. A BaseException, so that `except Exception` inside a
    library (or the pdfium -> pypdf fallback) cannot swallow it and carry on unbounded."""


_busy = False  # a file is being extracted in this worker and the alarm is armed for it
_grace = 60.0  # seconds past the alarm before the watchdog or the kernel stops the worker


def _hard_stop_grace(timeout: int) -> float:
    return max(2.0, timeout / 2)


def _watchdog(grace: float) -> None:
    """Backstop for the per-file alarm, in a thread of each worker. Code stuck inside a C
    library (pdfium, lxml, zlib) does not come back to Python to notice the alarm; when the
    alarm has run out and the file is still being read `grace` seconds later, the worker
    ends itself. The parent then finds the file that caused it (see _extract_all). The
    alarm is read, not kept here, so time granted later (OCR pages) is honoured."""
    expired_since = None
    while True:
        time.sleep(0.25)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        _limit_cpu(remaining + grace if _busy else None)
        if not _busy or remaining > 0:
            expired_since = None
            continue
        now = time.monotonic()
        expired_since = expired_since or now
        if now - expired_since > grace:
            os.kill(os.getpid(), signal.SIGKILL)


def _limit_cpu(seconds: float | None) -> None:
    """The kernel's backstop, for C code that never lets go of the interpreter lock (so
    neither the alarm handler nor the watchdog thread ever runs): at most `seconds` more
    CPU time, then the kernel ends the worker (SIGXCPU). CPU time of one thread never runs
    ahead of the clock, so the limit, moved on at every tick, never cuts a file early.
    None lifts the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        new = hard
    else:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        new = int(usage.ru_utime + usage.ru_stime + seconds) + 1
        new = new if hard == resource.RLIM_INFINITY else min(new, hard)
    if new != soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (new, hard))


def _on_alarm(signum, frame):
    raise _Timeout()


def extract_in_worker(path: str, rel: str, timeout: int) -> tuple[str, object]:
    """Runs in a worker process: ("ok", Document) or ("skip", Czech reason); "skip-ocr"
    when only a missing OCR stands in the way, so a later run tries the file again."""
    global _busy
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(max(1, timeout))
    _limit_cpu(max(1, timeout) + _grace)
    _busy = True
    try:
        data = Path(path).read_bytes()
        return "ok", extract_bytes(data, Path(path).suffix, rel)
    except OcrUnavailable as e:
        return "skip-ocr", str(e)
    except ExtractionError as e:
        return "skip", str(e)
    except _Timeout:
        return "skip", (f"Zpracování souboru trvalo déle než {timeout} s a bylo přerušeno. "
                        "Soubor je možná poškozený nebo příliš složitý; zkuste ho uložit znovu.")
    except MemoryError:
        return "skip", ("Zpracování souboru potřebovalo příliš mnoho paměti a bylo přerušeno. "
                        "Soubor je možná poškozený nebo podezřelý.")
    except FileNotFoundError:
        return "skip", "Soubor zmizel během indexace. Spusťte indexaci znovu."
    except PermissionError:
        return "skip", "Soubor nelze přečíst: chybí oprávnění. Požádejte správce o přístup k souboru."
    except RecursionError:
        return "skip", "Soubor má příliš hluboce vnořenou strukturu a nejde přečíst (je poškozený?)."
    except Exception as e:  # a bug or an unforeseen quirk of one file must not stop the run
        return "skip", f"Soubor nejde zpracovat ({type(e).__name__}). Uložte ho znovu; pokud to nepomůže, nahlaste chybu."
    finally:
        _busy = False
        signal.alarm(0)


CRASH_REASON = ("Zpracování souboru selhalo nebo se zaseklo (nedostatek paměti, poškozený nebo "
                "podezřelý soubor) a bylo ukončeno. Soubor byl vynechán.")


def _extract_all(
    sources: list[SourceFile], settings: Settings, workers: int,
    ocr_options: ocr.OcrOptions | None = None,
    task: Callable[[str, str, int], tuple[str, object]] | None = None,
) -> Iterator[tuple[SourceFile, str, object]]:
    """Yield (source, status, Document-or-reason) as workers finish, any order.

    A worker that dies (out of memory inside C code, a crash in a library, the watchdog)
    breaks its pool. Of the files left unfinished, only the first few can have been
    running (a pool hands out files in order, at most 2 * workers + 1 at a time): those
    run again one at a time, so the file that a lone worker dies on is the culprit and
    no other file is blamed. The rest go on with all workers."""
    if not sources:
        return
    task = task or extract_in_worker
    order = {s.rel: i for i, s in enumerate(sources)}
    context = multiprocessing.get_context("spawn")
    queue, suspects = list(sources), []
    while queue or suspects:
        single = bool(suspects) or workers <= 1 or len(queue) == 1
        batch = suspects or queue
        if suspects:
            suspects = []
        else:
            queue = []
        broken: list[SourceFile] = []
        with cf.ProcessPoolExecutor(
            max_workers=1 if single else workers, mp_context=context, initializer=_worker_init,
            initargs=(settings.worker_memory_bytes, ocr_options, _hard_stop_grace(settings.file_timeout)),
        ) as pool:
            futures = {}
            for s in batch:
                try:
                    futures[pool.submit(task, str(s.path), s.rel, settings.file_timeout)] = s
                except cf.process.BrokenProcessPool:  # a worker died while we were submitting
                    broken.append(s)
            for future in cf.as_completed(futures):
                source = futures[future]
                try:
                    status, value = future.result()
                except cf.process.BrokenProcessPool:
                    broken.append(source)
                    continue
                yield source, status, value
        broken.sort(key=lambda s: order[s.rel])
        if single and broken:
            # One worker takes the files in order: the first unfinished one killed it.
            yield broken[0], "skip", CRASH_REASON
            suspects = broken[1:]
        elif broken:
            first = 2 * workers + 1
            suspects, queue = broken[:first], broken[first:] + queue


# ---------------------------------------------------------------- the run


def _entry(document: Document, source: SourceFile, tags: dict) -> dict:
    meta = document.meta
    return {
        "path": document.path,
        "title": document.title,
        "format": document.format,
        "pages": document.page_count,
        "sections": len(document.pages),
        "hash": source.hash,
        "sidecar_hash": source.sidecar_hash,
        "size": source.size,
        "year": meta.get("year"),
        "organization": meta.get("organization", ""),
        "source_url": meta.get("source_url", ""),
        "summary": meta.get("summary", ""),
        "ocr_pages": [p.number for p in document.pages if p.ocr],
        **tags,
    }


def _with_sidecar(document: Document, source: SourceFile, report: RunReport) -> Document:
    meta, warnings = load_sidecar(source.path)
    report.warnings.extend({"path": source.rel, "message": w} for w in warnings)
    document.path = source.rel
    document.meta = meta
    document.title = choose_title(document, meta.get("title"), source.path)
    return document


def run_index(
    corpus: Path,
    index_dir: Path | None = None,
    *,
    settings: Settings | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Bring the index in `index_dir` up to date with the files in `corpus`."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    corpus = Path(corpus)
    index_dir = Path(index_dir or settings.index_dir)
    if not corpus.is_dir():
        raise CorpusMissing(f"Složka s dokumenty '{corpus}' neexistuje. Zkontrolujte cestu.")
    workers = workers or settings.workers
    report = RunReport()
    with kb_index.writer_lock(index_dir, wait=settings.wait_for_lock):
        old = _load_live_manifest(index_dir)
        damaged = not old and kb_index.current_generation(index_dir) is not None
        rebuild = damaged or (bool(old) and old.get("version") != kb_index.INDEX_VERSION)
        if rebuild:
            old = {}  # a new schema or a damaged manifest: rewrite every document (from the cache)
        taxonomy = load_taxonomy()
        fingerprint = taxonomy_fingerprint(taxonomy)
        retag_all = old.get("taxonomy") != fingerprint
        old_docs: dict = old.get("documents", {})
        old_skipped: dict = {s["path"]: s for s in old.get("skipped", [])}

        sources = scan_corpus(corpus, report)
        ocr_options = ocr.OcrOptions.from_settings(settings, index_dir)
        documents: dict[str, dict] = {}
        skipped_state: list[dict] = []
        to_extract: list[SourceFile] = []
        from_cache: list[tuple[SourceFile, Document]] = []
        for source in sources:
            reason = _hash_file(source, settings)
            if reason:
                report.skipped.append({"path": source.rel, "reason": reason})
                continue
            previous = old_docs.get(source.rel)
            if previous and previous["hash"] == source.hash and not retag_all \
                    and previous.get("sidecar_hash", "") == source.sidecar_hash:
                documents[source.rel] = previous
                report.unchanged += 1
                continue
            known_bad = old_skipped.get(source.rel)
            if known_bad and known_bad.get("hash") == source.hash \
                    and not (known_bad.get("needs") == "ocr" and ocr.is_available(ocr_options)):
                report.skipped.append({"path": source.rel, "reason": known_bad["reason"]})
                skipped_state.append(known_bad)
                continue
            cached = kb_index.load_extracted(index_dir, source.hash)
            if cached is not None:
                from_cache.append((source, cached))
            else:
                to_extract.append(source)

        seen = {s.rel for s in sources}
        removed = [p for p in old_docs if p not in seen]
        report.removed = len(removed)
        total = len(to_extract) + len(from_cache)

        def tagged(document: Document, source: SourceFile):
            try:
                document = _with_sidecar(document, source, report)
                entry = _entry(document, source, tag_document(document, taxonomy))
            except Exception as e:  # a bug met by one odd document must not stop the run
                skip(source, f"Dokument nejde zařadit ({type(e).__name__}). Nahlaste prosím chybu.")
                return None
            documents[source.rel] = entry
            report.indexed += 1
            return document, entry

        def skip(source: SourceFile, reason: str, **extra) -> None:
            report.skipped.append({"path": source.rel, "reason": reason})
            skipped_state.append({"path": source.rel, "reason": reason, "hash": source.hash, **extra})

        def changed() -> Iterator[tuple[Document, dict]]:
            done = 0
            for source, document in from_cache:
                done += 1
                if progress:
                    progress(done, total, source.rel)
                if (item := tagged(document, source)) is not None:
                    yield item
            for source, status, value in _extract_all(to_extract, settings, workers, ocr_options):
                done += 1
                if progress:
                    progress(done, total, source.rel)
                if status in ("skip", "skip-ocr"):
                    skip(source, value, **({"needs": "ocr"} if status == "skip-ocr" else {}))
                    continue
                # The file may have changed since it was hashed: record what was indexed.
                source.hash = value.content_hash or source.hash
                kb_index.save_extracted(index_dir, value)
                if (item := tagged(value, source)) is not None:
                    yield item

        manifest = {"version": kb_index.INDEX_VERSION, "taxonomy": fingerprint,
                    "documents": documents, "skipped": skipped_state}
        # Whatever the new manifest does not list leaves the index: files removed from the
        # corpus, and files that can no longer be read (the generator runs after the writes).
        gone = (path for path in old_docs if path not in documents)
        needs_write = total or rebuild or kb_index.current_generation(index_dir) is None \
            or any(path not in documents for path in old_docs) \
            or old.get("skipped", []) != skipped_state
        if needs_write:
            kb_index.commit_generation(index_dir, manifest, changed(), gone, fresh=rebuild)
        report.documents = len(documents)
        report.pages = sum(d.get("pages", 0) for d in documents.values())
    report.seconds = time.perf_counter() - started
    return report


def _load_live_manifest(index_dir: Path) -> dict:
    import json

    gen = kb_index.current_generation(index_dir)
    if gen is None:
        return {}
    try:
        return json.loads((gen / kb_index.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
