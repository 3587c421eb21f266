"""Matching analyzed terms against the compiled taxonomy and deciding each candidate
tag: its score (zone and kind weights, saturation, length scaling) against the facet's
thresholds, or one section about it, or the outputs the document names."""
from __future__ import annotations

from dataclasses import dataclass, field

from kb.facets import SECTIONS
from kb.model import AUTO
from kb.tagging.compiled import Compiled
from kb.tagging.zones import Part, Unit


@dataclass
class Candidate:
    """Everything found for one tag; `tagged` says whether it passed, `reason` why not,
    `basis` on what: the whole document, one section, or the outputs it names."""

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
    basis: str = ""  # document | section | outputs
    weights: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)  # display -> (weight, unscaled)
    parts: dict[int, list[tuple[float, bool, str]]] = field(default_factory=dict)  # part -> (weight, strong, zone)
    weak: dict[str, int] = field(default_factory=dict)  # display -> hits in lists of names
    output_at: list[tuple[int, int]] = field(default_factory=list)  # (unit, position) of output hits
    output_score: float = 0.0
    best_part: tuple[int, float] | None = None  # (part id, score) of the section that carried it

    def evidence(self, units: list[Unit], paged: bool, source: str = AUTO,
                 parts: list[Part] | None = None) -> dict:
        hit_units = sorted(self.units)
        evidence = {
            "source": source,
            "score": round(self.score, 2),
            "threshold": self.threshold,
            "terms": dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "strong": sorted(self.strong_terms),
            "in_title": self.in_title,
            "pages": [units[i].number for i in hit_units] if paged else [],
            "sections": [] if paged else _unique(units[i].label for i in hit_units if units[i].label),
            "basis": self.basis or "document",
        }
        if self.basis == "section" and self.best_part and parts:
            part = parts[self.best_part[0]]
            evidence["part"] = {"label": part.label, "pages": part.pages, "score": round(self.best_part[1], 2)}
        if self.output_at:
            evidence["outputs"] = _unique(units[u].excerpt(pos) for u, pos in self.output_at
                                          if units[u].excerpt(pos))[:5]
        if self.weak:
            evidence["weak"] = dict(sorted(self.weak.items(), key=lambda kv: (-kv[1], kv[0])))
        return evidence

    def add(self, display: str, weight: float, unscaled: bool, strong: bool, unit: int | None,
            part: int | None = None, zone: str = "body") -> None:
        self.counts[display] = self.counts.get(display, 0) + 1
        self.weights.setdefault(display, []).append((weight, unscaled))
        if strong:
            self.strong_terms.add(display)
            self.strong_hits += 1
        if unit is None:
            self.in_title = True
        else:
            self.units[unit] = self.units.get(unit, 0) + 1
        if part is not None:
            self.parts.setdefault(part, []).append((weight, strong, zone))


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


def match(compiled: Compiled, sequence: list[str], zones: list[str], unit: int | None,
           found: dict[str, dict[str, Candidate]], owner: Unit | None = None) -> None:
    """Longest-first matching of one term sequence, per facet, recording hits. A hit in
    a list of names is only noted (weak evidence); one in an output statement counts
    for the outputs rule."""
    index = compiled.index
    blocked = dict.fromkeys(SECTIONS, 0)
    lists: dict[str, set[int]] = {}  # facet -> lists of readers it has a term in (their starts)
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
                    if cfg["readers_only"] and not _in_readers(owner, i, lists.setdefault(facet, set())):
                        continue  # the facet counts only where the text names its readers
                    cand = found[facet].get(rule.tag)
                    if cand is None:
                        cand = found[facet][rule.tag] = Candidate(facet, rule.tag)
                    if zone == "names":
                        cand.weak[rule.display] = cand.weak.get(rule.display, 0) + 1
                        continue
                    weight = cfg["kind_weights"][rule.kind] * cfg["zone_weights"][zone]
                    strong = rule.kind == "strong"
                    part = owner.part_of(i) if owner is not None else None
                    cand.add(rule.display, weight, zone in cfg["unscaled_zones"], strong, unit, part, zone)
                    if zone == "output" and strong:
                        cand.output_at.append((unit, i))
                        cand.output_score += weight
                break


READERS_FIRST = 2  # a list of readers starts with one of them ("pro nové pracovníky"), not
# with a purpose ("pro zajištění participace dětí")


def _in_readers(owner: Unit | None, i: int, opened: set[int]) -> bool:
    """Whether term `i` is in a list of readers that begins with one of the facet's terms."""
    place = owner.readers.get(i) if owner is not None else None
    if place is None:
        return False
    start = i - place
    if place < READERS_FIRST or start in opened:
        opened.add(start)
        return True
    return False


def _part_score(hits: list[tuple[float, bool]], length: int, settings: dict, exponent: float) -> float:
    return sum(w for w, _ in hits) / max(1.0, length / settings["reference_terms"]) ** exponent


def decide(compiled: Compiled, cand: Candidate, length_factor: float, parts: list[Part] | None = None,
            exponent: float = 0.6) -> None:
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
    if cand.score >= min_score and (cand.strong_hits or spread >= min_pages):
        cand.tagged, cand.reason = True, ""
        if cand.output_score and cand.score - cand.output_score < min_score:
            cand.basis = "outputs"
        else:
            cand.basis = "document"
        return
    if facet_cfg.get("sections") and parts:
        # one section alone about the topic: scored as if it were the whole document
        scored_parts = [(pid, _part_score([(w, s) for w, s, _ in hits], parts[pid].length,
                                          compiled.settings, exponent))
                        for pid, hits in cand.parts.items()
                        if any(zone == "heading" for _, _, zone in hits)
                        and any(strong and zone != "heading" for _, strong, zone in hits)]
        best = max(scored_parts, key=lambda ps: ps[1], default=None)
        if best and best[1] >= min_score:
            cand.tagged, cand.reason, cand.basis, cand.best_part = True, "", "section", best
            return
    cand.tagged = False
    if cand.score < min_score:
        cand.reason = f"skóre {cand.score:.2f} < {min_score}"
    else:
        cand.reason = f"bez silného výrazu a jen na {spread} místech (< {min_pages})"
