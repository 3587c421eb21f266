"""Search quality on the sample corpus does not fall below the level reached.

The judgments (tests/data/relevance.yaml) were made by reading the documents; the
figures come from benchmarks/relevance.py, which runs every query through kb.search.
A change that makes practitioners' queries find less, rank the answer lower, or show
the wrong page fails here, with the list of queries that got worse.

When the engine improves, raise the floors to the new measured values. Never lower a
floor or weaken a judgment to make a change pass: fix the change, or, if a judgment is
wrong, correct it after re-reading the document and say why in the commit.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from kb.search import open_backend

_spec = importlib.util.spec_from_file_location("relevance_benchmark", ROOT / "benchmarks" / "relevance.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # dataclasses look their module up while the class is built
_spec.loader.exec_module(bench)

# Floors = the figures measured on the corpus: 112 judged queries (those marked `ocr`,
# whose answer is only in the scanned leaflet, are checked separately below, so the
# figures do not depend on whether Tesseract is installed; the natural questions have
# floors of their own). recall@10 and MRR are averaged over queries; page accuracy is
# over judged pages of found documents.
RECALL_AT_10_FLOOR = 0.997  # measured 0.997 (was 0.936 before forgiving queries and word families)
MRR_FLOOR = 0.9866  # measured 0.9866
PAGE_ACCURACY_FLOOR = 0.9569  # measured 0.9569 (111 of 116; 0.9655 with lemma-level terms; 0.9541 on main before this work)
MUST_NOT_VIOLATIONS_MAX = 0  # measured 0: no excluded document ever reached the top 10
# The 25 natural questions (kind `question`: "jak…", "co dělat když…", "kam se obrátit…").
QUESTION_RECALL_FLOOR = 1.0  # measured 1.0
QUESTION_MRR_FLOOR = 0.88  # measured 0.88
QUESTION_PAGE_FLOOR = 0.923  # measured 0.9231 (24 of 26)

SCAN = "letaky/seniori-v-bezpeci-doma-sken.pdf"


@pytest.fixture(scope="module")
def indexed_corpus(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("relevance-index")
    info = bench.ensure_index(CORPUS, index_dir)
    backend = open_backend(index_dir)
    yield info, backend
    backend.close()


@pytest.fixture(scope="module")
def report(indexed_corpus) -> dict:
    _, backend = indexed_corpus
    return bench.evaluate([q for q in bench.load_judgments() if not {"ocr", "question"} & set(q.kind)],
                          backend)


@pytest.fixture(scope="module")
def questions(indexed_corpus) -> dict:
    _, backend = indexed_corpus
    return bench.evaluate([q for q in bench.load_judgments() if "question" in q.kind], backend)


def _worse(report: dict, key) -> str:
    rows = [r for r in report["per_query"] if key(r)]
    lines = []
    for r in rows:
        came = ", ".join(t["path"] for t in r["top"][:3]) or "nothing"
        detail = "; ".join(
            [f"missing {p}" for p in r["missing"]]
            + [f"page {p['path']} judged {p['judged']} got {p['got']}" for p in r["page_failures"]]
            + [f"excluded {v['path']} at rank {v['rank']}" for v in r["must_not_violations"]])
        lines.append(f"  [{r['id']}] {r['label']}: {detail or 'first relevant at ' + str(r['first_rank'])}"
                     f" (came: {came})")
    return "\n".join(lines)


def test_judgments_are_complete_and_point_at_corpus_files():
    queries = bench.load_judgments()
    assert len(queries) >= 60
    assert bench.check_paths(queries, CORPUS) == []
    kinds = {k for q in queries for k in q.kind}
    assert {"inflected", "unaccented", "phrase", "abbreviation", "everyday", "filter"} <= kinds
    for q in queries:
        assert q.must, q.id
        for m in q.must:
            if m.pages:
                assert Path(m.path).suffix == ".pdf", f"{q.id}: page judged for a file without pages"


def test_recall_at_10_does_not_fall(report):
    assert report["recall_at_10"] >= RECALL_AT_10_FLOOR, (
        f"recall@10 {report['recall_at_10']} < {RECALL_AT_10_FLOOR}; queries missing documents:\n"
        + _worse(report, lambda r: r["missing"]))


def test_mrr_does_not_fall(report):
    assert report["mrr"] >= MRR_FLOOR, (
        f"MRR {report['mrr']} < {MRR_FLOOR}; queries whose answer is not first:\n"
        + _worse(report, lambda r: r["first_rank"] != 1))


def test_page_accuracy_does_not_fall(report):
    assert report["page_accuracy"] >= PAGE_ACCURACY_FLOOR, (
        f"page accuracy {report['page_accuracy']} < {PAGE_ACCURACY_FLOOR}; wrong first pages:\n"
        + _worse(report, lambda r: r["page_failures"]))


def test_natural_questions_find_the_chapter_about_them(questions):
    assert questions["queries"] >= 20
    assert questions["recall_at_10"] >= QUESTION_RECALL_FLOOR, _worse(questions, lambda r: r["missing"])
    assert questions["mrr"] >= QUESTION_MRR_FLOOR, _worse(questions, lambda r: r["first_rank"] != 1)
    assert questions["page_accuracy"] >= QUESTION_PAGE_FLOOR, _worse(questions, lambda r: r["page_failures"])


def test_a_question_ranks_the_chapter_above_a_passing_mention(questions):
    """"Děti při rozvodu rodičů" (Cochem, chapter 1) answers the question; the mental
    health guide only lists "rozvod" once among stressful events."""
    row = next(r for r in questions["per_query"] if r["query"] == "jak mluvit s dítětem o rozvodu")
    ranked = [t["path"] for t in row["top"]]
    cochem = ranked.index("metodiky/cochemska-praxe-rodicovsky-plan.pdf")
    guide = "metodiky/dusevni-zdravi-deti-a-dospivajicich-pruvodce-pro-ospod.docx"
    assert guide not in ranked or cochem < ranked.index(guide)
    assert row["top"][cochem]["pages"][0] == 2


def test_excluded_documents_stay_out_of_the_top_10(report):
    assert report["must_not_violations"] <= MUST_NOT_VIOLATIONS_MAX, _worse(
        report, lambda r: r["must_not_violations"])


def test_a_contents_page_is_not_shown_as_the_answer(report):
    """Contents pages list every chapter title, so they match almost any query about
    their document; the page shown first must be the chapter itself."""
    by_id = {r["id"]: r for r in report["per_query"]}
    debt = next(t for t in by_id["dluh-04"]["top"] if t["path"].endswith("metodika-dluhoveho-poradenstvi.pdf"))
    assert debt["pages"][0] == 4  # "3. Priority dluhů: co platit nejdříve", not the contents on page 1
    plan = next(t for t in by_id["rozchod-02"]["top"] if t["path"].endswith("cochemska-praxe-rodicovsky-plan.pdf"))
    assert plan["pages"][0] == 9  # "8. Vzor rodičovského plánu"


def test_the_scanned_leaflet_is_found_by_its_ocr_text(indexed_corpus):
    info, backend = indexed_corpus
    if any(s["path"] == SCAN for s in info["skipped"]):
        pytest.skip("OCR is off or Tesseract with Czech data is not installed: the scan has no text "
                    "(apt-get install tesseract-ocr tesseract-ocr-ces)")
    ocr_queries = [q for q in bench.load_judgments() if "ocr" in q.kind]
    assert ocr_queries
    result = bench.evaluate(ocr_queries, backend)
    failed = {row["id"] for row in result["per_query"]
              if SCAN in row["missing"] or any(p["path"] == SCAN for p in row["page_failures"])}
    assert not failed, _worse(result, lambda r: r["id"] in failed)
