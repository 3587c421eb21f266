"""In a real browser (Debian's Chromium, as tests/test_browser.py): the grouped card of
near-identical documents expands to its members and what differs, and with KB_WATCH=1
a file dropped into the folder appears on the open home page without a reload.
Screenshots go to artifacts/ for people to look at."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from builders import make_pdf
from neardup_data import write_variants
from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    screenshot,
    search,
    served_app,
    wait_idle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium není nainstalované (/usr/bin/chromium)"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="chybí balíček playwright")


@pytest.fixture(scope="module")
def watched_app(tmp_path_factory):
    """The app over the near-duplicate variants, watching its folder (KB_WATCH=1)."""
    from kb.index.pipeline import run_index

    base = tmp_path_factory.mktemp("browser-neardup")
    corpus = base / "corpus"
    write_variants(corpus)
    run_index(corpus, base / "index", workers=2)
    port = _free_port()
    env = {**os.environ, "KB_CORPUS_DIR": str(corpus), "KB_INDEX_DIR": str(base / "index"),
           "KB_WATCH": "1", "KB_WATCH_QUIET": "0.5", "PYTHONUNBUFFERED": "1"}
    with served_app(base / "streamlit.log", port, env) as url:
        yield {"url": url, "corpus": corpus, "base": base}


@pytest.fixture(scope="module")
def page(watched_app):
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="cs-CZ")
        yield context.new_page()
        context.close()
        browser.close()


def test_grouped_card_expands_to_members_and_what_differs(watched_app, page):
    page.goto(watched_app["url"])
    wait_idle(page)
    search(page, "standard 8 oznámení")
    results = page.locator(".st-key-results")
    summary = results.get_by_text("dalších téměř stejných dokumentů", exact=False)
    summary.first.wait_for(timeout=30_000)
    # the six versions of the standards are one card (the other members wait in the expander)
    assert summary.count() == 1
    assert results.get_by_role("button", name=re.compile(r"^Standardy kvality (SPOD|výkonu)")).count() == 1
    screenshot(page, "neardup-card.png")
    summary.first.click()
    page.get_by_text("Od roku 2020 postupuje oddělení", exact=False).first.wait_for(timeout=10_000)
    assert page.get_by_text("shoda textu", exact=False).count() == 5
    screenshot(page, "neardup-card-expanded.png")


def test_a_dropped_file_appears_on_the_open_home_page(watched_app, page):
    page.goto(watched_app["url"])
    wait_idle(page)
    make_pdf(watched_app["base"] / "novy.pdf", ["Leták pro pěstouny: respitní péče\n\nNový leták o odlehčovací péči."])
    os.replace(watched_app["base"] / "novy.pdf", watched_app["corpus"] / "letaky" / "respitni-pece.pdf")
    page.get_by_text("Nově přidané").wait_for(timeout=60_000)
    page.get_by_role("button", name="Leták pro pěstouny", exact=False).first.wait_for(timeout=30_000)
    screenshot(page, "watch-home-new.png")
