#!/usr/bin/env python3
"""Indexing and search benchmark on a synthetic corpus of N pages, side by side with
plain Whoosh.

The corpus is composed from the sentences and headings of the team's corpus sources
(corpus/src/*.md): multi-page PDFs (fpdf2, DejaVu) with running headers, page
numbers and hyphenated line ends, plus some DOCX and TXT files and YAML sidecars.
A fixed seed makes it the same on every machine; it is generated once into the cache
folder and reused.

Measured in one run, each phase in a fresh child process (so peak RSS is its own):
  extraction   pages/s of the raw PDF extractors + page cleaning, one core: pypdf
               (the old floor of indexing) and pdfium (the extractor kb uses now)
  kb index     end to end (hash, extract in workers, tag, Whoosh) with 1 and 2 worker
               processes; index size; a second run over the unchanged corpus
  kb search    >= 200 fixed queries (single words, inflected, unaccented, several
               words, phrases, filters, OR, exclusions, filter only) as the app asks
               them (limit 20, facets, snippets), warm: p50/p95/p99; cold start in a
               fresh process (imports, open the index, first query); peak RSS
  baseline     the same page records indexed and queried by the same plain Whoosh
               code twice: with Whoosh's StandardAnalyzer and with the Czech analyzer.
               The ratio is the cost of the Czech analysis alone.

Prints a table and, as the last line, one JSON object.

Usage:
  python benchmarks/bench.py                 # 2,000 pages
  python benchmarks/bench.py --pages 20000
  python benchmarks/bench.py --quick         # smoke run for CI (tiny corpus, no timing claims)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20240615
GENERATOR_VERSION = 1
DEFAULT_CACHE = ROOT / "benchmarks" / ".cache"
FONT = ROOT / "tools" / "fonts" / "DejaVuSans.ttf"
APP_LIMIT = 20  # results per page in the app
EXTRACTION_SAMPLE_PAGES = 2000  # pages per extractor in the extraction-only measurement
TARGETS = {
    "index_vs_extraction": 0.8,
    "two_vs_one_worker": 1.6,
    "czech_vs_plain": 1.5,
    "query_p95_ms": 50.0,
    "cold_start_s": 1.0,
    "reindex_unchanged_s": 5.0,
    "search_rss_mb": 400.0,
}

# ---------------------------------------------------------------- corpus sources

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ„\"(0-9])")
MD_INLINE = re.compile(r"\*\*|__|\*|`|\[([^\]]*)\]\([^)]*\)")
WORD = re.compile(r"\w+")
KIND_BY_FOLDER = {"metodiky": "metodika", "letaky": "letak", "zpravy": "zprava", "standardy": "standard",
                  "jine": "jine"}


def _plain(line: str) -> str:
    line = MD_INLINE.sub(lambda m: m.group(1) or "", line)
    line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
    return " ".join(line.replace("\u00ad", "").split())


def _paragraph_flusher(paragraph: list[str], sentences: list[str]):
    def flush():
        text = " ".join(paragraph)
        paragraph.clear()
        sentences.extend(s for s in SENTENCE_END.split(text) if len(s.split()) >= 4)

    return flush


def load_sources() -> list[dict]:
    """Sentences and headings of every corpus source, with its title and kind."""
    import yaml

    sources = []
    for md in sorted((ROOT / "corpus" / "src").glob("*.md")):
        if md.name.startswith("_"):
            continue
        raw = md.read_text(encoding="utf-8")
        m = FRONT_MATTER.match(raw)
        meta = (yaml.safe_load(m.group(1)) or {}) if m else {}
        body = re.sub(r"<!--.*?-->", " ", raw[m.end():] if m else raw, flags=re.S)
        headings, sentences, paragraph = [], [], []
        flush = _paragraph_flusher(paragraph, sentences)
        for line in body.splitlines():
            stripped = line.strip()
            if not stripped or re.match(r"^\|?\s*:?-{2,}", stripped):
                flush()
            elif stripped.startswith("#"):
                flush()
                heading = _plain(stripped.lstrip("#"))
                if 2 <= len(heading) <= 90:
                    headings.append(heading)
            elif stripped.startswith("|"):
                flush()
                cells = [_plain(c) for c in stripped.strip("|").split("|")]
                row = ", ".join(c for c in cells if c)
                if len(row.split()) >= 4:
                    sentences.append(row + ".")
            else:
                paragraph.append(_plain(stripped))
        flush()
        folder = str(meta.get("file", "")).split("/")[0]
        sidecar = meta.get("sidecar") or {}
        if sentences:
            sources.append({
                "slug": md.stem,
                "kind": KIND_BY_FOLDER.get(folder, "metodika"),
                "title": str(sidecar.get("title") or (headings[0] if headings else md.stem)),
                "organization": str(sidecar.get("organization") or ""),
                "headings": headings or [md.stem],
                "sentences": sentences,
            })
    return sources


def sources_fingerprint(sources: list[dict]) -> str:
    return hashlib.sha256(json.dumps(sources, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:10]


# ---------------------------------------------------------------- corpus plan

# kind: (share of documents, min pages, max pages)
KINDS = {"metodika": (0.35, 8, 60), "zprava": (0.2, 5, 40), "standard": (0.1, 4, 24),
         "letak": (0.25, 1, 4), "jine": (0.1, 4, 30)}
TOWNS = ["Lipnice", "Horní Lhota", "Dolní Bukovany", "Kamenice", "Nové Sedlo", "Brodec", "Zálesí",
         "Vysoká Bystřice", "Pramenov", "Luční Újezd", "Staré Hradiště", "Javorník"]
ORGS = ["Spolek Most k rodině, z. s.", "Institut Pramen, z. ú.", "Krajský úřad Vysočinského kraje",
        "Městský úřad {town}, odbor sociálních věcí", "Diakonie {town}", "Poradna Rodina v centru, o. p. s.",
        "Centrum náhradní rodinné péče {town}", "Intervenční centrum {town}"]


def plan_corpus(n_pages: int, sources: list[dict]) -> list[dict]:
    """Deterministic list of documents whose pages (PDF pages, and text of about a page
    per DOCX/TXT section) add up to n_pages."""
    rng = random.Random(SEED)
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    docs, total, i = [], 0, 0
    while total < n_pages:
        kind = rng.choices(kinds, weights)[0]
        _, lo, hi = KINDS[kind]
        pages = min(int(rng.triangular(lo, hi, lo + (hi - lo) / 4)), max(1, n_pages - total))
        fmt = rng.choices(["pdf", "docx", "txt"], [0.9, 0.06, 0.04])[0]
        same_kind = [s for s in sources if s["kind"] == kind] or sources
        theme = rng.choice(same_kind if rng.random() < 0.7 else sources)
        town = rng.choice(TOWNS)
        year = rng.randint(2012, 2025)
        folder = {"metodika": "metodiky", "letak": "letaky", "zprava": "zpravy", "standard": "standardy",
                  "jine": "jine"}[kind]
        slug = f"{theme['slug'][:40]}-{i:05d}"
        docs.append({
            "id": i, "seed": rng.randrange(2**31), "kind": kind, "format": fmt, "pages": pages,
            "theme": theme["slug"], "path": f"{folder}/{i // 500:02d}/{slug}.{fmt}",
            "title": f"{theme['title']} ({town}, {year})",
            "organization": rng.choice(ORGS).format(town=town), "year": year,
            "sidecar": rng.random() < 0.4, "pdf_title": rng.random() < 0.5,
        })
        total += pages
        i += 1
    return docs


def _identifier(rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return f"Č. j. OSPOD-{rng.randint(100, 9999)}/{rng.randint(2015, 2025)}."
    if choice == 1:
        return f"Kontakt: tel. {rng.randint(600, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}."
    if choice == 2:
        return f"Spisová značka {rng.randint(1, 60)} P {rng.randint(10, 999)}/{rng.randint(2015, 2025)}."
    if choice == 3:
        return f"Projekt CZ.03.2.{rng.randint(60, 65)}/0.0/0.0/{rng.randint(15, 19)}_{rng.randint(0, 120):03d}/{rng.randint(0, 99999):07d}."
    return f"Aktualizováno {rng.randint(1, 28)}. {rng.randint(1, 12)}. {rng.randint(2015, 2025)}."


def page_contents(doc: dict, by_slug: dict[str, dict], all_sources: list[dict]) -> list[dict]:
    """[{heading, paragraphs}] for each page or section of `doc`."""
    rng = random.Random(doc["seed"])
    theme = by_slug[doc["theme"]]
    pages = []
    words_per_page = 90 if doc["kind"] == "letak" and rng.random() < 0.3 else 380
    for _ in range(doc["pages"]):
        heading = rng.choice(theme["headings"]) if rng.random() < 0.4 or doc["format"] != "pdf" else ""
        paragraphs, words = [], 0
        budget = int(words_per_page * rng.uniform(0.75, 1.1))
        while words < budget:
            sentences = []
            for _ in range(rng.randint(2, 6)):
                source = theme if rng.random() < 0.85 else rng.choice(all_sources)
                sentences.append(rng.choice(source["sentences"]))
            if rng.random() < 0.15:
                sentences.append(_identifier(rng))
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        pages.append({"heading": heading, "paragraphs": paragraphs})
    return pages


# ---------------------------------------------------------------- writers


class _PdfWriter:
    """fpdf2 with our own line breaking (fpdf2's multi_cell is ~25x slower)."""

    WIDTH = 175.0  # mm of text
    LEFT = 17.5
    TOP = 22.0
    BOTTOM = 278.0
    SIZE = 10.5
    LINE = 5.2

    def __init__(self):
        self.widths: dict[tuple[str, float], float] = {}

    def _width(self, pdf, word: str, size: float) -> float:
        key = (word, size)
        w = self.widths.get(key)
        if w is None:
            w = self.widths[key] = pdf.get_string_width(word)
        return w

    def _lines(self, pdf, text: str, size: float, rng: random.Random) -> list[str]:
        space = self._width(pdf, " ", size)
        lines, line, width = [], [], 0.0
        for word in text.split():
            w = self._width(pdf, word, size)
            if line and width + w > self.WIDTH:
                # hyphenate a long word at the line end now and then, as typesetters do
                if len(word) >= 9 and word.isalpha() and rng.random() < 0.35:
                    cut = rng.randint(3, len(word) - 4)
                    head = word[:cut] + "-"
                    if width + self._width(pdf, head, size) <= self.WIDTH:
                        line.append(head)
                        word = word[cut:]
                        w = self._width(pdf, word, size)
                lines.append(" ".join(line))
                line, width = [], 0.0
            line.append(word)
            width += w + space
        if line:
            lines.append(" ".join(line))
        return lines

    def write(self, path: Path, doc: dict, pages: list[dict]) -> None:
        from fpdf import FPDF

        rng = random.Random(doc["seed"] + 1)
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_creation_date(__import__("datetime").datetime(2024, 1, 15))
        pdf.add_font("DejaVu", "", str(FONT))
        if doc["pdf_title"]:
            pdf.set_title(doc["title"])
        header = f"{doc['organization']} · {doc['title'][:60]}"
        for number, page in enumerate(pages, start=1):
            pdf.add_page()
            pdf.set_font("DejaVu", size=8)
            pdf.text(self.LEFT, 12, header)
            pdf.text(self.LEFT + 80, 290, f"Strana {number} z {len(pages)}")
            y = self.TOP
            if page["heading"]:
                pdf.set_font("DejaVu", size=14)
                pdf.text(self.LEFT, y, page["heading"][:80])
                y += 10
            pdf.set_font("DejaVu", size=self.SIZE)
            for paragraph in page["paragraphs"]:
                for line in self._lines(pdf, paragraph, self.SIZE, rng):
                    if y > self.BOTTOM:
                        break
                    pdf.text(self.LEFT, y, line)
                    y += self.LINE
                y += 2.5
                if y > self.BOTTOM:
                    break
        pdf.output(str(path))


def _write_docx(path: Path, doc: dict, pages: list[dict]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = doc["title"]
    document.add_heading(doc["title"], level=1)
    for page in pages:
        document.add_heading(page["heading"], level=2)
        for paragraph in page["paragraphs"]:
            document.add_paragraph(paragraph)
    document.save(str(path))


def _write_txt(path: Path, doc: dict, pages: list[dict]) -> None:
    parts = [doc["title"], "=" * len(doc["title"]), ""]
    for page in pages:
        parts += [page["heading"], "-" * len(page["heading"]), ""]
        parts += [p + "\n" for p in page["paragraphs"]]
    path.write_text("\n".join(parts), encoding="utf-8")


def _write_sidecar(path: Path, doc: dict) -> None:
    import yaml

    meta = {"title": doc["title"], "year": doc["year"], "organization": doc["organization"]}
    if doc["id"] % 2:
        meta["doc_type"] = doc["kind"]
    path.with_suffix(".yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")


_GEN: dict = {}


def _generate_chunk(args: tuple[str, list[dict]]) -> int:
    root, docs = args
    if "sources" not in _GEN:
        _GEN["sources"] = load_sources()
        _GEN["by_slug"] = {s["slug"]: s for s in _GEN["sources"]}
        _GEN["pdf"] = _PdfWriter()
    for doc in docs:
        path = Path(root) / doc["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        pages = page_contents(doc, _GEN["by_slug"], _GEN["sources"])
        if doc["format"] == "pdf":
            _GEN["pdf"].write(path, doc, pages)
        elif doc["format"] == "docx":
            _write_docx(path, doc, pages)
        else:
            _write_txt(path, doc, pages)
        if doc["sidecar"]:
            _write_sidecar(path, doc)
    return len(docs)


def ensure_corpus(n_pages: int, cache: Path, log) -> tuple[Path, dict]:
    """The synthetic corpus of n_pages in the cache (generated on first use)."""
    import multiprocessing

    sources = load_sources()
    name = f"corpus-{n_pages}-s{SEED}-g{GENERATOR_VERSION}-{sources_fingerprint(sources)}"
    root = cache / name
    stamp = root.with_name(name + ".json")
    if stamp.exists() and root.is_dir():
        return root, json.loads(stamp.read_text(encoding="utf-8"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    docs = plan_corpus(n_pages, sources)
    log(f"generating a corpus of {n_pages} pages ({len(docs)} documents) into {root} ...")
    started = time.perf_counter()
    chunks = [(str(root), docs[i::16]) for i in range(16)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        for _ in pool.imap_unordered(_generate_chunk, chunks):
            pass
    info = {
        "pages": sum(d["pages"] for d in docs),
        "pdf_pages": sum(d["pages"] for d in docs if d["format"] == "pdf"),
        "documents": len(docs),
        "formats": {f: sum(1 for d in docs if d["format"] == f) for f in ("pdf", "docx", "txt")},
        "sidecars": sum(1 for d in docs if d["sidecar"]),
        "bytes": sum(p.stat().st_size for p in root.rglob("*") if p.is_file()),
        "generated_in_s": round(time.perf_counter() - started, 1),
        "pdfs": [d["path"] for d in docs if d["format"] == "pdf"],
        "pdf_page_counts": [d["pages"] for d in docs if d["format"] == "pdf"],
    }
    stamp.write_text(json.dumps(info), encoding="utf-8")
    return root, info


# ---------------------------------------------------------------- queries


def make_queries(sources: list[dict], seed: int = SEED + 7) -> list[dict]:
    """A fixed set of realistic queries (independent of N): [{kind, q, filters}]. Another
    seed gives another set of the same kinds (the warm-up before timing)."""
    from kb.analysis import CZECH_STOPWORDS, fold
    from kb.taxonomy import ids

    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for s in sources:
        for sentence in s["sentences"]:
            for w in WORD.findall(sentence):
                if len(w) >= 5 and w.isalpha() and w.lower() not in CZECH_STOPWORDS:
                    counts[w.lower()] = counts.get(w.lower(), 0) + 1
    frequent = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:400]]
    mid = [w for w, n in sorted(counts.items()) if 3 <= n <= 30]
    sentences = [s for src in sources for s in src["sentences"]]
    topics, professions, types = ids("topics"), ids("professions"), ids("doc_types")
    topic_words = ["kyberšikana", "sebepoškozování", "domácí násilí", "rozhovor s dítětem", "pěstouni",
                   "rodičovský plán", "trauma", "duševní zdraví", "závislost", "dluhy", "bydlení",
                   "mediace", "supervize", "standardy kvality", "spolupráce", "autismus", "senioři",
                   "kurátor", "opatrovník", "OSPOD", "policie", "soud", "škola", "psycholog"]

    def content_words(sentence: str) -> list[str]:
        return [w for w in WORD.findall(sentence) if len(w) >= 4 and w.lower() not in CZECH_STOPWORDS
                and w.isalpha()]

    queries: list[dict] = []

    def add(kind: str, q: str, **filters):
        queries.append({"kind": kind, "q": q, "filters": {k: v for k, v in filters.items() if v}})

    for w in topic_words:
        add("téma", w)
    for w in rng.sample(frequent, 40):
        add("slovo", w)
    for w in rng.sample(mid, 30):
        add("tvar", w)
    for _ in range(40):
        words = content_words(rng.choice(sentences))
        if words:
            add("bez diakritiky", fold(" ".join(rng.sample(words, min(2, len(words))))).lower())
    for _ in range(30):
        words = content_words(rng.choice(sentences))
        if len(words) >= 2:
            add("víc slov", " ".join(rng.sample(words, min(len(words), rng.choice((2, 3))))))
    while sum(1 for q in queries if q["kind"] == "fráze") < 30:
        tokens = rng.choice(sentences).split()
        at = rng.randrange(max(1, len(tokens) - 3))
        phrase = " ".join(re.sub(r"[^\w§/.-]", "", t) for t in tokens[at:at + rng.choice((2, 3))]).strip(" .")
        if len(content_words(phrase)) >= 1 and len(phrase.split()) >= 2:
            add("fráze", f'"{phrase}"')
    for _ in range(40):
        kind = rng.randrange(3)
        add("filtr", rng.choice(topic_words + frequent[:60]),
            topics=[rng.choice(topics)] if kind != 1 else [],
            professions=[rng.choice(professions)] if kind != 0 else [],
            types=[rng.choice(types)] if rng.random() < 0.3 else [])
    for _ in range(12):
        a, b = rng.sample(frequent[:200], 2)
        add("OR", f"{a} OR {b}")
    for _ in range(12):
        a, b = rng.sample(frequent[:200], 2)
        add("vyloučení", f"{a} -{b}")
    for _ in range(10):
        add("jen filtr", "", topics=[rng.choice(topics)], types=[rng.choice(types)] if rng.random() < 0.5 else [])
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_summary(ms: list[float]) -> dict:
    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms), 2),
            "mean_ms": round(statistics.fmean(ms), 2)}


# ---------------------------------------------------------------- child tasks


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


def _cpu_s(who=resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return round(usage.ru_utime + usage.ru_stime, 2)


def child_extract(args: dict) -> dict:
    from kb.extract import pdf as kb_pdf

    read = {"pypdf": kb_pdf._pypdf_pages, "pdfium": kb_pdf._pdfium_pages}[args["extractor"]]
    pages = 0
    started = time.perf_counter()
    for path in args["files"]:
        raw, _ = read(Path(path).read_bytes())
        kb_pdf.clean_pages(raw)
        pages += len(raw)
    seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": round(seconds, 3), "pages_per_s": round(pages / seconds, 1),
            "rss_mb": _rss_mb(), "cpu_s": _cpu_s()}


def child_index(args: dict) -> dict:
    from kb.index.pipeline import run_index
    from kb.settings import Settings

    started = time.perf_counter()
    report = run_index(Path(args["corpus"]), Path(args["index"]), settings=Settings.from_env(),
                       workers=args["workers"])
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "report": {k: v for k, v in report.to_dict().items()
                                                     if k not in ("skipped", "warnings")},
            "skipped": len(report.skipped), "warnings": len(report.warnings),
            "rss_mb": _rss_mb(), "worker_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
            "cpu_s": _cpu_s(), "workers_cpu_s": _cpu_s(resource.RUSAGE_CHILDREN)}


def _request(query: dict):
    from kb.search import SearchRequest

    return SearchRequest(query=query["q"], filters=_filters(query), limit=APP_LIMIT)


def _filters(query: dict) -> dict[str, tuple[str, ...]]:
    """The generated query's filters ("types" is the doc_type facet) as SearchRequest.filters."""
    return {("doc_type" if k == "types" else k): tuple(v) for k, v in query["filters"].items() if v}


def child_search(args: dict) -> dict:
    started = time.perf_counter()
    from kb.search import open_backend

    imported = time.perf_counter()
    backend = open_backend(Path(args["index"]))
    opened = time.perf_counter()
    queries = args["queries"]
    first = backend.search(_request({"q": "domácí násilí", "filters": {}}))
    answered = time.perf_counter()
    for query in args["warmup"]:  # the app runs for hours: warm it with other queries
        backend.search(_request(query))
    ms, cpu_ms, by_kind, totals = [], [], {}, []
    for query in queries:
        t, c = time.perf_counter(), time.process_time()
        result = backend.search(_request(query))
        elapsed = (time.perf_counter() - t) * 1000
        cpu_ms.append((time.process_time() - c) * 1000)
        ms.append(elapsed)
        by_kind.setdefault(query["kind"], []).append(elapsed)
        totals.append(result.total)
    return {
        "cold_start_s": round(answered - started, 3),
        "cold": {"import_s": round(imported - started, 3), "open_s": round(opened - imported, 3),
                 "first_query_s": round(answered - opened, 3), "first_total": first.total},
        "queries": len(queries), **latency_summary(ms),
        "cpu_p95_ms": round(percentile(cpu_ms, 95), 2),
        "p95_by_kind_ms": {k: round(percentile(v, 95), 1) for k, v in sorted(by_kind.items())},
        "mean_total": round(statistics.fmean(totals), 1), "zero_hits": sum(1 for t in totals if t == 0),
        "rss_mb": _rss_mb(),
    }


def _harness_schema(analyzer_kind: str):
    """kb's schema, with the StandardAnalyzer on every text field for the baseline."""
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import TEXT

    from kb.index import store as kb_index

    schema = kb_index.get_schema()
    if analyzer_kind == "plain":
        for name in schema.names():
            field = schema[name]
            if isinstance(field, TEXT):
                field.analyzer = StandardAnalyzer()
    return schema


def child_harness_index(args: dict) -> dict:
    from whoosh import index as whoosh_index

    records = pickle.loads(Path(args["records"]).read_bytes())
    target = Path(args["index"])
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = whoosh_index.create_in(str(target), _harness_schema(args["analyzer"]))
    started = time.process_time()  # CPU time: the two halves run side by side (run_children)
    writer = ix.writer(limitmb=128)
    for record in records:
        writer.add_document(**record)
    writer.commit()
    seconds = time.process_time() - started
    return {"seconds": round(seconds, 3), "records": len(records), "size_mb": _size_mb(target),
            "rss_mb": _rss_mb()}


def child_harness_search(args: dict) -> dict:
    """Plain Whoosh as a simple app would use it: its query parser over the three text
    fields, search(limit=20) with the filters, stored fields and a highlight per hit."""
    from whoosh import index as whoosh_index
    from whoosh import qparser
    from whoosh import query as Q
    from whoosh.scoring import BM25F

    from kb.facets import BY_ID

    ix = whoosh_index.open_dir(args["index"])
    searcher = ix.searcher(weighting=BM25F())
    parser = qparser.MultifieldParser(["content", "title", "heading"], ix.schema)
    parser.add_plugin(qparser.PlusMinusPlugin())

    def run(query: dict) -> int:
        facets = [Q.Or([Q.Term(BY_ID[k].id, v) for v in vs]) for k, vs in _filters(query).items()]
        facet_filter = Q.And(facets) if facets else None
        q = parser.parse(query["q"]) if query["q"].strip() else Q.Every()
        try:
            hits = searcher.search(q, limit=APP_LIMIT, filter=facet_filter)
        except IndexError:  # a Whoosh bug in its top-N pruning (AndNot): search without it
            errors.append(query["q"])
            hits = searcher.search(q, limit=APP_LIMIT, filter=facet_filter, optimize=False)
        for hit in hits:
            hit.fields()
            hit.highlights("content")
        return len(hits)  # all matching pages

    errors: list[str] = []
    for query in args["warmup"]:
        run(query)
    ms, found = [], []
    for query in args["queries"]:  # CPU time: the two halves run side by side (run_children)
        t = time.process_time()
        found.append(run(query))
        ms.append((time.process_time() - t) * 1000)
    return {**latency_summary(ms), "rss_mb": _rss_mb(), "whoosh_errors": sorted(set(errors)),
            "zero_hits": found.count(0), "per_query": [[round(t, 2), n] for t, n in zip(ms, found, strict=True)]}


CHILD_TASKS = {"extract": child_extract, "index": child_index, "search": child_search,
               "harness_index": child_harness_index, "harness_search": child_harness_search}


def run_child(task: str, args: dict, workdir: Path) -> dict:
    """Run one phase in a fresh interpreter; returns its JSON answer and wall time."""
    return run_children([(task, args)], workdir)[0]


def run_children(phases: list[tuple[str, dict]], workdir: Path) -> list[dict]:
    """Run phases side by side, each in a fresh interpreter. The baseline runs its plain
    and Czech halves together: they then share the machine, and whatever else runs on
    it, alike, which keeps their ratio fair (and halves the time at 20,000 pages)."""
    started = time.perf_counter()
    procs = []
    for i, (task, args) in enumerate(phases):
        args_file = workdir / f"args-{task}-{i}.json"
        args_file.write_text(json.dumps(args, ensure_ascii=False), encoding="utf-8")
        procs.append(subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", task, str(args_file)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT)))
    answers = []
    for (task, _), proc in zip(phases, procs, strict=True):
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark phase {task} failed:\n{err[-4000:]}")
        answer = json.loads(out.strip().splitlines()[-1])
        answer["wall_s"] = round(time.perf_counter() - started, 3)
        answers.append(answer)
    return answers


# ---------------------------------------------------------------- helpers


def _size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6, 1)


def _live_generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def page_records_of(index_dir: Path) -> list[dict]:
    """The page records kb indexed, rebuilt from its manifest and extraction cache, so
    the baseline indexes exactly the same texts; as plain Whoosh would index them, with
    the title on each page (kb keeps it in one record per document)."""
    from kb.index import store as kb_index

    manifest = kb_index.read_manifest(_live_generation(index_dir) / kb_index.MANIFEST)
    records = []
    for entry in manifest["documents"].values():
        document = kb_index.load_extracted(index_dir, entry.hash)
        if document is None:
            continue
        document.path, document.title = entry.path, entry.title
        records.extend({**record, "title": entry.title} for record in kb_index.page_records(document, entry)
                       if record["section"] != kb_index.TITLE_SECTION)
    return records


def _same_hits_ratio(plain: list, czech: list) -> dict:
    """Czech/plain latency over the queries where both analyzers match the same pages
    (within 10 %): the same work after matching, so the difference is the analysis."""
    same = [(p[0], c[0]) for p, c in zip(plain, czech, strict=True) if p[1] and abs(p[1] - c[1]) <= 0.1 * p[1]]
    if not same:
        return {"queries": 0}
    p_ms, c_ms = [p for p, _ in same], [c for _, c in same]
    return {"queries": len(same),
            "p50": round(percentile(c_ms, 50) / percentile(p_ms, 50), 3),
            "p95": round(percentile(c_ms, 95) / percentile(p_ms, 95), 3)}


def _status(ok: bool | None) -> str:
    return "—" if ok is None else ("splněno" if ok else "NESPLNĚNO")


# ---------------------------------------------------------------- main


def run(args) -> dict:
    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    corpus, info = ensure_corpus(args.pages, cache, log)
    workdir = cache / f"run-{args.pages}-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env_pages = info["pages"]
    try:
        # 1. extraction only, one core
        sample, sample_pages = [], 0
        for rel, n in zip(info["pdfs"], info["pdf_page_counts"], strict=True):
            if sample_pages >= (200 if args.quick else EXTRACTION_SAMPLE_PAGES):
                break
            sample.append(str(corpus / rel))
            sample_pages += n
        extraction = {}
        for name in ("pypdf", "pdfium"):
            log(f"extraction only with {name} ({sample_pages} pages)")
            extraction[name] = run_child("extract", {"extractor": name, "files": sample}, workdir)

        # 2. kb index, 1 and 2 workers, then the unchanged reindex
        index_runs = {}
        for workers in (1, 2):
            log(f"kb index with {workers} worker(s)")
            target = workdir / f"index-{workers}w"
            index_runs[workers] = run_child("index", {"corpus": str(corpus), "index": str(target),
                                                      "workers": workers}, workdir)
            index_runs[workers]["pages_per_s"] = round(env_pages / index_runs[workers]["seconds"], 1)
        index_dir = workdir / "index-2w"
        log("kb index of the unchanged corpus")
        reindex = run_child("index", {"corpus": str(corpus), "index": str(index_dir), "workers": 2}, workdir)
        generation_mb = _size_mb(_live_generation(index_dir))
        cache_mb = _size_mb(index_dir / "cache") if (index_dir / "cache").exists() else 0.0

        # 3. kb search
        queries = make_queries(load_sources())
        warmup = make_queries(load_sources(), seed=SEED + 8)
        if args.quick:  # a smoke run: every kind of query, a quarter of them
            queries, warmup = queries[::4], warmup[::4]
        log(f"kb search: {len(queries)} queries")
        search = run_child("search", {"index": str(index_dir), "queries": queries, "warmup": warmup},
                           workdir)

        # 4. plain Whoosh baseline vs the Czech analyzer on the same records
        records_file = workdir / "records.pickle"
        records = page_records_of(index_dir)
        records_file.write_bytes(pickle.dumps(records))
        analyzers = ("plain", "czech")
        log(f"baseline: plain Whoosh with the Standard and the Czech analyzer, {len(records)} records")
        built = run_children([("harness_index", {"records": str(records_file), "analyzer": a,
                                                 "index": str(workdir / f"harness-{a}")})
                              for a in analyzers], workdir)
        searched = run_children([("harness_search", {"index": str(workdir / f"harness-{a}"),
                                                     "queries": queries, "warmup": warmup})
                                 for a in analyzers], workdir)
        harness = {a: {"index": b, "search": q} for a, b, q in zip(analyzers, built, searched, strict=True)}
        same_hits = _same_hits_ratio(harness["plain"]["search"].pop("per_query"),
                                     harness["czech"]["search"].pop("per_query"))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    one, two = index_runs[1], index_runs[2]
    floor = extraction["pdfium"]["pages_per_s"]
    ratios = {
        "index_1w_vs_extraction": round(one["pages_per_s"] / floor, 3),
        "index_1w_vs_pypdf": round(one["pages_per_s"] / extraction["pypdf"]["pages_per_s"], 3),
        "index_2w_vs_1w": round(two["pages_per_s"] / one["pages_per_s"], 3),
        "czech_vs_plain_index": round(harness["czech"]["index"]["seconds"] / harness["plain"]["index"]["seconds"], 3),
        "czech_vs_plain_query_p50": round(harness["czech"]["search"]["p50_ms"] / harness["plain"]["search"]["p50_ms"], 3),
        "czech_vs_plain_query_p95": round(harness["czech"]["search"]["p95_ms"] / harness["plain"]["search"]["p95_ms"], 3),
        "kb_search_vs_plain_p95": round(search["cpu_p95_ms"] / harness["plain"]["search"]["p95_ms"], 3),
        # the Czech analyzer finds about twice the pages (every form, with or without
        # diacritics); on the queries where both find the same pages, the cost of analysis:
        "czech_vs_plain_query_same_hits": same_hits,
        "pdfium_vs_pypdf": round(extraction["pdfium"]["pages_per_s"] / extraction["pypdf"]["pages_per_s"], 2),
    }
    return {
        "pages": env_pages, "documents": info["documents"], "corpus": {k: v for k, v in info.items()
                                                                      if k not in ("pdfs", "pdf_page_counts")},
        "cpus": os.cpu_count(), "quick": bool(args.quick),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "extraction": extraction,
        "index": {"1": one, "2": two, "generation_mb": generation_mb, "cache_mb": cache_mb,
                  "unchanged": reindex},
        "search": search, "baseline": harness, "ratios": ratios, "targets": TARGETS,
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_table(r: dict) -> None:
    ext, ix, s, h, rt = r["extraction"], r["index"], r["search"], r["baseline"], r["ratios"]
    t = TARGETS
    big = r["pages"] >= 20000
    rows = [
        ("korpus", f"{r['pages']} stran, {r['documents']} dokumentů "
                   f"({r['corpus']['formats']['pdf']} PDF, {r['corpus']['formats']['docx']} DOCX, "
                   f"{r['corpus']['formats']['txt']} TXT), {r['corpus']['bytes'] / 1e6:.0f} MB", "", None),
        ("extrakce pypdf (1 jádro)", f"{ext['pypdf']['pages_per_s']:.0f} stran/s", "", None),
        ("extrakce pdfium (1 jádro)", f"{ext['pdfium']['pages_per_s']:.0f} stran/s "
                                      f"({rt['pdfium_vs_pypdf']:.1f}× pypdf)", "", None),
        ("kb index, 1 pracovní proces", f"{ix['1']['pages_per_s']:.0f} stran/s ({ix['1']['seconds']:.1f} s), "
                                        f"{rt['index_1w_vs_extraction']:.2f}× extrakce pdfium, "
                                        f"{rt['index_1w_vs_pypdf']:.2f}× pypdf",
         f"≥ {t['index_vs_extraction']}× extrakce", rt["index_1w_vs_extraction"] >= t["index_vs_extraction"]),
        ("  CPU na stranu: hlavní proces / extrakce", f"{ix['1']['cpu_s'] / r['pages'] * 1000:.1f} / "
                                                      f"{ix['1']['workers_cpu_s'] / r['pages'] * 1000:.1f} ms",
         "", None),
        ("kb index, 2 pracovní procesy", f"{ix['2']['pages_per_s']:.0f} stran/s ({ix['2']['seconds']:.1f} s), "
                                         f"{rt['index_2w_vs_1w']:.2f}× 1 procesu",
         f"≥ {t['two_vs_one_worker']}×", rt["index_2w_vs_1w"] >= t["two_vs_one_worker"]),
        ("velikost indexu", f"{ix['generation_mb']:.0f} MB (+ {ix['cache_mb']:.0f} MB cache textu)", "", None),
        ("špička RSS indexace", f"{ix['2']['rss_mb']:.0f} MB hlavní proces, "
                                f"{ix['2']['worker_rss_mb']:.0f} MB worker", "", None),
        ("reindex beze změn", f"{ix['unchanged']['seconds']:.2f} s",
         f"≤ {t['reindex_unchanged_s']:.0f} s (20k)", ix["unchanged"]["seconds"] <= t["reindex_unchanged_s"]),
        ("dotaz p50 / p95 / p99", f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f} ms "
                                  f"({s['queries']} dotazů)",
         f"p95 ≤ {t['query_p95_ms']:.0f} ms (20k)", s["p95_ms"] <= t["query_p95_ms"]),
        ("studený start", f"{s['cold_start_s']:.2f} s (import {s['cold']['import_s']:.2f}, "
                          f"otevření {s['cold']['open_s']:.2f}, 1. dotaz {s['cold']['first_query_s']:.2f})",
         f"≤ {t['cold_start_s']:.0f} s", s["cold_start_s"] <= t["cold_start_s"]),
        ("špička RSS vyhledávání", f"{s['rss_mb']:.0f} MB", f"≤ {t['search_rss_mb']:.0f} MB (20k)",
         s["rss_mb"] <= t["search_rss_mb"]),
        ("Whoosh Standard: indexace (CPU)", f"{h['plain']['index']['seconds']:.1f} s, "
                                      f"{h['plain']['index']['size_mb']:.0f} MB", "", None),
        ("Whoosh + česká analýza: indexace (CPU)", f"{h['czech']['index']['seconds']:.1f} s, "
                                             f"{h['czech']['index']['size_mb']:.0f} MB, "
                                             f"{rt['czech_vs_plain_index']:.2f}×",
         f"≤ {t['czech_vs_plain']}×", rt["czech_vs_plain_index"] <= t["czech_vs_plain"]),
        ("Whoosh Standard: dotaz p50 / p95 (CPU)", f"{h['plain']['search']['p50_ms']:.1f} / "
                                             f"{h['plain']['search']['p95_ms']:.1f} ms", "", None),
        ("Whoosh + česká analýza: dotaz p50 / p95 (CPU)", f"{h['czech']['search']['p50_ms']:.1f} / "
                                                    f"{h['czech']['search']['p95_ms']:.1f} ms, "
                                                    f"{rt['czech_vs_plain_query_p95']:.2f}× (p95)",
         f"≤ {t['czech_vs_plain']}×", rt["czech_vs_plain_query_p95"] <= t["czech_vs_plain"]),
        ("  tytéž stránky (jen dotazy, kde oba najdou totéž)", _same_hits_text(rt["czech_vs_plain_query_same_hits"]),
         "", None),
        ("  dotazů bez výsledku: Standard / česká", f"{h['plain']['search']['zero_hits']} / "
                                                    f"{h['czech']['search']['zero_hits']}", "", None),
        ("kb search p95 / Whoosh Standard p95 (CPU)", f"{rt['kb_search_vs_plain_p95']:.2f}×", "", None),
    ]
    if r["quick"]:
        rows = [(a, b, c, None) for a, b, c, _ in rows]
    print(f"Výkon: {r['pages']} stran, {r['cpus']} jádra, celkem {r['seconds']:.0f} s, "
          f"zátěž stroje {r['load_average'][0]:.1f} → {r['load_average'][1]:.1f}"
          + ("" if big or r["quick"] else " (cíle „20k“ platí pro 20 000 stran)"))
    width = max(len(a) for a, *_ in rows)
    vwidth = max(len(b) for _, b, *_ in rows)
    print(f"| {'měření':{width}} | {'hodnota':{vwidth}} | cíl | stav |")
    print(f"|{'-' * (width + 2)}|{'-' * (vwidth + 2)}|---|---|")
    for name, value, target, ok in rows:
        print(f"| {name:{width}} | {value:{vwidth}} | {target} | {_status(ok) if target else ''} |")


def _same_hits_text(same: dict) -> str:
    if not same.get("queries"):
        return "—"
    return f"{same['p50']:.2f}× p50, {same['p95']:.2f}× p95 ({same['queries']} dotazů)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark indexace a vyhledávání (viz docstring).")
    parser.add_argument("--pages", type=int, help="stran syntetického korpusu (výchozí 2000)")
    parser.add_argument("--quick", action="store_true", help="rychlý běh pro CI (malý korpus)")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="složka pro vygenerovaný korpus")
    parser.add_argument("--keep", action="store_true", help="ponechat indexy z běhu v cache")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "ARGS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        task, args_file = args.child
        answer = CHILD_TASKS[task](json.loads(Path(args_file).read_text(encoding="utf-8")))
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    args.pages = args.pages or (40 if args.quick else 2000)
    result = run(args)
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
