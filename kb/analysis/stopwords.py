"""Czech function words, dropped by the analyzer: they carry no meaning for search."""
from __future__ import annotations

from kb.analysis.stemmer import fold

# Function words that carry no meaning for search (folded and unfolded forms).
CZECH_STOPWORDS = frozenset(
    """
    a aby abych abychom abyste ačkoli ale ani ano asi až bez bude budem budeme budete
    budou budu by byl byla byli bylo byly bych bychom byste být či což co ho i jak
    jako je jeho jej její jejich jemu jen jenž ještě ji jí jich jim jimi jinak jsem
    jsi jsme jsou jste k ke kde kdo kdy když ku kterou která které který kteří
    má mají mě mezi mi mít mně mnou můj může my na nad nám námi nás náš ne nebo
    nebyl nejsou než nic ním o od on ona oni ono pak po pod podle pokud pro proto
    protože před přes při s se si sice své svůj svým svých ta tak také takže tam
    tato tedy ten tento teto tím tímto to tohle toho tohoto tom tomto tomu tu tuto
    ty tyto u už v vám vás váš ve více však všechen vy z za ze že jejích jež č odst
    proč můžeme můžete můžeš můžou můžu mohou mohl mohla mohli mohlo moci
    """.split()
)

# Unaccented forms of stopwords are stopwords too (`protoze`), except `byt`: folded
# `být`, but mostly the flat of the housing topic.
FOLDED_STOPWORDS = (frozenset(fold(w) for w in CZECH_STOPWORDS) - {"byt"}) | CZECH_STOPWORDS
