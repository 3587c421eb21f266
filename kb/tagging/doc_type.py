"""The document type: signals counted in the raw text (a leaflet speaks to its reader,
news report speech), the length conditions of a type, and the best type that passed."""
from __future__ import annotations

import re

from kb.analysis import fold
from kb.facets import FACETS, Facet
from kb.model import AUTO, Document
from kb.tagging.candidates import Candidate
from kb.tagging.compiled import Compiled, folded


def _is_short(document: Document, length: int, cfg: dict) -> tuple[bool, str]:
    if "max_terms" in cfg and length > int(cfg["max_terms"]):
        return False, f"dokument je delší než {cfg['max_terms']} slov"
    if "max_pages" in cfg and document.paged and document.page_count > int(cfg["max_pages"]):
        return False, f"dokument má víc než {cfg['max_pages']} stran"
    return True, ""


SIGNALS = (
    # (word list key, weight key, the evidence label, only as a line's label)
    ("address_words", "address_weight", "oslovení čtenáře (vy, vás, vám…)", False),
    ("report_words", "report_weight", "zpravodajská slovesa a citace (uvedl, řekla, podle mluvčí…)", False),
    # "Abstrakt:", "Klíčová slova:" and "Keywords:" open the parts of a journal article;
    # only as the label of a line (or a heading) do they say what the text is
    ("label_words", "label_weight", "části odborného článku (abstrakt, klíčová slova)", True),
)


LABEL_PAGES = 2  # an article labels its abstract and keywords at its start
MAX_LABELS = 2


def _signal_pattern(words: list[str], as_label: bool) -> re.Pattern:
    alternatives = "|".join(re.escape(fold(w.lower())) for w in words)
    if as_label:
        return re.compile(r"^[ \t#]*(?:" + alternatives + r")[ \t]*(?::|$)", re.MULTILINE)
    return re.compile(r"\b(?:" + alternatives + r")\b")


def _types(compiled: Compiled):
    """(section, type id) of every facet tagged by type (kb/facets.py), in taxonomy order."""
    return [(f.section, t) for f in FACETS if f.tagging == "type" for t in compiled.order[f.section]]


def address_the_reader(document: Document, scored: dict) -> None:
    """Words that are stopwords for search or too common to be terms but tell the type:
    a type with `address_words` (the leaflet) gains for each word that speaks to the
    reader (vy, vás, vám…), one with `report_words` (news, press release) for each verb
    of reported speech (uvedl, řekla…), one with `label_words` (a journal article) for
    each of them that labels a line on its first pages (Abstrakt:, Klíčová slova:; once
    each, MAX_LABELS at most). They are counted in the raw text, and only in documents
    short enough for the type."""
    compiled: Compiled = scored["compiled"]
    folded_pages = None
    for section, type_id in _types(compiled):
        cfg = compiled.tag_settings[section].get(type_id, {})
        for words_key, weight_key, label, as_label in SIGNALS:
            words = cfg.get(words_key)
            if not words or not _is_short(document, scored["length"], cfg)[0]:
                continue
            if folded_pages is None:
                folded_pages = [folded(page.text.lower()) for page in document.pages]
            pattern = _signal_pattern(words, as_label)
            if as_label:
                # the labels of an article's opening, each once: two at most count
                # (Abstrakt and Klíčová slova, whatever the languages they repeat in)
                found = {m.strip(" \t#:") for text in folded_pages[:LABEL_PAGES] for m in pattern.findall(text)}
                count = min(len(found), MAX_LABELS)
            else:
                count = sum(len(pattern.findall(text)) for text in folded_pages)
            if not count:
                continue
            cand = scored[section].setdefault(type_id, Candidate(section, type_id))
            cand.counts[label] = count
            cand.weights[label] = [(float(cfg.get(weight_key, 0.3)), True)] * count
            cand.strong_terms.add(label)
            cand.strong_hits += count


def type_conditions(document: Document, scored: dict) -> None:
    """A type that scored enough but whose length conditions fail is not given."""
    compiled: Compiled = scored["compiled"]
    for section in (f.section for f in FACETS if f.tagging == "type"):
        for type_id, cand in scored[section].items():
            ok, why = _is_short(document, scored["length"], compiled.tag_settings[section].get(type_id, {}))
            if cand.tagged and not ok:
                cand.tagged, cand.reason = False, why


def best_type(scored: dict, paged: bool, facet: Facet) -> tuple[str, dict]:
    """The best-scoring type that passed; the facet's default (`jine`) when none did."""
    compiled: Compiled = scored["compiled"]
    candidates: dict[str, Candidate] = scored[facet.section]
    passed = [candidates[t] for t in compiled.order[facet.section] if t in candidates and candidates[t].tagged]
    best = max(passed, key=lambda c: c.score, default=None)
    type_id = best.tag if best else facet.default
    evidence = best.evidence(scored["units"], paged, parts=scored["parts"]) if best else {"source": AUTO, "score": 0.0, "terms": {}}
    evidence["scores"] = {t: round(c.score, 2) for t, c in sorted(candidates.items()) if c.score > 0}
    return type_id, evidence
