#!/usr/bin/env python3
"""Load test: N concurrent clients searching the corpus index through the kb search API
(`open_backend(...).search`), on this machine, with and without a reindex committing
at the same time.

Client models (each with 1, 2, 4, 8 clients):
  threads-shared   one backend and one lock for all threads: what the Streamlit app does
                   today (ui/backend.py), one server process serving every session
  threads-own      one backend per thread, no lock
  processes        one backend per process: several app processes (or replicas) behind
                   a load balancer, docs/deployment.md and docs/scaling.md

Each phase runs for --seconds. In the "reindex" phase a background loop keeps changing
one document of a copy of the corpus and running `kb index` on it (the way a cron job
does), so new index generations are published while the clients search; the clients
check `is_stale()` between queries and reopen, as the app does. Errors must stay 0.

    .venv/bin/python benchmarks/load.py                 # table + JSON on stdout
    .venv/bin/python benchmarks/load.py --seconds 3 --clients 1,2 --json-out load.json

Figures are for this machine only; tests never assert timings.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.search import SearchRequest, open_backend  # noqa: E402

# What social workers type: unaccented, inflected, some with filters.
QUERIES: list[tuple[str, dict]] = [
    ("domaci nasili", {}),
    ("kybersikanou", {}),
    ("rozhovor s ditetem", {}),
    ('"rozhovor s dítětem"', {}),
    ("pestouni", {"professions": ("nrp",)}),
    ("sebeposkozovani dospivajicich", {}),
    ("dluhy exekuce", {"topics": ("zadluzenost",)}),
    ("supervize -skupinova", {}),
    ("opatrovnik OR opatrovnictvi", {}),
    ("policie spoluprace", {"doc_type": ("metodika",)}),
    ("seniori podvodnici", {}),
    ("zavislost rodic", {}),
    ("", {"topics": ("trauma",)}),
    ("standardy kvality ospod", {}),
    ("mediace rozchod rodicu", {}),
    ("autismus skola", {}),
]


def _request(i: int) -> SearchRequest:
    query, filters = QUERIES[i % len(QUERIES)]
    return SearchRequest(query=query, limit=10, filters=filters)


def _client_loop(backend_holder, lock, start_at: float, seconds: float, offset: int) -> dict:
    """Search until the phase ends; returns latencies (s), errors and reopens."""
    latencies: list[float] = []
    errors: list[str] = []
    reopens = 0
    i = offset
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + seconds
    while time.time() < end:
        request = _request(i)
        i += 1
        t0 = time.perf_counter()
        try:
            if lock is not None:
                with lock:
                    reopens += backend_holder.refresh()
                    backend_holder.backend.search(request)
            else:
                reopens += backend_holder.refresh()
                backend_holder.backend.search(request)
        except Exception as e:  # any failure under load is a finding, not a crash
            errors.append(f"{type(e).__name__}: {e}")
        latencies.append(time.perf_counter() - t0)
    return {"latencies": latencies, "errors": errors, "reopens": reopens}


class _Holder:
    """One backend, reopened when a newer index generation is published (as the app does)."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.backend = open_backend(index_dir)
        for i in range(len(QUERIES)):  # warm caches, as a running app would have them
            self.backend.search(_request(i))

    def refresh(self) -> int:
        if not self.backend.is_stale():
            return 0
        old, self.backend = self.backend, open_backend(self.index_dir)
        old.close()
        return 1


def _process_client(index_dir: str, start, go, seconds: float, offset: int, out) -> None:
    holder = _Holder(Path(index_dir))
    out.put("ready")
    go.wait()  # all clients start together, however long their start-up took
    out.put(_client_loop(holder, None, start.value, seconds, offset))


def run_phase(mode: str, clients: int, index_dir: Path, seconds: float) -> dict:
    results: list[dict] = []
    if mode == "processes":
        context = multiprocessing.get_context("spawn")
        queue, go, start = context.Queue(), context.Event(), context.Value("d", 0.0)
        procs = [context.Process(target=_process_client,
                                 args=(str(index_dir), start, go, seconds, k * 5, queue))
                 for k in range(clients)]
        for p in procs:
            p.start()
        for _ in procs:
            assert queue.get(timeout=120) == "ready"
        start.value = time.time() + 0.2
        go.set()
        results = [queue.get(timeout=seconds + 120) for _ in procs]
        for p in procs:
            p.join()
    else:
        shared = _Holder(index_dir) if mode == "threads-shared" else None
        lock = threading.Lock() if shared else None
        holders = [shared or _Holder(index_dir) for _ in range(clients)]
        start_at = time.time() + 0.2
        box: list[dict] = []
        threads = [threading.Thread(target=lambda h=h, k=k: box.append(
            _client_loop(h, lock, start_at, seconds, k * 5))) for k, h in enumerate(holders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results = box
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = [e for r in results for e in r["errors"]]
    return {
        "mode": mode,
        "clients": clients,
        "queries": len(latencies),
        "qps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1) if latencies else None,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:3],
        "reopens": sum(r["reopens"] for r in results),
        "loadavg_1m": round(os.getloadavg()[0], 1),  # >> CPUs means others shared the machine
    }


class Reindexer:
    """Keeps changing one document and running `kb index` until stopped."""

    def __init__(self, corpus: Path, index_dir: Path):
        self.corpus, self.index_dir = corpus, index_dir
        self.target = next(p for p in sorted(corpus.rglob("*.txt")) if "src" not in p.parts)
        self.original = self.target.read_bytes()
        self.stop = threading.Event()
        self.commits = 0
        self.failures: list[str] = []
        self.seconds: list[float] = []
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        kb = shutil.which("kb", path=str(Path(sys.executable).parent)) or "kb"
        n = 0
        while not self.stop.is_set():
            n += 1
            self.target.write_bytes(self.original + f"\n\nAktualizace číslo {n}.\n".encode())
            t0 = time.perf_counter()
            proc = subprocess.run([kb, "index", str(self.corpus), "--index", str(self.index_dir), "--json"],
                                  capture_output=True, text=True)
            if proc.returncode == 0 and json.loads(proc.stdout)["indexed"] >= 1:
                self.commits += 1
                self.seconds.append(time.perf_counter() - t0)
            else:
                self.failures.append(proc.stderr.strip()[-200:])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.target.write_bytes(self.original)


def format_table(rows: list[dict]) -> str:
    head = (f"{'mode':<15} {'clients':>7} {'phase':<8} {'q/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'errors':>6} {'reopens':>7} {'load':>5}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['mode']:<15} {r['clients']:>7} {r['phase']:<8} {r['qps']:>7} {r['p50_ms']:>8} "
                     f"{r['p95_ms']:>8} {r['errors']:>6} {r['reopens']:>7} {r['loadavg_1m']:>5}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--clients", default="1,2,4,8")
    parser.add_argument("--modes", default="threads-shared,threads-own,processes")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-reindex", action="store_true", help="skip the phase with a reindex")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    from kb.index.pipeline import run_index

    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        shutil.copytree(args.corpus, corpus, ignore=shutil.ignore_patterns("src"))
        built = run_index(corpus, index_dir)
        print(f"index: {built.documents} documents, {built.pages} pages, built in {built.seconds:.1f} s, "
              f"{os.cpu_count()} CPUs", file=sys.stderr)
        rows: list[dict] = []
        reindex_stats: dict = {}
        for mode in args.modes.split(","):
            for clients in [int(c) for c in args.clients.split(",")]:
                for phase in ("idle",) if args.no_reindex else ("idle", "reindex"):
                    if phase == "reindex":
                        with Reindexer(corpus, index_dir) as reindexer:
                            row = run_phase(mode, clients, index_dir, args.seconds)
                        row["reindex_commits"] = reindexer.commits
                        row["reindex_failures"] = reindexer.failures[:2]
                        reindex_stats.setdefault("seconds", []).extend(reindexer.seconds)
                    else:
                        row = run_phase(mode, clients, index_dir, args.seconds)
                    row["phase"] = phase
                    rows.append(row)
                    print(format_table([row]).splitlines()[-1], file=sys.stderr)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "corpus": {"documents": built.documents, "pages": built.pages},
            "seconds_per_phase": args.seconds,
            "reindex_run_seconds_median": round(statistics.median(reindex_stats["seconds"]), 2)
            if reindex_stats.get("seconds") else None,
            "runs": rows,
        }
    print(format_table(rows))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
