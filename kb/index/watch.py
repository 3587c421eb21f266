"""The watched folder: `kb watch [CORPUS]`, and the app when KB_WATCH=1.

A file dropped into the corpus (new, changed, moved, deleted) is noticed through
inotify (`watchdog`; polling where inotify is missing or does not see the changes, as
on SMB/NFS mounts: KB_WATCH_POLL=1). Nothing is indexed while files are still
arriving: a run starts once the folder has been quiet for KB_WATCH_QUIET seconds and
the changed files have stopped growing, so a half-copied PDF is not indexed and a
file copied in pieces is indexed once; a burst of 200 files is one run, one new index
generation. The run is `kb index` itself (kb/index/pipeline.py): incremental, atomic,
unreadable files in the same skip list. Whatever goes wrong in a run (a full disk, a
bug) is reported and the run retried later; the published index is never touched by
a failed run, so a crash of the watcher cannot harm it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError
from kb.extract import is_supported
from kb.index.pipeline import RunReport, run_index
from kb.index.scan import IGNORE_FILE
from kb.model import IndexedDocument
from kb.settings import Settings

log = logging.getLogger("kb.index.watch")

RETRY_SECONDS = (5, 15, 60, 300)  # waits after failed runs: a full disk is not retried in a loop


@dataclass(frozen=True)
class WatchOptions:
    quiet: float = 1.0  # seconds without events before a run
    settle: float = 0.5  # seconds between two size checks of a changed file
    poll: bool = False  # polling instead of inotify (network drives)
    poll_interval: float = 2.0

    @classmethod
    def from_env(cls, env=os.environ) -> WatchOptions:
        def number(name: str, default: float) -> float:
            try:
                return max(0.0, float(env.get(name, default)))
            except ValueError:
                return default

        return cls(quiet=number("KB_WATCH_QUIET", cls.quiet), settle=number("KB_WATCH_SETTLE", cls.settle),
                   poll=env.get("KB_WATCH_POLL", "").strip().lower() in ("1", "true", "yes", "ano"),
                   poll_interval=number("KB_WATCH_POLL_SECONDS", cls.poll_interval) or cls.poll_interval)


def relevant(rel: str, is_directory: bool) -> bool:
    """Whether a change at `rel` (relative to the corpus) can change the index: documents,
    their sidecars, .kbignore and folders (a moved folder moves its documents); not
    hidden files (editors' and Samba's temporary files) nor other files."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts[:-1]) or not rel or rel == ".":
        return False
    name = parts[-1]
    if name == IGNORE_FILE:
        return True
    if name.startswith("."):
        return False
    return is_directory or is_supported(Path(name)) or name.lower().endswith((".yaml", ".yml"))


class _Pending:
    """Paths changed since the last run and the time of the latest change."""

    def __init__(self):
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.last = 0.0
        self.wake = threading.Event()

    def add(self, path: str) -> None:
        with self.lock:
            self.paths.add(path)
            self.last = time.monotonic()
        self.wake.set()

    def take(self) -> set[str]:
        with self.lock:
            paths, self.paths = self.paths, set()
            self.wake.clear()
            return paths


def _handler(corpus: Path, pending: _Pending, index_dir: Path):
    from watchdog.events import FileSystemEventHandler

    root = str(corpus.resolve())
    index_root = str(index_dir.resolve())

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return  # reading a file changes nothing
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = os.fsdecode(raw or "")
                if not path or path.startswith(index_root + os.sep) or path == index_root:
                    continue  # the index itself may live inside the corpus folder
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                if not rel.startswith("../") and relevant(rel, event.is_directory):
                    pending.add(path)

    return Handler()


def _sizes(paths: set[str]) -> dict[str, tuple[int, int] | None]:
    out = {}
    for path in paths:
        try:
            info = os.stat(path)
            out[path] = (info.st_size, info.st_mtime_ns)
        except OSError:
            out[path] = None  # deleted or moved away: nothing to wait for
    return out


class Watcher:
    """Watches `corpus` and keeps the index in `index_dir` up to date."""

    def __init__(self, corpus: Path, index_dir: Path, settings: Settings | None = None,
                 options: WatchOptions | None = None,
                 on_run: Callable[[RunReport | None, str | None], None] | None = None):
        self.corpus = Path(corpus)
        self.settings = dataclasses.replace(settings or Settings.from_env(), wait_for_lock=True)
        self.index_dir = Path(index_dir)
        self.options = options or WatchOptions.from_env()
        self.on_run = on_run or _print_run
        self.pending = _Pending()
        self.stopped = threading.Event()
        self.observer = None
        self.failures = 0
        self.runs = 0

    # ---------------------------------------------------------- observer

    def _start_observer(self) -> None:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        handler = _handler(self.corpus, self.pending, self.index_dir)
        if not self.options.poll:
            observer = Observer()
            try:
                observer.schedule(handler, str(self.corpus), recursive=True)
                observer.start()
                self.observer = observer
                return
            except OSError as e:  # inotify missing or out of watches (fs.inotify.max_user_watches)
                log.warning("inotify nelze použít (%s), sleduji složku pravidelnou kontrolou.", e)
                with contextlib.suppress(Exception):
                    observer.stop()
        observer = PollingObserver(timeout=self.options.poll_interval)
        observer.schedule(handler, str(self.corpus), recursive=True)
        observer.start()
        self.observer = observer

    # ---------------------------------------------------------- runs

    def _settled(self, paths: set[str]) -> bool:
        """True when no file of `paths` changed size or time over one settle interval and
        no new event came meanwhile."""
        before = _sizes(paths)
        if self.stopped.wait(self.options.settle):
            return False
        with self.pending.lock:
            quiet = not self.pending.paths
        return quiet and _sizes(paths) == before

    def run_once(self) -> RunReport | None:
        """One indexing run; errors are reported, never raised."""
        try:
            report = run_index(self.corpus, self.index_dir, settings=self.settings)
        except KbError as e:
            self.failures += 1
            self.on_run(None, str(e))
            return None
        except Exception as e:  # a bug: the published index is untouched, try again later
            self.failures += 1
            log.exception("watch run failed")
            self.on_run(None, f"Neočekávaná chyba při indexaci ({type(e).__name__}). Předchozí index "
                              "zůstal beze změny; zkusím to znovu.")
            return None
        self.failures = 0
        self.runs += 1
        self.on_run(report, None)
        return report

    def serve(self) -> None:
        """Watch until stop(): a first run for what changed while nobody watched, then one
        run per quiet burst of changes."""
        self._start_observer()
        try:
            self.run_once()
            while not self.stopped.is_set():
                if not self.pending.wake.wait(0.5):
                    continue
                # quiet period: no event for `quiet` seconds
                while not self.stopped.is_set():
                    idle = time.monotonic() - self.pending.last
                    if idle >= self.options.quiet:
                        break
                    self.stopped.wait(self.options.quiet - idle)
                paths = self.pending.take()
                if self.stopped.is_set():
                    break
                if not self._settled(paths):  # still growing, or more arrived: wait again
                    for path in paths:
                        self.pending.add(path)
                    continue
                if self.run_once() is None:
                    wait = RETRY_SECONDS[min(self.failures, len(RETRY_SECONDS)) - 1]
                    for path in paths:
                        self.pending.add(path)
                    self.stopped.wait(wait)
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopped.set()
        self.pending.wake.set()
        if self.observer is not None:
            with contextlib.suppress(Exception):
                self.observer.stop()
                self.observer.join(timeout=5)
            self.observer = None


def _print_run(report: RunReport | None, error: str | None) -> None:
    stamp = time.strftime("%H:%M:%S")
    if error:
        print(f"{stamp} Chyba: {error}", file=sys.stderr, flush=True)
        return
    if not (report.indexed or report.removed or report.skipped):
        print(f"{stamp} Beze změny ({report.documents} dokumentů).", flush=True)
        return
    print(f"{stamp} Index aktualizován za {report.seconds:.1f} s: nově {report.indexed}, "
          f"odebráno {report.removed}, celkem {report.documents} dokumentů.", flush=True)
    for item in report.skipped:
        print(f"{stamp} Přeskočeno: {item['path']} — {item['reason']}", flush=True)


# ---------------------------------------------------------------- in the background of the app

NEW_DAYS = 14


def newly_arrived(documents: list[IndexedDocument], arrivals: dict[str, float], created: float = 0.0,
                  now: float | None = None, days: float = NEW_DAYS, limit: int = 6) -> list[IndexedDocument]:
    """Documents that came into the library in the last `days` days, newest first; not
    those that were there when the library was first indexed (`created`)."""
    since = max((now or time.time()) - days * 86400, created)
    came = {d.path: t for d in documents if isinstance(t := arrivals.get(d.path), (int, float))}
    recent = [d for d in documents if came.get(d.path, 0) > since]
    return sorted(recent, key=lambda d: (-came[d.path], d.path))[:limit]



def start_background(settings: Settings) -> object | None:
    """For the app with KB_WATCH=1: `kb watch` as a child process that ends with the app
    (its own process, so indexing never slows the app's searches). Returns the process."""
    import subprocess

    command = [sys.executable, "-m", "kb.index.watch", str(settings.corpus_dir), "--index", str(settings.index_dir),
               "--parent", str(os.getpid())]
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL)
    except OSError as e:
        log.warning("Sledování složky se nepodařilo spustit: %s", e)
        return None


def _end_with_parent(parent: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    """`python -m kb.index.watch CORPUS --index DIR [--parent PID]` (what the app starts)."""
    import argparse

    parser = argparse.ArgumentParser(prog="kb watch")
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--index")
    parser.add_argument("--parent", type=int)
    args = parser.parse_args(argv)
    if args.parent:
        _end_with_parent(args.parent)
    settings = Settings.from_env()
    return watch(Path(args.corpus) if args.corpus else settings.corpus_dir,
                 Path(args.index) if args.index else settings.index_dir, settings)


def watch(corpus: Path, index_dir: Path, settings: Settings) -> int:
    """Run a watcher in the foreground until Ctrl+C or SIGTERM (systemd stop)."""
    if not Path(corpus).is_dir():
        print(f"Chyba: Složka s dokumenty '{corpus}' neexistuje. Zkontrolujte cestu.", file=sys.stderr)
        return 2
    watcher = Watcher(corpus, index_dir, settings)
    signal.signal(signal.SIGTERM, lambda *_: watcher.stop())
    print(f"Sleduji složku {corpus} (index {index_dir}). Nové a změněné soubory se zaindexují "
          f"do několika sekund. Ukončení: Ctrl+C.", flush=True)
    try:
        watcher.serve()
    except KeyboardInterrupt:
        watcher.stop()
    print("Sledování ukončeno. Index zůstal platný.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
