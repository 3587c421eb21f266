"""`kb index` as the administrator experiences it: bad files are listed with a reason,
changes are picked up incrementally, and an interrupted run loses nothing."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import make_pdf
from conftest import KB, PAGE_1, PAGE_2, kb_json, run_kb


def test_bad_file_zoo_is_skipped_with_reasons_and_the_rest_indexed(small_corpus: Path, index_dir: Path):
    zoo = small_corpus / "zoo"
    zoo.mkdir()
    good = make_pdf(zoo / "good.pdf", [PAGE_1]).read_bytes()
    (zoo / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (zoo / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    make_pdf(zoo / "locked.pdf", [PAGE_2], password="tajne")
    make_pdf(zoo / "open-locked.pdf", [PAGE_2], password="")
    (zoo / "empty.docx").write_bytes(b"")
    (zoo / "page.pdf").write_text("<html><body>Toto je web</body></html>")
    (zoo / "note.docx").write_text("jen text")
    make_pdf(zoo / "scan.pdf", [""])
    (zoo / "secret.pdf").write_bytes(good)
    (zoo / "secret.pdf").chmod(0)
    (zoo / "ignored.xyz").write_text("neznámá přípona")
    result = kb_json("index", small_corpus, "--index", index_dir)
    skipped = {s["path"]: s["reason"] for s in result["skipped"]}
    expected = {
        "zoo/truncated.pdf": "poškozené",
        "zoo/garbage.pdf": "poškozené",
        "zoo/locked.pdf": "zaheslované",
        "zoo/empty.docx": "prázdný",
        "zoo/page.pdf": "není to PDF",
        "zoo/note.docx": "není to dokument Word",
        "zoo/scan.pdf": "bez textové vrstvy",
    }
    if os.geteuid() != 0:  # root reads any file
        expected["zoo/secret.pdf"] = "oprávnění"
    for path, reason in expected.items():
        assert reason in skipped.get(path, ""), (path, skipped.get(path))
    assert "zoo/ignored.xyz" not in skipped
    listed = {d["path"] for d in kb_json("list", "--index", index_dir)["documents"]}
    assert {"zoo/good.pdf", "zoo/open-locked.pdf", "metodiky/metodika.pdf"} <= listed
    assert result["indexed"] == len(listed)


def test_incremental_run_counts_and_results(indexed):
    corpus, index_dir = indexed
    again = kb_json("index", corpus, "--index", index_dir)
    assert (again["indexed"], again["unchanged"], again["removed"]) == (0, 3, 0)

    (corpus / "opatrovnik.txt").write_text("Pěstoun a pěstounská péče\n\nPěstouni pečují o děti.",
                                           encoding="utf-8")
    (corpus / "letaky" / "kybersikana.docx").unlink()
    make_pdf(corpus / "novy.pdf", ["Supervize pro pracovníky OSPOD.\nSupervizí prochází tým."])
    changed = kb_json("index", corpus, "--index", index_dir)
    assert (changed["indexed"], changed["unchanged"], changed["removed"]) == (2, 1, 1)
    assert changed["documents"] == 3

    def hits(q):
        return [r["path"] for r in kb_json("search", q, "--index", index_dir)["results"]]

    assert hits("kyberšikana") == []
    assert hits("pěstounů") == ["opatrovnik.txt"]
    assert hits("opatrovnika") == []
    assert hits("supervize") == ["novy.pdf"]


def test_sidecar_change_updates_metadata_without_new_content(indexed):
    corpus, index_dir = indexed
    (corpus / "metodiky" / "metodika.yaml").write_text("title: Nový název\nyear: 2024\n", encoding="utf-8")
    result = kb_json("index", corpus, "--index", index_dir)
    assert result["indexed"] == 1 and result["unchanged"] == 2
    doc = next(d for d in kb_json("list", "--index", index_dir)["documents"]
               if d["path"] == "metodiky/metodika.pdf")
    assert (doc["title"], doc["year"]) == ("Nový název", 2024)


def test_an_edited_yml_sidecar_is_noticed_like_a_yaml_one(indexed):
    """An admin who names the sidecar NAME.yml gets its edits indexed too."""
    corpus, index_dir = indexed
    folder = corpus / "metodiky"
    (folder / "metodika.yaml").rename(folder / "metodika.yml")
    kb_json("index", corpus, "--index", index_dir)
    (folder / "metodika.yml").write_text("title: Metodika přejmenovaná v souboru yml\n", encoding="utf-8")
    result = kb_json("index", corpus, "--index", index_dir)
    assert result["indexed"] == 1
    doc = next(d for d in kb_json("list", "--index", index_dir)["documents"]
               if d["path"] == "metodiky/metodika.pdf")
    assert doc["title"] == "Metodika přejmenovaná v souboru yml"


def test_missing_corpus_exits_nonzero_with_message(tmp_path: Path):
    proc = run_kb("index", tmp_path / "neni", "--index", tmp_path / "ix")
    assert proc.returncode != 0 and "neexistuje" in proc.stderr and "Traceback" not in proc.stderr


def test_human_summary_is_czech(small_corpus: Path, index_dir: Path):
    proc = run_kb("index", small_corpus, "--index", index_dir)
    assert proc.returncode == 0 and "Hotovo" in proc.stdout and "3 dokumenty (3 strany)" in proc.stdout


def test_indexer_py_is_the_same_as_kb_index(small_corpus: Path, index_dir: Path):
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "indexer.py"), str(small_corpus),
                           "--index", str(index_dir), "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["documents"] == 3


def test_second_indexer_is_refused_while_one_runs(indexed):
    from kb.index.store import writer_lock

    corpus, index_dir = indexed
    with writer_lock(index_dir):
        proc = run_kb("index", corpus, "--index", index_dir)
    assert proc.returncode != 0 and "už běží" in proc.stderr


@pytest.fixture
def bigger_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "big"
    for i in range(16):
        make_pdf(root / f"doc{i:02d}.pdf", [f"{PAGE_1}\nDokument číslo {i}."] + [PAGE_2] * 60)
    return root


def test_killed_indexer_leaves_previous_index_answering(indexed, bigger_corpus: Path):
    corpus, index_dir = indexed
    before = kb_json("search", "domaci nasili", "--index", index_dir)
    for name in os.listdir(bigger_corpus):
        (corpus / name).write_bytes((bigger_corpus / name).read_bytes())
    proc = subprocess.Popen([KB, "index", str(corpus), "--index", str(index_dir), "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Kill it once the new generation is being built (a fixed sleep raced a faster indexer).
    deadline = time.monotonic() + 60
    while proc.poll() is None and not list(index_dir.glob("gen-*.partial")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the indexer finished before the kill; make the corpus bigger"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = kb_json("search", "domaci nasili", "--index", index_dir)
    assert after == before
    # and the next run completes normally
    final = kb_json("index", corpus, "--index", index_dir)
    assert final["documents"] == 19
