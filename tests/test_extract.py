"""Extraction as a user notices it: the right text on the right page, clean of
layout furniture, in the right encoding, with a sensible title."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_docx, make_pdf
from conftest import PAGE_1

from kb.errors import ExtractionError
from kb.extract import extract_file
from kb.extract.text import decode


def test_pdf_pages_are_numbered_from_one_and_keep_their_text(small_corpus: Path):
    doc, warnings = extract_file(small_corpus / "metodiky" / "metodika.pdf", small_corpus)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert "Domácí násilí" in doc.pages[1].text
    assert "Rozhovor s dítětem" in doc.pages[2].text
    assert warnings == []


def test_pdf_hyphenated_line_break_is_joined(small_corpus: Path):
    doc, _ = extract_file(small_corpus / "metodiky" / "metodika.pdf", small_corpus)
    assert "sociální pracovník" in doc.pages[0].text
    assert "sociál-" not in doc.pages[0].text


def test_pdf_running_header_and_page_numbers_are_removed(small_corpus: Path):
    doc, _ = extract_file(small_corpus / "metodiky" / "metodika.pdf", small_corpus)
    for page in doc.pages:
        assert "Spolek Most k rodině · Metodika" not in page.text
        assert "Strana" not in page.text


def test_pdf_keeps_hyphen_in_real_compounds(tmp_path: Path):
    text = ("Sociálně-právní ochrana dětí je úkolem OSPOD. Orgán sociálně-\n"
            "právní ochrany dětí spolupracuje se školou.")
    make_pdf(tmp_path / "a.pdf", [text])
    doc, _ = extract_file(tmp_path / "a.pdf", tmp_path)
    assert "sociálně-právní ochrany" in doc.pages[0].text


def test_title_comes_from_sidecar_then_property_then_first_line(small_corpus: Path, tmp_path: Path):
    doc, _ = extract_file(small_corpus / "metodiky" / "metodika.pdf", small_corpus)
    assert doc.title == "Metodika pro pracovníky OSPOD"
    make_pdf(tmp_path / "p.pdf", ["Leták pro rodiče\nText letáku."], title="Kyberšikana: průvodce")
    assert extract_file(tmp_path / "p.pdf", tmp_path)[0].title == "Kyberšikana: průvodce"
    make_pdf(tmp_path / "q.pdf", ["Leták pro rodiče\nText letáku."], title="Microsoft Word - dokument1.docx")
    assert extract_file(tmp_path / "q.pdf", tmp_path)[0].title == "Leták pro rodiče"


def test_docx_has_sections_by_heading_with_tables_and_header(small_corpus: Path):
    doc, _ = extract_file(small_corpus / "letaky" / "kybersikana.docx", small_corpus)
    assert doc.page_count == 0
    assert doc.title == "Kyberšikana — co dělat"
    headings = [s.heading for s in doc.pages]
    assert "Postup školy" in headings
    table_section = next(s for s in doc.pages if s.heading == "Postup školy")
    assert "Oznámit policii | ředitel školy" in table_section.text
    assert any("ZŠ Lipnice" in s.text for s in doc.pages)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250", "iso-8859-2"])
def test_text_encodings_of_czech_offices_are_detected(encoding: str):
    text = "Příliš žluťoučký kůň úpěl ďábelské ódy. Šťastná Žofie, řeka, věc, ůl."
    assert decode(text.encode(encoding)) == text


def test_cp1250_file_has_correct_czech_letters(small_corpus: Path):
    doc, _ = extract_file(small_corpus / "opatrovnik.txt", small_corpus)
    assert doc.title == "Opatrovník"
    assert "Řízení u soudu, žádost o změnu, péče o majetek, úřední" in doc.text


def test_malformed_sidecar_is_a_warning_and_the_document_stays(tmp_path: Path):
    make_pdf(tmp_path / "a.pdf", [PAGE_1])
    (tmp_path / "a.yaml").write_text("title: [neuzavřeno\n", encoding="utf-8")
    doc, warnings = extract_file(tmp_path / "a.pdf", tmp_path)
    assert doc.pages and warnings
    assert "řádku" in warnings[0]


def test_sidecar_python_tags_are_not_executed(tmp_path: Path):
    make_pdf(tmp_path / "a.pdf", [PAGE_1])
    (tmp_path / "a.yaml").write_text("title: !!python/object/apply:os.system ['touch /tmp/pwned-kb']\n")
    doc, warnings = extract_file(tmp_path / "a.pdf", tmp_path)
    assert warnings and not Path("/tmp/pwned-kb").exists()


def test_encrypted_pdf_with_empty_password_is_read(tmp_path: Path):
    make_pdf(tmp_path / "a.pdf", [PAGE_1], password="")
    doc, _ = extract_file(tmp_path / "a.pdf", tmp_path)
    assert "sebepoškozováním" in doc.pages[0].text


@pytest.mark.parametrize("name,data,reason", [
    ("html.pdf", b"<!DOCTYPE html><html><body>Metodika</body></html>", "není to PDF"),
    ("text.docx", "Obyčejný text uložený jako docx".encode(), "není to dokument Word"),
    ("empty.docx", b"", "prázdný"),
    ("cut.pdf", None, "poškozené"),
])
def test_bad_files_raise_a_czech_reason(tmp_path: Path, name, data, reason):
    if data is None:
        good = make_pdf(tmp_path / "good.pdf", [PAGE_1]).read_bytes()
        data = good[: len(good) // 3]
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ExtractionError, match=reason):
        extract_file(tmp_path / name, tmp_path)


def test_docx_built_by_tests_keeps_list_items(tmp_path: Path):
    make_docx(tmp_path / "a.docx", [("h1", "Supervize"), ("li", "Případová supervize jednou měsíčně")])
    doc, _ = extract_file(tmp_path / "a.docx", tmp_path)
    assert "Případová supervize jednou měsíčně" in doc.text


def test_a_title_in_capitals_becomes_sentence_case_keeping_abbreviations(tmp_path: Path):
    path = tmp_path / "letak.txt"
    path.write_text("METODIKA PRÁCE S RODINOU PRO OSPOD A PPP\n\nPracovník OSPOD spolupracuje s PPP "
                    "a se školou. Práce s rodinou začíná rozhovorem.\n", encoding="utf-8")
    assert extract_file(path, tmp_path)[0].title == "Metodika práce s rodinou pro OSPOD a PPP"
    (tmp_path / "letak.yaml").write_text("title: POKYN KRAJE\n", encoding="utf-8")
    assert extract_file(path, tmp_path)[0].title == "POKYN KRAJE"  # the sidecar's own spelling


def test_quoted_query_is_not_quoted_twice():
    from kb.czech import quoted

    assert quoted('"rozhovor s dítětem"') == "„rozhovor s dítětem“"
    assert quoted('"rozhovor s dítětem" -soud') == "„‚rozhovor s dítětem‘ -soud“"
