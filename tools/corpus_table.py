#!/usr/bin/env python3
"""Regenerate the table of corpus files in ``corpus/README.md``.

Usage::

    python tools/corpus_table.py            # rewrite the table inside corpus/README.md
    python tools/corpus_table.py --stdout   # only print the table

The table is built from ``corpus/src/_manifest/*.yaml`` (one file per document,
written by the corpus writers) plus the front matter of ``corpus/src/<slug>.md``
(output format, encoding).  Page counts are read from the built PDFs when pypdf
is installed.  In README.md the table sits between the markers
``<!-- corpus-table:start -->`` and ``<!-- corpus-table:end -->``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
MANIFEST = CORPUS / "src" / "_manifest"
README = CORPUS / "README.md"
START, END = "<!-- corpus-table:start -->", "<!-- corpus-table:end -->"
FM_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)

FORMAT_LABEL = {"pdf": "PDF", "scan": "PDF (sken, bez textu)", "docx": "DOCX", "txt": "TXT", "md": "Markdown"}


def front_matter(slug: str) -> dict:
    src = CORPUS / "src" / f"{slug}.md"
    if not src.exists():
        return {}
    m = FM_RE.match(src.read_text(encoding="utf-8"))
    return (yaml.safe_load(m.group(1)) or {}) if m else {}


def pdf_pages(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    try:
        return str(len(PdfReader(str(path)).pages))
    except Exception:
        return "?"


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def build_table() -> str:
    rows = []
    for mf in sorted(MANIFEST.glob("*.yaml")):
        try:
            m = yaml.safe_load(mf.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            print(f"warning: {mf.name}: {e}", file=sys.stderr)
            continue
        slug = m.get("slug") or mf.stem
        fm = front_matter(slug)
        file = m.get("file") or fm.get("file") or "?"
        out = fm.get("output") or Path(file).suffix.lstrip(".")
        fmt = FORMAT_LABEL.get(out, out)
        if out in ("txt", "md") and fm.get("encoding"):
            fmt += f", {fm['encoding']}"
        built = CORPUS / file
        if not built.exists():
            pages = "nesestaveno"
        elif built.suffix.lower() == ".pdf":
            pages = pdf_pages(built)
        else:
            pages = "—"
        topics = ", ".join(m.get("topics") or [])
        profs = ", ".join(m.get("professions") or [])
        feats = ", ".join(str(f) for f in (m.get("features") or []))
        rows.append((file, m.get("doc_type", "?"), fmt, pages, topics, profs, feats))
    rows.sort()
    lines = [
        "| Soubor | Typ | Formát | Stran | Témata | Profese | Záludnosti, které soubor testuje |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(cell(x) for x in ((f"`{r[0]}`",) + r[1:])) + " |")
    lines.append("")
    lines.append(f"Celkem {len(rows)} dokumentů (tabulka vygenerována nástrojem `tools/corpus_table.py`).")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Regenerate the corpus table in corpus/README.md")
    ap.add_argument("--stdout", action="store_true", help="print the table, do not touch README.md")
    args = ap.parse_args(argv)
    table = build_table()
    if args.stdout or not README.exists():
        print(table)
        return 0
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{README}: markers {START} / {END} not found", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table}\n{END}{tail}"
    if new != text:
        README.write_text(new, encoding="utf-8")
        print(f"updated {README.relative_to(ROOT)}")
    else:
        print(f"{README.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
