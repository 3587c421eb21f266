"""Extraction in sandboxed worker processes: one hostile file cannot stop a run.

Each file is read in a separate process with a time limit (an alarm, a watchdog thread
and the kernel's CPU limit behind it), a memory limit and a lower priority. A worker
that dies takes only its own file with it: extract_all finds the culprit and reads the
rest. The parent (kb/index/pipeline.py) never parses a file itself.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from kb.errors import ExtractionError, OcrUnavailable
from kb.extract import content_hash, extract_bytes, ocr
from kb.index import skip_reasons as reasons
from kb.settings import Settings


class Source(Protocol):
    """What a worker needs to know of a file: its path, its path in the corpus and, when
    the plan kept them, the bytes it hashed (None: the worker reads the file itself)."""
    rel: str
    path: Path
    data: bytes | None


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
    ends itself. The parent then finds the file that caused it (see extract_all). The
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


def extract_in_worker(path: str, rel: str, timeout: int, data: bytes | None = None) -> tuple[str, object]:
    """Runs in a worker process: ("ok", Document) or ("skip", Czech reason); "skip-ocr"
    when only a missing OCR stands in the way, so a later run tries the file again.
    `data` are the file's bytes as the plan read and hashed them; without them the
    worker reads the file and hashes what it read (Document.content_hash)."""
    global _busy
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(max(1, timeout))
    _limit_cpu(max(1, timeout) + _grace)
    _busy = True
    try:
        digest = ""
        if data is None:
            data = Path(path).read_bytes()
            digest = content_hash(data)
        document = extract_bytes(data, Path(path).suffix, rel)
        document.content_hash = digest
        return "ok", document
    except OcrUnavailable as e:
        return "skip-ocr", str(e)
    except ExtractionError as e:
        return "skip", str(e)
    except _Timeout:
        return "skip", reasons.too_slow(timeout)
    except MemoryError:
        return "skip", reasons.TOO_MUCH_MEMORY
    except FileNotFoundError:
        return "skip", reasons.VANISHED
    except PermissionError:
        return "skip", reasons.NO_PERMISSION
    except RecursionError:
        return "skip", reasons.TOO_DEEP
    except Exception as e:  # a bug or an unforeseen quirk of one file must not stop the run
        return "skip", reasons.extraction_bug(e)
    finally:
        _busy = False
        signal.alarm(0)


CRASH_REASON = reasons.WORKER_CRASHED


def extract_all(
    sources: list[Source], settings: Settings, workers: int,
    ocr_options: ocr.OcrOptions | None = None,
    task: Callable[[str, str, int, bytes | None], tuple[str, object]] | None = None,
) -> Iterator[tuple[Source, str, object]]:
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
        broken: list[Source] = []
        with cf.ProcessPoolExecutor(
            max_workers=1 if single else workers, mp_context=context, initializer=_worker_init,
            initargs=(settings.worker_memory_bytes, ocr_options, _hard_stop_grace(settings.file_timeout)),
        ) as pool:
            futures = {}
            for s in batch:
                try:
                    futures[pool.submit(task, str(s.path), s.rel, settings.file_timeout, s.data)] = s
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
