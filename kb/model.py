"""The two shapes of a document: `Document` (with its pages) flows extract -> tag -> index;
`IndexedDocument` (with its tags and their `Evidence`) is what indexing keeps and every
reader after it gets: search results, the CLI, the app, collections and exports."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kb.facets import TAG_FACETS as _REGISTRY_TAG_FACETS


@dataclass
class Page:
    """One unit of text. `number` is 1-based for paged formats (PDF), 0 where the
    format has no pages (DOCX, TXT): then a document has one section per heading."""

    number: int
    text: str
    heading: str = ""
    ocr: bool = False


@dataclass
class Document:
    path: str  # relative to the corpus root, with "/"
    title: str
    format: str  # pdf | docx | txt | md
    pages: list[Page] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # sidecar: year, organization, ...
    content_hash: str = ""

    @property
    def paged(self) -> bool:
        return self.format == "pdf"

    @property
    def page_count(self) -> int:
        return len(self.pages) if self.paged else 0

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        pages = [Page(**p) for p in data.get("pages", [])]
        return cls(**{**data, "pages": pages})


# ---------------------------------------------------------------- after indexing
#
# What indexing keeps of a document (the manifest entry) as one typed, read-only record:
# the index stores it, search results, the CLI, the app, collections and exports read it.
# Its JSON (to_json/from_json, the only place that knows the manifest's keys) is the
# manifest's shape since the first version, so an index written before a field existed
# still reads (the field takes its default) and needs no rebuild.

AUTO = "automaticky"  # evidence source: the tagger decided
MANUAL = "ručně"  # evidence source: the sidecar set it
# The multi-valued tag facets every record has (kb/facets.py; any other facet the tagger
# writes evidence for is read too).
TAG_FACETS = tuple(f.id for f in _REGISTRY_TAG_FACETS)
_NOT_TAG_FACETS = ("doc_type", "excluded")


@dataclass(frozen=True, slots=True)
class SectionPart:
    """The one section that carried a tag (evidence basis "section")."""

    label: str = ""
    pages: tuple[int, ...] = ()
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the tagger gave one tag (kb/tagging/): how it decided and what it found where.
    kb/tagging/explain.evidence_lines turns it into Czech sentences."""

    source: str = AUTO  # automaticky | ručně
    score: float = 0.0
    threshold: float | None = None  # None: no candidate scored (a manual tag only)
    terms: dict[str, int] = field(default_factory=dict)  # term as written in the taxonomy -> hits
    strong: tuple[str, ...] = ()  # which of `terms` are strong terms
    in_title: bool = False
    pages: tuple[int, ...] = ()  # 1-based pages with hits (PDF)
    sections: tuple[str, ...] = ()  # headings of the sections with hits (DOCX, TXT)
    basis: str = "document"  # document | section | outputs
    part: SectionPart | None = None  # basis "section": that section
    outputs: tuple[str, ...] = ()  # basis "outputs": the outputs the document names
    weak: dict[str, int] = field(default_factory=dict)  # hits only in lists of names
    automatic: str = ""  # a document type set by hand: the one the tagger chose
    scores: dict[str, float] | None = None  # document type only: every type's score (maybe none)

    @property
    def manual(self) -> bool:
        return self.source == MANUAL

    @classmethod
    def from_json(cls, data: dict | None) -> Evidence:
        data = data if isinstance(data, dict) else {}
        part = data.get("part")
        return cls(
            source=data.get("source") or AUTO,
            score=data.get("score") or 0.0,
            threshold=data.get("threshold"),
            terms=dict(data.get("terms") or {}),
            strong=tuple(data.get("strong") or ()),
            in_title=bool(data.get("in_title")),
            pages=tuple(data.get("pages") or ()),
            sections=tuple(data.get("sections") or ()),
            basis=data.get("basis") or "document",
            part=SectionPart(part.get("label") or "", tuple(part.get("pages") or ()), part.get("score") or 0.0)
            if isinstance(part, dict) else None,
            outputs=tuple(data.get("outputs") or ()),
            weak=dict(data.get("weak") or {}),
            automatic=data.get("automatic") or "",
            scores=dict(data["scores"]) if isinstance(data.get("scores"), dict) else None,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "score": self.score}
        if self.threshold is not None:
            data["threshold"] = self.threshold
        data.update(terms=dict(self.terms), strong=list(self.strong), in_title=self.in_title,
                    pages=list(self.pages), sections=list(self.sections), basis=self.basis)
        if self.part is not None:
            data["part"] = {"label": self.part.label, "pages": list(self.part.pages), "score": self.part.score}
        if self.outputs:
            data["outputs"] = list(self.outputs)
        if self.weak:
            data["weak"] = dict(self.weak)
        if self.automatic:
            data["automatic"] = self.automatic
        if self.scores is not None:
            data["scores"] = dict(self.scores)
        return data


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """One indexed document: its file, sidecar metadata and tags with their evidence."""

    path: str  # relative to the corpus root, with "/"
    title: str = ""
    format: str = ""  # pdf | docx | txt | md
    page_count: int = 0  # pages of a paged format (PDF), else 0
    section_count: int = 0  # stored records: pages, or sections of DOCX/TXT
    hash: str = ""  # sha256 of the file's content
    sidecar_hash: str = ""
    size: int = 0
    year: int | None = None
    organization: str = ""
    publisher: str = ""  # for citations (ČSN ISO 690)
    place: str = ""
    source_url: str = ""
    summary: str = ""
    ocr_pages: tuple[int, ...] = ()
    doc_type: str = "jine"  # the tagger always sets one; "jine" when no type fits
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet id -> tag ids, strongest first
    evidence: dict[str, dict[str, Evidence]] = field(default_factory=dict)  # facet id -> tag id -> why
    type_evidence: Evidence = field(default_factory=Evidence)
    excluded: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> ids the sidecar removed
    minhash: str = ""  # near-duplicate signature (kb/index/neardup.py)
    minhash_version: int = 0

    @property
    def topics(self) -> tuple[str, ...]:
        return self.tags.get("topics", ())

    @property
    def professions(self) -> tuple[str, ...]:
        return self.tags.get("professions", ())

    @property
    def display_title(self) -> str:
        return self.title or self.path

    def values(self, facet: str) -> tuple[str, ...]:
        """The document's ids in a facet: its tags, or its one document type."""
        return (self.doc_type,) if facet in ("doc_type", "doc_types") else self.tags.get(facet, ())

    def evidence_for(self, facet: str, tag: str) -> Evidence | None:
        """Why the document has `tag` in `facet` (None when it has no evidence for it)."""
        if facet in ("doc_type", "doc_types"):
            return self.type_evidence if tag == self.doc_type else None
        return self.evidence.get(facet, {}).get(tag)

    @classmethod
    def from_tagging(cls, tagged: dict, **fields: Any) -> IndexedDocument:
        """The record of a document from what kb/tagging.tag_document returned and the
        file's other fields (path, title, hash..., as the attributes are named)."""
        return replace(cls.from_json({"path": fields["path"], **tagged}), **fields)

    @classmethod
    def from_json(cls, data: dict) -> IndexedDocument:
        """A manifest entry as written by to_json (or by an older version)."""
        evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else {}
        facets = list(TAG_FACETS) + [f for f in evidence if f not in TAG_FACETS and f not in _NOT_TAG_FACETS]
        tags = {f: tuple(data.get(f) or ()) for f in facets}
        return cls(
            path=data["path"],
            title=data.get("title") or "",
            format=data.get("format") or "",
            page_count=data.get("pages") or 0,
            section_count=data.get("sections") or 0,
            hash=data.get("hash") or "",
            sidecar_hash=data.get("sidecar_hash") or "",
            size=data.get("size") or 0,
            year=data.get("year") or None,
            organization=data.get("organization") or "",
            publisher=data.get("publisher") or "",
            place=data.get("place") or "",
            source_url=data.get("source_url") or "",
            summary=data.get("summary") or "",
            ocr_pages=tuple(data.get("ocr_pages") or ()),
            doc_type=data.get("doc_type") or "jine",
            tags=tags,
            evidence={f: {t: Evidence.from_json(e) for t, e in (evidence.get(f) or {}).items()} for f in facets},
            type_evidence=Evidence.from_json(evidence.get("doc_type")),
            excluded={f: tuple(ids) for f, ids in (evidence.get("excluded") or {}).items() if ids},
            minhash=data.get("minhash") or "",
            minhash_version=data.get("minhash_version") or 0,
        )

    def to_json(self) -> dict[str, Any]:
        evidence: dict[str, Any] = {"doc_type": self.type_evidence.to_json()}
        for facet, by_tag in self.evidence.items():
            evidence[facet] = {t: e.to_json() for t, e in by_tag.items()}
        if self.excluded:
            evidence["excluded"] = {f: list(ids) for f, ids in self.excluded.items()}
        return {
            "path": self.path, "title": self.title, "format": self.format,
            "pages": self.page_count, "sections": self.section_count,
            "hash": self.hash, "sidecar_hash": self.sidecar_hash, "size": self.size,
            "year": self.year, "organization": self.organization, "publisher": self.publisher,
            "place": self.place, "source_url": self.source_url, "summary": self.summary,
            "ocr_pages": list(self.ocr_pages), "doc_type": self.doc_type,
            **{facet: list(ids) for facet, ids in self.tags.items()},
            "evidence": evidence,
            "minhash": self.minhash, "minhash_version": self.minhash_version,
        }
