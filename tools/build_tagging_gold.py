#!/usr/bin/env python3
"""Build tests/data/tagging_gold.yaml from the corpus writers' manifests.

Usage::

    python tools/build_tagging_gold.py [--check]

Each ``corpus/src/_manifest/<slug>.yaml`` carries the tags a practitioner would give
the document it describes: ``topics`` / ``professions`` (required) and ``topics_ok`` /
``professions_ok`` (acceptable, not required). They are the hand labels; this script
only collects them under the built file's path, so the gold file can be rebuilt when
writers add documents. Labels are never tuned to the tagger: if one looks wrong, fix
it in the manifest with its writer and rebuild.

``--check`` exits 1 when the gold file is out of date (for CI).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "corpus" / "src" / "_manifest"
GOLD = ROOT / "tests" / "data" / "tagging_gold.yaml"
LISTS = ("topics", "topics_ok", "professions", "professions_ok")

HEADER = """\
# Hand labels for the sample corpus: the topics and professions a practitioner would
# assign to each document (`topics`, `professions`) and those that are acceptable but
# not required (`*_ok`). Built by tools/build_tagging_gold.py from the corpus writers'
# manifests (corpus/src/_manifest/*.yaml); do not edit by hand, fix the manifest and
# rebuild. Used by benchmarks/tagging_quality.py and tests/test_tagging_quality.py.
"""


def _ids(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def collect(manifests: Path = MANIFESTS) -> dict:
    documents = {}
    for path in sorted(manifests.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        file = data.get("file")
        if not file:
            print(f"{path.name}: no 'file', skipped", file=sys.stderr)
            continue
        entry = {"slug": data.get("slug", path.stem), "doc_type": data.get("doc_type", "jine")}
        for key in LISTS:
            entry[key] = _ids(data.get(key))
        documents[file] = entry
    return {"documents": documents}


def render(gold: dict) -> str:
    return HEADER + yaml.safe_dump(gold, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the gold file is out of date")
    args = parser.parse_args(argv)
    text = render(collect())
    if args.check:
        current = GOLD.read_text(encoding="utf-8") if GOLD.exists() else ""
        if current != text:
            print(f"{GOLD.relative_to(ROOT)} is out of date: run tools/build_tagging_gold.py", file=sys.stderr)
            return 1
        return 0
    GOLD.parent.mkdir(parents=True, exist_ok=True)
    GOLD.write_text(text, encoding="utf-8")
    print(f"{GOLD.relative_to(ROOT)}: {len(collect()['documents'])} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
