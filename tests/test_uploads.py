"""Uploads (kb/library/uploads.py): the type comes from the bytes, the size is limited, the name
is made safe, nothing is written outside the corpus or over a file without consent,
and the sidecar is plain YAML data."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
import yaml
from builders import make_docx, make_pdf

from kb.extract.sidecar import load_sidecar
from kb.library.uploads import (
    SidecarFields,
    UploadError,
    UploadExists,
    check_upload,
    corpus_folders,
    detect_type,
    safe_filename,
    save_upload,
)

MB = 1024 * 1024


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "metodiky").mkdir(parents=True)
    (root / "letaky").mkdir()
    (root / ".skryta").mkdir()
    return root


@pytest.fixture
def pdf_bytes(tmp_path) -> bytes:
    return make_pdf(tmp_path / "zdroj" / "src.pdf", ["Supervize v praxi OSPOD."]).read_bytes()


@pytest.fixture
def docx_bytes(tmp_path) -> bytes:
    return make_docx(tmp_path / "zdroj" / "src.docx", [("p", "Rozhovor s dítětem.")]).read_bytes()


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


# ---------------------------------------------------------------- the type from the bytes


def test_detect_type_reads_the_content(pdf_bytes, docx_bytes):
    assert detect_type(pdf_bytes) == "pdf"
    assert detect_type(docx_bytes) == "docx"
    assert detect_type("Domácí násilí — postup.\n".encode()) == "txt"
    assert detect_type("Domácí násilí je vážný problém, řeší ho OSPOD.".encode("cp1250")) == "txt"
    assert detect_type("Domácí násilí".encode("utf-16")) == "txt"
    assert detect_type(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256))) is None  # an .exe
    assert detect_type(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None
    assert detect_type(_zip(["mimetype", "content.xml"])) is None  # ODT / any other ZIP
    assert detect_type(_zip(["[Content_Types].xml", "xl/workbook.xml"])) is None  # XLSX
    assert detect_type(b"PK\x03\x04 broken zip") is None


def test_check_upload_refuses_lying_names_empty_and_oversized_files(pdf_bytes, docx_bytes):
    assert check_upload(pdf_bytes, "metodika.pdf", MB) == "pdf"
    assert check_upload(pdf_bytes, "bez-pripony", MB) == "pdf"
    assert check_upload(b"# Nadpis\n", "poznamky.md", MB) == "md"
    with pytest.raises(UploadError, match="příponu .docx, ale není to dokument Word — je to PDF"):
        check_upload(pdf_bytes, "dopis.docx", MB)
    # the indexer's own reason, and no advice to rename (that would index the raw HTML)
    html = b"<html><script>alert(1)</script></html>"
    with pytest.raises(UploadError, match=r"je to webová stránka \(HTML\)") as refused:
        check_upload(html, "web.pdf", MB)
    assert "přejmenuj" not in str(refused.value) and "Uložit jako PDF" in str(refused.value)
    from kb.errors import ExtractionError
    from kb.extract import extract_bytes

    with pytest.raises(ExtractionError) as skipped:
        extract_bytes(html, ".pdf", "web.pdf")
    assert str(skipped.value) == str(refused.value)
    with pytest.raises(UploadError, match="není PDF, DOCX ani prostý text"):
        check_upload(b"\x00\x01\x02\x03" * 100, "data.txt", MB)
    with pytest.raises(UploadError, match="prázdný"):
        check_upload(b"", "x.pdf", MB)
    with pytest.raises(UploadError, match=r"příliš velký \(1,0 MB, limit 1 MB\)"):
        check_upload(b"%PDF-" + b"0" * MB, "x.pdf", MB)


@pytest.mark.parametrize("name, kind, expected", [
    ("Metodika – Kyberšikana (2024).pdf", "pdf", "metodika-kybersikana-2024.pdf"),
    ("../../etc/passwd", "txt", "passwd.txt"),
    ("..\\..\\Windows\\system32\\evil.docx", "docx", "evil.docx"),
    ("/absolutni/cesta/dokument.PDF", "pdf", "dokument.pdf"),
    (".bashrc", "txt", "bashrc.txt"),
    ("<script>alert(1)</script>.pdf", "pdf", "script.pdf"),  # "/" separates folders
    ("<img src=x onerror=alert(1)>.pdf", "pdf", "img-src-x-onerror-alert-1.pdf"),
    ("CON.txt", "txt", "dokument-con.txt"),
    ("...", "pdf", "dokument.pdf"),
    ("", "pdf", "dokument.pdf"),
    ("zpráva.exe", "pdf", "zprava.pdf"),
    ("a" * 300 + ".pdf", "pdf", "a" * 80 + ".pdf"),
])
def test_safe_filename(name, kind, expected):
    assert safe_filename(name, kind) == expected


# ---------------------------------------------------------------- saving


def test_save_writes_inside_the_corpus_with_a_safe_name(corpus, pdf_bytes):
    saved = save_upload(corpus, pdf_bytes, "../../Supervize v praxi.pdf", max_bytes=MB,
                        folder="metodiky")
    assert saved.rel_path == "metodiky/supervize-v-praxi.pdf" and not saved.replaced
    assert (corpus / saved.rel_path).read_bytes() == pdf_bytes
    assert not [p for p in corpus.parent.rglob("*.pdf") if p.parent.name not in ("zdroj", "metodiky")]
    assert not [p for p in (corpus / "metodiky").iterdir() if p.name.startswith(".upload-")]


@pytest.mark.parametrize("folder", ["../", "../../tmp", "/etc", "neexistuje", ".skryta", "metodiky/.."])
def test_save_refuses_folders_outside_or_unknown(corpus, pdf_bytes, folder):
    with pytest.raises(UploadError):
        save_upload(corpus, pdf_bytes, "x.pdf", max_bytes=MB, folder=folder)
    assert not [p for p in corpus.parent.rglob("*.pdf") if "zdroj" not in p.parts]


def test_save_refuses_a_symlinked_folder_leading_out(corpus, pdf_bytes, tmp_path):
    outside = tmp_path / "venku"
    outside.mkdir()
    os.symlink(outside, corpus / "odkaz")
    with pytest.raises(UploadError, match="mimo"):
        save_upload(corpus, pdf_bytes, "x.pdf", max_bytes=MB, folder="odkaz")
    assert not list(outside.iterdir())


def test_no_overwrite_without_consent(corpus, pdf_bytes, tmp_path):
    first = save_upload(corpus, pdf_bytes, "metodika.pdf", max_bytes=MB)
    newer = make_pdf(tmp_path / "v2.pdf", ["Nová verze metodiky."]).read_bytes()
    with pytest.raises(UploadExists) as info:
        save_upload(corpus, newer, "metodika.pdf", max_bytes=MB)
    assert info.value.rel_path == "metodika.pdf" and info.value.alternative == "metodika-2.pdf"
    assert (corpus / first.rel_path).read_bytes() == pdf_bytes  # untouched

    renamed = save_upload(corpus, newer, "metodika.pdf", max_bytes=MB, rename_if_exists=True)
    assert renamed.rel_path == "metodika-2.pdf"
    replaced = save_upload(corpus, newer, "metodika.pdf", max_bytes=MB, overwrite=True)
    assert replaced.replaced and (corpus / "metodika.pdf").read_bytes() == newer


def test_an_orphaned_sidecar_counts_as_a_conflict(corpus, pdf_bytes):
    (corpus / "metodika.yaml").write_text("title: Cizí metadata\n", encoding="utf-8")
    with pytest.raises(UploadExists):
        save_upload(corpus, pdf_bytes, "metodika.pdf", max_bytes=MB)


def test_a_symlink_in_place_of_the_target_is_never_written_through(corpus, pdf_bytes, tmp_path):
    victim = tmp_path / "obet.pdf"
    victim.write_bytes(b"puvodni")
    os.symlink(victim, corpus / "metodika.pdf")
    with pytest.raises(UploadError, match="symlink"):
        save_upload(corpus, pdf_bytes, "metodika.pdf", max_bytes=MB, overwrite=True)
    assert victim.read_bytes() == b"puvodni"


# ---------------------------------------------------------------- sidecar


def test_sidecar_is_safe_yaml_that_the_indexer_reads(corpus, pdf_bytes):
    fields = SidecarFields(
        title="!!python/object/apply:os.system ['echo pwned']", year=2023,
        organization="Spolek: Most k rodině, z. s.\nnový řádek", source_url="https://example.cz/a",
        doc_type="metodika", tags={"topics": ["supervize", "supervize"], "professions": ["ospod"],
                                   "audience": ["odbornici"]},
        publisher="Nakladatelství\nMost", place="  Brno ",
    )
    saved = save_upload(corpus, pdf_bytes, "supervize.pdf", max_bytes=MB, sidecar=fields)
    text = (corpus / saved.sidecar).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["title"].startswith("!!python/object")  # a string, not a tag
    assert data["organization"] == "Spolek: Most k rodině, z. s. nový řádek"
    assert data["topics"] == ["supervize"] and data["audience"] == ["odbornici"]
    meta, warnings = load_sidecar(corpus / saved.rel_path)
    assert warnings == [] and meta["year"] == 2023 and meta["doc_type"] == "metodika"
    assert meta["publisher"] == "Nakladatelství Most" and meta["place"] == "Brno"


@pytest.mark.parametrize("fields, message", [
    (SidecarFields(year=1066), "Rok"),
    (SidecarFields(source_url="javascript:alert(1)"), "http"),
    (SidecarFields(tags={"topics": ["neexistuje"]}), r"Neznámá hodnota \(téma\)"),
    (SidecarFields(tags={"audience": ["kocky"]}), r"Neznámá hodnota \(cílová skupina\)"),
    (SidecarFields(doc_type="kniha"), "typ dokumentu"),
])
def test_invalid_sidecar_fields_are_refused_before_writing(corpus, pdf_bytes, fields, message):
    with pytest.raises(UploadError, match=message):
        save_upload(corpus, pdf_bytes, "x.pdf", max_bytes=MB, sidecar=fields)
    assert not (corpus / "x.pdf").exists()


def test_empty_sidecar_fields_write_no_sidecar(corpus, pdf_bytes):
    saved = save_upload(corpus, pdf_bytes, "x.pdf", max_bytes=MB, sidecar=SidecarFields())
    assert saved.sidecar == "" and not (corpus / "x.yaml").exists()


def test_corpus_folders_lists_visible_folders_only(corpus):
    (corpus / "_manifest").mkdir()
    assert corpus_folders(corpus) == ["", "letaky", "metodiky"]
