"""The facet registry: every kind of tag a document can be filtered by, described once.

The index schema (kb/index/store.py), the query filters and facet counts
(kb/search/), sidecar parsing (kb/extract/sidecar.py), the tagger's output
(kb/tagging/), the CLI options and their --help (kb/cli/), the app's URL state
(ui/state.py), its sidebar (ui/search_page.py) and the tag chips are all generated
from FACETS. To add a facet: a section in kb/taxonomy.yaml (ids, labels, terms) and
an entry here; nothing else holds facet knowledge.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    id: str  # key in the manifest entry, the CLI JSON, SearchRequest.filters and the index field
    section: str  # section of kb/taxonomy.yaml with its ids, labels and terms
    param: str  # URL parameter (?topic=ID) and CLI option (--topic ID)
    label: str  # Czech name of one value's kind: "Téma" (sidebar title)
    plural: str  # Czech name of the whole facet: "Témata" (home page, --help)
    short: str  # lowercase, in running text: "omezeno na: téma Kyberšikana"
    multi: bool = True  # several values per document (tags) or exactly one (the type)
    chip: str = "topic"  # style of its chips on cards and the detail page (ui/html.py)
    # How the tagger decides it: "terms" scores the section's terms like topics (any
    # facet of this kind needs only its taxonomy section), "type" picks the best one.
    tagging: str = "terms"
    default: str = ""  # single-valued facets: the value when nothing fits
    # Weight of a shared tag in "similar documents" (kb/search/suggest.py), 0 = not used:
    # a topic says more about a document than an audience (OSPOD reads most of the library).
    similarity: float = 0.0

    @property
    def option(self) -> str:
        return f"--{self.param}"

    @property
    def exclude_key(self) -> str:
        """Sidecar key that removes automatic tags (`topics_exclude`)."""
        return f"{self.id}_exclude"


FACETS: tuple[Facet, ...] = (
    Facet("topics", "topics", "topic", "Téma", "Témata", "téma", chip="topic", similarity=1.0),
    Facet("professions", "professions", "profession", "Profese", "Profese", "profese", chip="profession",
          similarity=0.4),
    Facet("audience", "audience", "audience", "Cílová skupina", "Cílové skupiny", "pro", chip="profession",
          similarity=0.4),
    Facet("doc_type", "doc_types", "type", "Typ dokumentu", "Typy dokumentů", "typ", multi=False,
          chip="type", tagging="type", default="jine"),
)
BY_ID = {facet.id: facet for facet in FACETS}
TAG_FACETS = tuple(f for f in FACETS if f.multi)  # list-valued: topics, professions, …
SECTIONS = tuple(f.section for f in FACETS)


def facet(id_: str) -> Facet:
    return BY_ID[id_]

