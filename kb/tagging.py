"""Tagging: topics, professions and a document type for a Document, each tag with the
evidence that decided it (which terms, how often, on which pages, the score).

The rules are data in kb/taxonomy.yaml; this module applies them:
1. Every page (or section) is analyzed once with the project's analyzer, so a taxonomy
   term matches every inflected form exactly as search does. The title is analyzed too.
2. Taxonomy terms, analyzed the same way, match as consecutive term sequences. Within
   a facet the longest phrase at a position wins and consumes its words ("probační a
   mediační služba" is justice, not also mediation); `ignore` phrases consume words
   without scoring ("kolizní opatrovník" is not a guardian).
3. A hit weighs by its kind (strong term or supporting term) and where it stands
   (title, heading, body). A term repeated beyond `saturation` counts at half weight.
4. Title hits count as they are; heading and body hits are divided by the document's
   length (sublinearly), so a long report needs more mentions than a leaflet.
5. A tag needs `min_score` and either a strong term or hits on `min_pages` pages: one
   passing mention never tags, a short leaflet with a few clear mentions does.
6. The sidecar has the last word: its topics/professions are added (evidence source
   "ručně"), *_exclude removes, its doc_type wins.

`score_document` returns every candidate (also those below threshold) for the quality
benchmark; `tag_document` returns what the pipeline stores in the manifest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.analysis import terms, tokens_with_offsets
from kb.model import Document
from kb.taxonomy import FACETS, load_taxonomy, taxonomy_fingerprint  # noqa: F401 (pipeline imports them here)

AUTO = "automaticky"
MANUAL = "ručně"
TAG_FACETS = ("topics", "professions")
ZONES = ("title", "heading", "body")
DEFAULTS = {
    "reference_terms": 300,
    "length_exponent": 0.6,
    "zone_weights": {"title": 1.5, "heading": 2.0, "body": 1.0},
    "kind_weights": {"strong": 1.0, "term": 0.3},
    "saturation": 12,
}
FACET_DEFAULTS = {"min_score": 2.0, "min_pages": 3}

# A PDF line that looks like a heading: optionally numbered ("2", "2.3", "Kapitola 4",
# "Standard 7"), starting with a capital, short, not ending like a sentence.
_NUMBERING = re.compile(r"^(?:(?:kapitola|standard|část|příloha)\s+)?\d+(?:\.\d+)*\.?\s+", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":", ";", "“", "\"", ")")
_HEADING_MAX_CHARS = 90
_HEADING_MAX_WORDS = 12


# ---------------------------------------------------------------- the compiled taxonomy


@dataclass(frozen=True)
class Rule:
    tag: str
    kind: str  # strong | term | ignore
    display: str  # the term as written in the taxonomy, shown as evidence


@dataclass
class Compiled:
    """The taxonomy turned into a lookup: first analyzed term -> facet -> [(phrase, rules)],
    longest phrase first."""

    index: dict[str, dict[str, list[tuple[tuple[str, ...], list[Rule]]]]]
    settings: dict
    facet_settings: dict[str, dict]
    tag_settings: dict[str, dict[str, dict]]
    order: dict[str, list[str]]


_COMPILED: dict[int, tuple[dict, Compiled]] = {}


def compile_taxonomy(taxonomy: dict) -> Compiled:
    """Analyze every term once per taxonomy object (the pipeline tags thousands of
    documents with one taxonomy)."""
    cached = _COMPILED.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    settings = {**DEFAULTS, **(taxonomy.get("tagging") or {})}
    index: dict[str, dict[str, dict[tuple[str, ...], list[Rule]]]] = {}
    facet_settings: dict[str, dict] = {}
    tag_settings: dict[str, dict[str, dict]] = {}
    order: dict[str, list[str]] = {}
    for facet in FACETS:
        facet_settings[facet] = {**FACET_DEFAULTS, "zone_weights": settings["zone_weights"],
                                 "kind_weights": settings["kind_weights"], **(settings.get(facet) or {})}
        tag_settings[facet] = {}
        order[facet] = []
        for tag, entry in (taxonomy.get(facet) or {}).items():
            entry = entry or {}
            order[facet].append(tag)
            tag_settings[facet][tag] = {k: v for k, v in entry.items()
                                        if k not in ("label", "description", "strong", "terms", "ignore")}
            seen: set[tuple[str, ...]] = set()
            for kind in ("ignore", "strong", "terms"):
                for text in entry.get(kind) or []:
                    phrase = tuple(terms(str(text)))
                    if not phrase or phrase in seen:
                        continue  # a second spelling of the same analyzed form
                    seen.add(phrase)
                    rule = Rule(tag, "term" if kind == "terms" else kind, str(text))
                    index.setdefault(phrase[0], {}).setdefault(facet, {}).setdefault(phrase, []).append(rule)
    final = {
        first: {facet: sorted(phrases.items(), key=lambda kv: -len(kv[0])) for facet, phrases in by_facet.items()}
        for first, by_facet in index.items()
    }
    compiled = Compiled(final, settings, facet_settings, tag_settings, order)
    if len(_COMPILED) > 8:
        _COMPILED.clear()
    _COMPILED[id(taxonomy)] = (taxonomy, compiled)
    return compiled


# ---------------------------------------------------------------- analysis of a document


@dataclass
class Unit:
    """One analyzed page or section: its terms and the zone of each term."""

    number: int  # 1-based page for PDF, else the section's order (1-based)
    label: str  # the section heading (DOCX/TXT/MD)
    terms: list[str]
    zones: list[str]


def heading_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of lines in PDF page text that look like headings: short lines
    starting with a capital (after optional numbering) that begin a new block and do
    not end like a sentence. Wrapped lines of a paragraph follow a line that does not
    end a sentence, so they are not taken for headings."""
    spans: list[tuple[int, int]] = []
    offset = 0
    previous = ""  # the last non-empty line; "" at the top of the page
    previous_heading = False
    for line in text.split("\n"):
        stripped = line.strip()
        start = offset + (len(line) - len(line.lstrip()))
        offset += len(line) + 1
        if not stripped:
            continue
        starts_block = not previous or previous_heading or previous.endswith(_SENTENCE_END)
        candidate = _NUMBERING.sub("", stripped)
        previous_heading = (starts_block and candidate[:1].isupper()
                            and len(stripped) <= _HEADING_MAX_CHARS
                            and len(stripped.split()) <= _HEADING_MAX_WORDS
                            and not stripped.endswith((".", ",", ";", ":")))
        if previous_heading:
            spans.append((start, start + len(stripped)))
        previous = stripped
    return spans


def analyze_document(document: Document) -> tuple[list[str], list[Unit]]:
    """(title terms, analyzed units). Each page text goes through the analyzer once."""
    units: list[Unit] = []
    for order, page in enumerate(document.pages, start=1):
        text = page.text or ""
        tokens = tokens_with_offsets(text)
        if document.paged:
            spans = heading_spans(text)
        else:
            heading = (page.heading or "").strip()
            spans = []
            if heading:
                at = text.find(heading)
                if 0 <= at < 200:
                    spans = [(at, at + len(heading))]
        zones = _zones(tokens, spans)
        unit_terms = [t for t, _, _ in tokens]
        if not document.paged and page.heading and not spans:
            # the heading is not part of the section text: count it as a heading anyway
            extra = terms(page.heading)
            unit_terms = extra + unit_terms
            zones = ["heading"] * len(extra) + zones
        number = page.number if document.paged else order
        units.append(Unit(number, page.heading or "", unit_terms, zones))
    return terms(document.title or ""), units


def _zones(tokens: list[tuple[str, int, int]], spans: list[tuple[int, int]]) -> list[str]:
    if not spans:
        return ["body"] * len(tokens)
    zones = []
    k = 0
    for _, start, _ in tokens:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        zones.append("heading" if k < len(spans) and spans[k][0] <= start < spans[k][1] else "body")
    return zones


# ---------------------------------------------------------------- matching and scoring


@dataclass
class Candidate:
    """Everything found for one tag; `tagged` says whether it passed."""

    facet: str
    tag: str
    score: float = 0.0
    threshold: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)  # display term -> hits
    strong_terms: set[str] = field(default_factory=set)
    strong_hits: int = 0
    units: dict[int, int] = field(default_factory=dict)  # unit index -> hits
    in_title: bool = False
    tagged: bool = False
    reason: str = ""
    _weighted: dict[str, list[float]] = field(default_factory=dict)  # display -> hit weights

    def evidence(self, units: list[Unit], paged: bool, source: str = AUTO) -> dict:
        hit_units = sorted(self.units)
        return {
            "source": source,
            "score": round(self.score, 2),
            "threshold": self.threshold,
            "terms": dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "strong": sorted(self.strong_terms),
            "in_title": self.in_title,
            "pages": [units[i].number for i in hit_units] if paged else [],
            "sections": [] if paged else _unique(units[i].label for i in hit_units if units[i].label),
        }


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def _match(compiled: Compiled, sequence: list[str], zones: list[str], unit: int,
           found: dict[str, dict[str, Candidate]]) -> None:
    """Longest-first matching of one term sequence, per facet, recording hits."""
    index = compiled.index
    blocked = {facet: 0 for facet in FACETS}
    n = len(sequence)
    for i, term in enumerate(sequence):
        by_facet = index.get(term)
        if by_facet is None:
            continue
        for facet, phrases in by_facet.items():
            if blocked[facet] > i:
                continue
            for phrase, rules in phrases:
                size = len(phrase)
                if size > 1 and (i + size > n or tuple(sequence[i:i + size]) != phrase):
                    continue
                blocked[facet] = i + size
                zone = zones[i]
                weights = compiled.facet_settings[facet]
                for rule in rules:
                    if rule.kind == "ignore":
                        continue
                    cand = found[facet].get(rule.tag)
                    if cand is None:
                        cand = found[facet][rule.tag] = Candidate(facet, rule.tag)
                    cand.counts[rule.display] = cand.counts.get(rule.display, 0) + 1
                    weight = weights["kind_weights"][rule.kind] * weights["zone_weights"][zone]
                    cand._weighted.setdefault(rule.display, []).append(weight if zone != "title" else -weight)
                    if rule.kind == "strong":
                        cand.strong_terms.add(rule.display)
                        cand.strong_hits += 1
                    if zone == "title":
                        cand.in_title = True
                    else:
                        cand.units[unit] = cand.units.get(unit, 0) + 1
                break


def _finish(compiled: Compiled, cand: Candidate, length_factor: float) -> None:
    saturation = compiled.settings["saturation"]
    title_score = body_score = 0.0
    for weights in cand._weighted.values():
        # strongest hits first, so saturation halves the weakest repetitions
        ordered = sorted(weights, key=lambda w: -abs(w))
        for k, w in enumerate(ordered):
            factor = 1.0 if k < saturation else 0.5
            if w < 0:
                title_score += -w * factor
            else:
                body_score += w * factor
    cand.score = title_score + body_score / length_factor
    facet_cfg = compiled.facet_settings[cand.facet]
    tag_cfg = compiled.tag_settings[cand.facet].get(cand.tag, {})
    min_score = float(tag_cfg.get("min_score", facet_cfg["min_score"]))
    min_pages = int(tag_cfg.get("min_pages", facet_cfg["min_pages"]))
    cand.threshold = min_score
    spread = len(cand.units)
    if cand.score < min_score:
        cand.reason = f"skóre {cand.score:.2f} < {min_score}"
    elif not cand.strong_hits and spread < min_pages:
        cand.reason = f"bez silného výrazu a jen na {spread} místech (< {min_pages})"
    else:
        cand.tagged = True


def score_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Every candidate tag of every facet, scored and decided (also those that failed).
    Returns {"topics": {id: Candidate}, "professions": ..., "doc_types": ..., "units": [...],
    "length": n}."""
    compiled = compile_taxonomy(taxonomy if taxonomy is not None else load_taxonomy())
    title_terms, units = analyze_document(document)
    found: dict[str, dict[str, Candidate]] = {facet: {} for facet in FACETS}
    if title_terms:
        _match(compiled, title_terms, ["title"] * len(title_terms), -1, found)
    for k, unit in enumerate(units):
        _match(compiled, unit.terms, unit.zones, k, found)
    length = sum(len(u.terms) for u in units)
    settings = compiled.settings
    length_factor = max(1.0, length / settings["reference_terms"]) ** settings["length_exponent"]
    for facet in FACETS:
        for cand in found[facet].values():
            _finish(compiled, cand, length_factor)
    return {**found, "units": units, "length": length, "compiled": compiled}


# ---------------------------------------------------------------- document type


def _doc_type(document: Document, scored: dict, compiled: Compiled) -> tuple[str, dict]:
    """The best-scoring type whose own conditions hold (a leaflet is short); else jine."""
    length = scored["length"]
    candidates: dict[str, Candidate] = scored["doc_types"]
    best, best_score = "jine", 0.0
    for type_id in compiled.order["doc_types"]:
        cand = candidates.get(type_id)
        if cand is None or not cand.tagged:
            continue
        cfg = compiled.tag_settings["doc_types"].get(type_id, {})
        if "max_terms" in cfg and length > int(cfg["max_terms"]):
            cand.tagged, cand.reason = False, f"dokument je delší než {cfg['max_terms']} slov"
            continue
        if "max_pages" in cfg and document.paged and document.page_count > int(cfg["max_pages"]):
            cand.tagged, cand.reason = False, f"dokument má víc než {cfg['max_pages']} stran"
            continue
        if cand.score > best_score:
            best, best_score = type_id, cand.score
    cand = candidates.get(best)
    evidence = cand.evidence(scored["units"], document.paged) if cand else {"source": AUTO, "score": 0.0,
                                                                             "terms": {}}
    evidence["scores"] = {t: round(c.score, 2) for t, c in sorted(candidates.items()) if c.score > 0}
    return best, evidence


# ---------------------------------------------------------------- the entry point


def tag_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Topics, professions and document type of `document`, with evidence per tag:
    {"doc_type": id, "topics": [ids], "professions": [ids],
     "evidence": {"doc_type": {...}, "topics": {id: {...}}, "professions": {id: {...}}}}
    Evidence: source ("automaticky" | "ručně"), score and threshold, matched terms with
    counts, strong terms, in_title, pages (1-based, PDF) or sections (headings, DOCX/TXT)."""
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    scored = score_document(document, taxonomy)
    compiled: Compiled = scored["compiled"]
    units: list[Unit] = scored["units"]
    meta = document.meta or {}
    result: dict = {"evidence": {}}

    doc_type, type_evidence = _doc_type(document, scored, compiled)
    manual_type = meta.get("doc_type")
    if manual_type in compiled.order["doc_types"]:
        type_evidence = {**type_evidence, "source": MANUAL, "automatic": doc_type}
        doc_type = manual_type
    result["doc_type"] = doc_type
    result["evidence"]["doc_type"] = type_evidence

    for facet in TAG_FACETS:
        known = set(compiled.order[facet])
        candidates: dict[str, Candidate] = scored[facet]
        evidence = {tag: cand.evidence(units, document.paged)
                    for tag, cand in candidates.items() if cand.tagged}
        for tag in meta.get(facet) or []:
            if tag not in known:
                continue  # an unknown id in a sidecar cannot become a filter value
            cand = candidates.get(tag)
            base = cand.evidence(units, document.paged) if cand else {"score": 0.0, "terms": {}, "pages": [],
                                                                        "sections": []}
            evidence[tag] = {**base, "source": MANUAL}
        excluded = [t for t in meta.get(f"{facet}_exclude") or [] if t in evidence]
        for tag in excluded:
            del evidence[tag]
        rank = {t: i for i, t in enumerate(compiled.order[facet])}
        ordered = sorted(evidence, key=lambda t: (-evidence[t]["score"], rank[t]))
        result[facet] = ordered
        result["evidence"][facet] = {t: evidence[t] for t in ordered}
        if excluded:
            result["evidence"].setdefault("excluded", {})[facet] = excluded
    return {"doc_type": result["doc_type"], "topics": result["topics"], "professions": result["professions"],
            "evidence": result["evidence"]}
