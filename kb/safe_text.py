"""Text that is safe to store and print: what a hostile or broken file puts into its
text or metadata must not break the index or a terminal. Extraction, indexing and
search all use it, so it sits beside them, not inside one.

Removed: control characters other than newline and tab (an ESC sequence in a PDF would
otherwise reach the terminal through `kb search`), the bidirectional overrides that can
make text read differently from what it is ("Trojan Source"), and lone UTF-16 surrogates
(broken PDF font maps, `"\\ud800"` in YAML), which UTF-8 cannot encode at all.
"""
from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (except \\t \\n) and C1 controls, DEL
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\ud800-\udfff]"  # lone surrogates
)


def safe_text(text: str) -> str:
    """`text` without the characters above (a carriage return becomes a newline)."""
    if not text:
        return text
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
