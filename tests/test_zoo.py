"""The malformed-file zoo: broken, hostile and odd files in one corpus beside good ones.

Every specimen is made here from bytes (tests/hostile.py). One `kb index` over the whole
zoo must finish, skip each unreadable file with a Czech reason (or index it, where it is
readable), never run code from a file, and index every good document. The limits per
file (KB_FILE_TIMEOUT, KB_WORKER_MEMORY_MB, KB_MAX_FILE_MB) are tested with tiny values.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hostile
import pytest
from builders import make_docx, make_pdf
from conftest import KB, PAGE_1, PAGE_2, PAGE_3

ZOO_ENV = {"KB_FILE_TIMEOUT": "10", "KB_WORKER_MEMORY_MB": "300", "KB_MAX_FILE_MB": "4",
           "KB_WORKERS": "2", "KB_WAIT_FOR_LOCK": "0"}

INDEXED, SKIPPED, EITHER, ABSENT = "indexed", "skipped", "indexed or skipped", "absent"


@dataclass
class Specimen:
    path: str
    make: Callable[[Path, Path], None]  # (file path, corpus root)
    expect: str
    reasons: tuple[str, ...] = ()  # one of these is in the skip reason
    finds: str = ""  # when indexed: this query finds it
    warns: bool = False  # indexed with a sidecar warning
    root_proof: bool = False  # the outcome needs file permissions that root ignores
    notes: list[str] = field(default_factory=list)


def _bytes(data: bytes | Callable[[], bytes]):
    def make(path: Path, root: Path) -> None:
        path.write_bytes(data() if callable(data) else data)
    return make


def _good_pdf(path: Path, root: Path) -> None:
    make_pdf(path, [PAGE_1, PAGE_2, PAGE_3], title="Metodika pro OSPOD")


def _truncated_pdf(path: Path, root: Path) -> None:
    data = make_pdf(path, [PAGE_1, PAGE_2, PAGE_3]).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bitflipped_pdf(path: Path, root: Path) -> None:
    data = bytearray(make_pdf(path, [PAGE_1, PAGE_2, PAGE_3]).read_bytes())
    middle = len(data) // 2
    data[middle: middle + 400] = os.urandom(400)
    path.write_bytes(bytes(data))


def _pdf_without_xref(path: Path, root: Path) -> None:
    data = hostile.one_page_pdf()
    path.write_bytes(data[: data.rindex(b"xref")])


def _encrypted(password: str):
    def make(path: Path, root: Path) -> None:
        make_pdf(path, [PAGE_2], password=password)
    return make


def _docx_truncated(path: Path, root: Path) -> None:
    data = make_docx(path, [("h1", "Kyberšikana"), ("p", "Škola spolupracuje s rodiči.")]).read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _docx_without_body(path: Path, root: Path) -> None:
    path.write_bytes(hostile.zip_with_raw_entries([("word/styles.xml", b"\x03\x00", 0, 0)]))


def _text(data: bytes):
    return _bytes(data)


def _with_sidecar(yaml_text: str):
    def make(path: Path, root: Path) -> None:
        path.write_text("Supervize pracovníků OSPOD a doprovázení pěstounů. Sidecar test.",
                        encoding="utf-8")
        marker = root.parent / "SPUSTENO"
        path.with_suffix(".yaml").write_text(yaml_text.format(marker=marker), encoding="utf-8")
    return make


def _symlink(target: Callable[[Path, Path], str]):
    def make(path: Path, root: Path) -> None:
        os.symlink(target(path, root), path)
    return make


def _symlink_loop(path: Path, root: Path) -> None:
    other = path.with_name("smycka-b.pdf")
    os.symlink(other.name, path)
    os.symlink(path.name, other)


def _outside_file(path: Path, root: Path) -> str:
    outside = root.parent / "mimo-knihovnu.txt"
    outside.write_text("Tajná data mimo knihovnu, nesmí se zaindexovat. zebra", encoding="utf-8")
    return str(outside)


def _fifo(path: Path, root: Path) -> None:
    os.mkfifo(path)


def _unreadable(path: Path, root: Path) -> None:
    make_pdf(path, [PAGE_1])
    path.chmod(0)


def _directory_loop(path: Path, root: Path) -> None:
    os.symlink("..", path)  # `path` is a folder link back up: never followed


def _bad_name(path: Path, root: Path) -> None:
    fd = os.open(os.fsencode(path.parent) + b"/nazev-\xff\xfe-cp1250-\xe8.txt", os.O_CREAT | os.O_WRONLY)
    os.write(fd, "Soubor se špatným názvem, obsah je v pořádku.".encode())
    os.close(fd)


def _control_name(path: Path, root: Path) -> None:
    (path.parent / "radek\nnovy\x1b[31m.txt").write_text("Název s řídicími znaky.", encoding="utf-8")


# Every file of the zoo, by folder. Paths are relative to the corpus root.
ZOO = [
    # good documents, which must all be indexed whatever their neighbours do
    Specimen("dobre/metodika.pdf", _good_pdf, INDEXED, finds="sebepoškozování dospívajících"),
    Specimen("dobre/letak.docx", lambda p, r: make_docx(p, [
        ("h1", "Kyberšikana — co dělat"), ("p", "Kyberšikanou trpí žáci. Škola informuje rodiče.")]),
        INDEXED, finds="kyberšikana"),
    Specimen("dobre/poznamka.txt", _text("Veřejný opatrovník hájí zájmy opatrovance.".encode()),
             INDEXED, finds="opatrovník"),
    # PDF
    Specimen("pdf/zkraceny.pdf", _truncated_pdf, EITHER, ("poškozené", "bez textové vrstvy")),
    Specimen("pdf/nahodna-data-s-hlavickou.pdf", _bytes(lambda: b"%PDF-1.7\n" + os.urandom(4000)),
             SKIPPED, ("poškozené", "bez textové vrstvy")),
    Specimen("pdf/prepsany-stred.pdf", _bitflipped_pdf, EITHER, ("poškozené", "bez textové vrstvy")),
    Specimen("pdf/bez-xref.pdf", _pdf_without_xref, EITHER, ("poškozené",)),
    Specimen("pdf/heslo-pro-cteni.pdf", _encrypted("tajne"), SKIPPED, ("zaheslované",)),
    Specimen("pdf/heslo-jen-vlastnika.pdf", _encrypted(""), INDEXED, finds="intervenční centrum"),
    Specimen("pdf/nula-bajtu.pdf", _bytes(b""), SKIPPED, ("prázdný",)),
    Specimen("pdf/nahodne-bajty.pdf", _bytes(lambda: os.urandom(5000)), SKIPPED, ("není to PDF",)),
    Specimen("pdf/webova-stranka.pdf", _bytes(b"<!DOCTYPE html><html><body>Stranka</body></html>"),
             SKIPPED, ("není to PDF",)),
    Specimen("pdf/5000-prazdnych-stran.pdf", _bytes(lambda: hostile.pdf_many_pages(5000, False)),
             SKIPPED, ("bez textové vrstvy",)),
    Specimen("pdf/5000-stran-text-na-prvni.pdf", _bytes(lambda: hostile.pdf_many_pages(5000, True)),
             INDEXED),
    Specimen("pdf/vnorene-pole-100000.pdf", _bytes(hostile.pdf_deeply_nested), EITHER,
             ("poškozené", "vnořenou", "bez textové vrstvy")),
    Specimen("pdf/vnorene-slovniky-50000.pdf", _bytes(hostile.pdf_nested_dicts), EITHER,
             ("poškozené", "vnořenou", "bez textové vrstvy")),
    Specimen("pdf/cyklus-stromu-stran.pdf", _bytes(hostile.pdf_page_tree_cycle), EITHER,
             ("poškozené",)),
    Specimen("pdf/xobject-bomba.pdf", _bytes(hostile.pdf_xobject_bomb), EITHER,
             ("déle než", "paměti", "selhalo", "bez textové vrstvy")),
    Specimen("pdf/flate-bomba-1gb.pdf", _bytes(hostile.pdf_flate_bomb), SKIPPED,
             ("déle než", "paměti", "selhalo", "bez textové vrstvy", "poškozené")),
    Specimen("pdf/statisice-operaci.pdf", _bytes(hostile.pdf_slow_text), EITHER,
             ("déle než", "bez textové vrstvy")),
    # DOCX
    Specimen("docx/nula-bajtu.docx", _bytes(b""), SKIPPED, ("prázdný",)),
    Specimen("docx/nahodne-bajty.docx", _bytes(lambda: os.urandom(5000)), SKIPPED,
             ("není to dokument Word",)),
    Specimen("docx/ve-skutecnosti-pdf.docx", _bytes(hostile.one_page_pdf), SKIPPED,
             ("není to dokument Word",)),
    Specimen("docx/zip-bomba-2gb.docx", _bytes(lambda: hostile.docx_zip_bomb(2)), SKIPPED,
             ("200 MB",)),
    Specimen("docx/zip-bomba-lzive-velikosti.docx",
             _bytes(lambda: hostile.docx_zip_bomb(2, forged_size=5000)), SKIPPED, ("poškozený",)),
    Specimen("docx/xml-entity-bomba.docx", _bytes(hostile.docx_entity_bomb), SKIPPED,
             ("poškozený", "XML")),
    Specimen("docx/zkraceny.docx", _docx_truncated, SKIPPED, ("poškozený",)),
    Specimen("docx/bez-textu-dokumentu.docx", _docx_without_body, SKIPPED,
             ("neobsahuje text", "poškozený")),
    # TXT
    Specimen("txt/neplatne-utf8.txt", _text("Kolibřík".encode() + b" \xff\xfe\xc3\x28 \xed\xa0\x80 "
                                            + "a domácí násilí v rodině".encode()),
             INDEXED, finds="kolibřík"),
    Specimen("txt/smisene-kodovani.txt", _text("Pelikán a pěstounská péče. ".encode() * 20
                                               + "Žirafa v cp1250.".encode("cp1250")),
             INDEXED, finds="pelikán"),
    Specimen("txt/cp1250.txt", _text("Tučňák: rozhovor s dítětem, kurátor pro mládež.".encode("cp1250")),
             INDEXED, finds="tučňák"),
    Specimen("txt/utf16-bom.txt", _text("Hroch a mediace mezi rodiči.".encode("utf-16")),
             INDEXED, finds="hroch"),
    Specimen("txt/ridici-znaky.txt", _text("Lemur \x1b]0;titulek\x07 \u202eobráceně\u202c "
                                           "\u200b a \x08 zadluženost rodiny.".encode()),
             INDEXED, finds="lemur"),
    Specimen("txt/binarni.txt", _bytes(lambda: b"\x00\x01\x02" + os.urandom(3000)), SKIPPED,
             ("binární data",)),
    Specimen("txt/nula-bajtu.txt", _bytes(b""), SKIPPED, ("prázdný",)),
    Specimen("txt/jen-mezery.txt", _bytes(b" \n\t\r\n  " * 100), SKIPPED, ("prázdný",)),
    Specimen("txt/jedno-slovo-3mb.txt", _text(b"Mravenec " + b"x" * 3_000_000 + b" konec"),
             INDEXED, finds="mravenec"),
    Specimen("txt/prilis-velky-5mb.txt", _bytes(lambda: b"slovo " * 900_000), SKIPPED,
             ("příliš velký",)),
    # sidecars
    Specimen("yaml/python-tag.txt", _with_sidecar(hostile.YAML_PYTHON_TAG), INDEXED, warns=True,
             finds="doprovázení pěstounů"),
    Specimen("yaml/miliarda-smichu.txt", _with_sidecar(hostile.YAML_BILLION_LAUGHS), INDEXED,
             warns=True),
    Specimen("yaml/hluboce-vnoreny.txt", _with_sidecar(hostile.YAML_DEEP), INDEXED, warns=True),
    Specimen("yaml/obrovsky.txt", _with_sidecar("summary: '" + "x" * 100_000 + "'\n"), INDEXED,
             warns=True),
    Specimen("yaml/neplatne-znaky.txt", _with_sidecar('title: "Zpráva \\ud800 \\x1b[2J konec"\n'),
             INDEXED),
    # the file system
    Specimen("odkazy/smycka-a.pdf", _symlink_loop, SKIPPED, ("smyčku",)),
    Specimen("odkazy/smycka-b.pdf", lambda p, r: None, SKIPPED, ("smyčku",)),
    Specimen("odkazy/ven.txt", _symlink(_outside_file), SKIPPED, ("mimo složku",)),
    Specimen("odkazy/na-dev-zero.txt", _symlink(lambda p, r: "/dev/zero"), SKIPPED, ("mimo složku",)),
    Specimen("odkazy/nikam.pdf", _symlink(lambda p, r: "neexistuje.pdf"), SKIPPED, ("nikam",)),
    Specimen("odkazy/uvnitr.txt", _symlink(lambda p, r: "../dobre/poznamka.txt"), INDEXED),
    Specimen("odkazy/slozka-smycka", _directory_loop, ABSENT),
    Specimen("zvlastni/roura.txt", _fifo, SKIPPED, ("běžný soubor",)),
    Specimen("zvlastni/bez-prava-cist.pdf", _unreadable, SKIPPED, ("oprávnění",), root_proof=True),
    Specimen("zvlastni/nazev-\ufffd\ufffd-cp1250-\ufffd.txt", _bad_name, SKIPPED, ("neplatné znaky",)),
    Specimen("zvlastni/radek novy[31m.txt", _control_name, SKIPPED, ("neplatné znaky",)),
]


def build_zoo(root: Path) -> None:
    for specimen in ZOO:
        path = root / specimen.path
        path.parent.mkdir(parents=True, exist_ok=True)
        specimen.make(path, root)


def run_index(corpus: Path, index: Path, env: dict, prefix: list[str] | None = None,
              timeout: int = 600) -> tuple[dict, subprocess.CompletedProcess]:
    proc = subprocess.run([*(prefix or []), KB, "index", str(corpus), "--index", str(index), "--json"],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), proc


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("zoo")
    corpus, index = base / "corpus", base / "index"
    build_zoo(corpus)
    prefix = hostile.without_root_file_access()
    result, proc = run_index(corpus, index, ZOO_ENV, prefix)
    from kb.search import SearchRequest, open_backend

    backend = open_backend(index)
    listed = {d.path for d in backend.documents()}
    return {"corpus": corpus, "index": index, "result": result, "listed": listed, "base": base,
            "backend": backend, "SearchRequest": SearchRequest, "permissions_enforced": prefix is not None}


def _outcome(zoo: dict, path: str) -> tuple[str, str]:
    skipped = {s["path"]: s["reason"] for s in zoo["result"]["skipped"]}
    if path in skipped:
        return SKIPPED, skipped[path]
    return (INDEXED if path in zoo["listed"] else ABSENT), ""


@pytest.mark.parametrize("specimen", ZOO, ids=[s.path for s in ZOO])
def test_zoo_specimen_is_skipped_with_a_reason_or_indexed(zoo: dict, specimen: Specimen):
    if specimen.root_proof and not zoo["permissions_enforced"]:
        pytest.skip("runs as root without setpriv: root reads files whatever their permissions")
    outcome, reason = _outcome(zoo, specimen.path)
    allowed = {INDEXED, SKIPPED} if specimen.expect == EITHER else {specimen.expect}
    assert outcome in allowed, (specimen.path, outcome, reason)
    if outcome == SKIPPED:
        assert any(r in reason for r in specimen.reasons), (specimen.path, reason)
    if outcome == INDEXED and specimen.finds:
        backend, request = zoo["backend"], zoo["SearchRequest"]
        results = backend.search(request(query=specimen.finds, limit=100)).results
        # a near-identical copy is found inside its group's result (kb/index/neardup.py)
        hits = [r.path for r in results] + [d["path"] for r in results for d in r.duplicates]
        assert specimen.path in hits, (specimen.finds, hits)
    if specimen.warns:
        warned = {w["path"] for w in zoo["result"]["warnings"]}
        assert specimen.path in warned


def test_zoo_every_good_document_is_indexed_and_nothing_else_appears(zoo: dict):
    expected = {s.path for s in ZOO if s.expect == INDEXED}
    assert expected <= zoo["listed"]
    known = {s.path for s in ZOO}
    assert zoo["listed"] <= known, zoo["listed"] - known  # nothing from outside the corpus
    assert zoo["result"]["documents"] == len(zoo["listed"])
    reasons = [s["reason"] for s in zoo["result"]["skipped"]]
    assert all(len(r) > 15 and "Error" not in r for r in reasons), reasons  # words for a person


def test_zoo_yaml_tags_never_run_code_and_outside_files_never_leak(zoo: dict):
    assert not (zoo["base"] / "SPUSTENO").exists()
    hits = zoo["backend"].search(zoo["SearchRequest"](query="zebra")).results
    assert hits == []  # the text of the file outside the corpus is not searchable
    backend = zoo["backend"]
    texts = [d.title for d in backend.documents()]
    texts += [page["content"] for d in backend.documents() for page in backend.page_texts(d.path)]
    assert not any(ch in t for t in texts for ch in "\x1b\x07\x08\ud800\u202e"), "unsafe characters"


def test_zoo_second_run_does_not_retry_known_bad_files(zoo: dict):
    prefix = hostile.without_root_file_access()
    again, _ = run_index(zoo["corpus"], zoo["index"], ZOO_ENV, prefix)
    assert again["indexed"] == 0
    assert again["unchanged"] == zoo["result"]["documents"]
    assert sorted(s["path"] for s in again["skipped"]) == sorted(s["path"] for s in zoo["result"]["skipped"])


def test_zoo_every_file_has_exactly_one_outcome(zoo: dict, capsys):
    """Each specimen is indexed, skipped once with a reason, or (a folder link) not listed:
    never two of these, never listed twice in the skip list. Prints the outcome of every
    specimen (README "Spolehlivost" quotes the counts)."""
    skipped = [s["path"] for s in zoo["result"]["skipped"]]
    assert len(skipped) == len(set(skipped)), "a file is listed twice among the skipped"
    assert not set(skipped) & zoo["listed"], "a file is both indexed and skipped"
    rows = [(s.path, *_outcome(zoo, s.path)) for s in ZOO]
    counts = {kind: sum(r[1] == kind for r in rows) for kind in (INDEXED, SKIPPED, ABSENT)}
    assert counts[ABSENT] == sum(s.expect == ABSENT for s in ZOO)
    assert sum(counts.values()) == len(ZOO)
    with capsys.disabled():
        print(f"\nzoo: {len(rows)} files, {counts[INDEXED]} indexed, {counts[SKIPPED]} skipped, "
              f"{counts[ABSENT]} not listed (folder link); run {zoo['result']['seconds']} s")
        for path, outcome, reason in rows:
            print(f"  {outcome:8} {path}  {reason[:90]}")


# ---------------------------------------------------------------- tiny limits


def _small_corpus_with(tmp_path: Path, name: str, data: bytes) -> Path:
    corpus = tmp_path / "corpus"
    make_pdf(corpus / "dobry.pdf", [PAGE_1, PAGE_2])
    (corpus / "dobry.txt").write_text("Mediace mezi rodiči po rozchodu.", encoding="utf-8")
    (corpus / name).write_bytes(data)
    return corpus


def _skipped(result: dict) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in result["skipped"]}


def test_tiny_time_limit_stops_a_slow_file_and_the_rest_is_indexed(tmp_path: Path):
    corpus = _small_corpus_with(tmp_path, "pomaly.pdf", hostile.pdf_slow_text(1_500_000))
    result, _ = run_index(corpus, tmp_path / "index", {"KB_FILE_TIMEOUT": "1", "KB_WORKERS": "2"})
    reason = _skipped(result)["pomaly.pdf"]
    assert "déle než 1 s" in reason or "zaseklo" in reason, reason
    assert result["indexed"] == 2


def test_tiny_memory_limit_stops_a_greedy_file_and_the_rest_is_indexed(tmp_path: Path):
    corpus = _small_corpus_with(tmp_path, "zrout.docx", hostile.docx_many_paragraphs(150))
    result, _ = run_index(corpus, tmp_path / "index", {"KB_WORKER_MEMORY_MB": "300", "KB_WORKERS": "2"})
    reason = _skipped(result)["zrout.docx"]
    assert "paměti" in reason or "selhalo" in reason, reason
    assert result["indexed"] == 2


def test_tiny_size_limit_skips_a_big_file_unread(tmp_path: Path):
    corpus = _small_corpus_with(tmp_path, "velky.txt", b"pomoc rodine " * 200_000)  # 2.6 MB
    result, _ = run_index(corpus, tmp_path / "index", {"KB_MAX_FILE_MB": "1"})
    assert "příliš velký (2.5 MB, limit 1 MB)" in _skipped(result)["velky.txt"]
    assert result["indexed"] == 2


# ---------------------------------------------------------------- workers that crash or hang


def _sources(tmp_path: Path, names: list[str]):
    from kb.index.scan import SourceFile

    sources = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"Text souboru {name}: supervize a mediace.", encoding="utf-8")
        sources.append(SourceFile(rel=name, path=path))
    return sources


@pytest.mark.parametrize("workers", [1, 3])
def test_a_crashing_hanging_or_greedy_worker_blames_only_its_own_file(tmp_path: Path, workers: int):
    """A worker killed by a crash in C code, one stuck where the alarm cannot reach it, and
    one that eats memory: each costs only its own file; no innocent file is blamed."""
    from kb.index.workers import CRASH_REASON, extract_all
    from kb.settings import Settings

    names = [f"a{i:02d}.txt" for i in range(10)]
    names[2], names[5], names[7] = "b-spadne.txt", "c-zasekne.txt", "d-pamet.txt"
    settings = Settings(file_timeout=1, worker_memory_bytes=400 * 1024 * 1024)
    results = {s.rel: (status, value) for s, status, value in
               extract_all(_sources(tmp_path, names), settings, workers, task=hostile.misbehaving_task)}
    assert set(results) == set(names)
    assert results["b-spadne.txt"] == ("skip", CRASH_REASON)
    assert results["c-zasekne.txt"] == ("skip", CRASH_REASON)
    assert results["d-pamet.txt"][0] == "skip" and "paměti" in results["d-pamet.txt"][1]
    innocent = [n for n in names if n[0] == "a"]
    assert all(results[n][0] == "ok" for n in innocent), {n: results[n] for n in innocent}


def test_c_code_that_never_lets_go_is_stopped_by_the_kernel(tmp_path: Path):
    """No Python code runs in that worker any more, not even the watchdog thread: the CPU
    time limit that the watchdog keeps just ahead of the alarm ends it."""
    from kb.index.workers import CRASH_REASON, extract_all
    from kb.settings import Settings

    names = ["a1.txt", "b-drzi-zamek.txt", "a2.txt"]
    results = {s.rel: (status, value) for s, status, value in extract_all(
        _sources(tmp_path, names), Settings(file_timeout=1), 1, task=hostile.misbehaving_task)}
    assert results["b-drzi-zamek.txt"] == ("skip", CRASH_REASON)
    assert results["a1.txt"][0] == results["a2.txt"][0] == "ok"


# ---------------------------------------------------------------- files changing during the run


@pytest.fixture
def indexed_txt(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, word in enumerate(["mediace", "supervize", "zadluženost", "pěstouni"]):
        (corpus / f"doc{i}.txt").write_text(f"Dokument {i} o tématu {word}. Původní verze.",
                                            encoding="utf-8")
    index = tmp_path / "index"
    run_index(corpus, index, {})
    return corpus, index


def _run_in_process_with(monkeypatch, after_hash: Callable, corpus: Path, index: Path,
                         keep_bytes: int | None = None):
    """run_index in this process, calling `after_hash(source)` right after each file is
    hashed and before its extraction starts: the moment an editor saves or deletes it.
    `keep_bytes=0` makes the workers read their files themselves (as past the plan's
    byte budget in a large first run)."""
    from kb.index import pipeline
    from kb.settings import Settings

    original = pipeline.hash_file

    def hash_then_touch(source, settings):
        reason = original(source, settings)
        after_hash(source)
        return reason

    monkeypatch.setattr(pipeline, "hash_file", hash_then_touch)
    if keep_bytes is not None:
        monkeypatch.setattr(pipeline, "KEEP_BYTES", keep_bytes)
    return pipeline.run_index(corpus, index, settings=Settings(workers=2))


def _search_paths(index: Path, query: str) -> list[str]:
    from kb.search import SearchRequest, open_backend

    return [r.path for r in open_backend(index).search(SearchRequest(query=query)).results]


def _consistent(index: Path) -> None:
    """Every page in the index belongs to a document in the manifest (no ghosts)."""
    from kb.search import open_backend

    backend = open_backend(index)
    listed = {d.path for d in backend.documents()}
    stored = {fields["path"] for fields in backend.searcher.all_stored_fields()}
    assert stored == listed


def test_file_deleted_after_it_was_read_is_indexed_as_read_then_removed(monkeypatch, indexed_txt):
    """The plan's bytes go to the workers: a file deleted after it was read is indexed as
    it was read, and the next run takes it out."""
    corpus, index = indexed_txt
    (corpus / "doc1.txt").write_text("Dokument 1, nová verze o supervizi týmu.", encoding="utf-8")

    def delete(source):
        if source.rel == "doc1.txt":
            source.path.unlink()

    report = _run_in_process_with(monkeypatch, delete, corpus, index)
    assert (report.indexed, report.skipped, report.documents) == (1, [], 4)
    assert _search_paths(index, "supervize") == ["doc1.txt"]
    again, _ = run_index(corpus, index, {})
    assert (again["removed"], again["documents"]) == (1, 3)
    assert _search_paths(index, "supervize") == []
    _consistent(index)


def test_file_deleted_before_a_worker_reads_it_is_skipped_and_leaves_no_ghost(monkeypatch, indexed_txt):
    corpus, index = indexed_txt
    (corpus / "doc1.txt").write_text("Dokument 1, nová verze o supervizi týmu.", encoding="utf-8")

    def delete(source):
        if source.rel == "doc1.txt":
            source.path.unlink()

    report = _run_in_process_with(monkeypatch, delete, corpus, index, keep_bytes=0)
    assert "zmizel" in {s["path"]: s["reason"] for s in report.skipped}["doc1.txt"]
    assert report.documents == 3
    assert _search_paths(index, "supervize") == []  # neither the old nor the new text
    _consistent(index)


def _save_again(source):
    if source.rel == "doc2.txt":
        source.path.write_text("Dokument 2, uložená verze o oddlužení a exekucích.", encoding="utf-8")


def test_file_changed_after_it_was_read_is_indexed_as_read_and_again_next_run(monkeypatch, indexed_txt):
    corpus, index = indexed_txt
    (corpus / "doc2.txt").write_text("Dokument 2, rozepsaná verze o exekucích.", encoding="utf-8")
    report = _run_in_process_with(monkeypatch, _save_again, corpus, index)
    assert report.indexed == 1 and not report.skipped
    assert _search_paths(index, "rozepsaná") == ["doc2.txt"] and _search_paths(index, "oddlužení") == []
    # the manifest records the content that was indexed, so the next run sees the change
    again, _ = run_index(corpus, index, {})
    assert (again["indexed"], again["unchanged"]) == (1, 3)
    assert _search_paths(index, "oddlužení") == ["doc2.txt"]
    _consistent(index)


def test_file_changed_before_a_worker_reads_it_is_indexed_as_the_worker_read_it(monkeypatch, indexed_txt):
    corpus, index = indexed_txt
    (corpus / "doc2.txt").write_text("Dokument 2, rozepsaná verze o exekucích.", encoding="utf-8")
    report = _run_in_process_with(monkeypatch, _save_again, corpus, index, keep_bytes=0)
    assert report.indexed == 1 and not report.skipped
    assert _search_paths(index, "oddlužení") == ["doc2.txt"]
    # the manifest records the content that was indexed, so the next run sees no change
    again, _ = run_index(corpus, index, {})
    assert (again["indexed"], again["unchanged"]) == (0, 4)
    _consistent(index)


def test_file_made_unreadable_after_indexing_leaves_the_index_consistent(indexed_txt):
    prefix = hostile.without_root_file_access()
    if prefix is None:
        pytest.skip("runs as root without setpriv: root reads files whatever their permissions")
    corpus, index = indexed_txt
    (corpus / "doc3.txt").chmod(0)
    result, _ = run_index(corpus, index, {}, prefix)
    assert "oprávnění" in _skipped(result)["doc3.txt"]
    assert _search_paths(index, "pěstouni") == []
    _consistent(index)
