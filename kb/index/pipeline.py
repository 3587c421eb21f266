"""One indexing run: scan the corpus, extract what changed (in worker processes,
kb/index/workers.py), tag, and commit a new index generation. This is `kb index`.

Each file is read and hashed once, in the plan. Unchanged files (same content and
sidecar, same taxonomy) are not touched; files whose text is cached (renamed, sidecar or
taxonomy changed) are re-tagged without re-extraction; the bytes of the others go along
to the extraction workers, so what is indexed is exactly what was hashed. Extraction runs
in separate processes with a time and memory limit per file, so one hostile file cannot
stop the run.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.errors import KbError
from kb.extract import ocr
from kb.extract.sidecar import load_sidecar
from kb.extract.titles import choose_title
from kb.index import skip_reasons as reasons
from kb.index import store as kb_index
from kb.index import workers as workers_module
from kb.index.scan import SourceFile, hash_file, scan_corpus
from kb.model import Document, IndexedDocument
from kb.settings import Settings
from kb.tagging import load_taxonomy, tag_document, taxonomy_fingerprint

# The bytes read for the hash are kept for the extraction workers up to this much in one
# run; past it (the first run over a large library) a worker reads its file itself.
KEEP_BYTES = 256 * 1024 * 1024


class CorpusMissing(KbError):
    """The corpus folder does not exist."""


@dataclass
class RunReport:
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    documents: int = 0
    pages: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "documents": self.documents,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
        }


# Progress callback: (files done, files to process, current path)
Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------- the run
#
# plan (scan, each file read and hashed once) -> extract (sandboxed workers, kb/index/workers.py,
# or the extraction cache) -> tag -> write and publish a generation (kb/index/store.py).


@dataclass
class Plan:
    """What one run will do, decided before anything is extracted."""
    old: dict                                   # the live manifest ({} when rebuilding)
    rebuild: bool                               # new schema or damaged manifest: write every document
    taxonomy: dict
    fingerprint: str
    documents: dict[str, IndexedDocument]       # manifest entries; unchanged ones carried over
    skipped_state: list[dict]                   # the new manifest's skip list (known bad files carried over)
    from_cache: list[tuple[SourceFile, Document]] = field(default_factory=list)
    to_extract: list[SourceFile] = field(default_factory=list)
    arrivals: dict[str, float] = field(default_factory=dict)  # path -> when the file came (this scan)
    signed: int = 0  # unchanged entries that got their near-duplicate signature now

    @property
    def total(self) -> int:
        return len(self.from_cache) + len(self.to_extract)

    @property
    def old_documents(self) -> dict:
        return self.old.get("documents", {})


def plan_run(corpus: Path, index_dir: Path, settings: Settings, report: RunReport) -> Plan:
    """Scan the corpus and sort every file: unchanged (same content, sidecar and taxonomy),
    known bad (same content as when it was skipped), text cached (renamed, sidecar or
    taxonomy changed), or to extract."""
    old = _load_live_manifest(index_dir)
    damaged = not old and kb_index.current_generation(index_dir) is not None
    rebuild = damaged or (bool(old) and old.get("version") != kb_index.INDEX_VERSION)
    if rebuild:
        old = {}  # a new schema or a damaged manifest: rewrite every document (from the cache)
    # Here, not at the top: extraction workers import kb modules, and numpy (with its
    # thread pools' address space) must stay out of their memory limit.
    from kb.index import neardup

    taxonomy = load_taxonomy()
    plan = Plan(old=old, rebuild=rebuild, taxonomy=taxonomy,
                fingerprint=taxonomy_fingerprint(taxonomy), documents={}, skipped_state=[])
    retag_all = old.get("taxonomy") != plan.fingerprint
    old_skipped: dict = {s["path"]: s for s in old.get("skipped", [])}
    ocr_works = None  # asked once, only when a file waits for OCR
    kept = 0  # bytes kept for the workers
    sources = scan_corpus(corpus, report.skipped)
    for source in sources:
        reason = hash_file(source, settings)
        data, source.data = source.data, None  # only a file to extract keeps its bytes
        if reason:
            report.skipped.append({"path": source.rel, "reason": reason})
            continue
        plan.arrivals[source.rel] = round(source.arrived, 3)
        previous = plan.old_documents.get(source.rel)
        if previous and previous.hash == source.hash and not retag_all \
                and previous.sidecar_hash == source.sidecar_hash:
            plan.documents[source.rel] = previous
            report.unchanged += 1
            if neardup.needs_signature(previous):  # indexed before the duplicate check
                cached = kb_index.load_extracted(index_dir, source.hash)
                plan.documents[source.rel] = replace(previous, **neardup.entry_fields(cached.text if cached else ""))
                plan.signed += 1
            continue
        known_bad = old_skipped.get(source.rel)
        if known_bad and known_bad.get("hash") == source.hash:
            if known_bad.get("needs") == "ocr" and ocr_works is None:
                ocr_works = ocr.is_available(ocr.OcrOptions.from_settings(settings, index_dir))
            if not (known_bad.get("needs") == "ocr" and ocr_works):
                report.skipped.append({"path": source.rel, "reason": known_bad["reason"]})
                plan.skipped_state.append(known_bad)
                continue
        cached = kb_index.load_extracted(index_dir, source.hash)
        if cached is not None:
            plan.from_cache.append((source, cached))
            continue
        if kept + source.size <= KEEP_BYTES:
            source.data, kept = data, kept + source.size
        plan.to_extract.append(source)
    seen = {s.rel for s in sources}
    report.removed = sum(1 for path in plan.old_documents if path not in seen)
    return plan


def _skip(plan: Plan, report: RunReport, source: SourceFile, reason: str, **extra) -> None:
    report.skipped.append({"path": source.rel, "reason": reason})
    plan.skipped_state.append({"path": source.rel, "reason": reason, "hash": source.hash, **extra})


def extracted(plan: Plan, index_dir: Path, settings: Settings, workers: int, report: RunReport,
              progress: Progress | None) -> Iterator[tuple[SourceFile, Document]]:
    """The documents to (re)write: cached text first, then what the workers extract, as
    they finish. New extractions go to the cache; files that fail go to the skip list."""
    done = 0
    for source, document in plan.from_cache:
        done += 1
        if progress:
            progress(done, plan.total, source.rel)
        yield source, document
    ocr_options = ocr.OcrOptions.from_settings(settings, index_dir)
    for source, status, value in workers_module.extract_all(plan.to_extract, settings, workers, ocr_options):
        done += 1
        if progress:
            progress(done, plan.total, source.rel)
        source.data = None  # the worker is done with the bytes
        if status in ("skip", "skip-ocr"):
            _skip(plan, report, source, value, **({"needs": "ocr"} if status == "skip-ocr" else {}))
            continue
        # A worker that read the file itself hashed what it read (the file may have
        # changed since the plan): the manifest records what was indexed.
        value.content_hash = source.hash = value.content_hash or source.hash
        kb_index.save_extracted(index_dir, value)
        yield source, value


def tagged(plan: Plan, report: RunReport,
           documents: Iterator[tuple[SourceFile, Document]]) -> Iterator[tuple[Document, IndexedDocument]]:
    """Sidecar metadata, title and tags for each document; its manifest entry is recorded
    in the plan as it passes on to the writer."""
    from kb.index import neardup

    for source, document in documents:
        try:
            document = _with_sidecar(document, source, report)
            entry = _entry(document, source, tag_document(document, plan.taxonomy),
                           neardup.entry_fields(document.text))
        except Exception as e:  # a bug met by one odd document must not stop the run
            _skip(plan, report, source, reasons.tagging_bug(e))
            continue
        plan.documents[source.rel] = entry
        report.indexed += 1
        yield document, entry


def _entry(document: Document, source: SourceFile, tags: dict, signature: dict) -> IndexedDocument:
    meta = document.meta
    return IndexedDocument.from_tagging(
        tags,
        path=document.path,
        title=document.title,
        format=document.format,
        page_count=document.page_count,
        section_count=len(document.pages),
        hash=source.hash,
        sidecar_hash=source.sidecar_hash,
        size=source.size,
        year=meta.get("year"),
        organization=meta.get("organization", ""),
        publisher=meta.get("publisher", ""),
        place=meta.get("place", ""),
        source_url=meta.get("source_url", ""),
        summary=meta.get("summary", ""),
        ocr_pages=tuple(p.number for p in document.pages if p.ocr),
        **signature,
    )


def _with_sidecar(document: Document, source: SourceFile, report: RunReport) -> Document:
    meta, warnings = load_sidecar(source.path)
    report.warnings.extend({"path": source.rel, "message": w} for w in warnings)
    document.path = source.rel
    document.meta = meta
    document.title = choose_title(document, meta.get("title"), source.path)
    return document


def _needs_write(plan: Plan, index_dir: Path) -> bool:
    old_docs = plan.old_documents
    return bool(plan.total) or plan.rebuild or kb_index.current_generation(index_dir) is None \
        or any(path not in plan.documents for path in old_docs) \
        or plan.old.get("skipped", []) != plan.skipped_state


def _group(plan: Plan, manifest: dict) -> None:
    """Near-duplicate groups over all entries (kb/index/neardup.py) and the arrival times."""
    from kb.index import neardup

    old_arrivals = plan.old.get("arrivals") or {}
    manifest["groups"] = neardup.find_groups(plan.documents)
    manifest["arrivals"] = {p: old_arrivals.get(p) or plan.arrivals.get(p, 0.0) for p in sorted(plan.documents)}


def _groups_changed(plan: Plan, manifest: dict) -> bool:
    """With nothing to write, whether the manifest's groups or arrivals still change (an
    index made before them, or signatures added now)."""
    return bool(plan.signed) or "created" not in plan.old \
        or plan.old.get("groups") != manifest["groups"] or plan.old.get("arrivals") != manifest["arrivals"]


def write_and_publish(plan: Plan, index_dir: Path, manifest: dict,
                      documents: Iterator[tuple[Document, IndexedDocument]]) -> None:
    """Write the tagged documents into a new generation, then the near-duplicate groups
    (once every entry is final), then drop what left the corpus, and publish."""
    def then_groups() -> Iterator[tuple[Document, IndexedDocument]]:
        yield from documents
        _group(plan, manifest)  # the manifest is saved after this generator is exhausted

    # Whatever the new manifest does not list leaves the index: files removed from the
    # corpus and files that can no longer be read. A generator, so that it is read after
    # the writes, when the skips of this run are known.
    gone = (path for path in plan.old_documents if path not in plan.documents)
    kb_index.commit_generation(index_dir, manifest, then_groups(), gone, fresh=plan.rebuild)


def run_index(
    corpus: Path,
    index_dir: Path | None = None,
    *,
    settings: Settings | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Bring the index in `index_dir` up to date with the files in `corpus`."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    corpus = Path(corpus)
    index_dir = Path(index_dir or settings.index_dir)
    if not corpus.is_dir():
        raise CorpusMissing(f"Složka s dokumenty '{corpus}' neexistuje. Zkontrolujte cestu.")
    report = RunReport()
    with kb_index.writer_lock(index_dir, wait=settings.wait_for_lock):
        plan = plan_run(corpus, index_dir, settings, report)
        manifest = {"version": kb_index.INDEX_VERSION, "taxonomy": plan.fingerprint,
                    "documents": plan.documents, "skipped": plan.skipped_state, "groups": [],
                    # when the library was first indexed, and when each file came to its
                    # place (apart from the entries, which depend on content only): what
                    # came after the first indexing is "Nově přidané" in the app
                    "created": plan.old.get("created") or round(time.time(), 3), "arrivals": {}}
        if not plan.total:
            _group(plan, manifest)
        if _needs_write(plan, index_dir) or _groups_changed(plan, manifest):
            documents = extracted(plan, index_dir, settings, workers or settings.workers, report, progress)
            write_and_publish(plan, index_dir, manifest, tagged(plan, report, documents))
        report.documents = len(plan.documents)
        report.pages = sum(d.page_count for d in plan.documents.values())
    report.seconds = time.perf_counter() - started
    return report


def _load_live_manifest(index_dir: Path) -> dict:
    gen = kb_index.current_generation(index_dir)
    if gen is None:
        return {}
    try:
        return kb_index.read_manifest(gen / kb_index.MANIFEST)
    except (OSError, ValueError):
        return {}
