"""Crash safety: `kb index` killed at any moment, a full disk or a read-only index folder
never costs the library its index.

Each trial starts from a copy of the same index, runs `kb index` over a changed corpus
and kills the whole process group with SIGKILL (no cleanup, as after a power cut or the
OOM killer) at a random moment, most of them while the new generation is being written.
The index must then open and answer a fixed set of queries exactly as before (or exactly
as after, when the kill came after the switch), and the next run must complete.
"""
from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import crash_points
import hostile
import pytest
from conftest import KB
from corpora import QUERIES, answers, change_corpus, difference, write_corpus


def live(index: Path) -> str:
    return (index / "CURRENT").read_text().strip()


def leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in [*index.glob("gen-*.partial"), *index.glob(".*.tmp"),
                                   *index.glob("cache/.*.tmp")])


def index_here(corpus: Path, index: Path) -> None:
    """An ordinary run in this process (quicker than the command where the command itself
    is not under test)."""
    from kb.index.pipeline import run_index
    from kb.settings import Settings

    run_index(corpus, index, settings=Settings(workers=2))


def kb_index(corpus: Path, index: Path, env: dict | None = None, prefix: list[str] | None = None):
    return subprocess.run([*(prefix or []), KB, "index", str(corpus), "--index", str(index), "--json"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> dict:
    """Corpus A indexed (two generations, so publishing removes one), corpus B, and what
    a user sees in each state; plus the timing of one unkilled run from A to B."""
    base = tmp_path_factory.mktemp("crash")
    count = 50
    corpus_a, corpus_b = base / "a", base / "b"
    write_corpus(corpus_a, count)
    change_corpus(corpus_a, corpus_b, count)
    baseline = base / "baseline"
    index_here(corpus_a, baseline)
    (corpus_a / "d0001.yaml").write_text("organization: Spolek\n", encoding="utf-8")
    index_here(corpus_a, baseline)  # the second generation
    (corpus_a / "d0001.yaml").unlink()
    index_here(corpus_a, baseline)  # and a third: gen-1 is removed
    before = answers(baseline)
    # one run to the end, timed: when does the new generation appear, when is it live?
    calibration = base / "calibration"
    shutil.copytree(baseline, calibration)
    started = time.monotonic()
    proc = subprocess.Popen([KB, "index", str(corpus_b), "--index", str(calibration), "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial_at = None
    while proc.poll() is None:
        if partial_at is None and list(calibration.glob("gen-*.partial")):
            partial_at = time.monotonic() - started
        time.sleep(0.003)
    total = time.monotonic() - started
    assert proc.returncode == 0
    after = answers(calibration)
    assert after != before
    return {"base": base, "a": corpus_a, "b": corpus_b, "baseline": baseline, "before": before,
            "after": after, "total": total, "partial_at": partial_at or 0.0}


def kill_trials(states: dict, trials: int, seed: int) -> dict[str, int]:
    """Kill `trials` runs; returns how many died before, during and after writing."""
    rnd = random.Random(seed)
    write_window = max(0.05, states["total"] - states["partial_at"])
    phases = {"before writing": 0, "mid-write": 0, "after publishing": 0}
    last = None
    for trial in range(trials):
        index = states["base"] / f"trial-{seed}-{trial}"
        shutil.copytree(states["baseline"], index)
        was_live = live(index)
        started = time.monotonic()
        proc = subprocess.Popen([KB, "index", str(states["b"]), "--index", str(index), "--json"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)  # its workers die with it
        if trial % 4 == 0:  # any moment of the run, start-up and scanning included
            time.sleep(rnd.uniform(0.0, states["total"]))
        else:  # a moment while the new generation is being written
            while not list(index.glob("gen-*.partial")) and proc.poll() is None \
                    and time.monotonic() - started < 30:
                time.sleep(0.002)
            # the first half of the window: on a loaded machine a run's write phase can be
            # shorter than the calibration's, and a kill after publishing tests less
            time.sleep(rnd.uniform(0.0, 0.5 * write_window))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if list(index.glob("gen-*.partial")):
            phase = "mid-write"
        elif live(index) != was_live:
            phase = "after publishing"
        else:
            phase = "before writing"
        phases[phase] += 1
        expected = states["after"] if phase == "after publishing" else states["before"]
        assert not difference(answers(index), expected), (trial, phase, difference(answers(index), expected))
        last = index
    # the next run over a killed one completes, clears the leftovers and serves the new state
    proc = kb_index(states["b"], last)
    assert proc.returncode == 0, proc.stderr
    assert not difference(answers(last), states["after"])
    assert leftovers(last) == []
    assert len(list(last.glob("gen-*"))) <= 2
    return phases


def test_sigkill_at_random_moments_never_loses_the_index(states: dict, capsys):
    phases = kill_trials(states, trials=20, seed=7)
    with capsys.disabled():
        print(f"\nkill trials: 20 survived ({phases}); run {states['total']:.2f} s, "
              f"new generation from {states['partial_at']:.2f} s")
    assert phases["mid-write"] >= 10  # most kills must land while the generation is written


@pytest.mark.slow
def test_sigkill_long_run(states: dict, capsys):
    phases = kill_trials(states, trials=200, seed=11)
    with capsys.disabled():
        print(f"\nkill trials (long): 200 survived ({phases})")


@pytest.mark.parametrize("point", crash_points.POINTS)
def test_sigkill_at_each_step_of_the_commit(states: dict, point: str):
    """The steps too short for a random kill: the index stays answerable after each."""
    index = states["base"] / f"point-{point}"
    shutil.copytree(states["baseline"], index)
    log = index.with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, crash_points.__file__, point, str(states["b"]), str(index)],
                                stdout=out, stderr=out, start_new_session=True)
        returncode = proc.wait(timeout=300)
    assert returncode == -signal.SIGKILL, (returncode, log.read_text()[-2000:])
    expected = states["after"] if point == "published" else states["before"]
    assert not difference(answers(index), expected)
    index_here(states["b"], index)
    assert not difference(answers(index), states["after"])
    assert leftovers(index) == []


def _session_processes(session: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.getsid(int(entry.name)) == session:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def test_killing_only_the_indexer_leaves_no_worker_behind(states: dict, tmp_path: Path):
    """The OOM killer ends the indexer, not its workers: they must not linger."""
    index = tmp_path / "index"
    proc = subprocess.Popen([KB, "index", str(states["a"]), "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while len(_session_processes(proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)  # the indexer and its workers are running
    assert len(_session_processes(proc.pid)) >= 3
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    stray = _session_processes(proc.pid)
    for pid in stray:
        os.kill(pid, signal.SIGKILL)
    assert stray == []


def test_sigkill_during_the_very_first_run_leaves_a_clear_message(states: dict, tmp_path: Path):
    index = tmp_path / "index"
    proc = subprocess.Popen([KB, "index", str(states["b"]), "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while not list(index.glob("gen-*.partial")) and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    search = subprocess.run([KB, "search", "rodina", "--index", str(index)], capture_output=True, text=True)
    assert search.returncode == 2 and "kb index" in search.stderr and "Traceback" not in search.stderr
    assert kb_index(states["b"], index).returncode == 0
    fresh, after = answers(index), states["after"]
    assert fresh["documents"] == after["documents"]
    for query in QUERIES:  # a fresh index ranks a little differently (no deleted pages in the statistics)
        assert sorted(r["path"] for r in fresh["queries"][query]["results"]) == \
            sorted(r["path"] for r in after["queries"][query]["results"])


# ---------------------------------------------------------------- full disk, read-only folder


def _small_copy(states: dict, tmp_path: Path) -> tuple[Path, Path]:
    """A 20-document corpus and its index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(states["a"].glob("*.txt"))[:20]:
        shutil.copy(path, corpus / path.name)
    return corpus, tmp_path / "index"


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 2 MB file system (tmpfs) for the index; root only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {proc.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_gives_a_clear_error_and_keeps_the_old_index(states: dict, tmp_path: Path, tiny_disk: Path):
    corpus, _ = _small_copy(states, tmp_path)
    index = tiny_disk / "index"
    assert kb_index(corpus, index).returncode == 0
    before = answers(index)
    write_corpus(corpus / "novy", 150, seed=5)  # far more than fits
    proc = kb_index(corpus, index)
    assert proc.returncode == 3, proc.stderr
    assert "došlo místo" in proc.stderr and "Předchozí index zůstal beze změny" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert answers(index) == before
    assert not list(index.glob("gen-*.partial"))  # the half-written generation is gone
    shutil.rmtree(corpus / "novy")
    for stale in index.glob("cache/*"):  # free the space the cache took, as a user would
        stale.unlink()
    assert kb_index(corpus, index).returncode == 0
    assert answers(index) == before


@pytest.mark.parametrize("where", ["whoosh", "manifest"])
def test_full_disk_in_process(states: dict, tmp_path: Path, monkeypatch, where: str):
    """The same without root: the write fails with ENOSPC inside Whoosh or for the manifest."""
    from whoosh.filedb.filestore import FileStorage

    from kb.errors import IndexWriteError
    from kb.index import store as kb_index_module
    from kb.index.pipeline import run_index
    from kb.settings import Settings

    corpus, index = _small_copy(states, tmp_path)
    run_index(corpus, index, settings=Settings(workers=1))
    before = answers(index)
    (corpus / "d0000.txt").write_text("Nový text o exekucích a oddlužení.", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "whoosh":
        monkeypatch.setattr(FileStorage, "create_file", full)
    else:
        original = kb_index_module._write_atomic
        monkeypatch.setattr(kb_index_module, "_write_atomic", lambda path, data: full() if
                            path.name == kb_index_module.MANIFEST else original(path, data))
    with pytest.raises(IndexWriteError, match="došlo místo"):
        run_index(corpus, index, settings=Settings(workers=1))
    monkeypatch.undo()
    assert answers(index) == before
    assert not list(index.glob("gen-*.partial"))


def test_read_only_index_folder_gives_a_clear_error_and_still_answers(states: dict, tmp_path: Path):
    prefix = hostile.without_root_file_access()
    if prefix is None:
        pytest.skip("runs as root without setpriv: root writes to read-only folders")
    corpus, index = _small_copy(states, tmp_path)
    assert kb_index(corpus, index).returncode == 0
    before = answers(index)
    (corpus / "d0000.txt").write_text("Nový text o exekucích.", encoding="utf-8")
    subprocess.run(["chmod", "-R", "a-w", str(index)], check=True)
    try:
        proc = kb_index(corpus, index, prefix=prefix)
        assert proc.returncode == 3, proc.stderr
        assert "nelze zapisovat" in proc.stderr and "Traceback" not in proc.stderr
        search = subprocess.run([*prefix, KB, "search", "rodina", "--index", str(index), "--json"],
                                capture_output=True, text=True)
        assert search.returncode == 0, search.stderr  # searching needs no write access
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(index)], check=True)
    assert answers(index) == before
    assert kb_index(corpus, index).returncode == 0
