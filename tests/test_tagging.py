"""Tagging as a trainer or social worker meets it: documents get the topics and
professions they are about (not every word they mention once), each tag explains
itself, the sidecar has the last word, and `kb show` tells it in Czech."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from builders import make_docx, make_pdf
from conftest import kb_json, run_kb

from kb.analysis import terms
from kb.extract import extract_file
from kb.model import Document, Page
from kb.tagging import MANUAL, heading_spans, score_document, tag_document
from kb.taxonomy import TAXONOMY_PATH, load_taxonomy

DESIGN_IDS = {
    "topics": {"kybersikana", "sebeposkozovani", "domaci-nasili", "rozhovor-s-ditetem",
               "nahradni-rodinna-pece", "rozchod-rodicu", "trauma", "dusevni-zdravi", "zavislosti",
               "zadluzenost", "bydleni", "mediace", "supervize", "standardy-spod",
               "mezioborova-spoluprace", "zdravotni-postizeni", "seniori"},
    "professions": {"ospod", "kurator", "nrp", "opatrovnik", "socialni-sluzby", "skolstvi", "psycholog",
                    "zdravotnictvi", "policie", "justice"},
    "doc_types": {"metodika", "letak", "zprava", "standard", "jine"},
}

# Neutral social-work prose: long enough to make a methodology, about nothing in particular.
FILLER = (
    "Pracovník si před prvním setkáním prostuduje spis a domluví termín schůzky. Při jednání "
    "vysvětlí, proč přichází, jaké má rodina možnosti a co bude následovat. Záznam z jednání "
    "pořídí týž den a předá ho vedoucímu. Plán další práce se s rodinou průběžně vyhodnocuje, "
    "nejméně jednou za tři měsíce, a upravuje podle toho, jak se situace vyvíjí. "
)


def doc(pages: list[str], title: str = "Metodický materiál", meta: dict | None = None) -> Document:
    """A PDF-like document straight from page texts (no file needed)."""
    page_list = [Page(number=i, text=t) for i, t in enumerate(pages, start=1)]
    return Document(path="x.pdf", title=title, format="pdf", pages=page_list, meta=meta or {})


def tags(document: Document) -> dict:
    return tag_document(document, load_taxonomy())


# ---------------------------------------------------------------- the taxonomy itself


@pytest.mark.parametrize("facet", ["topics", "professions", "doc_types"])
def test_taxonomy_has_every_design_id_with_label_description_and_terms(facet):
    taxonomy = load_taxonomy()
    assert DESIGN_IDS[facet] <= set(taxonomy[facet])
    for id_, entry in taxonomy[facet].items():
        assert entry.get("label") and entry.get("description"), id_
        assert entry.get("strong"), f"{id_} has no strong terms"


def test_multiword_terms_keep_their_meaning_after_analysis():
    """Stopwords drop out of phrases on both sides, so a phrase whose meaningful word
    is a stopword collapses into one ordinary word: "sociální byt" would tag every
    "sociální", "pro rodiče" every "rodiče", "K-centrum" every "centrum". Only phrases
    with a reflexive "se"/"si" ("řeže se") may shrink to one word."""
    taxonomy = load_taxonomy()
    for facet in ("topics", "professions", "doc_types"):
        for id_, entry in taxonomy[facet].items():
            for kind in ("strong", "terms", "ignore"):
                for term in entry.get(kind) or []:
                    words = re.findall(r"\w+", str(term).lower())
                    is_identifier = any(ch.isdigit() for ch in str(term))  # 473/2012 stays whole
                    if len(words) > 1 and not set(words) & {"se", "si"} and not is_identifier:
                        kept = terms(str(term))
                        assert len(kept) > 1, f"{facet}/{id_}: '{term}' collapses to {kept}"


def test_thresholds_live_in_the_yaml():
    # (a taxonomy dict is compiled once per object: change a copy, not one already used)
    document = doc(["Kyberšikana ve třídě. " + FILLER, "Kyberšikana a sociální sítě. " + FILLER])
    assert "kybersikana" in tag_document(document, copy.deepcopy(load_taxonomy()))["topics"]
    taxonomy = copy.deepcopy(load_taxonomy())
    taxonomy["tagging"]["topics"]["min_score"] = 50
    assert "kybersikana" not in tag_document(document, taxonomy)["topics"]
    taxonomy = copy.deepcopy(load_taxonomy())
    taxonomy["topics"]["kybersikana"]["min_score"] = 50  # a per-tag override
    assert "kybersikana" not in tag_document(document, taxonomy)["topics"]


# ---------------------------------------------------------------- tricky cases


def test_a_single_passing_mention_does_not_tag():
    pages = [FILLER * 3 for _ in range(6)]
    pages[3] = FILLER + "V jednom případě se dítě svěřilo se sebepoškozováním. " + FILLER * 2
    result = tags(doc(pages, title="Metodika práce s rodinou"))
    assert "sebeposkozovani" not in result["topics"]


def test_the_same_topic_with_headings_and_repeated_mentions_does_tag():
    pages = [FILLER * 3 for _ in range(6)]
    pages[3] = ("Sebepoškozování u dospívajících\nKdyž se dítě řeže, sebepoškozování je signál. "
                + FILLER + "Sebepoškozující chování se často opakuje. " + FILLER)
    pages[4] = "Jak mluvit o sebepoškozování\n" + FILLER + "Sebepoškozování nikdy nebagatelizujte. "
    result = tags(doc(pages, title="Metodika práce s rodinou"))
    assert "sebeposkozovani" in result["topics"]
    assert result["evidence"]["topics"]["sebeposkozovani"]["pages"] == [4, 5]


def test_cyberbullying_leaflet_gets_kybersikana_and_skolstvi(tmp_path: Path):
    path = make_pdf(tmp_path / "letaky" / "kybersikana.pdf", [
        "Kyberšikana — co dělat\nLeták pro žáky a rodiče\n"
        "Ubližuje ti někdo přes mobil nebo na sociálních sítích? Kyberšikana není legrace. "
        "Ulož si snímky obrazovky a řekni to třídní učitelce nebo školní metodičce prevence.\n"
        "Pro rodiče\nPokud je vaše dítě obětí kyberšikany, kontaktujte školu. Škola postupuje "
        "podle svého programu proti šikanování. Pomůže vám i pedagogicko-psychologická poradna.\n"
        "Kontakty: Linka bezpečí 116 111, PPP Horní Lhota, tel. 491 000 200",
    ], title="Kyberšikana — co dělat")
    document, _ = extract_file(path, tmp_path)
    result = tags(document)
    assert "kybersikana" in result["topics"]
    assert "skolstvi" in result["professions"]
    assert result["doc_type"] == "letak"


def test_soudce_in_a_cochem_report_gives_justice():
    pages = [
        "Cochemská praxe v Lipnici: zpráva za rok 2023\n"
        "Soudce opatrovnického soudu svolává první jednání do 14 dnů od podání návrhu. "
        "Rodiče s OSPOD a poradnou sestaví rodičovský plán. " + FILLER,
        "Role soudce\nSoudce vede jednání tak, aby se rodiče dohodli; soud rozhodne až tehdy, "
        "když dohoda není možná. Advokáti rodičů podporují smírné řešení. " + FILLER,
        "Výsledky\nV 31 z 40 rodin vznikl rodičovský plán, který soud schválil. " + FILLER,
    ]
    result = tags(doc(pages, title="Cochemská praxe: zpráva o pilotním ověření"))
    assert "justice" in result["professions"]
    assert "rozchod-rodicu" in result["topics"]
    assert "soudce" in result["evidence"]["professions"]["justice"]["terms"]


@pytest.mark.parametrize("text", [
    "Péče o dítě je povinností obou rodičů. Péče o dítě zahrnuje výchovu i zdraví. Kvalitní péče "
    "vyžaduje čas. Zdravotní péče, péče o domácnost a péče o sourozence se dělí v rodině. ",
    "Pečovatelská péče a domácí péče o seniory, péče o nemocné. ",
])
def test_the_word_pece_alone_does_not_give_substitute_family_care(text):
    result = tags(doc([text * 3, text * 3], title="Péče o dítě v rodině"))
    assert "nahradni-rodinna-pece" not in result["topics"]
    assert "nrp" not in result["professions"]


def test_a_short_leaflet_is_tagged_from_its_few_mentions():
    leaflet = doc(["Opatrovník a veřejný opatrovník\nKdo je veřejný opatrovník? Když soud omezí "
                   "svéprávnost a nikdo z blízkých nemůže být opatrovníkem, stane se jím obec. "
                   "Obraťte se na nás: tel. 465 000 000."], title="Opatrovník a veřejný opatrovník")
    result = tags(leaflet)
    assert result["professions"][0] == "opatrovnik"
    assert result["doc_type"] == "letak"


@pytest.mark.parametrize("title,pages,expected", [
    ("Výroční zpráva 2023", [FILLER * 4] * 6, "zprava"),
    ("Tisková zpráva: město otevírá kontaktní místo", [FILLER], "zprava"),
    ("Standardy kvality sociálně-právní ochrany", ["Standard 1 Místní a časová dostupnost\n" + FILLER * 4] * 6,
     "standard"),
    ("Rozhovor s dítětem — metodika pro pracovníky OSPOD", [FILLER * 4] * 6, "metodika"),
    ("Jak pracovat s rodinou", ["Metodický pokyn pro sociální pracovníky obce\n" + FILLER * 4] + [FILLER * 4] * 5,
     "metodika"),
    ("Sborník příspěvků z konference", [FILLER * 4] * 6, "jine"),
    ("Pracovník NRP", ["Informace pro pěstouny. Pracovník vás navštíví doma a pomůže vám. Můžete se "
                       "na nás obrátit, kdykoli potřebujete. Kontakt: tel. 465 000 000"], "letak"),
    ("Zápis z porady", [FILLER * 4] * 6, "jine"),
])
def test_document_type(title, pages, expected):
    assert tags(doc(pages, title=title))["doc_type"] == expected


def test_a_long_text_is_never_a_leaflet_even_if_it_speaks_to_the_reader():
    pages = ["Můžete se obrátit na nás, pomůžeme vám. Kontakt: tel. 465 000 000. " + FILLER * 4] * 8
    assert tags(doc(pages, title="Jak pracovat s rodinou"))["doc_type"] != "letak"


# ---------------------------------------------------------------- evidence


def test_evidence_gives_terms_counts_pages_and_score_for_pdf():
    pages = ["Kyberšikana ve škole\n" + FILLER, FILLER * 2, "Kyberšikana a šikana přes mobil\nKyberšikanou "
             "trpí žáci. " + FILLER]
    result = tags(doc(pages, title="Kyberšikana ve škole"))
    evidence = result["evidence"]["topics"]["kybersikana"]
    assert evidence["source"] == "automaticky"
    assert evidence["pages"] == [1, 3]
    assert evidence["terms"]["kyberšikana"] == 4
    assert evidence["terms"]["šikana přes mobil"] == 1
    assert "kyberšikana" in evidence["strong"]
    assert evidence["in_title"] is True
    assert evidence["score"] >= evidence["threshold"]


def test_evidence_names_sections_for_docx(tmp_path: Path):
    path = make_docx(tmp_path / "dluhy.docx", [
        ("h1", "Dluhové poradenství pro rodiny"),
        ("p", "Zadluženost rodin roste. " + FILLER),
        ("h2", "Exekuce a oddlužení"),
        ("p", "Exekuce postihují i děti. Oddlužení je cesta z dluhové pasti. " + FILLER),
        ("h2", "Další postup"),
        ("p", FILLER),
    ])
    document, _ = extract_file(path, tmp_path)
    evidence = tags(document)["evidence"]["topics"]["zadluzenost"]
    assert evidence["pages"] == []
    assert evidence["sections"] == ["Dluhové poradenství pro rodiny", "Exekuce a oddlužení"]


def test_longest_phrase_wins_within_a_facet():
    text = ("Probační a mediační služba spolupracuje s kurátorem. Probační a mediační služba vede "
            "mladistvého. Probační a mediační službou se zabývá soud. ") * 3
    result = tags(doc([text, text], title="Spolupráce s probační a mediační službou"))
    assert "mediace" not in result["topics"]
    assert "justice" in result["professions"]


def test_kolizni_opatrovnik_is_ospod_not_a_guardian():
    text = ("OSPOD je v řízení kolizním opatrovníkem dítěte. Kolizní opatrovník hájí zájem dítěte; "
            "jako kolizní opatrovník pracovník OSPOD podává zprávu soudu. ") * 4
    result = tags(doc([text, text], title="Zastupování dítěte v řízení"))
    assert "opatrovnik" not in result["professions"]
    assert "ospod" in result["professions"]


@pytest.mark.parametrize("text,heading", [
    ("2 Postup při podezření na kyberšikanu\nKaždé oznámení bereme vážně.", "2 Postup při podezření na kyberšikanu"),
    ("Kdo co dělá\nTřídní učitel informuje metodičku.", "Kdo co dělá"),
])
def test_pdf_heading_lines_are_recognised(text, heading):
    assert [text[a:b] for a, b in heading_spans(text)][0] == heading


def test_wrapped_paragraph_lines_are_not_headings():
    text = ("Zadluženost patří k nejčastějším problémům rodin, se kterými pracují sociální služby i\n"
            "OSPOD. Dluhy a exekuce málokdy přicházejí samy.\n"
            "Pokyn stanoví, jak pedagogičtí pracovníci postupují, když se dozvědí o kyberšikaně\n"
            "nebo sextingu mezi žáky.")
    assert heading_spans(text) == []


def test_the_audience_statement_weighs_like_the_title():
    audience = "Metodika je určena sociálním pracovníkům obcí, pracovníkům OSPOD a kurátorům. "
    pages = [FILLER * 2 + audience + FILLER] + [FILLER * 4] * 7
    result = score_document(doc(pages, title="Jak pracovat s rodinou"), load_taxonomy())
    with_statement = result["professions"]["ospod"].score
    pages[0] = FILLER * 2 + "Pracovníci OSPOD se s tím setkávají. " + FILLER
    plain = score_document(doc(pages, title="Jak pracovat s rodinou"), load_taxonomy())["professions"]["ospod"].score
    assert with_statement > plain * 2


# ---------------------------------------------------------------- sidecar override


def test_sidecar_adds_removes_and_says_rucne():
    pages = ["Kyberšikana ve škole\nKyberšikana a šikana přes mobil. Třídní učitel informuje školního "
             "metodika prevence. " + FILLER, "Kyberšikanou trpí žáci; škola spolupracuje s PPP. " + FILLER]
    meta = {"topics": ["trauma", "kybersikana", "neznamy-stitek"], "professions_exclude": ["skolstvi"],
            "doc_type": "standard"}
    result = tags(doc(pages, title="Kyberšikana ve škole", meta=meta))
    assert "trauma" in result["topics"] and "kybersikana" in result["topics"]
    assert "neznamy-stitek" not in result["topics"]
    assert result["evidence"]["topics"]["trauma"]["source"] == MANUAL == "ručně"
    assert result["evidence"]["topics"]["trauma"]["terms"] == {}
    # a manual tag that the text supports keeps its automatic evidence too
    assert result["evidence"]["topics"]["kybersikana"]["source"] == "ručně"
    assert result["evidence"]["topics"]["kybersikana"]["terms"]["kyberšikana"] >= 3
    assert "skolstvi" not in result["professions"]
    assert result["evidence"]["excluded"] == {"professions": ["skolstvi"]}
    assert result["doc_type"] == "standard"
    assert result["evidence"]["doc_type"]["source"] == "ručně"
    assert result["evidence"]["doc_type"]["automatic"] == "metodika"


# ---------------------------------------------------------------- through the index and the CLI


@pytest.fixture
def tagged_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    make_pdf(root / "letaky" / "kybersikana.pdf", [
        "Kyberšikana — co dělat\nUbližuje ti někdo přes mobil? Kyberšikana není legrace. Řekni to třídní "
        "učitelce nebo školní metodičce prevence. Škola postupuje podle programu proti šikanování.\n"
        "Pro rodiče\nPokud je vaše dítě obětí kyberšikany, kontaktujte školu nebo Policii ČR.",
    ], title="Kyberšikana — co dělat")
    (root / "letaky" / "kybersikana.yaml").write_text(
        "title: Kyberšikana — co dělat\nyear: 2024\ntopics: [trauma]\ntopics_exclude: [kybersikana]\n",
        encoding="utf-8")
    make_docx(root / "metodiky" / "pestouni.docx", [
        ("h1", "Doprovázení pěstounských rodin"),
        ("p", "Pěstouni a pěstounská péče: doprovázející organizace uzavírá dohodu o výkonu pěstounské péče. "
              + FILLER),
        ("h2", "Vzdělávání pěstounů"),
        ("p", "Pěstoun má povinnost vzdělávání 24 hodin ročně. " + FILLER),
    ])
    return root


def test_kb_list_json_carries_tags_and_evidence(tagged_corpus: Path, tmp_path: Path):
    kb_json("index", tagged_corpus, "--index", tmp_path / "ix")
    documents = {d["path"]: d for d in kb_json("list", "--index", tmp_path / "ix")["documents"]}
    leaflet = documents["letaky/kybersikana.pdf"]
    assert leaflet["topics"] == ["trauma"]  # kybersikana removed by hand, trauma added
    assert leaflet["evidence"]["topics"]["trauma"]["source"] == "ručně"
    assert "skolstvi" in leaflet["professions"]
    pestouni = documents["metodiky/pestouni.docx"]
    assert "nahradni-rodinna-pece" in pestouni["topics"] and "nrp" in pestouni["professions"]


def test_kb_show_explains_each_tag_in_czech(tagged_corpus: Path, tmp_path: Path):
    kb_json("index", tagged_corpus, "--index", tmp_path / "ix")
    proc = run_kb("show", "letaky/kybersikana.pdf", "--index", tmp_path / "ix", check=True)
    out = proc.stdout
    assert "Kyberšikana — co dělat" in out
    assert "1 stran" in out or "(PDF, 1" in out
    assert "Trauma [trauma]" in out and "ručně" in out
    assert "Školství a PPP [skolstvi]" in out and "Přiděleno automaticky" in out
    assert "Výskyt: na str. 1." in out
    assert "odebrané ručně" in out and "Kyberšikana [kybersikana]" in out
    # the same document found by the end of its path, with the corpus folder, and as JSON
    data = json.loads(run_kb("show", "kybersikana.pdf", "--index", tmp_path / "ix", "--json",
                             check=True).stdout)
    assert data["path"] == "letaky/kybersikana.pdf" and data["pages"] == 1
    assert data["labels"]["professions"]["skolstvi"] == "Školství a PPP"
    assert data["evidence"]["professions"]["skolstvi"]["pages"] == [1]
    docx = json.loads(run_kb("show", "metodiky/pestouni.docx", "--index", tmp_path / "ix", "--json",
                             check=True).stdout)
    assert docx["evidence"]["topics"]["nahradni-rodinna-pece"]["sections"][0] == "Doprovázení pěstounských rodin"


def test_kb_show_unknown_path_is_a_clear_error(tagged_corpus: Path, tmp_path: Path):
    kb_json("index", tagged_corpus, "--index", tmp_path / "ix")
    proc = run_kb("show", "letaky/kybersikan.pdf", "--index", tmp_path / "ix")
    assert proc.returncode == 2
    assert "není" in proc.stderr and "letaky/kybersikana.pdf" in proc.stderr  # suggests the close one
    assert "Traceback" not in proc.stderr
    missing = run_kb("show", "x.pdf", "--index", tmp_path / "nic")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_a_taxonomy_change_retags_without_reextracting(tagged_corpus: Path, tmp_path: Path, monkeypatch):
    from kb.index import pipeline, workers

    index_dir = tmp_path / "ix"
    pipeline.run_index(tagged_corpus, index_dir, workers=1)
    changed = copy.deepcopy(yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8")))
    changed["topics"]["supervize"]["strong"].append("pěstoun")
    monkeypatch.setattr(pipeline, "load_taxonomy", lambda: changed)

    def no_extraction(sources, *args, **kwargs):
        assert not sources, f"re-extracted {[s.rel for s in sources]}"
        return iter(())

    monkeypatch.setattr(workers, "extract_all", no_extraction)
    report = pipeline.run_index(tagged_corpus, index_dir, workers=1)
    assert report.indexed == 2
    documents = {d["path"]: d for d in kb_json("list", "--index", index_dir)["documents"]}
    assert "pěstoun" in documents["metodiky/pestouni.docx"]["evidence"]["topics"]["supervize"]["terms"]
