"""What a file really is, for the one message both the indexer and the upload form give
when a file's name promises another format ("Soubor má příponu .pdf, ale není to PDF —
je to webová stránka (HTML)."). One source, so the two can never advise differently.

The advice never says "rename it" when renaming would only index raw markup: a web
page has to be saved as PDF from the browser.
"""
from __future__ import annotations

HTML = "webová stránka (HTML)"
EXPECTED = {".pdf": "PDF", ".docx": "dokument Word", ".txt": "prostý text", ".md": "prostý text"}
SAVE_AS = {".pdf": "Uložte dokument znovu jako PDF.",
           ".docx": "Otevřete ho ve Wordu a uložte jako .docx (Dokument Word)."}
RIGHT_SUFFIX = {"PDF": ".pdf", "dokument Word": ".docx"}


def content_kind(data: bytes) -> str:
    """The format of the bytes in words a person knows."""
    head = data[:1024].lstrip().lower()
    if b"%pdf-" in head:
        return "PDF"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512] or b"<body" in head[:512]:
        return HTML
    if head.startswith(b"pk\x03\x04"):
        return "dokument Word" if b"word/" in data[:4096] else "archiv ZIP nebo jiný dokument Office"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "starý formát Word/Excel (.doc, .xls)"
    return "jiný typ souboru"


def wrong_format_reason(suffix: str, data: bytes, kind: str | None = None) -> str:
    """'Soubor má příponu .pdf, ale není to PDF — je to …' with what to do about it."""
    suffix = suffix.lower()
    kind = kind or content_kind(data)
    expected = EXPECTED.get(suffix, suffix)
    if kind == HTML:
        advice = ("Otevřete stránku v prohlížeči a uložte ji jako PDF (Tisk → Uložit jako PDF); "
                  "pouhé přejmenování by zařadilo kód stránky místo textu.")
    elif kind in RIGHT_SUFFIX:
        advice = f"Obsah je v pořádku, jen mu dejte příponu {RIGHT_SUFFIX[kind]}."
    else:
        advice = SAVE_AS.get(suffix, "Uložte dokument jako PDF nebo DOCX.")
    return f"Soubor má příponu {suffix}, ale není to {expected} — je to {kind}. {advice}"
