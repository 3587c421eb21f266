"""Searching while the index is rebuilt, and two indexers at once.

While `kb index` commits a new generation, searches in other threads and other
processes never fail and always see one whole index: exactly the old one or exactly
the new one, never a mixture. A search opened before the switch keeps working on the
generation it opened. A second indexer refuses with a clear message (or waits, with
KB_WAIT_FOR_LOCK=1) and never corrupts the index.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import KB
from corpora import QUERIES, answers, change_corpus, difference, digest, write_corpus

TESTS = Path(__file__).resolve().parent
SEARCHED = QUERIES[:3]


def kb_index(corpus: Path, index: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KB, "index", str(corpus), "--index", str(index), "--json"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("concurrency")
    corpus_a, corpus_b = base / "a", base / "b"
    write_corpus(corpus_a, 50, seed=3)
    change_corpus(corpus_a, corpus_b, 50)
    baseline = base / "baseline"
    assert kb_index(corpus_a, baseline).returncode == 0
    reference = base / "reference"
    shutil.copytree(baseline, reference)
    assert kb_index(corpus_b, reference).returncode == 0
    corpus_c = base / "c"  # B and one more document
    shutil.copytree(corpus_b, corpus_c)
    (corpus_c / "navic.txt").write_text("Rodina v krizi: exekuce a dluhy.", encoding="utf-8")
    newer_reference = base / "newer-reference"
    shutil.copytree(reference, newer_reference)
    assert kb_index(corpus_c, newer_reference).returncode == 0
    old, new, newer = answers(baseline), answers(reference), answers(newer_reference)
    return {"base": base, "a": corpus_a, "b": corpus_b, "c": corpus_c, "baseline": baseline,
            "old": old, "new": new, "newer": newer,
            "digests": {q: {digest(old["queries"][q]): "old", digest(new["queries"][q]): "new",
                            digest(newer["queries"][q]): "newer"} for q in SEARCHED}}


def _fresh_copy(states: dict, name: str) -> Path:
    index = states["base"] / name
    shutil.copytree(states["baseline"], index)
    return index


def test_searches_in_threads_see_the_old_or_the_new_index_never_an_error(states: dict, capsys):
    """Two runs back to back: the second deletes the generation that searches opened a
    moment before the first switch, so a search may find CURRENT moving under it."""
    from kb.search import SearchRequest, open_backend

    index = _fresh_copy(states, "threads")
    seen: list[str] = []
    errors: list[str] = []
    done = threading.Event()

    def search_repeatedly():
        while not done.is_set():
            for query in SEARCHED:
                try:
                    backend = open_backend(index)
                    try:
                        result = backend.search(SearchRequest(query=query, limit=50)).to_dict()
                    finally:
                        backend.close()
                    seen.append(states["digests"][query].get(digest(result), f"mixed: {query}"))
                except Exception as e:
                    errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=search_repeatedly) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    try:
        runs = [kb_index(states["b"], index), kb_index(states["c"], index)]
        time.sleep(0.3)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert all(proc.returncode == 0 for proc in runs), [proc.stderr for proc in runs]
    assert errors == []
    assert set(seen) <= {"old", "new", "newer"}, set(seen) - {"old", "new", "newer"}
    assert {"old", "newer"} <= set(seen) and seen[-1] == "newer"
    with capsys.disabled():
        print(f"\nthreads: {len(seen)} searches during 2 publishes, none failed, none mixed")


def test_searches_in_other_processes_see_the_old_or_the_new_index_never_an_error(states: dict, capsys):
    index = _fresh_copy(states, "processes")
    stop = states["base"] / "stop-readers"
    logs = [states["base"] / f"reader-{i}.log" for i in range(2)]
    code = ("import sys; sys.path.insert(0, {tests!r}); import corpora; "
            "corpora.reader_loop({index!r}, {stop!r}, {out!r})")
    readers = [subprocess.Popen([sys.executable, "-c", code.format(tests=str(TESTS), index=str(index),
                                                                  stop=str(stop), out=str(log))])
               for log in logs]
    try:
        deadline = time.monotonic() + 60
        while not all(log.exists() and log.stat().st_size for log in logs) and time.monotonic() < deadline:
            time.sleep(0.05)  # the readers are searching
        proc = kb_index(states["b"], index)
        time.sleep(1.0)  # and go on searching the new generation for a while
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr
    seen = []
    for log in logs:
        for line in log.read_text(encoding="utf-8").splitlines():
            query, value = line.split("\t", 1)
            assert query != "ERROR", value
            seen.append(states["digests"][query].get(value, f"mixed: {query}"))
    assert set(seen) == {"old", "new"}, set(seen)
    with capsys.disabled():
        print(f"\nprocesses: {len(seen)} searches in 2 processes during a publish, none failed, none mixed")


def test_a_search_opened_before_the_switch_keeps_its_generation(states: dict):
    """The app keeps a backend open between searches: it goes on answering from the
    generation it opened (kept on disk for exactly this), and knows that it is stale."""
    from kb.search import open_backend

    index = _fresh_copy(states, "open-reader")
    backend = open_backend(index)
    opened = Path(backend.generation)
    assert kb_index(states["b"], index).returncode == 0
    assert opened.is_dir()  # the previous generation is kept
    assert backend.is_stale()
    assert not difference(_answers_of(backend), states["old"])
    assert not difference(answers(index), states["new"])  # a new backend sees the new index
    # one more run: now the generation it opened is removed from disk, and the open
    # backend still answers (its files stay open) until the caller reopens it
    assert kb_index(states["c"], index).returncode == 0
    assert not opened.exists()
    assert not difference(_answers_of(backend), states["old"])
    backend.close()


def _answers_of(backend) -> dict:
    from kb.search import SearchRequest

    return {"documents": [d.to_json() for d in backend.documents()],
            "queries": {q: backend.search(SearchRequest(query=q, limit=50)).to_dict() for q in QUERIES}}


# ---------------------------------------------------------------- two indexers


def _lock_is_held(index: Path) -> bool:
    try:
        with open(index / "lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except BlockingIOError:
        return True
    except FileNotFoundError:
        return False


def _start_first(states: dict, index: Path) -> subprocess.Popen:
    first = subprocess.Popen([KB, "index", str(states["b"]), "--index", str(index), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _lock_is_held(index) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert first.poll() is None, "the first indexer finished before the second started"
    return first


def test_second_indexer_refuses_with_a_clear_message_and_corrupts_nothing(states: dict):
    index = _fresh_copy(states, "two-refuse")
    first = _start_first(states, index)
    second = kb_index(states["a"], index)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 3
    assert "Indexace už běží" in second.stderr and "Traceback" not in second.stderr
    assert not difference(answers(index), states["new"])  # exactly what the first one built


def test_second_indexer_waits_with_kb_wait_for_lock_and_both_finish(states: dict):
    index = _fresh_copy(states, "two-wait")
    first = _start_first(states, index)
    second = kb_index(states["a"], index, env={"KB_WAIT_FOR_LOCK": "1"})
    first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    # the second ran after the first: the index now shows corpus A again, complete
    final = answers(index)
    assert {d["path"] for d in final["documents"]} == {d["path"] for d in states["old"]["documents"]}
    for query in QUERIES:
        assert sorted(r["path"] for r in final["queries"][query]["results"]) == \
            sorted(r["path"] for r in states["old"]["queries"][query]["results"])
    assert not list(index.glob("gen-*.partial"))


def test_a_search_that_finds_current_moving_under_it_follows_it(states: dict, monkeypatch):
    """CURRENT is read, then an indexer publishes twice and deletes that generation before
    its files are opened: the search opens the new one instead of failing."""
    from kb.index import store as kb_index_module
    from kb.search import open_backend

    index = _fresh_copy(states, "moving")
    newer = _fresh_copy(states, "moving-source")
    assert kb_index(states["b"], newer).returncode == 0
    original = kb_index_module.whoosh_index.open_dir
    calls = []

    def publish_meanwhile(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 1:  # the generation just read from CURRENT disappears
            live = (index / "CURRENT").read_text().strip()
            shutil.copytree(newer / (newer / "CURRENT").read_text().strip(), index / "gen-999999")
            (index / "CURRENT").write_text("gen-999999")
            shutil.rmtree(index / live)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(kb_index_module.whoosh_index, "open_dir", publish_meanwhile)
    backend = open_backend(index)
    assert Path(backend.generation).name == "gen-999999" and len(calls) == 2
    backend.close()
    monkeypatch.undo()
    assert not difference(answers(index), states["new"])


def test_a_damaged_index_gives_a_message_not_a_traceback(states: dict):
    index = _fresh_copy(states, "damaged")
    live = index / (index / "CURRENT").read_text().strip()
    (live / "manifest.json").write_text("{ nedopsáno", encoding="utf-8")
    proc = subprocess.run([KB, "search", "rodina", "--index", str(index)], capture_output=True, text=True)
    assert proc.returncode == 2 and "kb index" in proc.stderr and "Traceback" not in proc.stderr
    assert kb_index(states["a"], index).returncode == 0  # and the next run repairs it
    assert not difference(answers(index), states["old"])
