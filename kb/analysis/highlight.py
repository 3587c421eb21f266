"""Highlights: where in a text are the words of some index terms."""
from __future__ import annotations

import re
from functools import lru_cache

from kb.analysis import lemmas
from kb.analysis.analyzer import TOKEN_PATTERN, tokens_with_offsets, word_term
from kb.analysis.stemmer import EXCEPTIONS, fold

# Accented letters of Czech (and Slovak, German) texts; matching runs on lowercased
# text, and a text with any other non-ASCII letter takes the exact path.
_ACCENTED = "áäčďéěíĺľňóôöŕřšťúůüýž"
_OTHER_LETTER = re.compile(f"[^\\W\\x00-\\x7f{_ACCENTED}]")
_DIGIT_OR_AT = re.compile(r"[\d@]")
_JOINERS = frozenset("./_@+-")  # characters that join words into identifiers and e-mails
_WORD = re.compile(r"\w+")
_VARIANTS: dict[str, str] = {}
for _letter in _ACCENTED:
    _VARIANTS[fold(_letter)] = _VARIANTS.get(fold(_letter), fold(_letter)) + _letter


def _letter_class(letter: str) -> str:
    variants = _VARIANTS.get(letter, letter)
    return f"[{variants}]" if len(variants) > 1 else re.escape(letter)


@lru_cache(maxsize=512)
def _candidate_finder(wanted: frozenset[str]) -> re.Pattern | None:
    """A regex for the (lowercased) word starts that may have one of the `wanted` terms;
    None when the terms do not allow it (identifiers, one-letter prefixes): then all
    words are analyzed."""
    prefixes: set[str] = set()
    for term in wanted:
        if not term.isalnum() or len(term) < 3:
            return None
        # -ův is -ov in a term (otcův -> otcov): one letter more may differ
        prefixes.add(fold(term[:-2] if term.endswith("ov") else term[:-1]))
        prefixes.update(word for word, key in EXCEPTIONS.items() if key == term)
        prefixes.update(lemmas.forms_of(term))
        if term.endswith("ovat"):  # an -ovat verb's forms the table lacks (přiděluje)
            prefixes.add(fold(term[:-4]))
        elif term.endswith(("avat", "ivat")):  # and an -ávat one's (uschovávej)
            prefixes.add(fold(term[:-2]))
        if term.startswith("ne") and lemmas.negatable(term[2:]):
            prefixes.update("ne" + form for form in lemmas.forms_of(term[2:]))
    if not prefixes or min(map(len, prefixes)) < 2:
        return None  # a one-letter prefix would match most words: analyze them all
    ordered = sorted(prefixes, key=lambda p: (-len(p), p))
    first = "".join(sorted({c for p in ordered for c in _VARIANTS.get(p[0], p[0])}))
    # One character class first, so the regex engine skips to those letters at C speed;
    # the lookbehinds then check "at a word start" and which prefix the letter began.
    alternatives = "|".join(
        f"(?<={_letter_class(p[0])})" + "".join(_letter_class(c) for c in p[1:]) for p in ordered
    )
    return re.compile(f"[{re.escape(first)}]" + r"(?<!\w.)(?:" + alternatives + r")\w*")


def highlight_spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """(start, end) of the words of `text` whose term is in `wanted`, in order: the same
    as filtering tokens_with_offsets(text), but only words that may match are analyzed.

    Every rule of the stemmer strips an ending or changes the last letter of what is
    left, so a word with term t starts with t[:-1] once folded, or is one of the
    EXCEPTIONS or lemma-table forms listed for t (šel, jde for jit), or ne + one of
    those for a negated verb, or a form of an -ovat verb that starts with t[:-4] (of an
    -ávat verb, t[:-2]). A regex over the lowercased text, each letter matching its
    accented forms, finds such word starts at C speed; the space-delimited chunk around
    each is then tokenized as usual (a token never spans a space, so the chunk splits
    as it does inside the whole text), or, when nothing joins the word to its
    neighbours, the word is the token. Snippets call this for up to 100 pages per query."""
    finder = _candidate_finder(frozenset(wanted)) if wanted else None
    lower = text.lower()
    if finder is None or len(lower) != len(text) or _OTHER_LETTER.search(lower):
        return [(s, e) for term, s, e in tokens_with_offsets(text) if term in wanted]
    spans = []
    done, n = 0, len(text)
    for match in finder.finditer(lower):
        at, end = match.span()  # the whole word
        if at < done:
            continue
        after = text[end:end + 1]
        if (at == 0 or text[at - 1] not in _JOINERS) and (
                after not in _JOINERS or (after == "." and text[end + 1:end + 2] in ("", " "))):
            # Nothing joins the word to its neighbours (a full stop ending a sentence
            # does not): no identifier or e-mail can take it in, the word is the token.
            if word_term(text[at:end]) in wanted:
                spans.append((at, end))
            done = end
            continue
        # The chunk between two spaces (any whitespace would do: tokenizing restarts
        # cleanly after one; a chunk with newlines inside is just longer).
        lo = text.rfind(" ", 0, at) + 1
        hi = text.find(" ", at)
        hi = n if hi < 0 else hi
        if _DIGIT_OR_AT.search(text, lo, hi) is None:
            # No identifier or e-mail can start here: the token is the word that starts at
            # the match (a later word of the chunk is a candidate of its own).
            end = _WORD.match(text, at).end()
            if word_term(text[at:end]) in wanted:
                spans.append((at, end))
            done = end
            continue
        for token in TOKEN_PATTERN.finditer(text, lo, hi):
            if word_term(token.group()) in wanted:
                spans.append((token.start(), token.end()))
        done = hi
    return spans
