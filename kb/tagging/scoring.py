"""score_document: every candidate tag of every facet for one document, scored and
decided, also those that fell short (the quality benchmark shows why)."""
from __future__ import annotations

import re

from kb.analysis import terms
from kb.facets import FACETS, SECTIONS
from kb.model import Document
from kb.tagging.candidates import Candidate, decide, match
from kb.tagging.compiled import Compiled, compile_taxonomy, folded, words_pattern
from kb.tagging.doc_type import address_the_reader, type_conditions
from kb.tagging.zones import analyze_document
from kb.taxonomy import load_taxonomy


def score_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Every candidate tag of every facet, scored and decided (also those that failed):
    {"topics": {id: Candidate}, "professions": ..., "doc_types": ..., "units": [Unit],
     "parts": [Part], "length": analyzed terms, "compiled": Compiled}."""
    compiled = compile_taxonomy(taxonomy if taxonomy is not None else load_taxonomy())
    settings = compiled.settings
    title_terms, units, parts = analyze_document(document, compiled.audience_marker,
                                                 int(settings["audience_statement"].get("within_terms", 0)),
                                                 int(settings["lead_terms"]), compiled)
    found: dict[str, dict[str, Candidate]] = {facet: {} for facet in SECTIONS}
    if title_terms:
        match(compiled, title_terms, ["title"] * len(title_terms), None, found)
    for k, unit in enumerate(units):
        match(compiled, unit.terms, unit.zones, k, found, unit)
    length = sum(len(u.terms) for u in units)
    scored = {**found, "units": units, "parts": parts, "length": length, "compiled": compiled}
    address_the_reader(document, scored)
    named_together(document, scored)
    for facet in SECTIONS:
        exponent = float(compiled.facet_settings[facet].get("length_exponent", settings["length_exponent"]))
        length_factor = max(1.0, length / settings["reference_terms"]) ** exponent
        for cand in found[facet].values():
            decide(compiled, cand, length_factor, parts, exponent)
    type_conditions(document, scored)
    return scored


_CLAUSE_BREAK = re.compile(r"[.!?](?=\s)|\n")


def named_together(document: Document, scored: dict) -> None:
    """A tag with `together` (the topic mezioborová spolupráce) gains a strong hit for each
    sentence or heading that has one of its words ("spolupráce", "součinnost") and
    names at least `min` different tags of another facet ("spolupráce OSPOD a školy",
    "OSPOD spolupracuje s policií a soudem"): cooperation of several professions is
    the topic, whichever professions they are."""
    compiled: Compiled = scored["compiled"]
    rules = [(section, tag, cfg["together"]) for section in (f.section for f in FACETS if f.tagging == "terms")
             for tag, cfg in compiled.tag_settings[section].items() if cfg.get("together")]
    for section, tag, rule in rules:
        pattern = words_pattern(rule.get("words"), prefix=True)
        facet, needed = rule.get("facet"), int(rule.get("min", 2))
        if facet not in SECTIONS:
            continue  # the taxonomy names no facet whose tags must stand together
        label = str(rule.get("label", "více profesí v jedné větě"))
        texts = [(None, "title", document.title or "")]
        texts += [(k, "body", page.text or "") for k, page in enumerate(document.pages)]
        for unit, zone, text in texts:
            if pattern is None or not pattern.search(folded(text.lower())):
                continue
            start = 0
            for m in [*_CLAUSE_BREAK.finditer(text), None]:
                end = m.end() if m else len(text)
                sentence, start = text[start:end], end
                if not pattern.search(folded(sentence.lower())):
                    continue
                probe: dict[str, dict[str, Candidate]] = {f: {} for f in SECTIONS}
                words = terms(sentence)
                match(compiled, words, ["body"] * len(words), 0, probe)
                if len(probe[facet]) < needed:
                    continue
                cand = scored[section].setdefault(tag, Candidate(section, tag))
                cfg_facet = compiled.facet_settings[section]
                weight = cfg_facet["zone_weights"][zone]
                owner = scored["units"][unit] if unit is not None else None
                part = owner.part_of(0) if owner is not None else None
                cand.add(label, weight, zone in cfg_facet["unscaled_zones"], True, unit, part)
