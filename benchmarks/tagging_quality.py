#!/usr/bin/env python3
"""Tagging quality against the hand-labelled gold file.

Usage::

    python benchmarks/tagging_quality.py [--corpus corpus] [--gold tests/data/tagging_gold.yaml]
                                         [--index DIR] [--json]

Further facets are labelled in their own files (MORE_GOLD, e.g. the audience).
Tags every gold document straight from extraction (with its sidecar, exactly as
`kb index` does), or, with ``--index``, reads the tags an index has stored. Prints
precision and recall for topics and professions and overall, the accuracy of the
document type, and every wrong tag (with the evidence that made it) and every missed
tag (with what was found and why it fell short).

Scoring: a predicted tag is correct when the gold file lists it as required or as
acceptable (`*_ok`); recall counts only the required tags.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.errors import ExtractionError  # noqa: E402
from kb.extract import extract_file  # noqa: E402
from kb.facets import BY_ID, TAG_FACETS  # noqa: E402
from kb.tagging import score_document, tag_document  # noqa: E402
from kb.taxonomy import load_taxonomy  # noqa: E402

GOLD = ROOT / "tests" / "data" / "tagging_gold.yaml"
# Hand labels of further facets (tests/data/NAME_gold.yaml, e.g. the audience), by
# document path, merged into the gold file's.
MORE_GOLD = tuple(p for p in sorted(GOLD.parent.glob("*_gold.yaml")) if p != GOLD)
# The facets judged: every tag facet (kb/facets.py) that the gold labels.
FACETS: tuple[str, ...] = ()


def load_gold(path: Path = GOLD) -> dict[str, dict]:
    global FACETS
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]
    for extra in MORE_GOLD:
        if extra.is_file():
            for rel, labels in (yaml.safe_load(extra.read_text(encoding="utf-8"))["documents"] or {}).items():
                gold.setdefault(rel, {}).update(labels)
    FACETS = tuple(f.id for f in TAG_FACETS if any(f.id in labels for labels in gold.values()))
    return gold


def predict(corpus: Path, gold: dict[str, dict]) -> tuple[dict[str, dict], dict[str, dict], dict[str, str], dict]:
    """Tag each gold document from its file: (tags, near misses, skipped, stats)."""
    taxonomy = load_taxonomy()
    predictions: dict[str, dict] = {}
    near: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    pages = 0
    seconds = 0.0
    for rel in gold:
        path = corpus / rel
        if not path.exists():
            skipped[rel] = "soubor chybí (korpus není sestavený?)"
            continue
        try:
            document, _ = extract_file(path, corpus)
        except ExtractionError as e:
            skipped[rel] = str(e)
            continue
        started = time.perf_counter()
        predictions[rel] = tag_document(document, taxonomy)
        seconds += time.perf_counter() - started
        pages += len(document.pages)
        scored = score_document(document, taxonomy)
        near[rel] = {facet: {tag: cand.evidence(scored["units"], document.paged) | {"why_not": cand.reason}
                             for tag, cand in scored[BY_ID[facet].section].items() if not cand.tagged}
                     for facet in FACETS}
    return predictions, near, skipped, {"pages": pages, "seconds": seconds}


def from_index(index_dir: Path, gold: dict[str, dict]) -> tuple[dict[str, dict], dict[str, str]]:
    from kb.search import open_backend

    backend = open_backend(index_dir)
    documents = {d.path: d for d in backend.documents()}
    skipped = {rel: "není v indexu" for rel in gold if rel not in documents}
    # the stored (manifest) form, the shape tag_document returns for the other path
    return {rel: documents[rel].to_json() for rel in gold if rel in documents}, skipped


def evaluate(gold: dict[str, dict], predictions: dict[str, dict]) -> dict:
    """Precision/recall per facet and overall (micro-averaged over documents), the
    document-type accuracy, and the list of errors. Only documents with a prediction
    count (a file that could not be read has no tags to judge)."""
    counts = {facet: {"tp": 0, "fp": 0, "fn": 0, "required_found": 0} for facet in FACETS}
    errors = []
    type_right = type_total = 0
    for rel, labels in gold.items():
        predicted = predictions.get(rel)
        if predicted is None:
            continue
        for facet in FACETS:
            required = set(labels.get(facet) or [])
            acceptable = required | set(labels.get(f"{facet}_ok") or [])
            got = set(predicted.get(facet) or [])
            c = counts[facet]
            c["tp"] += len(got & acceptable)
            c["fp"] += len(got - acceptable)
            c["required_found"] += len(got & required)
            c["fn"] += len(required - got)
            for tag in sorted(got - acceptable):
                errors.append({"path": rel, "facet": facet, "tag": tag, "error": "navíc"})
            for tag in sorted(required - got):
                errors.append({"path": rel, "facet": facet, "tag": tag, "error": "chybí"})
        type_total += 1
        if predicted.get("doc_type") == labels.get("doc_type"):
            type_right += 1
        else:
            errors.append({"path": rel, "facet": "doc_type", "tag": predicted.get("doc_type"),
                           "error": f"typ (má být {labels.get('doc_type')})"})
    report: dict = {"documents": type_total, "facets": {}, "errors": errors}
    total = {"tp": 0, "fp": 0, "fn": 0, "required_found": 0}
    for facet in FACETS:
        report["facets"][facet] = _figures(counts[facet])
        for key in total:
            total[key] += counts[facet][key]
    report["overall"] = _figures(total)
    report["doc_type_accuracy"] = round(type_right / type_total, 3) if type_total else 0.0
    return report


def _figures(c: dict) -> dict:
    predicted = c["tp"] + c["fp"]
    required = c["required_found"] + c["fn"]
    return {
        "precision": round(c["tp"] / predicted, 3) if predicted else 1.0,
        "recall": round(c["required_found"] / required, 3) if required else 1.0,
        "predicted": predicted,
        "correct": c["tp"],
        "required": required,
        "found": c["required_found"],
    }


def _describe(evidence: dict | None) -> str:
    if not evidence:
        return "žádný výskyt"
    terms = ", ".join(f"{t}×{n}" for t, n in list(evidence.get("terms", {}).items())[:8])
    where = evidence.get("pages") or evidence.get("sections") or []
    where_text = ", ".join(map(str, where[:8])) + ("…" if len(where) > 8 else "")
    parts = [f"skóre {evidence.get('score')}/{evidence.get('threshold')}"]
    if evidence.get("source") == "ručně":
        parts.append("ručně")
    if evidence.get("why_not"):
        parts.append(evidence["why_not"])
    parts.append(f"výrazy: {terms or '—'}")
    if where_text:
        parts.append(f"místa: {where_text}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tagging precision/recall against the gold file.")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--index", type=Path, help="evaluate the tags stored in this index instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    gold = load_gold(args.gold)
    near: dict[str, dict] = {}
    stats: dict = {}
    if args.index:
        predictions, skipped = from_index(args.index, gold)
    else:
        predictions, near, skipped, stats = predict(args.corpus, gold)
    report = evaluate(gold, predictions)
    report["skipped"] = skipped
    for error in report["errors"]:
        predicted = predictions.get(error["path"], {})
        facet = error["facet"]
        if facet == "doc_type":
            error["evidence"] = predicted.get("evidence", {}).get("doc_type")
        elif error["error"] == "navíc":
            error["evidence"] = predicted.get("evidence", {}).get(facet, {}).get(error["tag"])
        else:
            error["evidence"] = near.get(error["path"], {}).get(facet, {}).get(error["tag"])
    if args.json:
        print(json.dumps(report | {"timing": stats}, ensure_ascii=False, indent=1))
        return 0

    print(f"Dokumentů hodnoceno: {report['documents']} (z {len(gold)} ve zlatém souboru)")
    print(f"{'':14}{'přesnost':>10}{'úplnost':>10}{'štítků':>8}{'správně':>9}{'povinných':>11}{'nalezeno':>10}")
    for name, fig in (*report["facets"].items(), ("celkem", report["overall"])):
        print(f"{name:14}{fig['precision']:>10.3f}{fig['recall']:>10.3f}{fig['predicted']:>8}"
              f"{fig['correct']:>9}{fig['required']:>11}{fig['found']:>10}")
    print(f"typ dokumentu: správně {report['doc_type_accuracy']:.3f}")
    if stats.get("pages"):
        print(f"čas štítkování: {stats['seconds']:.2f} s na {stats['pages']} stran/oddílů "
              f"({1000 * stats['seconds'] / stats['pages']:.1f} ms na stranu)")
    if skipped:
        print("\nNehodnoceno (soubor nejde přečíst):")
        for rel, reason in skipped.items():
            print(f"  {rel}: {reason}")
    if report["errors"]:
        print("\nChyby:")
        for e in report["errors"]:
            print(f"  {e['error']:6} {e['facet']:11} {e['tag']:24} {e['path']}")
            print(f"         {_describe(e['evidence'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
