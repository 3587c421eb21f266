#!/usr/bin/env python3
"""Seconds per scanned page: rendering (pypdfium2), Tesseract (`ces`) and a cache hit,
for the scanned leaflet of the corpus (or PDFs given as arguments).

    .venv/bin/python benchmarks/ocr_speed.py [FILE.pdf ...] [--dpi 300] [--json]

Needs Tesseract with Czech data (sudo apt-get install tesseract-ocr tesseract-ocr-ces).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.extract import ocr  # noqa: E402

DEFAULT = ROOT / "corpus" / "letaky" / "seniori-v-bezpeci-doma-sken.pdf"


def measure(path: Path, options: ocr.OcrOptions) -> list[dict]:
    import pypdfium2 as pdfium

    rows = []
    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        for i in range(len(pdf)):
            t0 = time.perf_counter()
            cold = ocr.read_page(pdf[i], options)  # render + Tesseract, cache filled
            t1 = time.perf_counter()
            warm = ocr.read_page(pdf[i], options)  # render + hash, text from the cache
            t2 = time.perf_counter()
            assert warm == cold
            rows.append({"file": path.name, "page": i + 1, "chars": len(cold),
                         "ocr_s": round(t1 - t0, 2), "cached_s": round(t2 - t1, 2)})
    finally:
        pdf.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    problem = ocr.unavailable_reason(ocr.OcrOptions())
    if problem:
        sys.exit(f"OCR není k dispozici: {problem}")
    with tempfile.TemporaryDirectory() as cache:
        options = ocr.OcrOptions(dpi=args.dpi, cache_dir=Path(cache))
        rows = [row for f in args.files for row in measure(f, options)]
    summary = {"dpi": args.dpi, "pages": len(rows),
               "ocr_seconds_per_page": round(statistics.mean(r["ocr_s"] for r in rows), 2),
               "cached_seconds_per_page": round(statistics.mean(r["cached_s"] for r in rows), 2),
               "rows": rows}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return
    for r in rows:
        print(f"{r['file']} str. {r['page']}: {r['chars']} znaků, OCR {r['ocr_s']} s, z mezipaměti {r['cached_s']} s")
    print(f"průměr při {args.dpi} DPI: OCR {summary['ocr_seconds_per_page']} s/strana, "
          f"z mezipaměti {summary['cached_seconds_per_page']} s/strana")


if __name__ == "__main__":
    main()
