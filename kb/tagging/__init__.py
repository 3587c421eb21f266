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

import bisect
import re
from dataclasses import dataclass, field

from kb.analysis import CZECH_STOPWORDS, fold, terms, tokens_with_offsets
from kb.facets import FACETS, SECTIONS, TAG_FACETS, Facet
from kb.model import AUTO, MANUAL, Document
from kb.taxonomy import load_taxonomy, taxonomy_fingerprint  # noqa: F401 (pipeline imports them here)

DEFAULTS: dict = {
    "reference_terms": 300,
    "length_exponent": 0.6,
    "zone_weights": {"title": 1.5, "lead": 1.5, "audience": 2.0, "keywords": 2.0, "heading": 2.0,
                     "body": 1.0, "output": 1.0, "names": 0.3},
    "unscaled_zones": ["title", "lead", "audience", "keywords"],
    "lead_terms": 40,
    "kind_weights": {"strong": 1.0, "term": 0.3},
    "saturation": 12,
    "audience": {"marker": "určen", "within_terms": 800},
    "outputs": [],
    "output_verbs": [],
    "weak_headings": [],
    "series_words": [],
}
FACET_DEFAULTS = {"min_score": 2.0, "min_pages": 3, "sections": False}
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
    outputs: re.Pattern | None = None  # words that name an output or event (metodika, workshop)
    output_verbs: re.Pattern | None = None  # verbs saying it was made or run (vznikly, uspořádali)
    weak_headings: re.Pattern | None = None  # sections whose hits are weak (literature…)
    series: re.Pattern | None = None  # lines naming a series or blog: weak


_COMPILED: dict[int, tuple[dict, Compiled]] = {}


def compile_taxonomy(taxonomy: dict) -> Compiled:
    """Analyze every term once per taxonomy object (the pipeline tags thousands of
    documents with one taxonomy). The dict counts as frozen once used: to try other
    terms or thresholds, change a copy."""
    cached = _COMPILED.get(id(taxonomy))
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    settings = {**DEFAULTS, **(taxonomy.get("tagging") or {})}
    settings["zone_weights"] = {**DEFAULTS["zone_weights"], **settings["zone_weights"]}
    index: dict[str, dict[str, dict[tuple[str, ...], list[Rule]]]] = {}
    facet_settings: dict[str, dict] = {}
    tag_settings: dict[str, dict[str, dict]] = {}
    order: dict[str, list[str]] = {}
    for facet in SECTIONS:
        facet_settings[facet] = {**FACET_DEFAULTS, "zone_weights": settings["zone_weights"],
                                 "kind_weights": settings["kind_weights"], **(settings.get(facet) or {})}
        facet_settings[facet]["zone_weights"] = {**settings["zone_weights"],
                                                 **facet_settings[facet]["zone_weights"]}
        facet_settings[facet].setdefault("unscaled_zones", settings["unscaled_zones"])
        tag_settings[facet] = {}
        order[facet] = []
        for tag, entry in (taxonomy.get(facet) or {}).items():
            entry = entry or {}
            order[facet].append(tag)
            tag_settings[facet][tag] = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            seen: set[tuple[str, ...]] = set()
            for kind, text in _entry_terms(entry, facet == "professions"):
                phrase = tuple(terms(text))
                if not phrase or phrase in seen:
                    continue  # another spelling of the same analyzed form
                seen.add(phrase)
                rule = Rule(tag, "term" if kind == "terms" else kind, text)
                index.setdefault(phrase[0], {}).setdefault(facet, {}).setdefault(phrase, []).append(rule)
    final = {
        first: {facet: sorted(phrases.items(), key=lambda kv: -len(kv[0])) for facet, phrases in by_facet.items()}
        for first, by_facet in index.items()
    }
    marker = terms(str(settings["audience"].get("marker", "")))
    compiled = Compiled(final, settings, facet_settings, tag_settings, order, marker[0] if marker else "",
                        _words_pattern([_word_start(w) for w in settings["outputs"]], prefix=True),
                        _words_pattern(settings["output_verbs"], prefix=True),
                        _words_pattern(settings["weak_headings"], prefix=True),
                        _words_pattern(settings["series_words"], prefix=True))
    if len(_COMPILED) > 8:
        _COMPILED.clear()
    _COMPILED[id(taxonomy)] = (taxonomy, compiled)
    return compiled


# Accented Latin letters -> plain ones, one character each. For matching the word lists
# below in raw text, faster than kb.analysis.fold, which decomposes a whole page when it
# holds any other non-ASCII character (typographic quotes, dashes).
_PLAIN = {code: fold(chr(code)) for code in range(0xC0, 0x250) if len(fold(chr(code))) == 1
          and fold(chr(code)) != chr(code)}


def _folded(text: str) -> str:
    return text.translate(_PLAIN)


def _word_start(word: str) -> str:
    """The start every inflected form of a noun shares: "metodika" -> "metodik"."""
    word = str(word)
    return word[:-1] if len(word) > 4 and word[-1] in "aeiouyáéíóúůýě" else word


def _words_pattern(words, prefix: bool = False) -> re.Pattern | None:
    """A regex for any of `words` in folded lowercase text (as whole words, or as word
    starts with `prefix`: "seriál" also finds "seriálu")."""
    words = [re.escape(fold(str(w).lower())) for w in words or []]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(words) + (r")" if prefix else r")\b"))


# Derived forms of a profession noun (the taxonomy lists the base word): the feminine
# (kurátor -> kurátorka, psycholog -> psycholožka, soudce -> soudkyně, policista ->
# policistka, pracovník -> pracovnice) counts as the noun itself; the adjective
# (psychologický, kurátorský, lékařský, psychiatrický) only supports.
_FEMININE = ((r"og$", "ožka"), (r"atr$", "atrička"), (r"(?<=[dj])ce$", "kyně"), (r"(?<=l)ec$", "kyně"),
             (r"ista$", "istka"), (r"ník$", "nice"), (r"(?:or|ér|át|ař|ář|el|ent|ant|eut|oun)$", r"\g<0>ka"))
_ADJECTIVE = ((r"og$", "ogický"), (r"atr$", "atrický"), (r"or$", "orský"), (r"(?:ař|ář)$", r"\g<0>ský"))


def family_forms(word: str) -> list[tuple[str, str]]:
    """[(kind, form)] derived from one profession noun: ("same", feminine), ("term", adjective)."""
    if " " in word or not word[:1].islower():
        return []  # phrases and abbreviations (OSPOD, PČR) have no such forms
    out = []
    for kind, rules in (("same", _FEMININE), ("term", _ADJECTIVE)):
        for pattern, replacement in rules:
            if re.search(pattern, word):
                out.append((kind, re.sub(pattern, replacement, word)))
                break
    return out


def _entry_terms(entry: dict, families: bool):
    """(kind, text) of one taxonomy entry, ignore phrases first (they must win), with
    the derived forms of profession nouns after the listed terms."""
    listed = [(kind, str(text)) for kind in ("ignore", "strong", "terms") for text in entry.get(kind) or []]
    yield from listed
    if families:
        for kind, text in listed:
            if kind == "ignore":
                continue
            for derived, form in family_forms(text):
                yield (kind if derived == "same" else "terms"), form


# ---------------------------------------------------------------- analysis of a document


@dataclass
class Unit:
    """One analyzed page or section: its terms, the zone of each term and where the
    sections (parts) that begin on it start."""

    number: int  # 1-based page for PDF, else the section's order (1-based)
    label: str  # the section heading (DOCX/TXT/MD)
    terms: list[str]
    zones: list[str]
    part_starts: list[tuple[int, int]] = field(default_factory=list)  # (term position, part id)
    excerpts: list[tuple[int, int, str]] = field(default_factory=list)  # output sentences: (from, to, text)

    def part_of(self, position: int) -> int:
        k = bisect.bisect_right(self.part_starts, (position, 1 << 30)) - 1
        return self.part_starts[max(k, 0)][1]

    def excerpt(self, position: int) -> str:
        return next((text for a, b, text in self.excerpts if a <= position < b), "")


@dataclass
class Part:
    """A section: a heading and the text under it up to the next heading, across pages.
    A tag is also given when one part alone is substantially about it."""

    label: str
    pages: list[int] = field(default_factory=list)
    length: int = 0


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
                     lead_terms: int = 0, compiled: Compiled | None = None
                     ) -> tuple[list[str], list[Unit], list[Part]]:
    """(title terms, analyzed units, parts). Each page text goes through the analyzer once.
    Zones: the first `lead_terms` words of the document are its "lead" (title page:
    subtitle such as "Metodický pokyn pro sociální pracovníky obce"), the sentence with
    the audience marker near the start is "audience", a "Klíčová slova:" line is
    "keywords", a sentence that names outputs ("dvě metodiky věnované kyberšikaně") is
    "output", lists of names and series titles are "names" (weak), then "heading" and
    "body". Parts: a new one at each heading (PDF) or section (DOCX/TXT)."""
    units: list[Unit] = []
    parts: list[Part] = []
    seen_terms = 0
    for order, page in enumerate(document.pages, start=1):
        text = page.text or ""
        tokens = tokens_with_offsets(text)
        marks = line_marks(text, compiled)
        if document.paged:
            in_list = [(a, b) for a, b, zone in marks if zone in ("names", "output")]
            spans = [sp for sp in heading_spans(text) if not any(a <= sp[0] < b for a, b in in_list)]
        else:
            heading = (page.heading or "").strip()
            at = text.find(heading) if heading else -1
            spans = [(at, at + len(heading))] if 0 <= at < 200 else []
        zones = _zones(tokens, spans)
        if seen_terms >= audience_within:
            # keywords speak for the whole document only near its start (in proceedings
            # each paper has its own)
            marks = [(a, b, "body" if zone == "keywords" else zone) for a, b, zone in marks]
        _apply_marks(tokens, zones, marks)
        unit_terms = [t for t, _, _ in tokens]
        if audience_marker and seen_terms < audience_within:
            _mark_audience(text, tokens, zones, audience_marker)
        for k in range(max(0, min(len(zones), lead_terms - seen_terms))):
            if zones[k] in ("body", "heading"):  # the author's keywords weigh more
                zones[k] = "lead"
        seen_terms += len(unit_terms)
        number = page.number if document.paged else order
        part_starts: list[tuple[int, int]] = []
        if document.paged:
            if not parts:
                parts.append(Part(""))
            part_starts.append((0, len(parts) - 1))  # the page continues the open section
            for a, b in spans:
                first = next((k for k, (_, start, _) in enumerate(tokens) if a <= start < b), None)
                if first is None or (first > 0 and zones[first - 1] == "heading"):
                    continue  # no words, or the second line of a heading
                parts.append(Part(text[a:b].strip()))
                if part_starts[-1][0] == first:
                    part_starts.pop()
                part_starts.append((first, len(parts) - 1))
        else:
            parts.append(Part(page.heading or ""))
            part_starts.append((0, len(parts) - 1))
            if not spans and page.heading:
                # the heading is not part of the section text: count it as a heading anyway
                extra = terms(page.heading)
                unit_terms = extra + unit_terms
                zones = ["heading"] * len(extra) + zones
        for k, (pos, part_id) in enumerate(part_starts):
            end = part_starts[k + 1][0] if k + 1 < len(part_starts) else len(unit_terms)
            part = parts[part_id]
            part.length += end - pos
            if number not in part.pages and document.paged:
                part.pages.append(number)
            weak_part = bool(compiled and compiled.weak_headings and part.label
                             and compiled.weak_headings.search(_folded(part.label.lower())))
            if weak_part:
                for j in range(pos, end):
                    if zones[j] != "heading":
                        zones[j] = "names"
        offset = len(unit_terms) - len(tokens)  # heading terms put in front (DOCX/TXT)
        excerpts = _excerpts(text, tokens, marks, offset)
        units.append(Unit(number, page.heading or "", unit_terms, zones, part_starts, excerpts))
    return terms(document.title or ""), units, parts


_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(r"^\s*(?:[-–—•*▪·◦●]|\d{1,2}[.)])\s+")
_KEYWORDS = re.compile(r"^\s*(?:klíčová slova|klicova slova|keywords|key words)\s*:", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r",\s+|;\s+|:\s+|\s+(?:a|i|nebo|či|a také)\s+")
MIN_LIST_ITEMS = 3
NAME_MAX_WORDS = 8


def _is_name(item: str) -> bool:
    """A list item that reads like a name (of a service, project, article): capitalised,
    short, not a sentence."""
    item = item.strip()
    return (bool(item) and item[:1].isupper() and len(item.split()) <= NAME_MAX_WORDS
            and not item.endswith((".", "!", "?")))


def line_marks(text: str, compiled: Compiled | None) -> list[tuple[int, int, str]]:
    """Character ranges of `text` with a zone of their own:
    - "keywords": a "Klíčová slova: …" line (the author's own statement of the topics);
    - "output": a sentence that names outputs or events made ("dvě metodiky věnované
      kyberšikaně", "workshopy na téma …") and the list items such a line introduces;
    - "names": a list of three or more names (bulleted, one per line, or in a sentence
      after a colon: "Naše služby: Azylový dům, Krizové centrum a Dluhová poradna") and
      lines naming a series or blog: they name things and say little about the text."""
    marks: list[tuple[int, int, str]] = []
    lines = [(m.start(), m.end(), m.group()) for m in _LINE.finditer(text)]
    outputs = compiled.outputs if compiled else None
    verbs = compiled.output_verbs if compiled else None
    series = compiled.series if compiled else None
    page = _folded(text.lower())  # cheap gates: most pages name no output and no series
    if outputs is None or verbs is None or not (outputs.search(page) and verbs.search(page)):
        outputs = None
    if series is not None and not series.search(page):
        series = None

    def names_output(*texts: str) -> bool:
        """Names an output or event and says it was made or run."""
        folded = _folded(" ".join(texts).lower())
        return (outputs is not None and verbs is not None
                and bool(outputs.search(folded)) and bool(verbs.search(folded)))

    # lists of items, one per line
    k = 0
    while k < len(lines):
        j = k
        while j < len(lines) and (_BULLET.match(lines[j][2]) or _is_name(lines[j][2])):
            j += 1
        items = lines[k:j]
        if len(items) >= MIN_LIST_ITEMS:
            intro = lines[k - 1][2] if k > 0 else ""
            bodies = [_BULLET.sub("", line) for _, _, line in items]
            if intro.rstrip().endswith(":") and names_output(intro):
                marks.extend((a, b, "output") for a, b, _ in items)
            elif sum(_is_name(b) for b in bodies) * 3 >= len(bodies) * 2:
                marks.extend((a, b, "names") for a, b, _ in items)
        k = max(j, k + 1)
    marked = [(a, b) for a, b, _ in marks]
    for a, b, line in lines:
        if any(x <= a < y for x, y in marked):
            continue
        if _KEYWORDS.match(line):
            marks.append((a, b, "keywords"))
            continue
        if series is not None and series.search(_folded(line.lower())) and len(line.split()) <= 15:
            marks.append((a, b, "names"))
            continue
        for sa, sb in _sentences(line):
            sentence = line[sa:sb]
            run = _name_run(sentence)
            if run:
                marks.append((a + sa + run[0], a + sa + run[1], "names"))
            elif names_output(sentence):
                marks.append((a + sa, a + sb, "output"))
    return marks


def _sentences(line: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_BREAK.finditer(line):
        out.append((start, m.end()))
        start = m.end()
    if start < len(line):
        out.append((start, len(line)))
    return out


def _name_run(sentence: str) -> tuple[int, int] | None:
    """The span of three or more capitalised items in a row within a sentence (not its
    first word, which is capitalised anyway), or None."""
    pieces, pos = [], 0
    for m in _LIST_SEPARATOR.finditer(sentence):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(sentence)))
    best, run = None, []
    for a, b in pieces:
        item = sentence[a:b].strip().rstrip(".!?")
        if a > 0 and item and item[:1].isupper() and len(item.split()) <= NAME_MAX_WORDS - 2:
            run.append((a, b))
            if len(run) >= MIN_LIST_ITEMS:
                best = (run[0][0], run[-1][1])
        else:
            run = []
    return best


EXCERPT_CHARS = 160


def _excerpts(text: str, tokens: list[tuple[str, int, int]], marks: list[tuple[int, int, str]],
              offset: int) -> list[tuple[int, int, str]]:
    """(first term, end term, text) of each output mark, for the evidence."""
    out = []
    for a, b, zone in marks:
        if zone != "output":
            continue
        inside = [k for k, (_, start, _) in enumerate(tokens) if a <= start < b]
        if inside:
            snippet = " ".join(text[a:b].split())
            snippet = _BULLET.sub("", snippet)
            if len(snippet) > EXCERPT_CHARS:
                snippet = snippet[:EXCERPT_CHARS - 1].rstrip() + "…"
            out.append((inside[0] + offset, inside[-1] + 1 + offset, snippet))
    return out


def _apply_marks(tokens: list[tuple[str, int, int]], zones: list[str], marks: list[tuple[int, int, str]]) -> None:
    if not marks:
        return
    for k, (_, start, _) in enumerate(tokens):
        for a, b, zone in marks:
            if a <= start < b:
                if zone != "output" or zones[k] == "body":
                    zones[k] = zone
                break


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


def _match(compiled: Compiled, sequence: list[str], zones: list[str], unit: int | None,
           found: dict[str, dict[str, Candidate]], owner: Unit | None = None) -> None:
    """Longest-first matching of one term sequence, per facet, recording hits. A hit in
    a list of names is only noted (weak evidence); one in an output statement counts
    for the outputs rule."""
    index = compiled.index
    blocked = dict.fromkeys(SECTIONS, 0)
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


def _part_score(hits: list[tuple[float, bool]], length: int, settings: dict, exponent: float) -> float:
    return sum(w for w, _ in hits) / max(1.0, length / settings["reference_terms"]) ** exponent


def _decide(compiled: Compiled, cand: Candidate, length_factor: float, parts: list[Part] | None = None,
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


def score_document(document: Document, taxonomy: dict | None = None) -> dict:
    """Every candidate tag of every facet, scored and decided (also those that failed):
    {"topics": {id: Candidate}, "professions": ..., "doc_types": ..., "units": [Unit],
     "parts": [Part], "length": analyzed terms, "compiled": Compiled}."""
    compiled = compile_taxonomy(taxonomy if taxonomy is not None else load_taxonomy())
    settings = compiled.settings
    title_terms, units, parts = analyze_document(document, compiled.audience_marker,
                                                 int(settings["audience"].get("within_terms", 0)),
                                                 int(settings["lead_terms"]), compiled)
    found: dict[str, dict[str, Candidate]] = {facet: {} for facet in SECTIONS}
    if title_terms:
        _match(compiled, title_terms, ["title"] * len(title_terms), None, found)
    for k, unit in enumerate(units):
        _match(compiled, unit.terms, unit.zones, k, found, unit)
    length = sum(len(u.terms) for u in units)
    scored = {**found, "units": units, "parts": parts, "length": length, "compiled": compiled}
    _address_the_reader(document, scored)
    _named_together(document, scored)
    for facet in SECTIONS:
        exponent = float(compiled.facet_settings[facet].get("length_exponent", settings["length_exponent"]))
        length_factor = max(1.0, length / settings["reference_terms"]) ** exponent
        for cand in found[facet].values():
            _decide(compiled, cand, length_factor, parts, exponent)
    _document_type_conditions(document, scored)
    return scored


_CLAUSE_BREAK = re.compile(r"[.!?](?=\s)|\n")


def _named_together(document: Document, scored: dict) -> None:
    """A topic with `together` (mezioborová spolupráce) gains a strong hit for each
    sentence or heading that has one of its words ("spolupráce", "součinnost") and
    names at least `min` different tags of another facet ("spolupráce OSPOD a školy",
    "OSPOD spolupracuje s policií a soudem"): cooperation of several professions is
    the topic, whichever professions they are."""
    compiled: Compiled = scored["compiled"]
    for tag, cfg in compiled.tag_settings["topics"].items():
        rule = cfg.get("together")
        if not rule:
            continue
        pattern = _words_pattern(rule.get("words"), prefix=True)
        facet, needed = rule.get("facet", "professions"), int(rule.get("min", 2))
        label = str(rule.get("label", "více profesí v jedné větě"))
        texts = [(None, "title", document.title or "")]
        texts += [(k, "body", page.text or "") for k, page in enumerate(document.pages)]
        for unit, zone, text in texts:
            if pattern is None or not pattern.search(_folded(text.lower())):
                continue
            start = 0
            for m in [*_CLAUSE_BREAK.finditer(text), None]:
                end = m.end() if m else len(text)
                sentence, start = text[start:end], end
                if not pattern.search(_folded(sentence.lower())):
                    continue
                probe: dict[str, dict[str, Candidate]] = {f: {} for f in SECTIONS}
                words = terms(sentence)
                _match(compiled, words, ["body"] * len(words), 0, probe)
                if len(probe[facet]) < needed:
                    continue
                cand = scored["topics"].setdefault(tag, Candidate("topics", tag))
                cfg_facet = compiled.facet_settings["topics"]
                weight = cfg_facet["zone_weights"][zone]
                owner = scored["units"][unit] if unit is not None else None
                part = owner.part_of(0) if owner is not None else None
                cand.add(label, weight, zone in cfg_facet["unscaled_zones"], True, unit, part)


# ---------------------------------------------------------------- document type


def _is_short(document: Document, length: int, cfg: dict) -> tuple[bool, str]:
    if "max_terms" in cfg and length > int(cfg["max_terms"]):
        return False, f"dokument je delší než {cfg['max_terms']} slov"
    if "max_pages" in cfg and document.paged and document.page_count > int(cfg["max_pages"]):
        return False, f"dokument má víc než {cfg['max_pages']} stran"
    return True, ""


SIGNALS = (
    # (word list key, weight key, the evidence label)
    ("address_words", "address_weight", "oslovení čtenáře (vy, vás, vám…)"),
    ("report_words", "report_weight", "zpravodajská slovesa a citace (uvedl, řekla, podle mluvčí…)"),
)


def _address_the_reader(document: Document, scored: dict) -> None:
    """Words that are stopwords for search but tell the type: a type with
    `address_words` (the leaflet) gains for each word that speaks to the reader (vy,
    vás, vám…), one with `report_words` (news, press release) for each verb of
    reported speech (uvedl, řekla…). They are counted in the raw text, and only in
    documents short enough for the type."""
    compiled: Compiled = scored["compiled"]
    folded_pages = None
    for type_id in compiled.order["doc_types"]:
        cfg = compiled.tag_settings["doc_types"].get(type_id, {})
        for words_key, weight_key, label in SIGNALS:
            words = cfg.get(words_key)
            if not words or not _is_short(document, scored["length"], cfg)[0]:
                continue
            if folded_pages is None:
                folded_pages = [_folded(page.text.lower()) for page in document.pages]
            pattern = re.compile(r"\b(?:" + "|".join(re.escape(fold(w.lower())) for w in words) + r")\b")
            count = sum(len(pattern.findall(text)) for text in folded_pages)
            if not count:
                continue
            cand = scored["doc_types"].setdefault(type_id, Candidate("doc_types", type_id))
            cand.counts[label] = count
            cand.weights[label] = [(float(cfg.get(weight_key, 0.3)), True)] * count
            cand.strong_terms.add(label)
            cand.strong_hits += count


def _document_type_conditions(document: Document, scored: dict) -> None:
    compiled: Compiled = scored["compiled"]
    for type_id, cand in scored["doc_types"].items():
        ok, why = _is_short(document, scored["length"], compiled.tag_settings["doc_types"].get(type_id, {}))
        if cand.tagged and not ok:
            cand.tagged, cand.reason = False, why


def _doc_type(scored: dict, paged: bool, facet: Facet) -> tuple[str, dict]:
    """The best-scoring type that passed; the facet's default (`jine`) when none did."""
    compiled: Compiled = scored["compiled"]
    candidates: dict[str, Candidate] = scored[facet.section]
    passed = [candidates[t] for t in compiled.order[facet.section] if t in candidates and candidates[t].tagged]
    best = max(passed, key=lambda c: c.score, default=None)
    type_id = best.tag if best else facet.default
    evidence = best.evidence(scored["units"], paged, parts=scored["parts"]) if best else {"source": AUTO, "score": 0.0, "terms": {}}
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

    tags: dict[str, list[str] | str] = {}
    for type_facet in FACETS:
        if type_facet.tagging != "type":
            continue
        doc_type, type_evidence = _doc_type(scored, document.paged, type_facet)
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
