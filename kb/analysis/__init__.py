"""The Czech analyzer: one definition for documents, queries, highlights and tagging.

Chain: tokenize (keeping identifiers such as project numbers, e-mails, dates and
`359/1999` whole) | lowercase | Czech stopwords | identifier parts | the lemma table,
else fold diacritics and a light stem. One module a stage:

- stopwords.py: the Czech function words the analyzer drops;
- stemmer.py: fold diacritics, then the light stemmer (fold, stem);
- lemmas.py: the lemma table (lemmas_cs.txt, from simplemma's Czech dictionary) for the
  words the stemmer cannot reach: verb forms, comparatives, irregular words;
- analyzer.py: the tokenizer and the Whoosh filter that puts the stages together
  (czech_analyzer, word_term, terms, tokens_with_offsets);
- highlight.py: where the words of some terms are in a text (highlight_spans);
- families.py, thesaurus.py: what search adds to a query at a lower weight.

This module is the public face: import from kb.analysis, not from the modules. The
names below are a contract (../shared/ud imports word_term, _ANALYZER, czech_analyzer).
"""
from __future__ import annotations

from kb.analysis.analyzer import (
    _ANALYZER,
    ANALYZER_VERSION,
    IDENTIFIER_SEPARATORS,
    TOKEN_PATTERN,
    CzechFilter,
    clear_caches,
    czech_analyzer,
    identifier_parts,
    terms,
    tokens_with_offsets,
    word_term,
)
from kb.analysis.highlight import highlight_spans
from kb.analysis.lemmas import index_term
from kb.analysis.stemmer import EXCEPTIONS, KEEP_STEMS, PARTICIPLE_STEMS, fold, stem
from kb.analysis.stopwords import CZECH_STOPWORDS, FOLDED_STOPWORDS

__all__ = [
    "_ANALYZER", "ANALYZER_VERSION", "CZECH_STOPWORDS", "EXCEPTIONS", "FOLDED_STOPWORDS",
    "IDENTIFIER_SEPARATORS", "KEEP_STEMS", "PARTICIPLE_STEMS", "TOKEN_PATTERN", "CzechFilter",
    "clear_caches", "czech_analyzer", "fold", "highlight_spans", "identifier_parts",
    "index_term", "stem", "terms", "tokens_with_offsets", "word_term",
]
