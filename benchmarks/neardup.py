#!/usr/bin/env python3
"""Near-duplicate detection (kb/index/neardup.py): grouping quality and cost.

  quality   pairwise precision and recall of the groups found on the generated variants
            (tests/neardup_data.py: municipal standards, draft/final, exact copy, and
            same-topic documents that are not copies), and the groups found where there
            should be none: corpus/ and any folder given with --negative (e.g. the
            real-text dev set). Target: P and R >= 0.95, 0 false groups.
  cost      on the synthetic corpus of benchmarks/bench.py (--pages, default 2,000):
            signing time per page, grouping time, and `kb index` from scratch with the
            detection switched off and on (pages/s, median of --repeat runs each).
            Target: the detection costs <= 10 % of indexing.

Prints a table and, as the last line, one JSON object.

Usage:
  python benchmarks/neardup.py
  python benchmarks/neardup.py --pages 2000 --negative /tmp/rt-corpus
  python benchmarks/neardup.py --quick      # quality only, no timing
"""
from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kb.index import neardup  # noqa: E402
from kb.index import store as kb_index  # noqa: E402
from kb.index.pipeline import run_index  # noqa: E402


def _pairs(groups) -> set[tuple[str, str]]:
    return {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}


def _groups(index: Path) -> list[list[str]]:
    manifest = json.loads((kb_index.current_generation(index) / kb_index.MANIFEST).read_text(encoding="utf-8"))
    return manifest["groups"]


def quality(work: Path, negatives: list[Path]) -> dict:
    from neardup_data import write_variants

    corpus = work / "variants"
    expected = write_variants(corpus)
    run_index(corpus, work / "variants-index", workers=2)
    found = _groups(work / "variants-index")
    want, got = _pairs(expected), _pairs(found)
    out = {"variants": {
        "documents": sum(1 for p in corpus.rglob("*") if p.is_file()),
        "expected_groups": len(expected), "found_groups": len(found),
        "pair_precision": round(len(want & got) / len(got), 3) if got else 1.0,
        "pair_recall": round(len(want & got) / len(want), 3) if want else 1.0,
        "exact_groups": sorted(map(sorted, found)) == sorted(map(sorted, expected)),
    }, "negatives": {}}
    for i, folder in enumerate([ROOT / "corpus", *negatives]):
        index = work / f"negative-{i}"
        report = run_index(folder, index, workers=2)
        out["negatives"][str(folder)] = {"documents": report.documents, "false_groups": _groups(index)}
    return out


def cost(pages: int, repeat: int, work: Path) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench

    corpus, info = bench.ensure_corpus(pages, bench.DEFAULT_CACHE, lambda m: print(m, file=sys.stderr))
    runs: dict[str, list[float]] = {"off": [], "on": []}
    real_fields, real_groups = neardup.entry_fields, neardup.find_groups
    for n in range(repeat):
        for mode in ("off", "on"):  # alternate, so a busy moment hits both alike
            index = work / f"cost-{mode}-{n}"
            if mode == "off":
                neardup.entry_fields = lambda text: {"minhash": "", "minhash_version": neardup.VERSION}
                neardup.find_groups = lambda documents: []
            try:
                started = time.perf_counter()
                report = run_index(corpus, index, workers=2)
                runs[mode].append(time.perf_counter() - started)
            finally:
                neardup.entry_fields, neardup.find_groups = real_fields, real_groups
            if mode == "on" and n == repeat - 1:
                last_on = index
            else:
                shutil.rmtree(index, ignore_errors=True)
    documents = kb_index.read_manifest(kb_index.current_generation(last_on) / kb_index.MANIFEST)["documents"]
    texts = []
    for entry in documents.values():
        cached = kb_index.load_extracted(last_on, entry.hash)
        texts.append(cached.text if cached else "")
    n_pages = sum(max(1, e.page_count or 1) for e in documents.values())
    started = time.perf_counter()
    for text in texts:
        neardup.entry_fields(text)
    sign_s = time.perf_counter() - started
    started = time.perf_counter()
    groups = neardup.find_groups(documents)
    group_s = time.perf_counter() - started
    off, on = statistics.median(runs["off"]), statistics.median(runs["on"])
    return {
        "corpus_pages": info["pages"], "documents": len(documents), "pages_or_sections": n_pages,
        "sign_ms_per_page": round(1000 * sign_s / n_pages, 3), "group_ms": round(1000 * group_s, 1),
        "groups_in_synthetic_corpus": len(groups),
        "index_s_off": round(off, 2), "index_s_on": round(on, 2),
        "pages_per_s_off": round(report.pages / off, 1), "pages_per_s_on": round(report.pages / on, 1),
        "detection_share_of_indexing": round((sign_s + group_s) / on, 4),
        "index_time_increase": round(on / off - 1, 4),
        "runs": {k: [round(v, 2) for v in vs] for k, vs in runs.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--negative", action="append", type=Path, default=[],
                        help="a folder of distinct documents (no group expected); repeatable")
    parser.add_argument("--quick", action="store_true", help="quality only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-neardup-") as tmp:
        work = Path(tmp)
        result = {"quality": quality(work, args.negative)}
        if not args.quick:
            result["cost"] = cost(args.pages, args.repeat, work)
    q = result["quality"]["variants"]
    print(f"variants: {q['documents']} files, groups expected {q['expected_groups']}, found {q['found_groups']}; "
          f"pair precision {q['pair_precision']}, recall {q['pair_recall']} (target >= 0.95)")
    for folder, n in result["quality"]["negatives"].items():
        print(f"no copies expected: {folder} ({n['documents']} documents): {len(n['false_groups'])} groups "
              f"(target 0) {n['false_groups'] or ''}")
    if "cost" in result:
        c = result["cost"]
        print(f"cost on {c['corpus_pages']} pages ({c['documents']} documents): signing "
              f"{c['sign_ms_per_page']} ms/page, grouping {c['group_ms']} ms; "
              f"= {100 * c['detection_share_of_indexing']:.1f} % of indexing (target <= 10 %)")
        print(f"kb index from scratch: off {c['index_s_off']} s ({c['pages_per_s_off']} pages/s), "
              f"on {c['index_s_on']} s ({c['pages_per_s_on']} pages/s), "
              f"{100 * c['index_time_increase']:+.1f} %; runs {c['runs']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
