"""The watched folder (kb/index/watch.py): files dropped, grown, moved and deleted reach the
index within seconds, bursts are one run, and a failed run leaves the index alone."""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from builders import make_pdf

from kb.index import watch as kb_watch
from kb.index.watch import Watcher, WatchOptions, newly_arrived, relevant
from kb.model import IndexedDocument
from kb.search import SearchRequest, open_backend
from kb.settings import Settings

FAST = WatchOptions(quiet=0.4, settle=0.3)


class Running:
    """A watcher in a thread, with the reports of its runs."""

    def __init__(self, corpus: Path, index: Path, options: WatchOptions = FAST):
        self.reports: list = []
        self.errors: list[str] = []
        self.watcher = Watcher(corpus, index, Settings(workers=1, index_dir=index, corpus_dir=corpus),
                               options, on_run=self._on_run)
        self.thread = threading.Thread(target=self.watcher.serve, daemon=True)
        self.index = index

    def _on_run(self, report, error):
        (self.errors.append(error) if error else self.reports.append(report))

    def __enter__(self):
        self.thread.start()
        self.wait(lambda: self.reports or self.errors, "the first run")
        return self

    def __exit__(self, *exc):
        self.watcher.stop()
        self.thread.join(timeout=30)

    def wait(self, condition, what: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout} s for {what}; runs: {self.reports} errors: {self.errors}")

    def paths(self) -> set[str]:
        backend = open_backend(self.index)
        try:
            return {d.path for d in backend.documents()}
        finally:
            backend.close()


def page(text: str) -> list[str]:
    return [f"{text}\n\nPracovník OSPOD postupuje podle metodiky a o postupu informuje rodiče dítěte."]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    make_pdf(root / "prvni.pdf", page("Kyberšikana ve škole"))
    return root


def test_a_dropped_file_is_found_within_seconds_and_deleted_or_moved_ones_follow(corpus, tmp_path):
    with Running(corpus, tmp_path / "index") as w:
        assert w.paths() == {"prvni.pdf"}
        make_pdf(tmp_path / "novy.pdf", page("Domácí násilí a vykázání"))
        started = time.monotonic()
        shutil.move(tmp_path / "novy.pdf", corpus / "novy.pdf")
        w.wait(lambda: "novy.pdf" in w.paths(), "the new file")
        assert time.monotonic() - started < 30
        backend = open_backend(w.index)
        assert backend.search(SearchRequest(query="vykázání")).total == 1
        backend.close()
        (corpus / "slozka").mkdir()
        (corpus / "novy.pdf").rename(corpus / "slozka" / "presunuty.pdf")
        w.wait(lambda: w.paths() == {"prvni.pdf", "slozka/presunuty.pdf"}, "the move")
        (corpus / "prvni.pdf").unlink()
        w.wait(lambda: w.paths() == {"slozka/presunuty.pdf"}, "the deletion")
    assert not w.errors


def test_a_burst_of_files_is_one_run(corpus, tmp_path):
    source = tmp_path / "drop"
    for i in range(30):
        make_pdf(source / f"dokument-{i:02d}.pdf", page(f"Metodika číslo {i} pro pěstouny"))
    with Running(corpus, tmp_path / "index") as w:
        first = len(w.reports)
        for f in sorted(source.iterdir()):
            shutil.copyfile(f, corpus / f.name)
        w.wait(lambda: len(w.paths()) == 31, "all 30 files")
        time.sleep(1.5)
        assert len(w.reports) - first == 1
        assert w.reports[-1].indexed == 30


def test_a_file_that_is_still_being_copied_is_indexed_once_when_complete(corpus, tmp_path):
    make_pdf(tmp_path / "velky.pdf", [f"Strana {n}: rodičovský plán a Cochemská praxe. " * 20 for n in range(30)])
    data = (tmp_path / "velky.pdf").read_bytes()
    with Running(corpus, tmp_path / "index", WatchOptions(quiet=0.8, settle=0.4)) as w:
        first = len(w.reports)
        with open(corpus / "velky.pdf", "wb") as f:  # in pieces, as over SMB
            step = len(data) // 6 + 1
            for start in range(0, len(data), step):
                f.write(data[start:start + step])
                f.flush()
                time.sleep(0.3)
        w.wait(lambda: "velky.pdf" in w.paths(), "the copied file")
        time.sleep(1.5)
        runs = w.reports[first:]
        assert len(runs) == 1 and runs[0].indexed == 1 and not runs[0].skipped


def test_an_unreadable_file_goes_to_the_skip_list_with_a_czech_reason(corpus, tmp_path):
    with Running(corpus, tmp_path / "index") as w:
        (corpus / "poskozeny.pdf").write_bytes(b"%PDF-1.4 tohle neni pdf")
        w.wait(lambda: any(r.skipped for r in w.reports), "the skip")
        backend = open_backend(w.index)
        assert [s["path"] for s in backend.skipped()] == ["poskozeny.pdf"]
        assert "poškozen" in backend.skipped()[0]["reason"]
        backend.close()


def test_a_failed_run_leaves_the_index_searchable_and_the_next_change_is_indexed(corpus, tmp_path, monkeypatch):
    real = kb_watch.run_index
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated bug")
        return real(*args, **kwargs)

    monkeypatch.setattr(kb_watch, "run_index", flaky)
    monkeypatch.setattr(kb_watch, "RETRY_SECONDS", (0.5,))
    with Running(corpus, tmp_path / "index") as w:
        make_pdf(corpus / "druhy.pdf", page("Sebepoškozování u dospívajících"))
        w.wait(lambda: w.errors, "the failed run")
        assert "Předchozí index zůstal beze změny" in w.errors[0]
        assert w.paths() == {"prvni.pdf"}  # the published index is untouched and opens
        w.wait(lambda: "druhy.pdf" in w.paths(), "the retry")


def test_polling_works_where_inotify_does_not(corpus, tmp_path):
    with Running(corpus, tmp_path / "index", WatchOptions(quiet=0.4, settle=0.3, poll=True, poll_interval=0.5)) as w:
        make_pdf(corpus / "sit.pdf", page("Síťový disk"))
        w.wait(lambda: "sit.pdf" in w.paths(), "the file on a polled folder")


def test_only_changes_that_can_change_the_index_wake_the_watcher():
    assert relevant("metodiky/novy.pdf", False)
    assert relevant("metodiky/novy.yaml", False)
    assert relevant(".kbignore", False)
    assert relevant("metodiky", True)
    assert not relevant(".~lock.novy.docx#", False)
    assert not relevant("metodiky/.novy.pdf.part", False)
    assert not relevant(".kb-index/gen-000001/x.seg", False)
    assert not relevant("poznamky.xlsx", False)


def test_newly_arrived_lists_recent_documents_newest_first():
    now = 1_000_000_000.0
    docs = [IndexedDocument(p) for p in ("a.pdf", "b.pdf", "stary.pdf", "bez-casu.pdf")]
    came = {"a.pdf": now - 3600, "b.pdf": now - 60, "stary.pdf": now - 40 * 86400}
    assert [d.path for d in newly_arrived(docs, came, now=now)] == ["b.pdf", "a.pdf"]
    # what was there when the library was first indexed is not "new"
    assert [d.path for d in newly_arrived(docs, came, created=now - 3590, now=now)] == ["b.pdf"]


def test_the_app_home_lists_a_document_added_after_the_first_indexing(corpus, tmp_path, monkeypatch):
    import json

    from streamlit.testing.v1 import AppTest

    from kb.index import store as kb_index
    from kb.index.pipeline import run_index

    index = tmp_path / "index"
    run_index(corpus, index, workers=1)
    gen = kb_index.current_generation(index)
    manifest = json.loads((gen / kb_index.MANIFEST).read_text(encoding="utf-8"))
    manifest["created"] -= 3600  # the library was made an hour ago, with prvni.pdf in it
    manifest["arrivals"]["prvni.pdf"] = manifest["created"] - 60
    (gen / kb_index.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    make_pdf(corpus / "pridany.pdf", page("Náhradní rodinná péče: nový leták"))
    run_index(corpus, index, workers=1)
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(index))
    monkeypatch.delenv("KB_WATCH", raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Nově přidané" in [s.value for s in at.subheader]
    arrived = [b.label for b in at.button if b.key and b.key.startswith("arrived-")]
    assert len(arrived) == 1 and "rodinná" in arrived[0]
