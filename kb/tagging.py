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
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.analysis import CZECH_STOPWORDS, fold, terms, tokens_with_offsets
from kb.model import Document
from kb.taxonomy import FACETS, load_taxonomy, taxonomy_fingerprint  # noqa: F401 (pipeline imports them here)

AUTO = "automaticky"
MANUAL = "ručně"
TAG_FACETS = ("topics", "professions")
DEFAULTS: dict = {
    "reference_terms": 300,
    "length_exponent": 0.6,
    "zone_weights": {"title": 1.5, "lead": 1.5, "audience": 2.0, "heading": 2.0, "body": 1.0},
    "unscaled_zones": ["title", "lead", "audience"],
    "lead_terms": 40,
    "kind_weights": {"strong": 1.0, "term": 0.3},
    "saturation": 12,
    "audience": {"marker": "určen", "within_terms": 800},
}
FACET_DEFAULTS = {"min_score": 2.0, "min_pages": 3}
ENTRY_KEYS = ("label", "description", "strong", "terms", "ignore")

# A PDF line that looks like a heading: optionally numbered ("2", "2.3", "Kapitola 4",
# "Standard 7"), starting with a capital, short, not ending like a sentence.
_NUMBERING = re.compile(r"^(?:(?:kapitola|standard|část|příloha)\s+)?\d+(?:\.\d+)*\.?\s+", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":", ";", "“", "\"", ")")
_HEADING_MAX_CHARS = 90
_HEADING_MAX_WORDS = 12
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n\s*\n")
AUDIENCE_LOOKBACK = 3  # analyzed words before the marker: "metodika je určena" -> metodik


# ---------------------------------------------------------------- the compiled taxonomy


@dataclass(frozen=True)
class Rule:
    tag: str
    kind: str  # strong | term | ignore
    display: str  # the term as written in the taxonomy, shown as evidence


@dataclass
class Compiled:
    """The taxonomy as a lookup: first analyzed term -> facet -> [(phrase, rules)],
    longest phrase first; plus the settings of each facet and tag."""

    index: dict[str, dict[str, list[tuple[tuple[str, ...], list[Rule]]]]]
    settings: dict
    facet_settings: dict[str, dict]
    tag_settings: dict[str, dict[str, dict]]
    order: dict[str, list[str]]
    audience_marker: str


_COMPILED: dict[int, tuple[dict, Compiled]] = {}


def compile_taxonomy(taxonomy: dict) -> Compiled:
    """Analyze every term once per taxonomy object (the pipeline tags thousands of
    documents with one taxonomy). The dict counts as frozen once used: to try other
    terms or thresholds, change a copy."""
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
        facet_settings[facet]["zone_weights"] = {**settings["zone_weights"],
                                                 **facet_settings[facet]["zone_weights"]}
        tag_settings[facet] = {}
        order[facet] = []
        for tag, entry in (taxonomy.get(facet) or {}).items():
            entry = entry or {}
            order[facet].append(tag)
            tag_settings[facet][tag] = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            seen: set[tuple[str, ...]] = set()
            for kind in ("ignore", "strong", "terms"):
                for text in entry.get(kind) or []:
                    phrase = tuple(terms(str(text)))
                    if not phrase or phrase in seen:
                        continue  # another spelling of the same analyzed form
                    seen.add(phrase)
                    rule = Rule(tag, "term" if kind == "terms" else kind, str(text))
                    index.setdefault(phrase[0], {}).setdefault(facet, {}).setdefault(phrase, []).append(rule)
    final = {
        first: {facet: sorted(phrases.items(), key=lambda kv: -len(kv[0])) for facet, phrases in by_facet.items()}
        for first, by_facet in index.items()
    }
    marker = terms(str(settings["audience"].get("marker", "")))
    compiled = Compiled(final, settings, facet_settings, tag_settings, order, marker[0] if marker else "")
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
    starting with a capital (after optional numbering) that begin a new block, do not
    end like a sentence or with a function word ("…sociální služby i") and are not
    continued by a lowercase line (those are wrapped paragraphs)."""
    lines = text.split("\n")
    stripped_lines = [line.strip() for line in lines]
    following_lines = [""] * len(lines)  # the next non-empty line after each line
    nxt = ""
    for i in range(len(lines) - 1, -1, -1):
        following_lines[i] = nxt
        if stripped_lines[i]:
            nxt = stripped_lines[i]
    spans: list[tuple[int, int]] = []
    offset = 0
    previous = ""  # the last non-empty line; "" at the top of the page
    previous_heading = False
    for i, line in enumerate(lines):
        stripped = stripped_lines[i]
        start = offset + (len(line) - len(line.lstrip()))
        offset += len(line) + 1
        if not stripped:
            continue
        following = following_lines[i]
        starts_block = not previous or previous_heading or previous.endswith(_SENTENCE_END)
        candidate = _NUMBERING.sub("", stripped)
        previous_heading = (starts_block and candidate[:1].isupper()
                            and len(stripped) <= _HEADING_MAX_CHARS
                            and len(stripped.split()) <= _HEADING_MAX_WORDS
                            and not stripped.endswith((".", ",", ";", ":", "-", "–"))
                            and stripped.split()[-1].lower() not in CZECH_STOPWORDS
                            and not following[:1].islower())
        if previous_heading:
            spans.append((start, start + len(stripped)))
        previous = stripped
    return spans


def _sentence_end(text: str, at: int) -> int:
    """Where the sentence containing character `at` ends (. ! ? or a blank line)."""
    m = _SENTENCE_BREAK.search(text, at)
    return m.end() if m else len(text)


def analyze_document(document: Document, audience_marker: str = "", audience_within: int = 0,
                     lead_terms: int = 0) -> tuple[list[str], list[Unit]]:
    """(title terms, analyzed units). Each page text goes through the analyzer once.
    Zones: the first `lead_terms` words of the document are its "lead" (title page:
    subtitle such as "Metodický pokyn pro sociální pracovníky obce"), the sentence with
    the audience marker near the start is "audience", then "heading" and "body"."""
    units: list[Unit] = []
    seen_terms = 0
    for order, page in enumerate(document.pages, start=1):
        text = page.text or ""
        tokens = tokens_with_offsets(text)
        if document.paged:
            spans = heading_spans(text)
        else:
            heading = (page.heading or "").strip()
            at = text.find(heading) if heading else -1
            spans = [(at, at + len(heading))] if 0 <= at < 200 else []
        zones = _zones(tokens, spans)
        unit_terms = [t for t, _, _ in tokens]
        if audience_marker and seen_terms < audience_within:
            _mark_audience(text, tokens, zones, audience_marker)
        for k in range(max(0, min(len(zones), lead_terms - seen_terms))):
            zones[k] = "lead"
        seen_terms += len(unit_terms)
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


def _mark_audience(text: str, tokens: list[tuple[str, int, int]], zones: list[str], marker: str) -> None:
    """The sentence that says whom the document is for ("Metodika je určena sociálním
    pracovníkům obcí, pracovníkům OSPOD…") speaks for the whole document: from a few
    words before the marker ("Metodika je určena", "Určeno pro:") to the sentence end.
    (Not from the sentence start: lines of a title page have no full stops.)"""
    for k, (term, start, _) in enumerate(tokens):
        if term != marker:
            continue
        hi = _sentence_end(text, start)
        for j in range(max(0, k - AUDIENCE_LOOKBACK), len(tokens)):
            if tokens[j][1] >= hi:
                break
            if zones[j] == "body":
                zones[j] = "audience"


# ---------------------------------------------------------------- matching and scoring


@dataclass
class Candidate:
    """Everything found for one tag; `tagged` says whether it passed, `reason` why not."""

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
    weights: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)  # display -> (weight, unscaled)

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

    def add(self, display: str, weight: float, unscaled: bool, strong: bool, unit: int | None) -> None:
        self.counts[display] = self.counts.get(display, 0) + 1
        self.weights.setdefault(display, []).append((weight, unscaled))
        if strong:
            self.strong_terms.add(display)
            self.strong_hits += 1
        if unit is None:
            self.in_title = True
        else:
            self.units[unit] = self.units.get(unit, 0) + 1


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


def _match(compiled: Compiled, sequence: list[str], zones: list[str], unit: int | None,
           found: dict[str, dict[str, Candidate]]) -> None:
    """Longest-first matching of one term sequence, per facet, recording hits."""
    index = compiled.index
    unscaled_zones = compiled.settings["unscaled_zones"]
    blocked = dict.fromkeys(FACETS, 0)
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
                cfg = compiled.facet_settings[facet]
                for rule in rules:
                    if rule.kind == "ignore":
                        continue
                    cand = found[facet].get(rule.tag)
                    if cand is None:
                        cand = found[facet][rule.tag] = Candidate(facet, rule.tag)
                    weight = cfg["kind_weights"][rule.kind] * cfg["zone_weights"][zone]
                    cand.add(rule.display, weight, zone in unscaled_zones, rule.kind == "strong", unit)
                break


def _decide(compiled: Compiled, cand: Candidate, length_factor: float) -> None:
    saturation = compiled.settings["saturation"]
    unscaled = scaled = 0.0
    for hits in cand.weights.values():
        # strongest hits first, so saturation halves the weakest repetitions
        for k, (weight, whole) in enumerate(sorted(hits, key=lambda h: -h[0])):
            weight *= 1.0 if k < saturation else 0.5
            if whole:
                unscaled += weight
            else:
                scaled += weight
    cand.score = unscaled + scaled / length_factor
    facet_cfg = compiled.facet_settings[cand.facet]
    tag_cfg = compiled.tag_settings[cand.facet].get(cand.tag, {})
    min_score = float(tag_cfg.get("min_score", facet_cfg["min_score"]))
    min_pages = int(tag_cfg.get("min_pages", facet_cfg["min_pages"]))
    cand.threshold = min_score
    spread = len(cand.units)
    if cand.score < min_score:
        cand.tagged, cand.reason = False, f"skóre {cand.score:.2f} < {min_score}"
    elif not cand.strong_hits and spread < min_pages:
        cand.tagged, cand.reason = False, f"bez silného výrazu a jen na {spread} místech (< {min_pages})"
    else:
        cand.tagged, cand.reason = True, ""


def score_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Every candidate tag of every facet, scored and decided (also those that failed):
    {"topics": {id: Candidate}, "professions": ..., "doc_types": ..., "units": [Unit],
     "length": analyzed terms, "compiled": Compiled}."""
    compiled = compile_taxonomy(taxonomy if taxonomy is not None else load_taxonomy())
    settings = compiled.settings
    title_terms, units = analyze_document(document, compiled.audience_marker,
                                          int(settings["audience"].get("within_terms", 0)),
                                          int(settings["lead_terms"]))
    found: dict[str, dict[str, Candidate]] = {facet: {} for facet in FACETS}
    if title_terms:
        _match(compiled, title_terms, ["title"] * len(title_terms), None, found)
    for k, unit in enumerate(units):
        _match(compiled, unit.terms, unit.zones, k, found)
    length = sum(len(u.terms) for u in units)
    scored = {**found, "units": units, "length": length, "compiled": compiled}
    _address_the_reader(document, scored)
    for facet in FACETS:
        exponent = compiled.facet_settings[facet].get("length_exponent", settings["length_exponent"])
        length_factor = max(1.0, length / settings["reference_terms"]) ** float(exponent)
        for cand in found[facet].values():
            _decide(compiled, cand, length_factor)
    _document_type_conditions(document, scored)
    return scored


# ---------------------------------------------------------------- document type


def _is_short(document: Document, length: int, cfg: dict) -> tuple[bool, str]:
    if "max_terms" in cfg and length > int(cfg["max_terms"]):
        return False, f"dokument je delší než {cfg['max_terms']} slov"
    if "max_pages" in cfg and document.paged and document.page_count > int(cfg["max_pages"]):
        return False, f"dokument má víc než {cfg['max_pages']} stran"
    return True, ""


def _address_the_reader(document: Document, scored: dict) -> None:
    """A type with `address_words` (the leaflet) gains for each word that speaks to the
    reader (vy, vás, vám…). These are stopwords for search, so they are counted in the
    raw text, and only in documents short enough for the type."""
    compiled: Compiled = scored["compiled"]
    for type_id in compiled.order["doc_types"]:
        cfg = compiled.tag_settings["doc_types"].get(type_id, {})
        words = cfg.get("address_words")
        if not words or not _is_short(document, scored["length"], cfg)[0]:
            continue
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(fold(w.lower())) for w in words) + r")\b")
        count = sum(len(pattern.findall(fold(page.text.lower()))) for page in document.pages)
        if not count:
            continue
        cand = scored["doc_types"].setdefault(type_id, Candidate("doc_types", type_id))
        label = "oslovení čtenáře (vy, vás, vám…)"
        cand.counts[label] = count
        cand.weights[label] = [(float(cfg.get("address_weight", 0.3)), True)] * count
        cand.strong_terms.add(label)
        cand.strong_hits += count


def _document_type_conditions(document: Document, scored: dict) -> None:
    compiled: Compiled = scored["compiled"]
    for type_id, cand in scored["doc_types"].items():
        ok, why = _is_short(document, scored["length"], compiled.tag_settings["doc_types"].get(type_id, {}))
        if cand.tagged and not ok:
            cand.tagged, cand.reason = False, why


def _doc_type(scored: dict, paged: bool) -> tuple[str, dict]:
    """The best-scoring type that passed; `jine` when none did."""
    compiled: Compiled = scored["compiled"]
    candidates: dict[str, Candidate] = scored["doc_types"]
    passed = [candidates[t] for t in compiled.order["doc_types"] if t in candidates and candidates[t].tagged]
    best = max(passed, key=lambda c: c.score, default=None)
    type_id = best.tag if best else "jine"
    evidence = best.evidence(scored["units"], paged) if best else {"source": AUTO, "score": 0.0, "terms": {}}
    evidence["scores"] = {t: round(c.score, 2) for t, c in sorted(candidates.items()) if c.score > 0}
    return type_id, evidence


# ---------------------------------------------------------------- the entry point


def tag_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Topics, professions and document type of `document`, with evidence per tag:
    {"doc_type": id, "topics": [ids], "professions": [ids],
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

    doc_type, type_evidence = _doc_type(scored, document.paged)
    manual_type = meta.get("doc_type")
    if manual_type in compiled.order["doc_types"]:
        type_evidence = {**type_evidence, "source": MANUAL, "automatic": doc_type}
        doc_type = manual_type
    evidence["doc_type"] = type_evidence

    tags: dict[str, list[str]] = {}
    for facet in TAG_FACETS:
        known = set(compiled.order[facet])
        candidates: dict[str, Candidate] = scored[facet]
        chosen = {tag: cand.evidence(units, document.paged) for tag, cand in candidates.items() if cand.tagged}
        for tag in meta.get(facet) or []:
            if tag not in known:
                continue  # an unknown id in a sidecar cannot become a filter value
            cand = candidates.get(tag)
            base = cand.evidence(units, document.paged) if cand else {
                "score": 0.0, "terms": {}, "strong": [], "in_title": False, "pages": [], "sections": []}
            chosen[tag] = {**base, "source": MANUAL}
        excluded = [t for t in meta.get(f"{facet}_exclude") or [] if t in chosen]
        for tag in excluded:
            del chosen[tag]
        if excluded:
            evidence.setdefault("excluded", {})[facet] = excluded
        rank = {t: i for i, t in enumerate(compiled.order[facet])}
        tags[facet] = sorted(chosen, key=lambda t: (-chosen[t]["score"], rank[t]))
        evidence[facet] = {t: chosen[t] for t in tags[facet]}
    return {"doc_type": doc_type, "topics": tags["topics"], "professions": tags["professions"],
            "evidence": evidence}
