"""The one shape that flows extract -> tag -> index -> search: a Document with its pages."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
