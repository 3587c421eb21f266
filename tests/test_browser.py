"""End to end in a real browser: `streamlit run app.py` on a free localhost port, driven
by Playwright in Debian's headless Chromium (never `playwright install`).

A social worker searches, filters, opens a document and its PDF at the hit page; a
trainer collects it and downloads the ZIP; hostile documents and queries never run
script. Full-page screenshots go to artifacts/ (git-ignored) for people to look at.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
from app_corpus import HOSTILE, KYBER, XSS_QUERY, build_app_corpus

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KYBER_TITLE = "Kyberšikana ve škole — metodický pokyn"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Chromium není nainstalované (/usr/bin/chromium); README příkaz 2 ho "
                              "doinstaluje: apt-get install chromium"),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="chybí balíček playwright")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_app(log_path: Path, port: int, env: dict, *options: str):
    """`streamlit run app.py` on `port` until the block ends; yields its URL once healthy."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", *options],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://localhost:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit skončil s kódem {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("streamlit neodpověděl na /_stcore/health")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a fresh library with no index yet: the first visit builds it."""
    base = tmp_path_factory.mktemp("browser")
    corpus = build_app_corpus(base / "corpus")
    port = _free_port()
    # a 1 MB upload limit (the browser's twice that, as `kb serve` sets it) to try a big file
    env = {**os.environ, "KB_CORPUS_DIR": str(corpus), "KB_INDEX_DIR": str(base / "index"),
           "KB_WORKERS": "2", "PYTHONUNBUFFERED": "1", "KB_MAX_UPLOAD_MB": "1"}
    started = time.monotonic()
    with served_app(base / "streamlit.log", port, env, "--server.maxUploadSize", "2") as url:
        yield {"url": url, "started": started, "corpus": corpus, "log": base / "streamlit.log"}


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                                  locale="cs-CZ")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """A full-page screenshot: Streamlit scrolls inside its main block, so the viewport
    is stretched to the content first."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
    height = page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
        const el = document.querySelector(`[data-testid=${id}]`); return el ? el.scrollHeight : 0; }))""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height) + 40, 900), 10000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size(size)


def wait_idle(page) -> None:
    """Until Streamlit has finished the current run (no 'Running…' status)."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def search(page, query: str) -> None:
    box = page.get_by_label("Co hledáte?")
    box.fill(query)
    box.press("Enter")
    wait_idle(page)


def result_title(page, title: str):
    return page.locator(".st-key-results").get_by_role("button", name=title, exact=True)


def test_search_filter_detail_collection_and_zip(server, page):
    page.goto(server["url"])
    # first start: the index is built with a progress bar, then the home page appears
    page.get_by_text("Knihovna je připravená").wait_for(timeout=90_000)
    wait_idle(page)
    screenshot(page, "01-domu.png")
    search(page, "kyberšikana")
    result_title(page, KYBER_TITLE).wait_for()
    first_results = time.monotonic() - server["started"]
    (ARTIFACTS / "timings.json").write_text(json.dumps(
        {"streamlit_run_to_first_results_s": round(first_results, 2), "corpus": "tests/app_corpus"}))
    page.wait_for_url(re.compile(r"q=kyber%C5%A1ikana"))
    assert page.locator("mark", has_text="kyberšikaně").count() >= 1
    screenshot(page, "02-vysledky.png")

    # a filter from the sidebar (its options carry counts for the query)
    page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="Profese").click()
    page.get_by_role("option", name=re.compile(r"^Školství a PPP \(\d+\)$")).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"profession=skolstvi"))
    wait_idle(page)
    result_title(page, KYBER_TITLE).wait_for()
    assert result_title(page, "Domácí násilí a spolupráce s policií").count() == 0
    screenshot(page, "03-filtr.png")

    # the detail, and the PDF opened at the hit page
    result_title(page, KYBER_TITLE).click()
    page.get_by_text("Kde se hledané slovo vyskytuje").wait_for()
    page.wait_for_url(re.compile(r"doc=metodiky"))
    link = page.get_by_role("link", name=re.compile(r"^Otevřít PDF na str\. \d+$"))
    href = link.get_attribute("href")
    assert re.fullmatch(r"app/static/kb/[0-9a-f]{32}\.pdf#page=\d+", href), href
    response = page.request.get(f"{server['url']}/{href.split('#')[0]}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body() == (server["corpus"] / KYBER).read_bytes()
    page.get_by_text("Proč tento štítek?").click()
    page.get_by_text("Přiděleno ručně v metadatech dokumentu").first.wait_for()
    screenshot(page, "04-detail.png")

    # into the collection, then the ZIP
    page.get_by_role("button", name="Přidat do sady", exact=True).click()
    page.get_by_text("Přidáno do sady").wait_for()
    page.locator("[data-testid=stSidebar]").get_by_text("Moje sada materiálů (1)").click()
    page.get_by_role("heading", name="Moje sada materiálů").wait_for()
    page.wait_for_url(re.compile(r"sada=1\."))
    page.get_by_label("Poznámka pro účastníky").fill("Úvod do tématu, str. 2 společně")
    page.get_by_label("Poznámka pro účastníky").press("Control+Enter")
    wait_idle(page)
    screenshot(page, "05-sada.png")
    with page.expect_download() as info:
        page.get_by_role("button", name="Vše jako ZIP").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    names = archive.namelist()
    assert "materialy/01-kybersikana-ve-skole.pdf" in names
    assert {"seznam-literatury.md", "seznam-literatury.docx", "sada-materialu.json"} <= set(names)
    assert archive.read("materialy/01-kybersikana-ve-skole.pdf") == (server["corpus"] / KYBER).read_bytes()
    reading = archive.read("seznam-literatury.md").decode()
    assert "1. Základní škola Lipnice. *Kyberšikana ve škole — metodický pokyn*" in reading
    assert "Úvod do tématu, str. 2 společně" in reading

    # a reload keeps the collection (it lives in the URL)
    page.reload()
    page.get_by_role("heading", name="Moje sada materiálů").wait_for()
    page.get_by_text(KYBER_TITLE).first.wait_for()
    assert not page.dialogs


def test_hostile_document_and_query_never_run_script(server, page):
    page.goto(f"{server['url']}/?q=zlovoln%C3%BD")
    page.get_by_text("Nalezeno").wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_text('<script>alert("xss-script")</script>', exact=False).first.wait_for()
    page.get_by_text('<img src=x onerror=alert("xss-org")>', exact=False).first.wait_for()
    # the title shows its Markdown characters literally, not as bold text or a link
    title = page.locator(".st-key-results").get_by_role("button").first
    assert "**dokument** [x](javascript:alert(1))" in title.inner_text()
    assert page.locator(".st-key-results a[href^='javascript']").count() == 0
    screenshot(page, "06-xss-vysledky.png")

    search(page, XSS_QUERY)
    page.get_by_text("pro „<script>", exact=False).first.wait_for()
    screenshot(page, "07-xss-dotaz.png")

    page.goto(f"{server['url']}/?q=zlovoln%C3%BD&doc={HOSTILE}")
    page.get_by_text("Kde se hledané slovo vyskytuje").wait_for(timeout=60_000)
    page.get_by_text("Text dokumentu").click()
    wait_idle(page)
    screenshot(page, "08-xss-detail.png")
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_shared_url_restores_the_view(server, page):
    page.goto(f"{server['url']}/?q=kyber%C5%A1ikana&profession=policie")
    result_title(page, "Domácí násilí a spolupráce s policií").wait_for(timeout=90_000)
    assert result_title(page, KYBER_TITLE).count() == 0
    page.goto(f"{server['url']}/?q=kyber%C5%A1ikana&doc={KYBER}")
    page.get_by_text("Kde se hledané slovo vyskytuje").wait_for(timeout=60_000)
    page.get_by_text("Základní škola Lipnice").first.wait_for()


def sidebar_link(page, title: str):
    return page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title)


def test_pages_have_their_own_paths_and_keep_the_search(server, page):
    page.goto(f"{server['url']}/?q=kyber%C5%A1ikana&type=metodika")
    result_title(page, KYBER_TITLE).wait_for(timeout=90_000)
    sidebar_link(page, "Správa knihovny").click()
    page.get_by_role("heading", name="Správa knihovny").wait_for()
    page.wait_for_url(re.compile(r"/sprava\?(.*&)?q=kyber%C5%A1ikana"))
    sidebar_link(page, "Hledání").click()
    result_title(page, KYBER_TITLE).wait_for()
    page.wait_for_url(re.compile(r"/\?(.*&)?type=metodika"))
    # a collection link with the page's own path, and an older one with ?view=
    from kb.library.collections import Collection

    collection = Collection()
    collection.add(KYBER)
    param = urllib.parse.quote(collection.to_param(), safe="")
    for path in (f"/sada?sada={param}", f"/?view=sada&sada={param}"):
        page.goto(server["url"] + path)
        page.get_by_role("heading", name="Moje sada materiálů").wait_for(timeout=60_000)
        page.get_by_text(KYBER_TITLE).first.wait_for()
        page.wait_for_url(re.compile(r"/sada\?sada=1\."))
        assert sidebar_link(page, "Moje sada materiálů (1)").count() == 1


def test_streamlit_own_texts_are_czech(server, page):
    expect = playwright_sync.expect  # waits: the texts turn Czech right after Streamlit draws them
    page.goto(server["url"])
    page.get_by_text("Co hledáte?").wait_for(timeout=90_000)
    wait_idle(page)
    page.keyboard.press("Tab")  # the keyboard user's first stop: the skip link
    expect(page.locator("[data-testid=stSkipToContent]")).to_have_text("Přeskočit na hlavní obsah")

    page.goto(f"{server['url']}/sprava")
    page.get_by_role("heading", name="Přidat dokument").wait_for(timeout=60_000)
    uploader = page.locator("[data-testid=stFileUploader]")
    expect(uploader.get_by_role("button", name="Vybrat soubor", exact=True)).to_have_count(1)
    expect(uploader.locator("[data-testid=stFileUploaderDropzoneInstructions]")).to_have_text(
        "Nejvýš 1 MB na soubor · PDF, DOCX, TXT, MD")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "poznamka.txt", "mimeType": "text/plain", "buffer": b"supervize " * 1040})
    chip = uploader.locator("[data-testid=stFileChip]")
    expect(chip.get_by_text("10,4 kB", exact=True)).to_be_visible()  # 10 400 bytes (a kB of 1000), as Czech writes it
    expect(chip).to_have_attribute("aria-label", "poznamka.txt, 10,4 kB")
    remove = chip.get_by_role("button", name="Odebrat poznamka.txt", exact=True)
    expect(remove).to_have_count(1)
    screenshot(page, "09-nahrani.png")

    # bigger than even the browser takes: a Czech reason with kb's limit and what to do
    remove.click()
    uploader.locator("input[type=file]").set_input_files(
        {"name": "velky.txt", "mimeType": "text/plain", "buffer": b"a" * (3 * 1024 * 1024)})
    alert = uploader.get_by_role("alert")
    expect(alert).to_have_text(re.compile(r"^Chyba: Soubor je větší než 1 MB.*KB_MAX_UPLOAD_MB"))
    uploader.locator("[data-testid=stTooltipErrorHoverTarget]").hover()
    expect(page.locator("[data-testid=stTooltipErrorContent]")).to_have_text(
        re.compile(r"^Soubor je větší než 1 MB"))
    screenshot(page, "10-velky-soubor.png")
    text = page.locator("body").inner_text()
    for english in ("Skip to main content", "per file", "Upload", "Drag and drop", "Remove", "Error"):
        assert english not in text


def _own_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback."""
    found = set()
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing address
            found.add(s.getsockname()[0])
        except OSError:
            pass
    return {a for a in found if not a.startswith("127.")}


def test_server_listens_on_localhost_only(server):
    port = int(server["url"].rsplit(":", 1)[1])
    addresses = _own_addresses()
    if not addresses:
        pytest.skip("počítač nemá jinou adresu než localhost")
    for address in addresses:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, port)) != 0, f"aplikace odpovídá i na {address}"
