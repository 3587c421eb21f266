"""Trainer collections (kb/library/collections.py): editing, the URL and file forms, citations,
and an export that only ever contains files from inside the corpus."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
import os
import re
import zipfile
import zlib

import docx
import pytest

from kb.czech import format_pages
from kb.library.citations import citation_text
from kb.library.collections import Collection, CollectionError, Item, parse_pages
from kb.library.exports import export_zip, md_escape, prepare_export, reading_list_markdown
from kb.model import IndexedDocument
from kb.paths import UnsafePath, normalise_rel, resolve_in_corpus

TODAY = dt.date(2025, 3, 14)
ENTRY = IndexedDocument("metodiky/rozhovor.pdf", title="Rozhovor s dítětem", year=2023,
                        organization="Spolek Most k rodině, z. s.", page_count=12,
                        source_url="https://www.example-fiktivni.cz/rozhovor")


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "metodiky").mkdir(parents=True)
    (root / "metodiky" / "rozhovor.pdf").write_bytes(b"%PDF-1.4 rozhovor")
    (root / "letaky").mkdir()
    (root / "letaky" / "kyber.docx").write_bytes(b"PK docx kyber")
    (tmp_path / "tajne.txt").write_text("TAJNE-HESLO-123", encoding="utf-8")
    return root


DOCS = {
    "metodiky/rozhovor.pdf": ENTRY,
    "letaky/kyber.docx": IndexedDocument("letaky/kyber.docx", title="Kyberšikana — co dělat"),
}


# ---------------------------------------------------------------- editing


def test_add_merges_pages_and_keeps_whole_documents_whole():
    c = Collection()
    assert c.add("metodiky/rozhovor.pdf", [7, 3])
    assert not c.add("metodiky/rozhovor.pdf", [3, 9])
    assert c.items[0].pages == [3, 7, 9]
    c.add("letaky/kyber.docx")
    c.add("letaky/kyber.docx", [2])
    assert c.items[1].pages == []  # a whole document stays whole
    assert len(c) == 2


def test_move_remove_and_notes():
    c = Collection()
    for path in ("a.pdf", "b.pdf", "c.pdf"):
        c.add(path)
    c.move(2, -1)
    assert c.paths() == ["a.pdf", "c.pdf", "b.pdf"]
    c.move(0, -1)  # already first: nothing happens
    c.move(2, 1)
    assert c.paths() == ["a.pdf", "c.pdf", "b.pdf"]
    c.set_note(1, "  Na úvod kurzu\x00  ")
    assert c.items[1].note == "Na úvod kurzu"
    c.remove(0)
    c.remove(9)
    assert c.paths() == ["c.pdf", "b.pdf"]


@pytest.mark.parametrize("text, pages", [
    ("", []), ("3", [3]), ("3, 5-7", [3, 5, 6, 7]), ("7–5", None), ("5 – 7; 2", [2, 5, 6, 7]),
    ("a", None), ("0", None), ("1-100000000", None),
])
def test_parse_pages(text, pages):
    if pages is None:
        with pytest.raises(CollectionError):
            parse_pages(text)
    else:
        assert parse_pages(text) == pages


def test_format_pages_joins_ranges_with_an_en_dash():
    assert format_pages([7, 3, 4, 5, 9]) == "3–5, 7, 9"
    assert format_pages([]) == ""


# ---------------------------------------------------------------- paths: never outside the corpus


@pytest.mark.parametrize("bad", [
    "../tajne.txt", "metodiky/../../tajne.txt", "/etc/passwd", "~/x.pdf", "C:/x.pdf",
    "metodiky\\..\\..\\x.pdf", "./x.pdf", ".kb-index/CURRENT", "metodiky/.skryty.pdf", "",
    "a\x00b.pdf", "a\nb.pdf",
])
def test_unsafe_paths_are_refused(bad):
    with pytest.raises(UnsafePath):
        normalise_rel(bad)
    with pytest.raises((UnsafePath, CollectionError)):
        Collection().add(bad)


def test_symlink_out_of_the_corpus_is_refused(corpus):
    os.symlink(corpus.parent / "tajne.txt", corpus / "odkaz.txt")
    with pytest.raises(UnsafePath, match="mimo"):
        resolve_in_corpus(corpus, "odkaz.txt")
    assert resolve_in_corpus(corpus, "metodiky/rozhovor.pdf").is_file()


# ---------------------------------------------------------------- URL and file forms


def test_url_param_round_trip_is_compact():
    c = Collection(name="Kurz pro pěstouny")
    for i in range(20):
        c.add(f"metodiky/dokument-{i:02d}.pdf", [i + 1, i + 3], note="Poznámka " * (i % 3))
    param = c.to_param()
    assert param.startswith("1.") and len(param) < 1500
    assert all(ch.isalnum() or ch in "-_." for ch in param)  # safe in a URL as it is
    back, warnings = Collection.from_param(param)
    assert back == c and warnings == []


@pytest.mark.parametrize("param", ["1.", "1.@@@", "2.abc", "1." + "A" * 20000, "kybersikana"])
def test_broken_url_param_is_a_czech_error(param):
    with pytest.raises(CollectionError, match="odkaz|Sad"):
        Collection.from_param(param)


def test_url_param_bomb_is_refused():
    bomb = json.dumps({"i": [["a.pdf", [], "x" * 5_000_000]]}).encode()
    param = "1." + base64.urlsafe_b64encode(zlib.compress(bomb, 9)).decode().rstrip("=")
    assert len(param) < 12000
    with pytest.raises(CollectionError):
        Collection.from_param(param)


def test_url_param_with_hostile_paths_keeps_only_the_good_items():
    payload = {"i": [["../../etc/passwd", []], ["metodiky/rozhovor.pdf", [2, "x"]],
                     ["letaky/kyber.docx", [1]], 42]}
    param = "1." + base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).decode()
    c, warnings = Collection.from_param(param)
    assert c.paths() == ["letaky/kyber.docx"]
    assert len(warnings) == 3


def test_json_file_round_trip_and_refusals():
    c = Collection(name="Sada")
    c.add("metodiky/rozhovor.pdf", [3], note="Kapitola o přípravě")
    raw = c.to_json({"metodiky/rozhovor.pdf": "Rozhovor s dítětem"})
    data = json.loads(raw)
    assert data["format"] == "kb-sada" and data["items"][0]["title"] == "Rozhovor s dítětem"
    back, warnings = Collection.from_json(raw)
    assert back == c and warnings == []
    for bad in (b"\xff\xfe", b"[]", b'{"format": "jine"}', b"{" * 100000, b"x" * (2 * 1024 * 1024)):
        with pytest.raises(CollectionError):
            Collection.from_json(bad)


# ---------------------------------------------------------------- citations and reading lists


def test_citation_follows_csn_iso_690():
    assert citation_text(ENTRY, [3, 4, 5, 9], TODAY) == (
        "Spolek Most k rodině, z. s. Rozhovor s dítětem [online]. [b. m.]: Spolek Most k rodině, z. s., "
        "2023 [cit. 2025-03-14]. S. 3–5, 9. Dostupné z: https://www.example-fiktivni.cz/rozhovor")
    bare = IndexedDocument("a.txt", title="Slovník pojmů")
    assert citation_text(bare, [], TODAY) == "Slovník pojmů. [b. r.]."


@pytest.mark.parametrize("organization,extra,expected", [
    # a unit under its parent; a partner is further responsibility, not an author
    ("Krajský úřad Podhorského kraje, odbor sociálních věcí, ve spolupráci s Policií ČR", {},
     "Krajský úřad Podhorského kraje. Odbor sociálních věcí. Metodika. Ve spolupráci s Policií ČR. "
     "[b. m.]: Krajský úřad Podhorského kraje, 2024."),
    # two bodies are two authors and two publishers, not one fused name
    ("Spolek Most k rodině, z. s., a Centrum Slunovrat, o. p. s.", {"place": "Lipnice nad Orlicí"},
     "Spolek Most k rodině, z. s.; Centrum Slunovrat, o. p. s. Metodika. "
     "Lipnice nad Orlicí: Spolek Most k rodině, z. s.; Centrum Slunovrat, o. p. s., 2024."),
    # a town office names the place; a client ("pro …") is not an author
    ("Městský úřad Veselí nad Jizerkou, odbor sociálních věcí", {},
     "Městský úřad Veselí nad Jizerkou. Odbor sociálních věcí. Metodika. "
     "Veselí nad Jizerkou: Městský úřad Veselí nad Jizerkou, 2024."),
    ("Institut Sever, z. ú., pro město Kamenice", {"publisher": "Město Kamenice", "place": "Kamenice"},
     "Institut Sever, z. ú. Metodika. Pro město Kamenice. Kamenice: Město Kamenice, 2024."),
])
def test_citation_writes_corporate_authors_publishers_and_place_as_the_norm_does(organization, extra,
                                                                                 expected):
    entry = IndexedDocument("m.pdf", title="Metodika", year=2024, organization=organization, **extra)
    assert citation_text(entry, [], TODAY) == expected
    assert organization.upper() not in expected


def test_citation_never_links_a_non_http_url():
    entry = dataclasses.replace(ENTRY, source_url="javascript:alert(1)")
    text = citation_text(entry, [], TODAY)
    assert "javascript" not in text and "[online]" not in text


def test_markdown_escape_neutralises_markup():
    text = md_escape('<script>x</script> [a](javascript:b) **c** # d `e` 1. f')
    assert "<script>" not in text and not re.search(r"(?<!\\)\]\(", text) and "**" not in text
    assert "`e`" not in text
    assert md_escape("1. bod") == "1\\. bod"


def test_reading_list_markdown_and_docx_carry_citations_and_notes(corpus):
    c = Collection(name="Kurz: rozhovor")
    c.add("metodiky/rozhovor.pdf", [3], note="Přečíst před druhým blokem")
    c.add("letaky/kyber.docx")
    prepared = prepare_export(c, DOCS, corpus)
    md = reading_list_markdown(c, prepared, TODAY)
    assert md.startswith("# Kurz: rozhovor")
    assert "1. Spolek Most k rodině, z. s. *Rozhovor s dítětem* [online]. [b. m.]: Spolek" in md
    assert "<https://www.example-fiktivni.cz/rozhovor>" in md
    # note and file are items of a nested list, so they render on lines of their own
    assert "\n   - Poznámka: Přečíst před druhým blokem\n   - Soubor: 01-rozhovor.pdf\n" in md
    assert "2. *Kyberšikana — co dělat*. [b. r.]." in md


def test_reading_list_markdown_escapes_only_what_would_become_markup(corpus):
    c = Collection(name="Kurz (jaro) & léto")
    c.add("metodiky/rozhovor.pdf", note="Kap. 2 (str. 5) & příloha; viz *důležité*")
    md = reading_list_markdown(c, prepare_export(c, DOCS, corpus), TODAY)
    assert md.startswith("# Kurz (jaro) & léto\n")
    assert "Kap. 2 (str. 5) & příloha; viz \\*důležité\\*" in md
    assert "\\(" not in md and "\\&" not in md


# ---------------------------------------------------------------- the ZIP


def test_export_zip_contains_originals_in_order_and_reading_lists(corpus):
    c = Collection()
    c.add("letaky/kyber.docx", note="Leták pro rodiče")
    c.add("metodiky/rozhovor.pdf", [3, 4])
    result = export_zip(c, DOCS, corpus, TODAY)
    archive = zipfile.ZipFile(io.BytesIO(result.data))
    assert archive.namelist() == ["materialy/01-kyber.docx", "materialy/02-rozhovor.pdf",
                                  "seznam-literatury.md", "seznam-literatury.docx",
                                  "sada-materialu.json"]
    assert archive.read("materialy/02-rozhovor.pdf") == b"%PDF-1.4 rozhovor"
    assert result.included == ["letaky/kyber.docx", "metodiky/rozhovor.pdf"] and not result.problems
    document = docx.Document(io.BytesIO(archive.read("seznam-literatury.docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("Rozhovor s dítětem [online]. [b. m.]: Spolek Most k rodině, z. s., 2023 [cit. 2025-03-14]. "
            "S. 3–4.") in text
    assert "Poznámka: Leták pro rodiče" in text
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert "Rozhovor s dítětem" in italic
    loaded, _ = Collection.from_json(archive.read("sada-materialu.json"))
    assert loaded.paths() == c.paths()


def test_export_only_contains_files_inside_the_corpus(corpus):
    os.symlink(corpus.parent / "tajne.txt", corpus / "odkaz.txt")
    c = Collection()
    c.items.append(Item(path="../tajne.txt"))  # smuggled past add(), e.g. an edited object
    c.items.append(Item(path="odkaz.txt"))
    c.items.append(Item(path="metodiky/chybi.pdf"))
    c.add("metodiky/rozhovor.pdf")
    documents = {**DOCS, "../tajne.txt": IndexedDocument("../tajne.txt", title="x"),
                 "odkaz.txt": IndexedDocument("odkaz.txt", title="Odkaz")}
    result = export_zip(c, documents, corpus, TODAY)
    names = zipfile.ZipFile(io.BytesIO(result.data)).namelist()
    assert [n for n in names if n.startswith("materialy/")] == ["materialy/04-rozhovor.pdf"]
    for name in names:
        assert not name.startswith("/") and ".." not in name
    data = b"".join(zipfile.ZipFile(io.BytesIO(result.data)).read(n) for n in names)
    assert b"TAJNE-HESLO-123" not in data
    reasons = dict(result.problems)
    assert "mimo" in reasons["../tajne.txt"] and "mimo" in reasons["odkaz.txt"]
    assert "není" in reasons["metodiky/chybi.pdf"]


def test_place_and_publisher_from_the_sidecar_reach_the_citation(tmp_path):
    from kb.index.pipeline import run_index
    from kb.search import open_backend
    from kb.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("Rodičovský plán\n\nJak sestavit rodičovský plán.", encoding="utf-8")
    (corpus / "plan.yaml").write_text("title: Rodičovský plán\nyear: 2022\norganization: Spolek Most, z. s.\n"
                                      "place: Lipnice nad Orlicí\npublisher: Nakladatelství Most\n",
                                      encoding="utf-8")
    run_index(corpus, tmp_path / "index", settings=Settings(workers=1))
    backend = open_backend(tmp_path / "index")
    try:
        entry = {d.path: d for d in backend.documents()}["plan.txt"]
    finally:
        backend.close()
    assert citation_text(entry, [], TODAY) == (
        "Spolek Most, z. s. Rodičovský plán. Lipnice nad Orlicí: Nakladatelství Most, 2022.")
