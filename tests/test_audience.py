"""The audience facet (cílová skupina): a document gets the groups it is written for,
named where the text names its readers ("Informace pro rodiče", "Metodika je určena
sociálním pracovníkům…"), not the groups it is about; it is filtered and counted like
every facet of kb/facets.py (the app's sidebar and URL: tests/test_app.py)."""
from __future__ import annotations

import pytest
from conftest import kb_json
from test_tagging import FILLER, doc, tags


@pytest.mark.parametrize("pages,title,expected,not_expected", [
    (["Sebepoškozování u dospívajících\nInformace pro rodiče a učitele\nZjistili jste, že se vaše "
      "dítě řeže? " + FILLER], "Sebepoškozování u dospívajících", {"rodice", "odbornici"}, {"dospivajici", "deti"}),
    (["Práce se seniory ohroženými zanedbáváním\nMetodický pokyn pro sociální pracovníky obce\n" + FILLER],
     "Práce se seniory ohroženými zanedbáváním", {"odbornici"}, {"seniori"}),
    (["Metodika je určena sociálním pracovníkům OSPOD, kteří pracují s rodinami, kde rodič pije. " + FILLER],
     "Rodina a alkohol", {"odbornici"}, {"rodice"}),
    (["Leták pro pěstouny a zájemce o náhradní rodinnou péči\n" + FILLER], "Doprovázení", {"pestouni"}, set()),
    (["Rady pro seniory a jejich blízké\nPodvodníci volají starším lidem. " + FILLER], "Senioři v bezpečí",
     {"seniori"}, {"odbornici"}),
    (["Projekt Implementace metod pro zajištění participace dětí v jejich životě. " + FILLER], "Participace",
     set(), {"deti"}),
])
def test_audience_is_whom_the_text_names_as_readers(pages, title, expected, not_expected):
    found = set(tags(doc(pages, title=title))["audience"])
    assert expected <= found
    assert not (not_expected & found)


def test_audience_evidence_names_the_words_and_the_sidecar_adds_and_removes():
    document = doc(["Kyberšikana\nLeták pro žáky a jejich rodiče\n" + FILLER], title="Kyberšikana",
                   meta={"audience": ["odbornici"], "audience_exclude": ["deti"]})
    result = tags(document)
    assert "rodice" in result["audience"] and "odbornici" in result["audience"]
    assert "deti" not in result["audience"]
    assert result["evidence"]["audience"]["rodice"]["terms"] == {"rodič": 1}
    assert result["evidence"]["audience"]["odbornici"]["source"] == "ručně"
    assert result["evidence"]["excluded"]["audience"] == ["deti"]


def test_cli_filters_and_counts_the_audience(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "letak.txt").write_text("Kyberšikana\n\nInformace pro rodiče: kyberšikana se řeší ve škole.\n",
                                      encoding="utf-8")
    (corpus / "pokyn.txt").write_text("Kyberšikana\n\nMetodický pokyn pro učitele: kyberšikana a škola.\n",
                                      encoding="utf-8")
    index = tmp_path / "index"
    kb_json("index", str(corpus), "--index", str(index))
    everything = kb_json("search", "kyberšikana", "--index", str(index))
    assert everything["facets"]["audience"] == {"odbornici": 1, "rodice": 1}
    by_path = {r["path"]: r for r in everything["results"]}
    assert by_path["letak.txt"]["audience"] == ["rodice"]
    narrowed = kb_json("search", "kyberšikana", "--audience", "rodice", "--index", str(index))
    assert [r["path"] for r in narrowed["results"]] == ["letak.txt"]
    listed = kb_json("list", "--index", str(index))
    assert {d["path"]: d["audience"] for d in listed["documents"]} == {"letak.txt": ["rodice"],
                                                                      "pokyn.txt": ["odbornici"]}

