"""A small library for the app tests (AppTest and the browser): four honest documents
and one hostile one whose text, title and metadata try to inject HTML and script."""
from __future__ import annotations

from pathlib import Path

from builders import make_docx, make_pdf

KYBER = "metodiky/kybersikana-ve-skole.pdf"
NASILI = "metodiky/domaci-nasili-a-policie.pdf"
ROZHOVOR = "letaky/rozhovor-s-ditetem.docx"
OPATROVNIK = "opatrovnik.txt"
HOSTILE = "jine/zlovolny-dokument.pdf"
BROKEN = "jine/poskozeny.pdf"

XSS_TEXT = ('Zlovolný text <script>alert("xss-script")</script> a obrázek '
            '<img src=x onerror=alert("xss-img")> a odkaz [klikni](javascript:alert("xss-link")) '
            "**tučně** # nadpis :red[barva] $x^2$ konec.")
XSS_TITLE = '<script>alert("xss-title")</script> Zlovolný **dokument** [x](javascript:alert(1))'
XSS_ORG = '<img src=x onerror=alert("xss-org")>'
XSS_QUERY = '<script>alert("xss-q")</script> <img src=x onerror=alert("xss-q2")> zlovolný'


def build_app_corpus(root: Path) -> Path:
    make_pdf(root / KYBER, [
        "Kyberšikana ve škole\nMetodický pokyn pro školy a OSPOD. Kyberšikana je opakované "
        "ubližování přes mobil a internet.",
        "Postup při kyberšikaně\nŠkola zajistí důkazy, snímky obrazovky, a informuje rodiče. "
        "Při vydírání kontaktuje policii.",
        "Prevence\nŽáci se učí bezpečně používat sociální sítě. Třídní učitel sleduje klima třídy.",
    ])
    (root / KYBER).with_suffix(".yaml").write_text(
        "title: Kyberšikana ve škole — metodický pokyn\nyear: 2024\n"
        "organization: Základní škola Lipnice\nsource_url: https://www.example-fiktivni.cz/kyber\n"
        "doc_type: metodika\ntopics: [kybersikana]\nprofessions: [skolstvi]\n",
        encoding="utf-8")
    make_pdf(root / NASILI, [
        "Domácí násilí\nPracovník OSPOD při domácím násilí spolupracuje s Policií ČR.",
        "Vykázání\nPolicie může násilnou osobu vykázat ze společného obydlí. Intervenční centrum "
        "pomáhá obětem. Dítě jako svědek násilí potřebuje podporu. Kyberšikana se zde nezmiňuje "
        "jinak než okrajově.",
    ])
    (root / NASILI).with_suffix(".yaml").write_text(
        "title: Domácí násilí a spolupráce s policií\nyear: 2021\norganization: Intervenční centrum\n"
        "doc_type: metodika\ntopics: [domaci-nasili]\nprofessions: [policie, ospod]\n",
        encoding="utf-8")
    make_docx(root / ROZHOVOR, [
        ("h1", "Rozhovor s dítětem"),
        ("p", "Rozhovoru s dítětem předchází příprava místnosti. Dítě má právo vyjádřit názor."),
        ("h2", "Kyberšikana v rozhovoru"),
        ("p", "Když dítě mluví o kyberšikaně, pracovník nehodnotí a ptá se otevřeně."),
    ], title="Rozhovor s dítětem")
    (root / ROZHOVOR).with_suffix(".yaml").write_text(
        "year: 2022\norganization: Spolek Most k rodině\ndoc_type: letak\n"
        "topics: [rozhovor-s-ditetem]\nprofessions: [ospod]\naudience: [rodice]\n", encoding="utf-8")
    (root / OPATROVNIK).write_text(
        "Opatrovník\n==========\n\nVeřejný opatrovník hájí zájmy opatrovance u soudu.\n",
        encoding="utf-8")
    make_pdf(root / HOSTILE, [XSS_TEXT, "Druhá strana: " + XSS_TEXT])
    (root / HOSTILE).with_suffix(".yaml").write_text(
        "title: '" + XSS_TITLE.replace("'", "''") + "'\n"
        "organization: '" + XSS_ORG + "'\nyear: 2020\n"
        "source_url: 'javascript:alert(\"xss-url\")'\nsummary: '<b onmouseover=alert(1)>shrnutí</b>'\n",
        encoding="utf-8")
    (root / BROKEN).write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    return root
