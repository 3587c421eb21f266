"""Tags from a part of a document (issue 11.4): a long report gets a topic it has a
section on, or names outputs about ("vznikly dvě metodiky věnované…"), though the
whole text does not keep repeating it; lists of service names and series titles do
not give tags alone; news and press releases are `zprava`; feminine and derived forms
of a profession count. The texts are written for these tests."""
from __future__ import annotations

import copy

import pytest

from kb.model import Document, Evidence, Page
from kb.tagging import score_document, tag_document
from kb.tagging.explain import evidence_lines
from kb.taxonomy import load_taxonomy
from ui.html import evidence_html

# Neutral report prose (about 45 analyzed words): a long report is many of these.
PROSE = (
    "Tým se během roku scházel každý týden, plánoval návštěvy v rodinách a vyhodnocoval, jak se daří "
    "naplňovat cíle, které si rodiny samy stanovily. Vedení spolku jednalo s obcemi o financování a "
    "připravilo nový rozpočet na další období, který schválila členská schůze. "
)


def report(*middle: str, pages_before: int = 8, pages_after: int = 8, title: str = "Výroční zpráva 2024") -> Document:
    """A long PDF-like annual report: pages of neutral prose, each under its own
    heading, around the given pages."""
    def filler(n: int) -> str:
        return f"{n}. Činnost spolku v období {n}\n" + PROSE * 5

    texts = ([filler(n) for n in range(1, pages_before + 1)] + list(middle)
             + [filler(n) for n in range(20, 20 + pages_after)])
    pages = [Page(number=i, text=t) for i, t in enumerate(texts, start=1)]
    return Document(path="zprava.pdf", title=title, format="pdf", pages=pages)


def short(text: str, title: str = "", fmt: str = "txt") -> Document:
    return Document(path=f"x.{fmt}", title=title, format=fmt, pages=[Page(number=0, text=text)])


def tagged(document: Document, taxonomy: dict | None = None) -> dict:
    return tag_document(document, taxonomy or load_taxonomy())


SECTION = (PROSE + "\n3. Prevence kyberšikany\nKyberšikana se mezi žáky šíří hlavně přes skupinové chaty. "
           "Pracovnice spolku mluvila se žáky ve třídách a s rodiči probírala, jak kyberšikanu poznat a "
           "jak zajistit důkazy. " + PROSE)
SAME_WORDS_NO_HEADING = (PROSE + "Kyberšikana se mezi žáky šíří hlavně přes skupinové chaty. Pracovnice "
                         "spolku mluvila se žáky ve třídách a s rodiči probírala, jak kyberšikanu poznat a "
                         "jak zajistit důkazy. " + PROSE * 3)
OUTPUTS = (PROSE + "V roce 2024 vznikly dvě metodiky věnované kyberšikaně a sebepoškozování, které "
           "jsme představili odborné veřejnosti. " + PROSE)
OUTPUT_LIST = (PROSE + "\nV roce 2024 jsme uspořádali tyto workshopy pro pěstouny:\n"
               "- Dítě, které se sebepoškozuje\n- Závislost na alkoholu v rodině\n- Jak mluvit o penězích\n"
               + PROSE)
OFFER_ONLY = (PROSE + "\nPěstouni si mohou vybrat z nabídky:\n- jednodenní semináře (například vývoj dítěte, "
              "trauma v raném dětství, kyberšikana),\n- víkendové pobyty s programem pro děti,\n"
              "- podpůrné skupiny pěstounů.\n" + PROSE)
SERVICE_NAMES = (PROSE + "\nNaše služby\nIntervenční centrum Jih\nDluhová poradna Most\nAzylový dům Naděje\n"
                 "Krizové centrum Spirála\n" + PROSE)
SERVICE_NAMES_INLINE = (PROSE + "Spolek provozuje tyto služby: Intervenční centrum Jih, Dluhovou poradnu Most, "
                        "Azylový dům Naděje a Krizové centrum Spirála. " + PROSE)
SERIES = (PROSE + "\nZ našeho blogu: Seriál Kyberšikana a my – díl 3\n" + PROSE)


@pytest.mark.parametrize("name, middle, topics_in, topics_out", [
    ("a section with the topic in its heading", [SECTION], {"kybersikana"}, set()),
    ("the same words without a heading", [SAME_WORDS_NO_HEADING], set(), {"kybersikana"}),
    ("outputs the report says were made", [OUTPUTS], {"kybersikana", "sebeposkozovani"}, set()),
    ("a list of workshops held", [OUTPUT_LIST], {"sebeposkozovani", "zavislosti"}, set()),
    ("an offer of seminars, nothing said to be made", [OFFER_ONLY], set(), {"trauma", "kybersikana"}),
    ("a list of service names", [SERVICE_NAMES], set(),
     {"domaci-nasili", "zadluzenost", "bydleni", "dusevni-zdravi"}),
    ("service names in a sentence", [SERVICE_NAMES_INLINE], set(),
     {"domaci-nasili", "zadluzenost", "bydleni", "dusevni-zdravi"}),
    ("a blog series title", [SERIES], set(), {"kybersikana"}),
])
def test_long_report_topics_come_from_its_parts(name, middle, topics_in, topics_out):
    result = tagged(report(*middle))
    assert topics_in <= set(result["topics"]), (name, result["topics"])
    assert not topics_out & set(result["topics"]), (name, result["topics"])


def test_a_report_gets_every_topic_it_has_a_section_on():
    sections = [
        "\n2. Doprovázení pěstounských rodin\nPěstounská péče je naší hlavní službou. Doprovázíme "
        "pěstouny a pomáháme jim s kontaktem dítěte s biologickou rodinou. " + PROSE * 2,
        "\n3. Dluhové poradenství\nV dluhové poradně jsme pomohli 40 rodinám, které měly exekuce. "
        "Se třemi rodinami jsme podali návrh na oddlužení. " + PROSE * 2,
        "\n4. Duševní zdraví dospívajících\nS dospívajícími, kteří trpí úzkostí nebo depresí, "
        "pracovala psycholožka spolku. " + PROSE * 2,
    ]
    result = tagged(report(*sections, pages_before=6, pages_after=6))
    assert {"nahradni-rodinna-pece", "zadluzenost", "dusevni-zdravi"} <= set(result["topics"])
    evidence = result["evidence"]["topics"]["zadluzenost"]
    assert evidence["basis"] == "section"
    assert evidence["part"]["label"] == "3. Dluhové poradenství" and evidence["part"]["pages"] == [8]


def test_weak_names_are_shown_but_do_not_count():
    scored = score_document(report(SERVICE_NAMES), load_taxonomy())
    violence = scored["topics"]["domaci-nasili"]
    assert not violence.tagged
    assert violence.weak == {"intervenční centrum": 1, "azylový dům": 1}


@pytest.mark.parametrize("name, text, title, fmt, want", [
    ("press release", "Tisková zpráva\n\nMěsto otevírá nové sociální byty pro rodiny s dětmi. Podle "
     "náměstkyně primátora jde o první krok. „Chceme, aby rodiny nemusely žít na ubytovnách,“ uvedla "
     "náměstkyně. Radní dodal, že město letos opraví dalších dvacet bytů.", "", "txt", "zprava"),
    ("news article", "Kurátoři na Vysočině loni řešili o třetinu víc útěků dětí z domova. „Děti utíkají "
     "hlavně kvůli sporům s rodiči,“ řekla vedoucí oddělení. Podle ní pomáhá, když škola včas upozorní "
     "OSPOD. Policie podle mluvčího většinu dětí najde do dvou dnů.", "Útěků dětí přibylo", "pdf", "zprava"),
    ("leaflet", "Potřebujete poradit s dluhy? Nevíte, jak dál? Přijďte do naší poradny, pomůžeme vám "
     "sestavit splátkový kalendář. Poradenství je zdarma a můžete přijít i anonymně. "
     "Kontakt: tel. 777 000 000.", "Dluhová poradna", "pdf", "letak"),
    # a journal article that discusses recommended procedures is still an article, not a
    # methodology: its abstract and keywords say what it is
    ("journal article", "Abstrakt: Článek shrnuje doporučené postupy při práci s rodinou po rozvodu "
     "a upozorňuje na úskalí doporučení, která se v praxi používají.\n\nKlíčová slova: rozvod, "
     "doporučený postup, rodina.\nKeywords: divorce, guideline, family.\n\n## Úvod\nDoporučené "
     "postupy pro práci s rodinou vznikají v posledních letech.", "Rodina po rozvodu: doporučení a "
     "úskalí", "pdf", "jine"),
    # a methodology may carry an abstract and keywords too: its title still says what it is
    ("certified methodology", "Certifikovaná metodika\n\nAbstrakt: Metodika popisuje postup práce "
     "s rodinou po rozvodu.\nKlíčová slova: rozvod, rodina.\nAbstract: The methodology describes "
     "work with families.\nKeywords: divorce, family.\n\n## Postup\nPracovník postupuje krok za krokem.",
     "Metodika práce s rodinou po rozvodu", "pdf", "metodika"),
])
def test_news_and_press_releases_are_zprava(name, text, title, fmt, want):
    document = Document(path=f"x.{fmt}", title=title, format=fmt,
                        pages=[Page(number=1 if fmt == "pdf" else 0, text=text)])
    assert tagged(document)["doc_type"] == want, name


@pytest.mark.parametrize("text, profession", [
    ("Kurátorka pro děti a mládež se s chlapcem setkala třikrát. Kurátorky z oddělení prevence "
     "spolupracují se školou.", "kurator"),
    ("Psycholožka provedla psychologické vyšetření dítěte a psycholožka pak výsledky probrala s rodiči.",
     "psycholog"),
])
def test_feminine_forms_give_the_profession(text, profession):
    assert profession in tagged(short(text))["professions"]


def test_feminine_and_adjective_forms_are_derived_not_listed():
    """Only "kurátor" is listed: "kurátorka" counts as the noun itself, "kurátorský"
    only supports (it cannot give the tag alone)."""
    taxonomy = copy.deepcopy(load_taxonomy())
    taxonomy["professions"]["kurator"] = {"label": "Kurátor", "description": "x", "strong": ["kurátor"]}
    feminine = short("Kurátorka chlapce navštívila doma. Kurátorka pak mluvila s učitelkou. "
                     "Kurátorce se chlapec svěřil.")
    adjective = short("Kurátorský tým. Kurátorská práce. Kurátorské oddělení.")
    assert "kurator" in tagged(feminine, taxonomy)["professions"]
    assert "kurator" not in tagged(adjective, taxonomy)["professions"]


def test_keywords_line_states_the_topic():
    text = ("Abstrakt: Článek shrnuje poznatky o dopadu traumatických událostí na děti.\n"
            "Klíčová slova: trauma, násilí v blízkých vztazích, děti\n\n" + PROSE * 3 +
            "Násilí v blízkých vztazích zažívá podle výzkumů mnoho dětí. " + PROSE)
    assert "domaci-nasili" in tagged(short(text, "Trauma u dětí"))["topics"]


@pytest.mark.parametrize("middle, expected", [
    (SECTION, "Přiděleno automaticky: tématu se věnuje oddíl „3. Prevence kyberšikany“ (str. 9)"),
    (OUTPUTS, "Přiděleno automaticky: dokument uvádí výstupy nebo akce na toto téma: „V roce 2024 "
              "vznikly dvě metodiky věnované kyberšikaně"),
])
def test_the_app_and_kb_show_explain_a_tag_with_the_same_lines(middle, expected):
    evidence = Evidence.from_json(tagged(report(middle))["evidence"]["topics"]["kybersikana"])
    lines = evidence_lines(evidence)
    assert lines[0].startswith(expected), lines
    html = evidence_html(evidence)
    assert html.count("<li>") == len(lines)
    assert "„3. Prevence kyberšikany“" in lines[0] or "Nalezené výrazy" in lines[1]


def test_manual_tag_explanation():
    assert evidence_lines(Evidence(source="ručně")) == ["Přiděleno ručně v metadatech dokumentu."]
    assert "<script>" not in evidence_html(Evidence(score=3.5, threshold=3.0, terms={"<script>": 2}))


@pytest.mark.parametrize("text, title, tagged_with", [
    ("Škola a OSPOD spolupracují, když dítě dlouho chybí. Učitelka proto včas kontaktuje sociální "
     "pracovnici OSPOD a domluví společnou schůzku s rodiči. Spolupráce školy s OSPOD má být "
     "domluvená předem.", "Spolupráce OSPOD a školy", True),
    ("OSPOD spolupracuje s policií a se soudem, když je dítě v ohrožení. Policie a OSPOD koordinují "
     "výslech dítěte. Součinnost soudu a OSPOD upravuje zákon.", "", True),
    ("Spolupráce s rodinou je základem práce OSPOD. OSPOD spolupracuje s rodiči dítěte. "
     "Spolupráce se plánuje s rodinou.", "", False),  # one profession only
])
def test_cooperation_of_several_professions_is_the_cooperation_topic(text, title, tagged_with):
    result = tagged(short(text, title))
    assert ("mezioborova-spoluprace" in result["topics"]) is tagged_with, result["topics"]
