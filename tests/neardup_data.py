"""Near-duplicate test data, generated: the same SPOD standards published by several
municipalities (name, dates and people changed all through; one municipality rewrote
standard 8), a methodology as a draft and as the final version, an exact copy of a
leaflet under another name, and documents of the same topics that are NOT copies
(another office's own standards, a leaflet quoting one standard). All text is written
for this project.

`write_variants(root)` writes the files and returns the expected groups.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from kb.analysis import fold
from tests.builders import make_docx, make_pdf

MUNICIPALITIES = [
    # name, "in" form, office, head of the department, street
    ("Hranice", "v Hranicích", "Městský úřad Hranice", "Mgr. Jana Dvořáková", "Pernštejnské nám. 1"),
    ("Litovel", "v Litovli", "Městský úřad Litovel", "Bc. Petr Novotný", "nám. Přemysla Otakara 778"),
    ("Kralupy nad Vltavou", "v Kralupech nad Vltavou", "Městský úřad Kralupy nad Vltavou",
     "Mgr. Eva Černá", "Palackého nám. 1"),
    ("Bystřice nad Pernštejnem", "v Bystřici nad Pernštejnem", "Městský úřad Bystřice nad Pernštejnem",
     "Mgr. Tomáš Kučera", "Příční 405"),
    ("Rýmařov", "v Rýmařově", "Městský úřad Rýmařov", "Bc. Lenka Marková", "nám. Míru 230/1"),
]
REWRITES_STANDARD_8 = "Litovel"

STANDARDS = [
    ("Standard 1: Místní a časová dostupnost",
     "Orgán sociálně-právní ochrany dětí {obec_v} zajišťuje výkon agendy na adrese {ulice}. Úřední hodiny "
     "jsou v pondělí a ve středu od 8 do 17 hodin, v ostatní pracovní dny je možné domluvit schůzku "
     "telefonicky nebo e-mailem. Rodiče i děti mohou pracovníka oddělení navštívit i bez objednání, "
     "pokud jde o situaci, která nesnese odklad.\n\n"
     "Mimo pracovní dobu je zajištěna pracovní pohotovost. Kontakt na pohotovostního pracovníka má "
     "Policie České republiky, nemocnice a zařízení pro děti vyžadující okamžitou pomoc. Pracovník "
     "pohotovosti je schopen se na místo dostavit do jedné hodiny od oznámení."),
    ("Standard 2: Prostorové a materiálně technické podmínky",
     "Kanceláře oddělení sociálně-právní ochrany dětí jsou uspořádány tak, aby rozhovor s klientem "
     "mohl probíhat bez přítomnosti dalších osob. Pro rozhovory s dětmi slouží zvláštní místnost "
     "vybavená hračkami, pastelkami a stolkem přiměřené výšky, kde se dítě může cítit bezpečně.\n\n"
     "Čekárna je přístupná i osobám se sníženou pohyblivostí. Pracovníci mají k dispozici služební "
     "automobil, mobilní telefon a notebook s přístupem do spisové služby, aby mohli vykonávat "
     "šetření v rodinách a v zařízeních i mimo sídlo úřadu."),
    ("Standard 3: Informovanost o výkonu sociálně-právní ochrany",
     "Informace o činnosti orgánu sociálně-právní ochrany dětí jsou zveřejněny na internetových "
     "stránkách města a na nástěnce v budově úřadu. Informační leták popisuje, s čím se mohou rodiče "
     "a děti na oddělení obrátit, jaká mají práva a jak mohou podat stížnost.\n\n"
     "Informace jsou psány srozumitelně a jsou k dispozici také ve verzi pro děti. Pracovník při "
     "prvním kontaktu klientovi vysvětlí, proč se s ním setkává, co bude následovat a jak bude "
     "naloženo s informacemi, které sdělí."),
    ("Standard 4: Personální zabezpečení",
     "Oddělení má stanovený počet pracovníků odpovídající počtu obyvatel správního obvodu a počtu "
     "vedených spisů. Vedoucí oddělení {vedouci} odpovídá za rozdělení agendy tak, aby na jednoho "
     "pracovníka nepřipadal neúměrný počet rodin.\n\n"
     "Každý nový pracovník absolvuje zaškolení podle plánu, který trvá nejméně tři měsíce, a je mu "
     "přidělen zkušený kolega jako průvodce. Pracovník, který vykonává sociálně-právní ochranu, "
     "splňuje kvalifikační předpoklady podle zákona o sociálních službách."),
    ("Standard 5: Přijímání a zaškolování zaměstnanců",
     "Výběrové řízení na místo sociálního pracovníka vyhlašuje tajemník městského úřadu. Součástí "
     "řízení je pohovor, při kterém se posuzuje i schopnost uchazeče jednat s lidmi v náročných "
     "životních situacích.\n\n"
     "Zaškolení zahrnuje seznámení s vnitřními předpisy, se spisovou službou a s postupy při "
     "ohrožení dítěte. Nový pracovník se účastní šetření nejprve jako doprovod a samostatně jedná "
     "až poté, co ho vedoucí oddělení shledá připraveným."),
    ("Standard 6: Profesní rozvoj zaměstnanců",
     "Každý pracovník má individuální plán vzdělávání, který se každoročně vyhodnocuje. Pracovníci "
     "se vzdělávají v rozsahu nejméně šesti dnů v kalendářním roce, přednostně v tématech, se kterými "
     "se v praxi setkávají nejčastěji.\n\n"
     "Pracovníci mají zajištěnu pravidelnou skupinovou supervizi s externím supervizorem nejméně "
     "čtyřikrát ročně a podle potřeby i supervizi individuální. Hodnocení pracovníků probíhá jednou "
     "ročně formou rozhovoru s vedoucím oddělení."),
    ("Standard 7: Prevence",
     "Oddělení spolupracuje se školami, s pediatry a s neziskovými organizacemi na včasném "
     "zachycení dětí, kterým hrozí ohrožení. Pracovníci pravidelně navštěvují školy a účastní se "
     "setkání výchovných poradců, kde představují možnosti pomoci rodinám.\n\n"
     "Kurátor pro děti a mládež se podílí na preventivních programech pro žáky základních škol. "
     "Oddělení vede přehled služeb pro rodiny s dětmi v regionu a aktualizuje ho nejméně jednou "
     "ročně."),
    ("Standard 8: Přijetí oznámení a zahájení práce s rodinou",
     "Oznámení o ohrožení dítěte přijímá kterýkoli pracovník oddělení, a to osobně, telefonicky, "
     "písemně i anonymně. Pracovník oznámení zaznamená, posoudí jeho naléhavost a neprodleně o něm "
     "informuje vedoucího oddělení.\n\n"
     "Pokud je dítě v bezprostředním ohrožení, pracovník jedná ještě týž den. V ostatních případech "
     "zahájí šetření do sedmi dnů od přijetí oznámení a o jeho výsledku pořídí záznam do spisu."),
    ("Standard 9: Vyhodnocování situace dítěte a individuální plán ochrany",
     "Situaci dítěte a rodiny pracovník vyhodnocuje ve spolupráci s rodiči a s dítětem, a to podle "
     "jeho věku a rozumové vyspělosti. Vyhodnocení zahrnuje potřeby dítěte, schopnosti rodičů a "
     "vlivy širší rodiny a prostředí.\n\n"
     "Na základě vyhodnocení zpracuje pracovník individuální plán ochrany dítěte, ve kterém jsou "
     "stanoveny cíle, kroky, odpovědné osoby a termíny. Plán se pravidelně přehodnocuje, nejméně "
     "jednou za šest měsíců."),
    ("Standard 10: Spolupráce s dalšími subjekty",
     "Pro řešení situace konkrétního dítěte svolává oddělení případové konference, na které zve "
     "rodiče, dítě, školu, lékaře a poskytovatele služeb. Z případové konference se pořizuje zápis, "
     "se kterým jsou seznámeni všichni účastníci.\n\n"
     "Oddělení uzavírá dohody o spolupráci s poskytovateli sociálních služeb v regionu. Dohody "
     "upravují předávání informací, společné postupy a způsob, jakým se vyhodnocuje jejich "
     "dodržování."),
]

STANDARD_8_REWRITTEN = (
    "Standard 8: Přijetí oznámení a zahájení práce s rodinou",
    "Od roku {rok} postupuje oddělení podle vlastního postupu pro příjem oznámení, který zavedl "
    "model tandemového šetření. Každé oznámení posuzují vždy dva pracovníci společně a rozhodují "
    "o jeho prioritě podle bodové škály rizik, kterou oddělení vyvinulo s dětskou psycholožkou.\n\n"
    "Oznámení nejvyšší priority se prošetřuje do tří hodin a první návštěvu rodiny konají oba "
    "pracovníci tandemu. U oznámení nižší priority nabídne oddělení rodině nejprve dobrovolné "
    "setkání v rodinném centru, teprve když rodina nespolupracuje, následuje formální šetření.",
)

DRAFT_HEADER = "PRACOVNÍ VERZE K PŘIPOMÍNKÁM — NEŠÍŘIT"
METHOD_FINAL = [
    "Metodika práce s rodinou v krizi\n\nTato metodika popisuje, jak pracovník orgánu sociálně-právní "
    "ochrany dětí postupuje, když se rodina ocitne v akutní krizi, například po ztrátě bydlení, při "
    "vážné nemoci rodiče nebo po náhlém odchodu jednoho z rodičů. Cílem je stabilizovat situaci dítěte "
    "a podpořit rodiče tak, aby krizi zvládli vlastními silami.",
    "První kontakt s rodinou v krizi je rozhodující. Pracovník se představí, vysvětlí důvod své "
    "návštěvy a nejprve se ptá na to, co rodina nejvíce potřebuje. Rozhovor vede klidně a v "
    "jednoduchých větách, protože lidé v krizi vnímají jen část toho, co slyší.\n\nPracovník si "
    "zapíše dohodnuté kroky a nechá je rodině i písemně, aby se k nim mohla vrátit.",
    "Při posouzení bezpečí dítěte pracovník zjišťuje, zda má dítě zajištěno jídlo, spánek a dohled "
    "dospělého, zda chodí do školy a zda je v rodině někdo, kdo mu může pomoci. Pokud bezpečí "
    "zajištěno není, pracovník ve spolupráci s rodiči hledá osobu z širší rodiny, která se o dítě "
    "dočasně postará.",
    "Síť podpory tvoří příbuzní, sousedé, škola, praktický lékař a sociální služby. Pracovník s "
    "rodiči sestaví přehled lidí a služeb, na které se mohou obrátit, a dohodne s nimi, kdo co "
    "převezme. Sanace rodiny a odborné sociální poradenství jsou k dispozici i bez čekací lhůty.\n\n"
    "Pokud rodina potřebuje finanční pomoc, pracovník ji propojí s úřadem práce a s dluhovou poradnou.",
    "Po odeznění akutní fáze pracovník s rodinou vyhodnotí, co pomohlo a co je třeba dále řešit. "
    "Spolupráce se ukončí, když rodina zvládá péči o dítě sama a má kontakt na služby, které jí "
    "mohou pomoci, pokud by se krize vrátila. Ukončení spolupráce pracovník zaznamená do spisu.",
    "Přílohy metodiky obsahují vzor záznamu z prvního kontaktu, přehled služeb pro rodiny s dětmi a "
    "kontakty na krizová centra. Metodika byla schválena poradou vedoucích oddělení a je závazná pro "
    "všechny pracovníky sociálně-právní ochrany dětí.",
]


def _method_draft() -> list[str]:
    pages = list(METHOD_FINAL)
    pages[0] = pages[0].replace("Tato metodika popisuje", "Návrh metodiky popisuje")
    pages[3] = ("Síť podpory je tvořena příbuznými a sousedy. Pracovník s rodiči projde, kdo by mohl "
                "pomoci s péčí o děti nebo s dopravou, a zapíše si kontakty. Zde doplnit přehled "
                "služeb v regionu — připomínka oddělení sanace.")
    del pages[5]  # the appendices were added to the final version
    return pages


LEAFLET = [
    "Kam se obrátit, když doma není bezpečno\n\nPokud vám někdo blízký ubližuje, nadává vám, vyhrožuje "
    "nebo vám bere peníze, nejste v tom sami. Domácí násilí se obvykle samo nezastaví a často se "
    "stupňuje. Pomoc je dostupná zdarma a můžete ji vyhledat i anonymně.",
    "V akutním ohrožení volejte policii na lince 158. Policie může násilnou osobu vykázat ze společného "
    "obydlí na deset dní. Intervenční centrum vás během této doby kontaktuje a pomůže vám připravit "
    "další kroky, včetně návrhu na předběžné opatření u soudu.\n\nPokud v domácnosti žijí děti, "
    "policie informuje orgán sociálně-právní ochrany dětí, který rodině nabídne pomoc.",
]

# Documents on the same topics that are NOT copies of the ones above.
OWN_STANDARDS = [
    "Standardy kvality sociální služby odborné sociální poradenství\n\nPoradna pro rodinu v Olomouci "
    "poskytuje sociální službu podle vlastních standardů kvality. Tento dokument popisuje, jak služba "
    "naplňuje jednotlivá kritéria: cíle a způsoby poskytování služby, ochranu práv uživatelů, jednání se "
    "zájemcem o službu a individuální plánování.",
    "Poslání služby je pomáhat rodinám, párům a jednotlivcům překonat obtížné životní situace, zejména "
    "rozpad vztahu, výchovné potíže s dětmi a konflikty mezi generacemi. Služba je poskytována "
    "ambulantně a bezplatně, uživatel může zůstat v anonymitě.\n\nZájemce o službu se může objednat "
    "telefonicky, první konzultace trvá zpravidla padesát minut a vede ji sociální pracovník poradny.",
    "Individuální plánování probíhá s každým uživatelem. Společně formulují zakázku, tedy s čím uživatel "
    "přichází a čeho chce dosáhnout, a po několika setkáních ji přehodnotí. Stížnost na kvalitu služby "
    "lze podat ústně, písemně nebo prostřednictvím schránky v čekárně a ředitel poradny ji vyřídí do "
    "třiceti dnů.",
]
QUOTING_LEAFLET = [
    "Jak pracuje oddělení sociálně-právní ochrany dětí\n\nTento leták shrnuje, co mohou rodiče čekat, "
    "když se na oddělení obrátí nebo když je oddělení samo kontaktuje. Z našich standardů kvality "
    "citujeme:\n\n" + STANDARDS[7][1].format(obec_v="v Hranicích") + "\n\nRodiče mají právo nahlížet do "
    "spisu, přizvat si k jednání důvěrníka a podat stížnost vedoucímu odboru. Na oddělení se můžete "
    "obrátit i tehdy, když si s výchovou dítěte nevíte rady a nikdo vás neposlal.",
]


def standards_pages(municipality: tuple, year: int, rewritten: bool) -> list[str]:
    name, in_form, office, head, street = municipality
    fill = {"obec_v": in_form, "ulice": street, "vedouci": head, "rok": year}
    pages = [f"Standardy kvality výkonu sociálně-právní ochrany dětí\n\n{office}, odbor sociálních věcí\n\n"
             f"Platné od 1. {3 + year % 7}. {year}. Schválila rada města {name} usnesením č. "
             f"{year % 100}/{17 + len(name)}. Dokument popisuje, jak orgán sociálně-právní ochrany dětí "
             f"{in_form} naplňuje standardy kvality podle vyhlášky."]
    for title, body in STANDARDS:
        if rewritten and title.startswith("Standard 8"):
            title, body = STANDARD_8_REWRITTEN
        pages.append(f"{title}\n\n{body.format(**fill)}")
    pages.append(f"Za správnost: {head}, vedoucí odboru sociálních věcí, {office}. Aktualizováno "
                 f"{10 + year % 15}. {1 + year % 12}. {year + 1}.")
    return pages


def write_variants(root: Path) -> list[set[str]]:
    """Write the variants under `root`; return the expected groups (sets of paths)."""
    root.mkdir(parents=True, exist_ok=True)
    spod: set[str] = set()
    for i, municipality in enumerate(MUNICIPALITIES):
        slug = fold(municipality[0].lower()).replace(" ", "-")
        rel = f"standardy/standardy-spod-{slug}.pdf"
        pages = standards_pages(municipality, 2019 + i, municipality[0] == REWRITES_STANDARD_8)
        make_pdf(root / rel, pages, title=f"Standardy kvality SPOD {municipality[0]}")
        spod.add(rel)
    # The same standards republished as a Word file by one of them.
    make_docx(root / "standardy/standardy-spod-rymarov-2024.docx",
              [("p", p) for page in standards_pages(MUNICIPALITIES[4], 2024, False) for p in page.split("\n\n")])
    spod.add("standardy/standardy-spod-rymarov-2024.docx")

    make_pdf(root / "metodiky/prace-s-rodinou-v-krizi-pracovni-verze.pdf", _method_draft(), header=DRAFT_HEADER)
    make_pdf(root / "metodiky/prace-s-rodinou-v-krizi.pdf", METHOD_FINAL)
    method = {"metodiky/prace-s-rodinou-v-krizi-pracovni-verze.pdf", "metodiky/prace-s-rodinou-v-krizi.pdf"}

    make_pdf(root / "letaky/kam-se-obratit-domaci-nasili.pdf", LEAFLET)
    (root / "letaky/kopie").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "letaky/kam-se-obratit-domaci-nasili.pdf", root / "letaky/kopie/letak-DN-final(1).pdf")
    leaflet = {"letaky/kam-se-obratit-domaci-nasili.pdf", "letaky/kopie/letak-DN-final(1).pdf"}

    make_pdf(root / "standardy/standardy-poradna-olomouc.pdf", OWN_STANDARDS)
    make_pdf(root / "letaky/jak-pracuje-ospod-hranice.pdf", QUOTING_LEAFLET)
    return [spod, method, leaflet]
