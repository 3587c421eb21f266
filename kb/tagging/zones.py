"""A document analyzed for tagging: each page (or section) analyzed once, every term
with its zone (title, lead, audience statement, keywords, output statement, list of
names, heading, body), and the parts (a heading and its text up to the next heading)."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kb.analysis import CZECH_STOPWORDS, terms, tokens_with_offsets
from kb.model import Document
from kb.tagging.compiled import Compiled, folded

# A PDF line that looks like a heading: optionally numbered ("2", "2.3", "Kapitola 4",
# "Standard 7"), starting with a capital, short, not ending like a sentence.
_NUMBERING = re.compile(r"^(?:(?:kapitola|standard|část|příloha)\s+)?\d+(?:\.\d+)*\.?\s+", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":", ";", "“", "\"", ")")
_HEADING_MAX_CHARS = 90
_HEADING_MAX_WORDS = 12
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n\s*\n")
AUDIENCE_LOOKBACK = 3  # analyzed words before the marker: "metodika je určena" -> metodik


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
    # terms in a list of readers ("Informace pro rodiče a učitele", "Milí rodiče", "je
    # určena pracovníkům…"): position -> place in its list, for facets that count only those
    readers: dict[int, int] = field(default_factory=dict)

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
        lead = max(0, min(len(zones), lead_terms - seen_terms))
        for k in range(lead):
            if zones[k] in ("body", "heading"):  # the author's keywords weigh more
                zones[k] = "lead"
        readers: dict[int, int] = {}
        if compiled is not None:  # where the text names its readers: title page, "určen…" sentence
            readers = _reader_positions(text, tokens[:lead], compiled.readers)
            if seen_terms < audience_within:
                readers.update(_reader_positions(text, tokens, compiled.statement))
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
                readers = {k + len(extra): place for k, place in readers.items()}
        for k, (pos, part_id) in enumerate(part_starts):
            end = part_starts[k + 1][0] if k + 1 < len(part_starts) else len(unit_terms)
            part = parts[part_id]
            part.length += end - pos
            if number not in part.pages and document.paged:
                part.pages.append(number)
            weak_part = bool(compiled and compiled.weak_headings and part.label
                             and compiled.weak_headings.search(folded(part.label.lower())))
            if weak_part:
                for j in range(pos, end):
                    if zones[j] != "heading":
                        zones[j] = "names"
        offset = len(unit_terms) - len(tokens)  # heading terms put in front (DOCX/TXT)
        excerpts = _excerpts(text, tokens, marks, offset)
        units.append(Unit(number, page.heading or "", unit_terms, zones, part_starts, excerpts,
                          readers))
    return terms(document.title or ""), units, parts


# The end of a list of readers: a sentence or line end, or a relative clause about
# something else ("… pracovníkům, kteří se setkávají s rodinami, kde rodič pije").
_CLAUSE_END = re.compile(r"[.!?:;\n]|,\s+(?:kter|kde\b|jejichz|jez\b|kdyz|aby\b|protoze)|\s(?:je|jsou|byl[aoiy]?)\s")


def _reader_positions(text: str, tokens: list[tuple[str, int, int]], words: re.Pattern | None
                      ) -> dict[int, int]:
    """{token position: its place in the list} of the tokens that stand after a word
    naming the readers ("pro", "milí", "určen…"), up to the end of that list:
    "Informace pro rodiče a učitele", "Metodika je určena sociálním pracovníkům…"."""
    if words is None or not tokens:
        return {}
    page = folded(text[:tokens[-1][2]].lower())
    spans = []
    for m in words.finditer(page):
        start = m.end()
        while start < len(page) and page[start].isspace():
            start += 1  # "metodický pokyn pro\nškoly": a title wraps after the word
        end = _CLAUSE_END.search(page, start)
        spans.append((start, end.start() if end else len(page)))
    positions: dict[int, int] = {}
    for a, b in spans:
        inside = [k for k, (_, start, _) in enumerate(tokens) if a <= start < b]
        positions.update((k, place) for place, k in enumerate(inside))
    return positions


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
    page = folded(text.lower())  # cheap gates: most pages name no output and no series
    if outputs is None or verbs is None or not (outputs.search(page) and verbs.search(page)):
        outputs = None
    if series is not None and not series.search(page):
        series = None

    def names_output(*texts: str) -> bool:
        """Names an output or event and says it was made or run."""
        text = folded(" ".join(texts).lower())
        return (outputs is not None and verbs is not None
                and bool(outputs.search(text)) and bool(verbs.search(text)))

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
        if series is not None and series.search(folded(line.lower())) and len(line.split()) <= 15:
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
