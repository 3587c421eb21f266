"""Generated corpora for the reliability tests (crash, concurrency): many small Czech
documents, a changed next state of them, and what a user sees of an index."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

QUERIES = ["rodina", "násilí dítě", '"sociální pracovník"', "mediace OR supervize", "policie -škola",
           "slovo5x1", "kapitola dokumentu", "exekuce", "slovo48x0"]
WORDS = ("rodina dítě pěstoun opatrovník soud policie škola násilí rozhovor mediace supervize dluh "
         "exekuce bydlení závislost trauma péče služba kurátor mládež spolupráce metodika zpráva "
         "plán rodič matka otec babička sociální pracovník úřad ochrana zájem bezpečí riziko "
         "podpora krize intervence terapie poradna lékař psycholog učitel třída šikana internet").split()


def write_corpus(root: Path, count: int, seed: int = 1, sections: int = 4, words: int = 120) -> None:
    rnd = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        parts = [f"# Kapitola {s + 1} dokumentu {i}\n\n" + " ".join(rnd.choice(WORDS) for _ in range(words))
                 + f" slovo{i}x{s}." for s in range(sections)]
        (root / f"d{i:04d}.txt").write_text("\n\n".join(parts), encoding="utf-8")


def change_corpus(old: Path, new: Path, count: int) -> None:
    """The next state: 60 % renamed (text from the cache), 20 % edited (extracted again),
    10 % deleted, 10 % unchanged, and a sidecar added."""
    new.mkdir(parents=True)
    for i, path in enumerate(sorted(old.glob("*.txt"))):
        share = i / count
        if share < 0.6:
            shutil.copy(path, new / f"prejmenovany-{path.name}")
        elif share < 0.8:
            new.joinpath(path.name).write_text(path.read_text(encoding="utf-8") + f"\nDoplněk {i}: exekuce.",
                                               encoding="utf-8")
        elif share >= 0.9:
            shutil.copy(path, new / path.name)
    (new / f"d{count - 2:04d}.yaml").write_text("title: Nový název\nyear: 2024\n", encoding="utf-8")


def answers(index: Path) -> dict:
    """What a user sees: the results of QUERIES and the document list."""
    from kb.search import SearchRequest, open_backend

    backend = open_backend(index)
    try:
        return {"documents": [d.to_json() for d in backend.documents()],
                "queries": {q: backend.search(SearchRequest(query=q, limit=50)).to_dict() for q in QUERIES}}
    finally:
        backend.close()


def difference(actual: dict, expected: dict) -> str:
    """The first thing a user would see differently, for the assertion message."""
    if actual["documents"] != expected["documents"]:
        return "document list differs"
    for query in QUERIES:
        got, want = actual["queries"][query], expected["queries"][query]
        if got != want:
            for rank, (a, b) in enumerate(zip(got["results"], want["results"], strict=False)):
                if a != b:
                    return f"{query!r} #{rank}: " + str({k: (a[k], b[k]) for k in a if a[k] != b[k]})[:600]
            return f"{query!r}: total {got['total']} != {want['total']}"
    return ""


def digest(result: dict) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(result, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def reader_loop(index: str, stop_file: str, out: str, queries: int = 3) -> None:
    """Search `index` over and over (a new backend each time, as a new app session does)
    until `stop_file` exists; write "query<TAB>digest" or "ERROR<TAB>what" lines to `out`.
    tests/test_concurrency.py runs it in other processes while the index is rebuilt."""
    from kb.search import SearchRequest, open_backend

    stop = Path(stop_file)
    with open(out, "w", encoding="utf-8") as log:
        while not stop.exists():
            for query in QUERIES[:queries]:
                try:
                    backend = open_backend(Path(index))
                    try:
                        result = backend.search(SearchRequest(query=query, limit=50)).to_dict()
                    finally:
                        backend.close()
                    log.write(f"{query}\t{digest(result)}\n")
                except Exception as e:  # the test fails on any line like this
                    log.write(f"ERROR\t{type(e).__name__}: {e}\n")
            log.flush()
