"""How fast the app answers, on the bundled corpus, the way a user meets it.

1. Cold start: `streamlit run app.py` with an empty index folder, headless Chromium opens
   the page (the app builds the index with a progress bar), types `kyberšikana` and
   presses Enter; the time until the first result title is visible. Screenshots of the
   walk (home, results, detail, collection, admin) go to artifacts/real-*.png.
   Warm start: the same with the index already built (the everyday case).
2. Server-side time of one search: what the search page computes for a query
   (search + filter counts for the sidebar), in-process on the same index, median
   of --repeat runs per query; and the whole script run of the search page
   (AppTest: search, counts, rendering into protobuf messages).

Usage: .venv/bin/python benchmarks/app_startup.py [--corpus corpus] [--repeat 20]
Needs /usr/bin/chromium and the `playwright` package (never `playwright install`).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERIES = ["kyberšikana", "domaci nasili policie", '"rozhovor s dítětem"', "pěstouni", "dluhy exekuce",
           "sebepoškozování", "supervize OR mediace"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shot(page, name: str) -> None:
    page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
    height = page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
        const el = document.querySelector(`[data-testid=${id}]`); return el ? el.scrollHeight : 0; }))""")
    page.set_viewport_size({"width": 1366, "height": min(max(int(height) + 40, 900), 10000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                           timeout=120_000)


def start_app(corpus: Path, index: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port over this corpus and index: (process, URL)."""
    port = free_port()
    env = {**os.environ, "KB_CORPUS_DIR": str(corpus), "KB_INDEX_DIR": str(index)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://localhost:{port}"


def wait_healthy(url: str) -> None:
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.05)


def warm_start(corpus: Path, index: Path) -> float:
    """`streamlit run` with the index already built: until the first results are visible."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    proc, url = start_app(corpus, index)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            wait_healthy(url)
            healthy = time.monotonic() - started
            page.goto(f"{url}/?q=kyber%C5%A1ikana")
            page.locator(".st-key-results").get_by_role("button").first.wait_for(timeout=120_000)
            first = time.monotonic() - started
            browser.close()
        print(f"warm start (index exists): server healthy after {healthy:.1f} s, first results "
              f"{first:.1f} s after `streamlit run` (page load + first script run {first - healthy:.1f} s)")
        return first
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cold_start(corpus: Path, index: Path) -> float:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    proc, url = start_app(corpus, index)
    try:
        wait_healthy(url)
        healthy = time.monotonic() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url)
            box = page.get_by_label("Co hledáte?")
            box.wait_for(timeout=300_000)
            home = time.monotonic() - started
            box.fill("kyberšikana")
            box.press("Enter")
            page.locator(".st-key-results").get_by_role("button").first.wait_for(timeout=120_000)
            first = time.monotonic() - started
            print(f"server healthy after {healthy:.1f} s; home page (index built) after {home:.1f} s; "
                  f"first results after {first:.1f} s")
            idle(page)
            ARTIFACTS.mkdir(exist_ok=True)
            shot(page, "real-02-vysledky.png")
            page.locator(".st-key-results").get_by_role("button").first.click()
            page.get_by_text("Kde se hledané slovo vyskytuje").wait_for()
            idle(page)
            page.get_by_text("Proč tento štítek?").click()
            idle(page)
            shot(page, "real-03-detail.png")
            page.get_by_role("button", name="Přidat do sady", exact=True).click()
            idle(page)
            page.get_by_role("button", name="← Zpět na výsledky").click()
            idle(page)
            page.locator(".st-key-results").get_by_role("button", name="Přidat do sady").nth(1).click()
            idle(page)
            page.locator("[data-testid=stSidebar]").get_by_text("Moje sada materiálů (2)").click()
            idle(page)
            shot(page, "real-04-sada.png")
            page.locator("[data-testid=stSidebar]").get_by_text("Správa knihovny").click()
            idle(page)
            shot(page, "real-05-sprava.png")
            page.goto(url)
            idle(page)
            shot(page, "real-01-domu.png")
            page.goto(f"{url}/?q=kybersykana")
            idle(page)
            shot(page, "real-06-preklep.png")
            browser.close()
        return first
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def server_side(index: Path, corpus: Path, repeat: int) -> None:
    from kb.search import SearchRequest, open_backend

    backend = open_backend(index)
    print("\nserver-side search (search + sidebar counts), median of", repeat, "runs:")
    for query in QUERIES:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            request = SearchRequest(query=query)
            result = backend.search(request)  # the sidebar's counts (filter_counts) come with it
            times.append(time.perf_counter() - t)
        print(f"  {query!r:30} {result.total:3d} documents  {statistics.median(times) * 1000:7.1f} ms")

    from streamlit.testing.v1 import AppTest

    os.environ["KB_CORPUS_DIR"], os.environ["KB_INDEX_DIR"] = str(corpus), str(index)
    times = []
    for _ in range(max(3, repeat // 4)):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["q"] = "kyberšikana"
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
    print(f"whole search page script run (AppTest, q=kyberšikana): median "
          f"{statistics.median(times) * 1000:.0f} ms, first {times[0] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-app-bench-"))
    try:
        index = work / "index"
        cold_start(Path(args.corpus).resolve(), index)
        warm_start(Path(args.corpus).resolve(), index)
        server_side(index, Path(args.corpus).resolve(), args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
