#!/usr/bin/env python3
"""pypdf or pdfium? Speed and text quality of the two PDF extractors on corpus/.

For every corpus PDF with a text layer, both raw extractors of kb/extract/pdf.py run
and the same page cleaning (hyphenation, headers, footers) is applied to each. The
Markdown source in corpus/src/ is the ground truth of what the PDF says:

- speed: pages per second of the raw extractor (best of 3, one core);
- agreement: word-level F1 between the two extractions (multisets of lowercase words);
- recall / precision: words of the source found in the extraction and vice versa;
- broken words: extracted words that the source never writes (a hyphenation join
  that failed leaves "sociál" + "ní"; a merged line leaves "kontaktnímísto");
- order: on the two-column pages, the share of extracted words that stand in runs of
  at least 4 words in the source order (1.0 = the columns are read one after another,
  interleaved lines drop it to about 0.3).

Usage: python benchmarks/pdf_extractors.py [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.extract import pdf as kb_pdf  # noqa: E402

TWO_COLUMN = [("metodiky/supervize-v-praxi-spod.pdf", 3), ("letaky/domaci-nasili-kam-se-obratit.pdf", 1)]
WORD = re.compile(r"\w+")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def sources() -> dict[str, str]:
    """corpus-relative PDF path -> the plain text of its Markdown source."""
    import yaml

    found = {}
    for md in sorted((ROOT / "corpus" / "src").glob("*.md")):
        raw = md.read_text(encoding="utf-8")
        m = FRONT_MATTER.match(raw)
        if not m:
            continue
        meta = yaml.safe_load(m.group(1)) or {}
        if meta.get("output") != "pdf" or not meta.get("file"):
            continue
        body = re.sub(r"<!--.*?-->", " ", raw[m.end():], flags=re.S)
        body = body.replace("\u00ad", "")
        found[meta["file"]] = body
    return found


def raw_with(extractor, data: bytes) -> list[str]:
    return extractor(data)[0]


def speed(extractor, data: bytes, pages: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        extractor(data)
        best = min(best, time.perf_counter() - started)
    return pages / best


def f1(a: list[str], b: list[str]) -> float:
    ca, cb = Counter(a), Counter(b)
    common = sum((ca & cb).values())
    return 2 * common / (len(a) + len(b)) if a or b else 1.0


def overlap(found: list[str], truth: list[str]) -> float:
    """Share of `found` words that `truth` also has (multiset)."""
    common = sum((Counter(found) & Counter(truth)).values())
    return common / len(found) if found else 1.0


def ordered_share(page_words: list[str], truth: list[str], run: int = 4) -> float:
    matcher = SequenceMatcher(None, truth, page_words, autojunk=False)
    in_runs = sum(b.size for b in matcher.get_matching_blocks() if b.size >= run)
    return in_runs / len(page_words) if page_words else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    extractors = {"pypdf": kb_pdf._pypdf_pages, "pdfium": kb_pdf._pdfium_pages}
    truth_by_file = sources()
    rows = []
    totals = {name: {"pages": 0, "seconds": 0.0} for name in extractors}
    for rel, truth_text in truth_by_file.items():
        path = ROOT / "corpus" / rel
        if not path.exists():
            continue
        data = path.read_bytes()
        truth = words(truth_text)
        vocab = set(truth)
        row: dict = {"file": rel}
        cleaned = {}
        for name, extractor in extractors.items():
            raw = raw_with(extractor, data)
            if sum(len(t.strip()) for t in raw) < kb_pdf.MIN_TEXT_CHARS:
                break  # a scan: nothing to compare
            pages = kb_pdf.clean_pages(raw)
            cleaned[name] = pages
            rate = speed(extractor, data, len(raw))
            totals[name]["pages"] += len(raw)
            totals[name]["seconds"] += len(raw) / rate
            found = words("\n".join(pages))
            row[name] = {
                "pages_per_s": round(rate),
                "recall": round(overlap(truth, found), 4),
                "precision": round(overlap(found, truth), 4),
                "broken_words": sorted({w for w in found if w not in vocab}),
            }
        if len(cleaned) < 2:
            continue
        row["agreement_f1"] = round(f1(words("\n".join(cleaned["pypdf"])), words("\n".join(cleaned["pdfium"]))), 4)
        for two_col, page_no in TWO_COLUMN:
            if rel == two_col:
                row["two_column_page"] = page_no
                for name in extractors:
                    row[name]["order"] = round(ordered_share(words(cleaned[name][page_no - 1]), truth), 4)
        rows.append(row)

    summary = {
        name: {
            "pages_per_s": round(t["pages"] / t["seconds"]) if t["seconds"] else 0,
            "recall": round(sum(r[name]["recall"] for r in rows) / len(rows), 4),
            "precision": round(sum(r[name]["precision"] for r in rows) / len(rows), 4),
            "broken_words": sum(len(r[name]["broken_words"]) for r in rows),
        }
        for name, t in totals.items()
    }
    summary["agreement_f1"] = round(sum(r["agreement_f1"] for r in rows) / len(rows), 4)
    summary["files"] = len(rows)
    summary["pages"] = totals["pdfium"]["pages"]
    if args.json:
        print(json.dumps({"files": rows, "summary": summary}, ensure_ascii=False))
        return 0
    print(f"{'file':58} {'pypdf p/s':>9} {'pdfium p/s':>10} {'F1':>6} {'recall y/p':>13} "
          f"{'broken y/p':>10} {'order y/p':>11}")
    for r in rows:
        y, p = r["pypdf"], r["pdfium"]
        order = f"{y['order']:.2f}/{p['order']:.2f}" if "order" in y else ""
        print(f"{r['file'][:58]:58} {y['pages_per_s']:9} {p['pages_per_s']:10} {r['agreement_f1']:6.3f} "
              f"{y['recall']:6.3f}/{p['recall']:.3f} {len(y['broken_words']):4}/{len(p['broken_words']):<5} "
              f"{order:>11}")
    y, p = summary["pypdf"], summary["pdfium"]
    print(f"\n{summary['files']} files, {summary['pages']} pages: pypdf {y['pages_per_s']} pages/s, "
          f"pdfium {p['pages_per_s']} pages/s ({p['pages_per_s'] / y['pages_per_s']:.1f}x); "
          f"word agreement F1 {summary['agreement_f1']:.4f}; recall {y['recall']:.4f} / {p['recall']:.4f}; "
          f"precision {y['precision']:.4f} / {p['precision']:.4f}; "
          f"broken words {y['broken_words']} / {p['broken_words']}")
    for name in ("pypdf", "pdfium"):
        broken = sorted({w for r in rows for w in r[name]["broken_words"]})
        print(f"{name} words not in the sources ({len(broken)}): {' '.join(broken[:60])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
