#!/usr/bin/env python3
"""Watch latency: from a file closed in the corpus to the document searchable.

Starts `kb watch` (the real command, in its own process) over a copy of a corpus,
then drops --drops new PDFs one at a time (each written elsewhere and moved in, as
an upload or a copy finishing does) and measures, for each, the time until a
search finds it. Then drops a burst of --burst files at once and counts the index
generations it took (target: 1) and the time until all are searchable.
Target: median <= 5 s at the corpus size.

Prints a table and, as the last line, one JSON object.

Usage:
  python benchmarks/watch_latency.py                   # corpus/ (the sample library)
  python benchmarks/watch_latency.py --pages 2000      # the synthetic corpus of bench.py
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from builders import make_pdf  # noqa: E402

from kb.index import store as kb_index  # noqa: E402
from kb.search import SearchRequest, open_backend  # noqa: E402

WORDS = ["pěstoun", "opatrovník", "kurátor", "mediace", "supervize", "dluhy", "bydlení", "senior"]


def _generation_number(index: Path) -> int:
    gen = kb_index.current_generation(index)
    return int(gen.name[4:]) if gen else 0


def _searchable(index: Path, word: str) -> bool:
    try:
        backend = open_backend(index)
    except Exception:
        return False
    try:
        return backend.search(SearchRequest(query=word, limit=1)).total > 0
    finally:
        backend.close()


def _manifest_has(index: Path, paths: set[str]) -> bool:
    gen = kb_index.current_generation(index)
    if gen is None:
        return False
    try:
        documents = json.loads((gen / kb_index.MANIFEST).read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError):
        return False
    return paths <= documents.keys()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=0, help="use bench.py's synthetic corpus of N pages")
    parser.add_argument("--drops", type=int, default=50)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    if args.pages:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import bench

        source, _ = bench.ensure_corpus(args.pages, bench.DEFAULT_CACHE, lambda m: print(m, file=sys.stderr))
    else:
        source = ROOT / "corpus"
    with tempfile.TemporaryDirectory(prefix="kb-watch-") as tmp:
        work = Path(tmp)
        corpus, index, outside = work / "corpus", work / "index", work / "outside"
        shutil.copytree(source, corpus)
        outside.mkdir()
        env = {**os.environ, "KB_INDEX_DIR": str(index), "KB_CORPUS_DIR": str(corpus)}
        kb = Path(sys.executable).with_name("kb")
        log = open(work / "watch.log", "w")
        proc = subprocess.Popen([str(kb), "watch", str(corpus), "--index", str(index)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            started = time.monotonic()
            while not _manifest_has(index, set()) and time.monotonic() - started < 3600:
                time.sleep(0.2)
            initial_s = time.monotonic() - started
            entries = json.loads((kb_index.current_generation(index) / kb_index.MANIFEST)
                                 .read_text(encoding="utf-8"))["documents"]
            documents, pages = len(entries), sum(e.get("pages", 0) for e in entries.values())
            time.sleep(2)
            latencies = []
            for i in range(args.drops):
                token = f"kapka{i:03d}x"
                make_pdf(outside / f"nova-{i:03d}.pdf",
                         [f"Nový dokument {token}\n\n{WORDS[i % len(WORDS)]} a spolupráce s rodinou. " * 8])
                t0 = time.monotonic()
                os.replace(outside / f"nova-{i:03d}.pdf", corpus / f"nova-{i:03d}.pdf")
                while not _searchable(index, token):
                    if time.monotonic() - t0 > args.timeout:
                        raise SystemExit(f"drop {i} not searchable after {args.timeout} s; see {work}/watch.log")
                    time.sleep(0.05)
                latencies.append(time.monotonic() - t0)
                time.sleep(0.3)
            # a burst: many files at once = one generation
            burst_dir = outside / "burst"
            for i in range(args.burst):
                make_pdf(burst_dir / f"davka-{i:03d}.pdf", [f"Dávka dokument {i} o náhradní rodinné péči. " * 5])
            gen_before = _generation_number(index)
            t0 = time.monotonic()
            for f in sorted(burst_dir.iterdir()):
                shutil.copyfile(f, corpus / f.name)
            wanted = {f"davka-{i:03d}.pdf" for i in range(args.burst)}
            while not _manifest_has(index, wanted):
                if time.monotonic() - t0 > max(args.timeout, 600):
                    raise SystemExit("the burst was not indexed in time")
                time.sleep(0.1)
            burst_s = time.monotonic() - t0
            time.sleep(3)
            burst_generations = _generation_number(index) - gen_before
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            log.close()
    result = {
        "corpus": str(source), "documents": documents, "pages": pages, "initial_index_s": round(initial_s, 2),
        "drops": len(latencies), "median_s": round(statistics.median(latencies), 2),
        "p95_s": round(percentile(latencies, 0.95), 2), "max_s": round(max(latencies), 2),
        "burst_files": args.burst, "burst_generations": burst_generations, "burst_s": round(burst_s, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"watch latency over {result['drops']} drops into {documents} documents ({pages} pages): median {result['median_s']} s, "
          f"p95 {result['p95_s']} s, max {result['max_s']} s (target median <= 5 s)")
    print(f"burst of {args.burst} files: {burst_generations} index generation(s), all searchable after "
          f"{result['burst_s']} s (target 1 generation)")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
