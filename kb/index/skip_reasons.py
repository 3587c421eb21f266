"""Why the indexer left a file out: the one table of the Czech reasons shown in the skip
list of `kb index`, the app's "Správa knihovny" and the upload form.

Each reason says what happened and what to do. The reasons that depend on the file's
format (not a PDF, encrypted, scanned without OCR...) come from the extractors as
ExtractionError messages; these are the ones about reading files at all.
"""
from __future__ import annotations

MB = 1024 * 1024

NOT_A_REGULAR_FILE = ("Není to běžný soubor (je to roura, zařízení nebo socket), takže se nedá "
                      "přečíst jako dokument. Odstraňte ho z knihovny.")
NO_PERMISSION = "Soubor nelze přečíst: chybí oprávnění. Požádejte správce o přístup k souboru."
VANISHED = "Soubor zmizel během indexace. Spusťte indexaci znovu."
EMPTY = "Soubor je prázdný (0 bajtů). Uložte ho znovu nebo ho odstraňte."
BAD_NAME = ("Název souboru nebo složky obsahuje neplatné znaky (jiné kódování nebo řídicí znaky). "
            "Přejmenujte ho.")
LINK_NOWHERE = "Odkaz (symlink) nikam nevede nebo tvoří smyčku. Odstraňte ho nebo opravte."
LINK_OUTSIDE = ("Odkaz (symlink) vede mimo složku knihovny; takové soubory se z bezpečnostních "
                "důvodů nezařazují. Zkopírujte soubor přímo do knihovny.")
TOO_MUCH_MEMORY = ("Zpracování souboru potřebovalo příliš mnoho paměti a bylo přerušeno. "
                   "Soubor je možná poškozený nebo podezřelý.")
TOO_DEEP = "Soubor má příliš hluboce vnořenou strukturu a nejde přečíst (je poškozený?)."
WORKER_CRASHED = ("Zpracování souboru selhalo nebo se zaseklo (nedostatek paměti, poškozený nebo "
                  "podezřelý soubor) a bylo ukončeno. Soubor byl vynechán.")


def read_failed(strerror: str | None) -> str:
    return f"Soubor nelze přečíst ({strerror}). Zkontrolujte disk a soubor."


def too_big(size: int, limit: int) -> str:
    return (f"Soubor je příliš velký ({size / MB:.1f} MB, limit {limit / MB:.0f} MB). "
            "Rozdělte ho nebo zvyšte limit KB_MAX_FILE_MB.")


def too_slow(seconds: int) -> str:
    return (f"Zpracování souboru trvalo déle než {seconds} s a bylo přerušeno. "
            "Soubor je možná poškozený nebo příliš složitý; zkuste ho uložit znovu.")


def extraction_bug(error: BaseException) -> str:
    return (f"Soubor nejde zpracovat ({type(error).__name__}). Uložte ho znovu; pokud to "
            "nepomůže, nahlaste chybu.")


def tagging_bug(error: BaseException) -> str:
    return f"Dokument nejde zařadit ({type(error).__name__}). Nahlaste prosím chybu."
