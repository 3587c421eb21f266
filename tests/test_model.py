"""IndexedDocument (kb/model.py): the one record indexing keeps per document. The manifest
round-trips through it unchanged, an entry written before a field existed still reads,
and `kb show` and the app explain a tag with the same lines."""
from __future__ import annotations

import html
import json
import re

from conftest import run_kb

from kb.index import store as kb_index
from kb.model import Evidence, IndexedDocument
from kb.search import open_backend
from ui.html import evidence_html


def _raw_manifest(index_dir) -> dict:
    return json.loads((kb_index.current_generation(index_dir) / kb_index.MANIFEST).read_text(encoding="utf-8"))


def test_a_manifest_round_trips_through_indexed_document(indexed):
    _, index_dir = indexed
    raw = _raw_manifest(index_dir)["documents"]
    typed = kb_index.read_manifest(kb_index.current_generation(index_dir) / kb_index.MANIFEST)["documents"]
    assert set(typed) == set(raw) == {"metodiky/metodika.pdf", "letaky/kybersikana.docx", "opatrovnik.txt"}
    for path, entry in raw.items():
        assert IndexedDocument.from_json(entry).to_json() == entry, path
        assert typed[path] == IndexedDocument.from_json(entry)
    pdf = typed["metodiky/metodika.pdf"]
    assert (pdf.title, pdf.year, pdf.organization, pdf.page_count) == (
        "Metodika pro pracovníky OSPOD", 2023, "Spolek Most k rodině", 3)
    assert "ospod" in pdf.professions
    assert isinstance(pdf.evidence_for("professions", "ospod"), Evidence)
    assert pdf.evidence_for("professions", "ospod").pages  # the pages the tagger found it on
    assert typed["opatrovnik.txt"].professions[:1] == ("opatrovnik",)


def test_an_entry_written_before_a_field_existed_still_reads():
    old = {"path": "a.pdf", "title": "Leták", "format": "pdf", "pages": 2, "hash": "ab",
           "doc_type": "letak", "topics": ["trauma"],
           "evidence": {"doc_type": {"source": "automaticky", "score": 4.0, "terms": {"leták": 2}, "scores": {}},
                        "topics": {"trauma": {"source": "ručně", "score": 0.0, "terms": {}}}}}
    doc = IndexedDocument.from_json(old)
    assert (doc.publisher, doc.place, doc.section_count, doc.minhash, doc.professions) == ("", "", 0, "", ())
    assert doc.evidence_for("topics", "trauma").manual
    assert doc.evidence_for("doc_type", "letak").terms == {"leták": 2}
    assert doc.evidence_for("doc_type", "jine") is None
    again = IndexedDocument.from_json(doc.to_json())
    assert again == doc
    assert again.to_json()["evidence"]["doc_type"]["scores"] == {}  # kb show --json keeps an empty table


def test_a_facet_the_tagger_adds_is_read_without_a_change_to_the_record():
    entry = {"path": "a.pdf", "doc_type": "letak", "audience": ["rodice"],
             "evidence": {"audience": {"rodice": {"source": "automaticky", "score": 3.0, "threshold": 2.0,
                                                  "terms": {"rodiče": 3}}}}}
    doc = IndexedDocument.from_json(entry)
    assert doc.values("audience") == ("rodice",)
    assert doc.evidence_for("audience", "rodice").terms == {"rodiče": 3}
    assert doc.to_json()["audience"] == ["rodice"]


def test_kb_show_and_the_app_explain_every_tag_with_the_same_lines(indexed):
    _, index_dir = indexed
    backend = open_backend(index_dir)
    try:
        documents = backend.documents()
    finally:
        backend.close()
    compared = 0
    for doc in documents:
        shown = run_kb("show", doc.path, "--index", index_dir, check=True).stdout
        for facet in ("topics", "professions"):
            for tag in doc.values(facet):
                app_lines = [html.unescape(li) for li in
                             re.findall(r"<li>(.*?)</li>", evidence_html(doc.evidence_for(facet, tag)))]
                assert app_lines, (doc.path, tag)
                for line in app_lines:
                    assert f"      {line}\n" in shown, (doc.path, tag, line)
                compared += 1
    assert compared >= 3
