"""Query fuzzing: whatever a person (or a pasted text, or a hostile URL) puts into the
search box, the answer is results or a QueryError with a Czech message, never another
exception.

Hypothesis generates queries from arbitrary Unicode (lone surrogates and control
characters included: a command line turns undecodable bytes into surrogates), from the
query language's own pieces in odd places (unbalanced quotes and brackets, lone OR, -,
*, ?, field-like a:b, stopwords only), and long ones up to 10,000 characters. CI runs a
few hundred examples per property; `-m slow` runs 10,000 for the search property.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from builders import make_docx, make_pdf
from conftest import KB, PAGE_1, PAGE_2, PAGE_3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CZECH_LETTERS = set("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ")

PIECES = [
    '"', '"', "(", ")", "((", "))", "OR", "OR", "AND", "NOT", "-", "--", "-OR", '-"', "*", "?", "**",
    "a:b", "title:násilí", "content:", ":", "path:/etc/passwd", "\\", "/", "~", "^2", "!", "&&", "||",
    "a", "v", "na", "se", "a v na", "že", "domácí", "domaci", "násilí", "NÁSILÍ", "kyberšikaně",
    "pěstouni", "rozhovor", "dítětem", "ospod", "§", "§ 6", "359/1999", "CZ.03.2.63/0.0/0.0/16_063/0006543",
    "poradna@example-fiktivni.cz", "12.3.2024", "0006543", "-sebepoškozování", '"rozhovor s dítětem"',
    "<script>alert(1)</script>", "javascript:alert(1)", "%00", "\x00", "\t", "\n", "\r", "\x1b[31m",
    "\u200b", "\u202e", "\ufeff", "\ud800", "\udcff", "🙂", "👨‍👩‍👧", "e\u0301", "ǆ", "ﬁ", "İ", "ß",
    "日本語", "مرحبا", "Ω", "\u00ad", "_", "__init__", "' OR 1=1 --", "${jndi:ldap://x}",
]

any_unicode = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)
control_and_surrogates = st.text(st.characters(categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")),
                                 max_size=40)
assembled = st.lists(st.one_of(st.sampled_from(PIECES), any_unicode), max_size=25).map(
    lambda parts: " ".join(parts))
glued = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
long = st.builds(lambda part, times: (part * times)[:10_000],
                 st.one_of(st.sampled_from(PIECES), assembled).filter(bool), st.integers(1, 10_000))
only_stopwords = st.lists(st.sampled_from(["a", "v", "na", "se", "že", "je", "to", "ve", "z", "i"]),
                          min_size=1, max_size=30).map(" ".join)
queries = st.one_of(any_unicode, control_and_surrogates, assembled, glued, long, only_stopwords)

FILTER_IDS = ["kybersikana", "domaci-nasili", "ospod", "policie", "letak", "metodika", "", "neni",
              "KYBERSIKANA", "../etc", "\ud800", "a:b", " ospod"]


def assert_czech_message(error: Exception) -> None:
    message = str(error)
    assert message and len(message) < 600, message
    assert CZECH_LETTERS & set(message), f"not a Czech message: {message!r}"
    assert "Traceback" not in message
    message.encode("utf-8")  # printable and sendable to a browser


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    from kb.index.pipeline import run_index
    from kb.search import open_backend
    from kb.settings import Settings

    root = tmp_path_factory.mktemp("fuzz")
    corpus = root / "corpus"
    make_pdf(corpus / "metodika.pdf", [PAGE_1, PAGE_2, PAGE_3], title="Metodika pro OSPOD")
    make_docx(corpus / "letak.docx", [("h1", "Kyberšikana — co dělat"),
                                      ("p", "Kyberšikanou trpí žáci. Škola spolupracuje s PPP.")])
    (corpus / "pestouni.txt").write_text("Pěstouni a pěstounská péče\n\nPěstounů přibývá. § 6.",
                                         encoding="utf-8")
    run_index(corpus, root / "index", settings=Settings(workers=1))
    opened = open_backend(root / "index")
    yield opened
    opened.close()


def check_search(backend, query: str, topics=(), types=()) -> str:
    """Search; returns "results" or "refused", and fails on anything else."""
    from kb.errors import QueryError
    from kb.search import SearchRequest

    try:
        filters = {k: tuple(v) for k, v in (("topics", topics), ("doc_type", types)) if v}
        result = backend.search(SearchRequest(query=query, filters=filters, limit=5))
    except QueryError as e:
        assert_czech_message(e)
        return "refused"
    data = result.to_dict()
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # the CLI can print it
    assert data["total"] >= len(data["results"])
    for hit in data["results"]:
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["snippet"])
    return "results"


def check_parse(query: str) -> None:
    from kb.errors import QueryError
    from kb.search.query import parse_query

    try:
        parse_query(query)
    except QueryError as e:
        assert_czech_message(e)


FAST = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@FAST
@given(queries)
def test_parse_query_gives_a_query_or_a_czech_error(query: str):
    check_parse(query)


@FAST
@given(queries)
def test_search_gives_results_or_a_czech_error(backend, query: str):
    check_search(backend, query)


@FAST
@given(queries, st.lists(st.sampled_from(FILTER_IDS), max_size=3), st.lists(st.sampled_from(FILTER_IDS), max_size=2))
def test_search_with_odd_filters_gives_results_or_a_czech_error(backend, query, topics, types):
    check_search(backend, query, topics, types)


@pytest.mark.parametrize("query", [
    "", " ", '"', '""', '"rozhovor s', "((", ")", "OR", "OR OR", "-", "- -", "*", "?", "a:b", "a v na se",
    "x" * 10_000, "domácí " * 1_500, "-násilí", '"a v na"', "\x00\x01\x02", "\ud800", "🙂" * 100,
    "násilí OR", "OR násilí", "násilí -", '"-"', "-OR", " ".join(f"slovo{i}" for i in range(50)),
    " OR ".join(f"slovo{i}" for i in range(200)), '"' + "pěstouni " * 120 + '"',
])
def test_known_awkward_queries(backend, query: str):
    assert check_search(backend, query) in ("results", "refused")


def test_a_normal_query_still_finds_something(backend):
    assert check_search(backend, "domaci nasili") == "results"


@pytest.mark.parametrize("argv", [
    [b"\xff\xfe"], [b"n\xe1sil\xed"], ["--", "-násilí"], ['"rozhovor'], ["a:b", "OR"], ["x" * 5000],
    ["domácí", "--topic", "neni"], ["\x1b]0;titulek\x07"],
])
def test_the_command_line_answers_odd_queries_without_a_traceback(backend, argv):
    index = Path(backend.index_dir)
    proc = subprocess.run([KB, "search", *argv, "--index", str(index), "--json"], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=60)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 2), stderr
    assert "Traceback" not in stderr
    if proc.returncode == 0:
        json.loads(proc.stdout)
    else:
        assert CZECH_LETTERS & set(stderr)


COUNTED = {"results": 0, "refused": 0}


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(queries)
def test_search_long_run(backend, query: str):
    COUNTED[check_search(backend, query)] += 1


@pytest.mark.slow
def test_search_long_run_figure(capsys):
    """Runs after test_search_long_run: every query it tried was answered or refused with a
    Czech message (any other outcome fails check_search there), and it tried them all."""
    tried = sum(COUNTED.values())
    if tried == 0:
        pytest.skip("test_search_long_run did not run in this session (run the whole file with -m slow)")
    assert COUNTED["results"] > 0 and COUNTED["refused"] > 0, COUNTED  # both paths were exercised
    with capsys.disabled():
        print(f"\nlong fuzz run: {tried} queries, {COUNTED['results']} answered, "
              f"{COUNTED['refused']} refused with a Czech message")
