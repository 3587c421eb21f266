"""Relevance of search on the sample corpus: recall@10, MRR and page accuracy.

Runs every query of tests/data/relevance.yaml through kb.search (the same
SearchRequest / open_backend the CLI and the app use) against an index of corpus/,
prints the figures and lists every failure with what the engine returned instead.

    python benchmarks/relevance.py                  # index corpus/ (incremental), print report
    python benchmarks/relevance.py --json           # one JSON object on stdout
    python benchmarks/relevance.py --index DIR      # use / update the index in DIR
    python benchmarks/relevance.py --fresh          # rebuild the index from scratch first
    python benchmarks/relevance.py --only kyber-01 dn-03   # just these query ids

Definitions (k = 10):
- recall@10: per query, the share of its `must` documents found in the top 10;
  averaged over queries.
- MRR: per query, 1 / rank of the first `must` document in the top 10 (0 if none);
  averaged over queries.
- page accuracy: over the (query, must document) pairs that carry a judged `page` and
  were found in the top 10, the share whose first returned page (`pages[0]`) is one of
  the judged pages.
- must_not violations: queries with a `must_not` document in the top 10.

The judgments are made by reading the documents; see the header of relevance.yaml.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.search import SearchRequest, open_backend  # noqa: E402

CORPUS = ROOT / "corpus"
JUDGMENTS = ROOT / "tests" / "data" / "relevance.yaml"
DEFAULT_INDEX = Path(tempfile.gettempdir()) / "kb-relevance-index"
K = 10


# ---------------------------------------------------------------- judgments


@dataclass
class Judged:
    path: str
    pages: list[int] = field(default_factory=list)  # empty: no page judged


@dataclass
class Query:
    id: str
    q: str
    kind: list[str]
    topics: list[str]
    professions: list[str]
    types: list[str]
    must: list[Judged]
    must_not: list[str]
    note: str = ""

    def request(self, limit: int) -> SearchRequest:
        filters = {"topics": tuple(self.topics), "professions": tuple(self.professions),
                   "doc_type": tuple(self.types)}
        return SearchRequest(query=self.q, filters={k: v for k, v in filters.items() if v}, limit=limit)

    def label(self) -> str:
        filters = [f"{name}={','.join(values)}" for name, values in
                   (("topic", self.topics), ("profession", self.professions), ("type", self.types))
                   if values]
        return self.q + (f"  [{' '.join(filters)}]" if filters else "")


def _judged(item) -> Judged:
    if isinstance(item, str):
        return Judged(item)
    page = item.get("page")
    pages = [] if page is None else ([int(page)] if isinstance(page, int) else [int(p) for p in page])
    return Judged(item["path"], pages)


def load_judgments(path: Path = JUDGMENTS) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = []
    for raw in data["queries"]:
        queries.append(Query(
            id=raw["id"], q=raw["q"], kind=list(raw.get("kind") or []),
            topics=list(raw.get("topics") or []), professions=list(raw.get("professions") or []),
            types=list(raw.get("types") or []),
            must=[_judged(m) for m in raw.get("must") or []],
            must_not=list(raw.get("must_not") or []), note=raw.get("note", ""),
        ))
    ids = [q.id for q in queries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate query ids in {path}: {sorted(duplicates)}")
    return queries


def check_paths(queries: list[Query], corpus: Path) -> list[str]:
    """Judged paths that do not exist in the corpus (a renamed file breaks judgments)."""
    missing = set()
    for q in queries:
        for p in [m.path for m in q.must] + q.must_not:
            if not (corpus / p).is_file():
                missing.add(p)
    return sorted(missing)


# ---------------------------------------------------------------- index


def ensure_index(corpus: Path, index_dir: Path, fresh: bool = False) -> dict:
    """Bring `index_dir` up to date with `corpus` (incremental; `fresh` rebuilds)."""
    from kb.index.pipeline import run_index
    from kb.settings import Settings

    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    report = run_index(corpus, index_dir, settings=Settings.from_env())
    return report.to_dict() if hasattr(report, "to_dict") else dict(vars(report))


# ---------------------------------------------------------------- evaluation


def evaluate(queries: list[Query], backend, k: int = K) -> dict:
    per_query = []
    page_pairs = page_hits = 0
    for q in queries:
        started = time.perf_counter()
        error = None
        try:
            result = q_result = backend.search(q.request(limit=max(k, 20)))
            hits = result.results
            expanded = list(getattr(q_result, "expanded", []) or [])
        except Exception as e:  # a query the engine rejects is a failure, not a crash
            hits, expanded, error = [], [], f"{type(e).__name__}: {e}"
        seconds = time.perf_counter() - started
        top = hits[:k]
        ranks = {h.path: i + 1 for i, h in enumerate(top)}
        by_path = {h.path: h for h in top}
        found = [m for m in q.must if m.path in ranks]
        missing = [m.path for m in q.must if m.path not in ranks]
        recall = len(found) / len(q.must) if q.must else 1.0
        first = min((ranks[m.path] for m in found), default=None)
        rr = 1.0 / first if first else 0.0
        page_failures = []
        for m in found:
            if not m.pages:
                continue
            page_pairs += 1
            got = by_path[m.path].pages
            if got and got[0] in m.pages:
                page_hits += 1
            else:
                page_failures.append({"path": m.path, "judged": m.pages, "got": got[:5],
                                      "snippet": by_path[m.path].snippet})
        violations = [{"path": p, "rank": ranks[p]} for p in q.must_not if p in ranks]
        per_query.append({
            "id": q.id, "query": q.q, "label": q.label(), "kind": q.kind, "note": q.note,
            "recall": recall, "rr": rr, "first_rank": first,
            "missing": missing, "page_failures": page_failures, "must_not_violations": violations,
            "error": error, "expanded": expanded, "seconds": round(seconds, 4),
            "top": [{"path": h.path, "pages": h.pages[:3], "score": h.score} for h in top],
        })
    n = len(per_query) or 1
    by_kind: dict[str, list[float]] = defaultdict(list)
    for row in per_query:
        for kind in row["kind"]:
            by_kind[kind].append(row["recall"])
    return {
        "queries": len(per_query),
        "recall_at_10": round(sum(r["recall"] for r in per_query) / n, 4),
        "mrr": round(sum(r["rr"] for r in per_query) / n, 4),
        "page_accuracy": round(page_hits / page_pairs, 4) if page_pairs else 1.0,
        "page_judged": page_pairs,
        "page_correct": page_hits,
        "must_not_violations": sum(1 for r in per_query if r["must_not_violations"]),
        "recall_by_kind": {kind: round(sum(v) / len(v), 4) for kind, v in sorted(by_kind.items())},
        "per_query": per_query,
    }


def failures(report: dict) -> list[dict]:
    return [r for r in report["per_query"]
            if r["missing"] or r["page_failures"] or r["must_not_violations"] or r["error"]
            or r["first_rank"] != 1]


# ---------------------------------------------------------------- output


def _print_report(report: dict, index_info: dict | None, out=sys.stdout) -> None:
    w = out.write
    w(f"Relevance on corpus/ — {report['queries']} queries (tests/data/relevance.yaml)\n")
    if index_info:
        w(f"index: {index_info.get('documents', '?')} documents, "
          f"{index_info.get('pages', '?')} pages, skipped {len(index_info.get('skipped', []))}\n")
    w(f"\n  recall@10       {report['recall_at_10']:.3f}\n")
    w(f"  MRR             {report['mrr']:.3f}\n")
    w(f"  page accuracy   {report['page_accuracy']:.3f}  "
      f"({report['page_correct']}/{report['page_judged']} judged pages of found documents)\n")
    w(f"  must_not        {report['must_not_violations']} queries with an excluded document in the top 10\n")
    w("\n  recall@10 by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in report["recall_by_kind"].items())
      + "\n")
    bad = failures(report)
    if not bad:
        w("\nNo failures.\n")
        return
    w(f"\nFailures and imperfect rankings ({len(bad)}):\n")
    for r in bad:
        w(f"\n[{r['id']}] {r['label']}   (recall {r['recall']:.2f}, first relevant at "
          f"{r['first_rank'] or '—'})\n")
        if r["error"]:
            w(f"    error: {r['error']}\n")
        if r["expanded"]:
            w(f"    expanded: {', '.join(r['expanded'])}\n")
        for path in r["missing"]:
            w(f"    missing: {path}\n")
        for v in r["must_not_violations"]:
            w(f"    must_not at rank {v['rank']}: {v['path']}\n")
        for p in r["page_failures"]:
            w(f"    page: {p['path']} judged {p['judged']}, got {p['got'] or '[]'}\n")
            w(f"          snippet: {p['snippet'][:160]}\n")
        if r["missing"] or r["first_rank"] != 1 or r["must_not_violations"]:
            came = r["top"][:5]
            if came:
                w("    came instead: " + "; ".join(
                    f"{i + 1}. {t['path']}{' p' + ','.join(map(str, t['pages'])) if t['pages'] else ''}"
                    for i, t in enumerate(came)) + "\n")
            else:
                w("    came instead: nothing\n")
        w(f"    judged: {r['note']}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                    help=f"index directory (default {DEFAULT_INDEX}); updated incrementally")
    ap.add_argument("--no-reindex", action="store_true", help="use the index as it is")
    ap.add_argument("--fresh", action="store_true", help="delete the index and rebuild it")
    ap.add_argument("--judgments", type=Path, default=JUDGMENTS)
    ap.add_argument("--only", nargs="+", metavar="ID", help="evaluate only these query ids")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    queries = load_judgments(args.judgments)
    if args.only:
        queries = [q for q in queries if q.id in set(args.only)]
    missing_paths = check_paths(queries, args.corpus)
    index_info = None
    started = time.perf_counter()
    if not args.no_reindex:
        index_info = ensure_index(args.corpus, args.index, fresh=args.fresh)
    index_seconds = time.perf_counter() - started
    backend = open_backend(args.index)
    try:
        started = time.perf_counter()
        report = evaluate(queries, backend)
        report["search_seconds"] = round(time.perf_counter() - started, 3)
    finally:
        backend.close()
    report["index_seconds"] = round(index_seconds, 3)
    report["judged_paths_missing_from_corpus"] = missing_paths
    if args.json:
        json.dump({k: v for k, v in report.items()}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        if missing_paths:
            print("WARNING: judged paths not in the corpus: " + ", ".join(missing_paths))
        _print_report(report, index_info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
