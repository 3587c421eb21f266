"""Tagging: topics, professions and a document type for a Document, each tag with the
evidence that decided it (which terms, how often, on which pages, the score).

The rules are data in kb/taxonomy.yaml; this module applies them:
1. Every page (or section) is analyzed once with the project's analyzer, so a taxonomy
   term matches every inflected form exactly as search does. The title is analyzed too.
2. Taxonomy terms, analyzed the same way, match as consecutive term sequences. Within
   a facet the longest phrase at a position wins and consumes its words ("probační a
   mediační služba" is justice, not also mediation); `ignore` phrases consume words
   without scoring ("kolizní opatrovník" is OSPOD, not a guardian).
3. A hit weighs by its kind (strong term or supporting term) and by where it stands:
   the title, the audience statement near the start ("Metodika je určena pracovníkům
   OSPOD…"), a heading, or the body. A term repeated beyond `saturation` counts half.
4. Title and audience hits say what the whole document is about and count as they
   are; heading and body hits are divided by the document's length (sublinearly), so
   a long report needs more mentions than a leaflet.
5. A tag needs `min_score` and either a strong term or hits on `min_pages` pages (or
   sections): one passing mention never tags, a leaflet with a few clear ones does.
6. Document type: the best-scoring type whose conditions hold (a leaflet is short and
   speaks to its reader), else `jine`.
7. The sidecar has the last word: its topics/professions are added (evidence source
   "ručně"), `*_exclude` removes, its doc_type wins.

`score_document` returns every candidate, also those that fell short (the quality
benchmark shows why); `tag_document` returns what the pipeline stores in the manifest.

Every facet of kb/facets.py with tagging="terms" is tagged by the same rules from its
taxonomy section (a new one needs no code); tagging="type" picks one value.
Modules, in the order they run:
  compiled.py    the taxonomy compiled for matching (terms analyzed once, settings)
  zones.py       a document analyzed: units (pages/sections), zones, parts
  candidates.py  matching terms and deciding each candidate tag
  doc_type.py    the document type's own signals and conditions
  scoring.py     score_document: all of the above for one document
  explain.py     the evidence as `kb show` and the app present it
"""
from __future__ import annotations

from kb.facets import FACETS, TAG_FACETS
from kb.model import AUTO, MANUAL, Document  # noqa: F401 (public names)
from kb.tagging.candidates import Candidate
from kb.tagging.compiled import Compiled
from kb.tagging.doc_type import best_type
from kb.tagging.scoring import score_document
from kb.tagging.zones import Unit, heading_spans  # noqa: F401 (public names)
from kb.taxonomy import load_taxonomy, taxonomy_fingerprint  # noqa: F401 (pipeline imports them here)


def tag_document(document: Document, taxonomy: dict | None = None) -> dict:
    """The tags of every facet (kb/facets.py) of `document`, with evidence per tag:
    {"doc_type": id, "topics": [ids], "professions": [ids], …,
     "evidence": {"doc_type": {...}, "topics": {id: {...}}, "professions": {id: {...}},
                  "excluded": {"topics": [ids removed by the sidecar], ...}}}
    Tags are ordered by score, strongest first. Evidence of a tag: source
    ("automaticky" | "ručně"), score and threshold, matched terms with counts, the
    strong ones, in_title, pages (1-based, PDF) or sections (headings, DOCX/TXT)."""
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    scored = score_document(document, taxonomy)
    compiled: Compiled = scored["compiled"]
    units: list[Unit] = scored["units"]
    meta = document.meta or {}
    evidence: dict = {}

    tags: dict[str, list[str] | str] = {}
    for type_facet in FACETS:
        if type_facet.tagging != "type":
            continue
        doc_type, type_evidence = best_type(scored, document.paged, type_facet)
        manual_type = meta.get(type_facet.id)
        if manual_type in compiled.order[type_facet.section]:
            type_evidence = {**type_evidence, "source": MANUAL, "automatic": doc_type}
            doc_type = manual_type
        tags[type_facet.id] = doc_type
        evidence[type_facet.id] = type_evidence

    for facet_ in TAG_FACETS:
        facet, key = facet_.section, facet_.id
        known = set(compiled.order[facet])
        candidates: dict[str, Candidate] = scored[facet]
        parts = scored["parts"]
        chosen = {tag: cand.evidence(units, document.paged, parts=parts)
                  for tag, cand in candidates.items() if cand.tagged}
        for tag in meta.get(key) or []:
            if tag not in known:
                continue  # an unknown id in a sidecar cannot become a filter value
            cand = candidates.get(tag)
            base = cand.evidence(units, document.paged, parts=parts) if cand else {
                "score": 0.0, "terms": {}, "strong": [], "in_title": False, "pages": [], "sections": []}
            chosen[tag] = {**base, "source": MANUAL}
        excluded = [t for t in meta.get(facet_.exclude_key) or [] if t in chosen]
        for tag in excluded:
            del chosen[tag]
        if excluded:
            evidence.setdefault("excluded", {})[key] = excluded
        rank = {t: i for i, t in enumerate(compiled.order[facet])}
        tags[key] = sorted(chosen, key=lambda t: (-chosen[t]["score"], rank[t]))
        evidence[key] = {t: chosen[t] for t in tags[key]}
    return {**tags, "evidence": evidence}
