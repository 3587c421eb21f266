"""Shared fixtures: a small generated corpus, an index of it, and a way to run the
installed `kb` command as a user would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from builders import make_docx, make_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KB = shutil.which("kb", path=str(Path(sys.executable).parent)) or "kb"


@pytest.fixture(scope="session", autouse=True)
def away_from_the_checkout(tmp_path_factory):
    """No test may read the checkout's own .kb-index, uploads or settings (`./run.sh`
    leaves an index there): for the whole session every KB_* variable is unset, the
    index and corpus defaults point into an empty temporary folder, and the working
    directory is that folder, so a test (or a `kb` it starts) that forgets `--index`
    finds nothing instead of silently searching the checkout."""
    home = tmp_path_factory.mktemp("not-the-checkout")
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("KB_")]:
            mp.delenv(name)
        mp.setenv("KB_INDEX_DIR", str(home / ".kb-index"))
        mp.setenv("KB_CORPUS_DIR", str(home / "corpus"))
        mp.chdir(home)
        yield home


def open_text_corpus(root: Path, texts: dict[str, str]):
    """Write `texts` (file name -> text) as a corpus under `root`, index it and open a
    search backend on it (the caller closes it)."""
    from kb.index.pipeline import run_index
    from kb.search import open_backend
    from kb.settings import Settings

    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    run_index(corpus, root / "index", settings=Settings())
    return open_backend(root / "index")


def run_kb(*args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed `kb` console script."""
    proc = subprocess.run([KB, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"kb {' '.join(map(str, args))} failed: {proc.stderr}")
    return proc


def kb_json(*args: str) -> dict:
    proc = run_kb(*args, "--json", check=True)
    return json.loads(proc.stdout)


PAGE_1 = (
    "Metodika práce se sebepoškozováním u dospívajících\n"
    "Když se dítě řeže, sociál-\nní pracovník OSPOD jedná klidně a bez výčitek. "
    "Sebepoškozování je signál, že dítě nezvládá napětí."
)
PAGE_2 = (
    "Domácí násilí a spolupráce s policií\n"
    "Při domácím násilí pracovník OSPOD kontaktuje Policii ČR. Oběti domácího násilí "
    "pomáhá intervenční centrum. Projekt CZ.03.2.63/0.0/0.0/16_063/0006543, IČO 27193451."
)
PAGE_3 = (
    "Rozhovor s dítětem\n"
    "Rozhovoru s dítětem předchází příprava. Podle § 6 zákona č. 359/1999 Sb. "
    "pracovník zjišťuje názor dítěte. Kontakt: poradna@example-fiktivni.cz, 12.3.2024."
)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Three good documents in three formats, with a sidecar on the PDF."""
    root = tmp_path / "corpus"
    make_pdf(root / "metodiky" / "metodika.pdf", [PAGE_1, PAGE_2, PAGE_3],
             header="Spolek Most k rodině · Metodika pro OSPOD", footer=True)
    (root / "metodiky" / "metodika.yaml").write_text(
        "title: Metodika pro pracovníky OSPOD\nyear: 2023\norganization: Spolek Most k rodině\n",
        encoding="utf-8")
    make_docx(root / "letaky" / "kybersikana.docx", [
        ("h1", "Kyberšikana — co dělat"),
        ("p", "Kyberšikanou trpí žáci i učitelé. Škola spolupracuje s rodiči a s PPP."),
        ("h2", "Postup školy"),
        ("li", "Zajistěte důkazy (snímky obrazovky)."),
        ("table", [["Krok", "Kdo"], ["Informovat rodiče", "třídní učitel"],
                   ["Oznámit policii", "ředitel školy"]]),
    ], header="ZŠ Lipnice")
    (root / "opatrovnik.txt").write_bytes(
        "Opatrovník\n==========\n\nVeřejný opatrovník hájí zájmy opatrovance. Řízení u soudu, "
        "žádost o změnu, péče o majetek, úřední dohled.\n".replace("\n", "\r\n").encode("cp1250"))
    return root


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def indexed(small_corpus: Path, index_dir: Path) -> tuple[Path, Path]:
    kb_json("index", small_corpus, "--index", index_dir)
    return small_corpus, index_dir


@pytest.fixture
def env(library, monkeypatch) -> tuple[Path, Path]:
    """The app's settings pointed at the (corpus, index) of the module's own `library` fixture."""
    corpus, index = library
    monkeypatch.setenv("KB_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KB_INDEX_DIR", str(index))
    return corpus, index
