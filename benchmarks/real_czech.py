"""The Czech analyzer on real text, against the targets of issue 11.

Runs the scorers of ../shared/ud (UD_Czech-CLTT with gold lemmas) on kb.analysis and,
unless --no-realtext, the real-text dev set of ../shared/realtext through the CLI:

    .venv/bin/python benchmarks/real_czech.py              # everything (~1 min)
    .venv/bin/python benchmarks/real_czech.py --no-realtext

Printed against the targets:
- CLTT pair F1 (forms of one lemma meet, forms of different lemmas do not) >= 0.90,
  and for verbs >= 0.80;
- CLTT retrieval: 200 lemma queries over 20-sentence pages, macro recall >= 0.93 at
  macro precision >= 0.93, typed with diacritics and without;
- the last line of ../shared/realtext/run_real.py (tags and the 9 queries).
Also the cost of the lemma table: the time of the first analysed word in a fresh
process (it loads the table) and the memory it takes.

Skips with a message when ../shared is not there (it is not part of the project).
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
UD = SHARED / "ud"
REALTEXT = SHARED / "realtext"
TARGETS = {"F1": 0.90, "VERB F1": 0.80, "recall": 0.93, "precision": 0.93}


def mark(value: float, target: float) -> str:
    return f"{value:.3f} ({'ok' if value >= target else 'below'} {target:.2f})"


def table_cost() -> str:
    """First word in a fresh interpreter (imports kb.analysis and loads the table)."""
    code = (
        "import resource, time; t = time.perf_counter(); import kb.analysis as a; "
        "from kb.analysis import lemmas; "
        "t1 = time.perf_counter(); rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "a.word_term('stanovil'); t2 = time.perf_counter(); "
        "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss; "
        "print(f'import {(t1 - t) * 1000:.0f} ms, first word (loads the lemma table) "
        "{(t2 - t1) * 1000:.0f} ms, +{grown / 1024:.0f} MB resident, {len(lemmas.table())} forms')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return (out.stdout or out.stderr).strip()


def cltt() -> None:
    sys.path.insert(0, str(UD))
    from common import items_of, load, pair_scores  # noqa: E402  (the shared scorer)

    from kb import analysis

    tb = load("CLTT")
    items = items_of(tb)
    everything = pair_scores(items, analysis.word_term)
    verbs = pair_scores(items, analysis.word_term, "VERB")
    nouns = pair_scores(items, analysis.word_term, "NOUN")
    adjectives = pair_scores(items, analysis.word_term, "ADJ")
    print(f"CLTT pairs: F1 {mark(everything['F1'], TARGETS['F1'])}  P {everything['P']:.3f} "
          f"R {everything['R']:.3f}")
    print(f"CLTT pairs by POS: VERB F1 {mark(verbs['F1'], TARGETS['VERB F1'])} "
          f"(P {verbs['P']:.2f} R {verbs['R']:.2f}), NOUN F1 {nouns['F1']:.3f}, "
          f"ADJ F1 {adjectives['F1']:.3f}")

    saved = sys.argv
    sys.argv = [saved[0]]  # retrieval.py reads its options at import
    try:
        import retrieval  # noqa: E402
    finally:
        sys.argv = saved
    pages = [[t for s in tb.sentences[i:i + retrieval.PAGE] for t in s]
             for i in range(0, len(tb.sentences), retrieval.PAGE)]
    queries = retrieval.make_queries(pages, random.Random(1))
    word_terms = [{analysis.word_term(t.form) for t in page if t.form.isalpha()} - {None}
                  for page in pages]
    for folded in (False, True):
        m, _ = retrieval.evaluate(pages, queries, word_terms, analysis.word_term, folded)
        typed = "without diacritics" if folded else "with diacritics   "
        print(f"CLTT retrieval, {len(queries)} queries {typed}: recall "
              f"{mark(m['R'], TARGETS['recall'])} at precision {mark(m['P'], TARGETS['precision'])}"
              f", no result {m['empty']:.1%}")


def realtext() -> None:
    kb = ROOT / ".venv" / "bin" / "kb"
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="kb-real-czech-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        subprocess.run([python, str(REALTEXT / "make_real_corpus.py"), str(corpus)],
                       check=True, capture_output=True)
        out = subprocess.run([python, str(REALTEXT / "run_real.py"), str(kb), str(corpus),
                              str(index)], capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    for line in lines:
        if line.startswith("FAIL"):
            print("realtext", line)
    print("realtext:", lines[-1] if lines else out.stderr.strip()[-500:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-realtext", action="store_true", help="only the CLTT figures")
    args = parser.parse_args()
    if not UD.is_dir():
        print(f"SKIP: {UD} is missing (the real-data dev sets are not part of the project)")
        return
    print(table_cost())
    cltt()
    if not args.no_realtext:
        if REALTEXT.is_dir():
            realtext()
        else:
            print(f"SKIP realtext: {REALTEXT} is missing")


if __name__ == "__main__":
    main()
