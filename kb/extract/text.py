"""Plain text and Markdown. Czech offices still produce Windows-1250 and ISO-8859-2
files; the encoding is detected from the bytes, not assumed. Sections follow the
headings (Markdown `#`, or a line underlined with === / ---)."""
from __future__ import annotations

import re

from kb.errors import ExtractionError
from kb.model import Document, Page

# Bytes 0x80-0x9F are letters in cp1250 (š ť ž Š Ť Ž ś ź) but control codes in ISO-8859-2.
_CP1250_ONLY = set(range(0x80, 0xA0))
# In ISO-8859-2 these are š ť ž Š Ť Ž ą ľ; in cp1250 they are rare symbols (¹ » ľ © « ®).
_ISO_LETTERS = {0xB9, 0xBB, 0xBE, 0xA9, 0xAB, 0xAE}
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace")
    high = [b for b in data if b >= 0x80]
    if any(b in _CP1250_ONLY for b in high):
        return data.decode("cp1250", errors="replace")
    iso_votes = sum(1 for b in high if b in _ISO_LETTERS)
    return data.decode("iso-8859-2" if iso_votes else "cp1250", errors="replace")


def _mostly_utf8(data: bytes) -> bool:
    """A UTF-8 file with a few broken bytes (mixed copy-paste) is still UTF-8."""
    valid = len(re.findall(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", data))
    high = sum(1 for b in data if b >= 0x80)
    return valid > 0 and valid * 2 >= high * 0.6


def extract(data: bytes, rel_path: str) -> Document:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError(
            "Soubor má textovou příponu, ale obsahuje binární data. Zkontrolujte, co to je za soubor."
        )
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    if not text.strip():
        raise ExtractionError("Textový soubor je prázdný.")
    sections, headings = split_sections(text)
    fmt = "md" if rel_path.lower().endswith(".md") else "txt"
    return Document(path=rel_path, title="", format=fmt, pages=sections, headings=headings)


def split_sections(text: str) -> tuple[list[Page], list[str]]:
    lines = text.split("\n")
    sections: list[Page] = []
    headings: list[str] = []
    heading, current = "", []

    def flush():
        body = "\n".join(current).strip()
        if body:
            sections.append(Page(number=0, text=body, heading=heading))

    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        md = MARKDOWN_HEADING.match(line)
        if md or (line.strip() and UNDERLINE.match(nxt) and len(line.strip()) <= 120):
            flush()
            heading = md.group(1) if md else line.strip()
            headings.append(heading)
            current = [heading]
        elif UNDERLINE.match(line) and current and current[-1] == heading:
            continue
        else:
            current.append(line)
    flush()
    return sections, headings
