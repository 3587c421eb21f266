"""Near-duplicate documents: found at indexing time, shown as one search result with
the differences, listed by `kb show`, kept apart by --no-group."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, kb_json, run_kb
from neardup_data import write_variants

from kb.index import store as kb_index
from kb.index.pipeline import run_index


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> tuple[Path, Path, list[set[str]]]:
    root = tmp_path_factory.mktemp("variants")
    corpus = root / "corpus"
    expected = write_variants(corpus)
    index = root / "index"
    run_index(corpus, index, workers=1)
    return corpus, index, expected


def manifest(index: Path) -> dict:
    return json.loads((kb_index.current_generation(index) / kb_index.MANIFEST).read_text(encoding="utf-8"))


def test_variants_form_exactly_the_expected_groups(variants):
    _, index, expected = variants
    found = [set(g) for g in manifest(index)["groups"]]
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))


def test_documents_of_one_topic_that_are_not_copies_form_no_group(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    run_index(corpus, tmp_path / "index", workers=1)
    assert manifest(tmp_path / "index")["groups"] == []


def test_search_shows_a_group_as_one_result_with_its_members(variants):
    _, index, expected = variants
    spod = expected[0]
    grouped = kb_json("search", "standardy kvality", "--index", index, "--limit", "50")
    separate = kb_json("search", "standardy kvality", "--index", index, "--limit", "50", "--no-group")
    shown = [r for r in grouped["results"] if r["path"] in spod]
    assert len(shown) == 1
    members = {shown[0]["path"]} | {d["path"] for d in shown[0]["duplicates"]}
    assert members == spod
    assert all(0.45 <= d["similarity"] <= 1 for d in shown[0]["duplicates"])
    assert grouped["total"] == separate["total"] - (len(spod) - 1)
    assert all(r["duplicates"] == [] for r in separate["results"])
    # facets count the group once
    assert grouped["facets"]["doc_type"]["standard"] == separate["facets"]["doc_type"]["standard"] - (len(spod) - 1)


def test_the_home_overview_counts_a_group_once(variants):
    from kb.library.browse import library_overview
    from kb.search import open_backend

    _, index, expected = variants
    backend = open_backend(index)
    try:
        ov = library_overview(backend)
        documents = backend.documents()
    finally:
        backend.close()
    copies = sum(len(group) - 1 for group in expected)
    assert sum(ov.counts["doc_type"].values()) == len(documents) - copies
    newest = [d.path for d in ov.newest]
    assert all(len(set(newest) & group) <= 1 for group in expected)  # never two copies side by side


def test_exact_copy_is_listed_with_full_similarity(variants):
    _, index, expected = variants
    result = kb_json("search", "domácí násilí vykázat", "--index", index)
    hit = next(r for r in result["results"] if r["path"] in expected[2])
    assert [d["similarity"] for d in hit["duplicates"]] == [1.0]


def test_what_differs_is_the_rewritten_standard(variants):
    _, index, _ = variants
    proc = run_kb("search", "standard 8 oznámení", "--index", index, check=True)
    out = proc.stdout
    assert "dalších téměř stejných dokumentů" in out
    litovel = out.split("Litovel: standardy/standardy-spod-litovel.pdf", 1)[1].split("•", 1)[0]
    assert "jen zde: str. 9: Standard 8" in litovel and "Od roku 2020 postupuje" in litovel
    # the standard 8 the others share is nobody's own
    assert out.count("jen zde: str. 9") == 1


def test_what_differs_leaves_out_signatures_dates_and_page_footers(variants):
    """Every municipality signs its own copy: "Jen zde" shows the rewritten section,
    never the signature, the date or the page footer that differ in every copy."""
    from kb.index.neardup import differences

    _, index, _ = variants
    out = run_kb("search", "standardy kvality", "--index", index, "--limit", "50", check=True).stdout
    own = [line for line in out.splitlines() if "jen zde:" in line]
    assert own and all("Za správnost" not in line and "Aktualizováno" not in line for line in own), own

    def pages(office: str, head: str, day: int, body: str) -> list[dict]:
        common = ("Pracovník oznámení zaznamená, posoudí jeho naléhavost a neprodleně o něm informuje "
                  "vedoucího oddělení, který rozhodne o dalším postupu.")
        return [{"page": 1, "content": f"{common}\nStrana 1 z 2"},
                {"page": 2, "content": f"{body}\n\nV {office} dne {day}. 3. 2024\n{head}, vedoucí odboru"
                                       f"\nsociálních věcí\nStrana 2 z 2"}]

    shared = ("Každé oznámení posoudí pracovník ještě týž den a o výsledku pořídí záznam do spisu, "
              "se kterým seznámí rodiče při nejbližší schůzce.")
    rewritten = ("Oznámení posuzují vždy dva pracovníci společně podle bodové škály rizik a rodině "
                 "nejprve nabídnou dobrovolné setkání v rodinném centru.")
    found = differences({"a": pages("Praze", "Mgr. Jana Malá", 3, shared),
                         "b": pages("Brně", "Ing. Petr Velký, Ph.D.", 17, shared),
                         "c": pages("Olomouci", "Bc. Eva Nová", 9, rewritten)})
    assert found["a"] == found["b"] == []
    assert [(p["page"], p["text"]) for p in found["c"]] == [(2, rewritten)]


def test_the_member_that_differs_most_is_listed_first(variants):
    """Whichever copy matches best, the municipality that rewrote standard 8 heads the
    list of the group's members, and the members without own text come after it."""
    _, index, _ = variants
    for query in ("standardy kvality hranice", "standardy kvality kralupy"):
        out = run_kb("search", query, "--index", index, "--limit", "50", check=True).stdout
        members = [line.strip() for line in out.splitlines() if line.strip().startswith("• ")]
        assert members[0].startswith("• Litovel:"), members
        assert "(Litovel, " in out


def test_kb_show_lists_the_group(variants):
    _, index, expected = variants
    data = kb_json("show", "metodiky/prace-s-rodinou-v-krizi.pdf", "--index", index)
    assert [d["path"] for d in data["duplicates"]] == ["metodiky/prace-s-rodinou-v-krizi-pracovni-verze.pdf"]
    text = run_kb("show", "metodiky/prace-s-rodinou-v-krizi.pdf", "--index", index, check=True).stdout
    assert "Téměř stejné dokumenty:" in text and "pracovni-verze.pdf — shoda" in text
    alone = kb_json("show", "standardy/standardy-poradna-olomouc.pdf", "--index", index)
    assert alone["duplicates"] == []


def test_a_copy_added_later_joins_the_group_and_a_removed_one_leaves_it(tmp_path):
    corpus = tmp_path / "corpus"
    write_variants(corpus)
    index = tmp_path / "index"
    run_index(corpus, index, workers=1)
    shutil.copyfile(corpus / "metodiky/prace-s-rodinou-v-krizi.pdf", corpus / "kopie-metodiky.pdf")
    report = run_index(corpus, index, workers=1)
    assert report.indexed == 1 and report.unchanged > 5  # only the new file was read
    groups = [set(g) for g in manifest(index)["groups"]]
    assert {"kopie-metodiky.pdf", "metodiky/prace-s-rodinou-v-krizi.pdf",
            "metodiky/prace-s-rodinou-v-krizi-pracovni-verze.pdf"} in groups
    (corpus / "letaky/kopie/letak-DN-final(1).pdf").unlink()
    run_index(corpus, index, workers=1)
    assert not any("letaky/kam-se-obratit-domaci-nasili.pdf" in g for g in manifest(index)["groups"])


def test_an_index_made_before_the_check_gets_its_groups_without_reading_files(tmp_path):
    corpus = tmp_path / "corpus"
    write_variants(corpus)
    index = tmp_path / "index"
    run_index(corpus, index, workers=1)
    gen = kb_index.current_generation(index)
    old = manifest(index)
    for entry in old["documents"].values():
        entry.pop("minhash"), entry.pop("minhash_version")
    old.pop("groups")
    (gen / kb_index.MANIFEST).write_text(json.dumps(old), encoding="utf-8")
    report = run_index(corpus, index, workers=1)
    assert report.indexed == 0
    assert len(manifest(index)["groups"]) == 3


def test_the_app_shows_one_card_expanding_to_members_and_keeps_the_chosen_one(variants, monkeypatch):
    from streamlit.testing.v1 import AppTest

    corpus, index, expected = variants
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(index))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    at.text_input(key="w_q").input("standard 8 oznámení")
    next(b for b in at.button if b.label == "Hledat").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [e.label for e in at.expander]
    group = next(lb for lb in labels if "dalších téměř stejných dokumentů" in lb)
    assert "Litovel" in group and "Hranice" in group
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Jen zde, str. 9:" in html and "tandemového" in html
    litovel = next(b for b in at.button if b.key and b.key.startswith("dup-")
                   and "Litovel" in b.label and not b.key.startswith("dup-add"))
    add = at.button(key=litovel.key.replace("dup-", "dup-add-", 1))
    add.click().run()
    assert at.session_state["collection"].paths() == ["standardy/standardy-spod-litovel.pdf"]
