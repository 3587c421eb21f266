"""Scanned PDFs as the administrator and the social worker meet them: a scan is found by
an ordinary query, its pages say they were read by OCR, a reindex does not read them
again, and without Tesseract the scan is listed with what to install."""
from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import pytest
from builders import make_pdf, make_scanned_pdf
from conftest import CORPUS, PAGE_2, kb_json, run_kb

from kb.extract import ocr

OCR_MISSING = ocr.unavailable_reason(ocr.OcrOptions())
needs_ocr = pytest.mark.skipif(
    OCR_MISSING is not None,
    reason=f"Tesseract s českými daty není k dispozici ({OCR_MISSING}); "
           f"nainstalujte: {ocr.INSTALL_COMMAND}")
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-ces"

SCAN_TEXT = (
    "Kyberšikana mezi žáky\n"
    "Když se dítě svěří, že mu spolužáci posílají výhrůžky, třídní učitel zajistí "
    "důkazy a informuje rodiče. Škola spolupracuje s pedagogicko-psychologickou poradnou."
)
SCAN_TEXT_2 = (
    "Pěstounská péče\n"
    "Doprovázející organizace navštěvuje pěstouny nejméně jednou za dva měsíce "
    "a pomáhá jim při kontaktu dítěte s biologickou rodinou."
)


@pytest.fixture
def ocr_log(tmp_path: Path) -> dict:
    """KB_TESSERACT pointing to a wrapper that counts the pages Tesseract reads."""
    real = shutil.which("tesseract")
    if real is None:
        pytest.skip(f"Tesseract není nainstalovaný; nainstalujte: {ocr.INSTALL_COMMAND}")
    log = tmp_path / "tesseract-calls.log"
    wrapper = tmp_path / "bin" / "tesseract-counting"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = stdin ] && echo page >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return {"KB_TESSERACT": str(wrapper), "log": log}


def ocr_calls(log_env: dict) -> int:
    log = log_env["log"]
    return len(log.read_text().splitlines()) if log.exists() else 0


def index(corpus: Path, index_dir: Path, env: dict | None = None) -> dict:
    import json

    env = {k: v for k, v in (env or {}).items() if k != "log"}
    proc = run_kb("index", corpus, "--index", index_dir, "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def search(query: str, index_dir: Path) -> list[dict]:
    return kb_json("search", query, "--index", index_dir)["results"]


@needs_ocr
def test_scan_is_found_by_an_inflected_unaccented_query(tmp_path: Path):
    corpus = tmp_path / "corpus"
    make_scanned_pdf(corpus / "sken.pdf", [("scan", SCAN_TEXT)])
    report = index(corpus, tmp_path / "ix")
    assert report["skipped"] == [] and report["indexed"] == 1

    results = search("kybersikanou zaku", tmp_path / "ix")  # "kyberšikana mezi žáky"
    assert [r["path"] for r in results] == ["sken.pdf"]
    hit = results[0]
    assert hit["pages"] == [1]
    assert hit["page_hits"][0]["ocr"] is True
    assert "Kyberšikana" in hit["snippet"] and hit["highlights"]


@needs_ocr
def test_corpus_scanned_leaflet_becomes_searchable(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("seniori-v-bezpeci-doma-sken.pdf", "seniori-v-bezpeci-doma-sken.yaml"):
        shutil.copy(CORPUS / "letaky" / name, corpus / name)
    report = index(corpus, tmp_path / "ix")
    assert report["skipped"] == [] and report["pages"] == 2

    results = search("podvodnikum u dveri", tmp_path / "ix")  # "Podvodníci u dveří"
    assert [r["title"] for r in results] == ["Senioři v bezpečí doma"]
    assert all(page["ocr"] for page in results[0]["page_hits"])
    assert search("dluhova poradna", tmp_path / "ix")[0]["pages"] == [2]


@needs_ocr
def test_mixed_pdf_reads_only_the_scanned_page(tmp_path: Path, ocr_log: dict):
    corpus = tmp_path / "corpus"
    make_scanned_pdf(corpus / "smiseny.pdf", [("text", PAGE_2), ("scan", SCAN_TEXT_2)])
    # OCR takes seconds a page: it has its own time per page, not the file's 1 s
    report = index(corpus, tmp_path / "ix", {**ocr_log, "KB_FILE_TIMEOUT": "1"})
    assert report["skipped"] == []
    assert ocr_calls(ocr_log) == 1

    text_hit = search("intervencni centrum", tmp_path / "ix")[0]
    assert text_hit["pages"] == [1] and text_hit["page_hits"][0]["ocr"] is False
    scan_hit = search("pestounum", tmp_path / "ix")[0]
    assert scan_hit["pages"] == [2] and scan_hit["page_hits"][0]["ocr"] is True


@needs_ocr
def test_reindex_never_reads_a_scanned_page_twice(tmp_path: Path, ocr_log: dict):
    from pypdf import PdfReader, PdfWriter

    corpus = tmp_path / "corpus"
    scan = make_scanned_pdf(corpus / "sken.pdf", [("scan", SCAN_TEXT), ("scan", SCAN_TEXT_2)])
    index(corpus, tmp_path / "ix", ocr_log)
    assert ocr_calls(ocr_log) == 2

    # Re-saved with a new title: other bytes, so the file is read again, but the
    # pages look the same and their text comes from the OCR cache.
    writer = PdfWriter(clone_from=PdfReader(str(scan)))
    writer.add_metadata({"/Title": "Sken znovu uložený"})
    buffer = io.BytesIO()
    writer.write(buffer)
    scan.write_bytes(buffer.getvalue())
    again = index(corpus, tmp_path / "ix", ocr_log)
    assert again["indexed"] == 1
    assert ocr_calls(ocr_log) == 2
    hit = search("pestouny", tmp_path / "ix")[0]
    assert hit["path"] == "sken.pdf" and hit["page_hits"][0]["ocr"] is True

    # A fresh index (say, after a schema change) with the same cache: still no OCR.
    index(corpus, tmp_path / "ix2", {**ocr_log, "KB_OCR_CACHE_DIR": str(tmp_path / "ix" / "ocr-cache")})
    assert ocr_calls(ocr_log) == 2


def _scan_and_text_corpus(root: Path) -> Path:
    make_scanned_pdf(root / "sken.pdf", [("scan", SCAN_TEXT)])
    make_pdf(root / "metodika.pdf", [PAGE_2])
    return root


def test_without_tesseract_a_scan_is_skipped_with_the_install_command(tmp_path: Path):
    corpus = _scan_and_text_corpus(tmp_path / "corpus")
    no_tesseract = {"PATH": str(Path(sys.executable).parent)}  # the venv only: no /usr/bin
    report = index(corpus, tmp_path / "ix", no_tesseract)
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"sken.pdf"}
    assert "Tesseract" in reasons["sken.pdf"] and INSTALL in reasons["sken.pdf"]
    assert report["indexed"] == 1  # the rest of the library is indexed as usual

    proc = run_kb("index", corpus, "--index", tmp_path / "ix", env=no_tesseract)
    assert proc.returncode == 0
    assert "Přeskočeno: sken.pdf" in proc.stdout and INSTALL in proc.stdout


@needs_ocr
def test_missing_czech_data_is_named_and_the_scan_is_taken_once_ocr_works(tmp_path: Path):
    corpus = _scan_and_text_corpus(tmp_path / "corpus")
    empty = tmp_path / "tessdata"
    empty.mkdir()
    report = index(corpus, tmp_path / "ix", {"TESSDATA_PREFIX": str(empty)})
    reason = report["skipped"][0]["reason"]
    assert "česká jazyková data" in reason and INSTALL in reason

    fixed = index(corpus, tmp_path / "ix")  # no file changed: the scan is retried anyway
    assert fixed["skipped"] == [] and fixed["indexed"] == 1 and fixed["unchanged"] == 1
    assert search("kybersikana", tmp_path / "ix")[0]["path"] == "sken.pdf"


def test_ocr_switched_off_says_so(tmp_path: Path):
    corpus = tmp_path / "corpus"
    make_scanned_pdf(corpus / "sken.pdf", [("scan", SCAN_TEXT)])
    report = index(corpus, tmp_path / "ix", {"KB_OCR": "0"})
    assert "KB_OCR=0" in report["skipped"][0]["reason"]


def test_blank_pdf_needs_no_tesseract(tmp_path: Path):
    """A page with neither text nor picture has nothing to read: no OCR is asked for."""
    corpus = tmp_path / "corpus"
    make_pdf(corpus / "prazdne.pdf", [""])
    report = index(corpus, tmp_path / "ix", {"PATH": str(Path(sys.executable).parent)})
    reason = report["skipped"][0]["reason"]
    assert "bez textové vrstvy" in reason and "Tesseract" not in reason


@needs_ocr
def test_slow_page_is_cut_off_after_the_page_timeout(tmp_path: Path):
    corpus = tmp_path / "corpus"
    make_scanned_pdf(corpus / "sken.pdf", [("scan", SCAN_TEXT)])
    slow = tmp_path / "slow-tesseract"
    slow.write_text('#!/bin/sh\n[ "$1" = stdin ] && exec sleep 30\nexec tesseract "$@"\n')
    slow.chmod(0o755)
    env = {"KB_TESSERACT": str(slow), "KB_OCR_PAGE_TIMEOUT": "1", "PATH": os.environ["PATH"]}
    report = index(corpus, tmp_path / "ix", env)
    assert report["seconds"] < 20
    assert "KB_OCR_PAGE_TIMEOUT" in report["skipped"][0]["reason"]
