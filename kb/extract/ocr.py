"""OCR fallback for PDF pages without a text layer (scans, photocopies, faxes).

A page is read by OCR when its text layer is (nearly) empty and it shows an image: a
blank page has nothing to read and must not need Tesseract. Such pages are rendered
with pypdfium2 in greyscale and read by the Tesseract command line (`-l ces`), one
subprocess per page with a timeout, so the time per page is bounded. Only those pages:
in a mixed PDF the pages with text keep their text layer.

The text is cached by a hash of the rendered page (what Tesseract would see, plus the
language and resolution), in `<index>/ocr-cache/` unless KB_OCR_CACHE_DIR says
otherwise: a re-saved or renamed scan, a page added to it, or a lost extraction cache
never runs Tesseract again for a page it has read once.

When OCR is needed but Tesseract or its Czech data is missing (or OCR is switched off),
the file is refused with OcrUnavailable: a reason with the install command. The
indexer retries such files by itself once OCR works.
"""
from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kb.atomic import write_atomic
from kb.errors import ExtractionError, OcrUnavailable

log = logging.getLogger(__name__)

MIN_PAGE_CHARS = 20  # a page with less text than this in its layer is a candidate for OCR
MAX_PIXELS = 40_000_000  # a poster-sized page is rendered smaller rather than exhaust memory
RENDER_ALLOWANCE = 15  # seconds for rendering and hashing one page, on top of the OCR timeout
CACHE_VERSION = "1"
INSTALL_COMMAND = "sudo apt-get install tesseract-ocr tesseract-ocr-ces"


@dataclass(frozen=True)
class OcrOptions:
    enabled: bool = True
    lang: str = "ces"
    page_timeout: int = 60
    dpi: int = 300
    max_pages: int = 500
    cache_dir: Path | None = None  # None: no cache
    tesseract: str = "tesseract"

    @classmethod
    def from_settings(cls, settings, index_dir: Path | None = None) -> OcrOptions:
        """Options for an indexing run; the cache sits in the index unless set elsewhere."""
        cache = settings.ocr_cache_dir or (Path(index_dir) / "ocr-cache" if index_dir else None)
        return cls(enabled=settings.ocr, lang=settings.ocr_lang, page_timeout=settings.ocr_page_timeout,
                   dpi=settings.ocr_dpi, max_pages=settings.ocr_max_pages, cache_dir=cache,
                   tesseract=settings.tesseract)


_configured: OcrOptions | None = None


def configure(options: OcrOptions | None) -> None:
    """Set the options for this process. kb.index.pipeline calls it in every extraction worker,
    because the index directory of a run is not in the environment."""
    global _configured
    _configured = options


def current_options() -> OcrOptions:
    if _configured is not None:
        return _configured
    from kb.settings import Settings

    return OcrOptions.from_settings(Settings.from_env())  # cache only if KB_OCR_CACHE_DIR is set


# ---------------------------------------------------------------- is Tesseract there?


def install_hint(lang: str = "ces") -> str:
    packages = ["tesseract-ocr", *(f"tesseract-ocr-{code}" for code in lang.split("+") if code)]
    if packages == ["tesseract-ocr", "tesseract-ocr-ces"]:
        return INSTALL_COMMAND
    return "sudo apt-get install " + " ".join(packages)


def unavailable_reason(options: OcrOptions | None = None) -> str | None:
    """None when OCR can run; otherwise what is missing and how to fix it, in Czech
    (the install command comes last, so it can be copied as it is)."""
    options = options or current_options()
    if not options.enabled:
        return "rozpoznávání textu (OCR) je vypnuté (KB_OCR=0). Zapněte ho a spusťte indexaci znovu."
    problem = _check_tesseract(options.tesseract, options.lang, os.environ.get("TESSDATA_PREFIX", ""))
    if problem is None:
        return None
    return (f"{problem}. Po instalaci spusťte indexaci znovu, soubor se zařadí sám. "
            f"Instalace: {install_hint(options.lang)}")


@functools.lru_cache(maxsize=8)
def _check_tesseract(command: str, lang: str, _tessdata: str) -> str | None:
    exe = shutil.which(command)
    if exe is None:
        return f"chybí program Tesseract pro rozpoznávání textu (OCR) ('{command}' nebyl nalezen)"
    try:
        proc = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"program Tesseract ('{exe}') nejde spustit ({e})"
    listed = (proc.stdout + "\n" + proc.stderr).splitlines()
    known = {line.strip() for line in listed if line.strip() and " " not in line.strip()}
    missing = [code for code in lang.split("+") if code and code not in known]
    if missing:
        what = "česká jazyková data (ces)" if missing == ["ces"] else f"jazyková data {', '.join(missing)}"
        return f"Tesseract nemá {what} pro rozpoznávání textu (OCR)"
    return None


def is_available(options: OcrOptions | None = None) -> bool:
    return unavailable_reason(options) is None


# ---------------------------------------------------------------- the fallback


def fill_scanned_pages(data: bytes, texts: list[str]) -> tuple[list[str], set[int]]:
    """Given a PDF and the text layer of its pages, return the page texts with OCR text
    for the scanned pages, and the 0-based numbers of the pages that OCR filled."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pdfium refuses what pypdf read: keep the text layer as it is
        return texts, set()
    try:
        candidates = [i for i, text in enumerate(texts[: len(pdf)])
                      if len(text.strip()) < MIN_PAGE_CHARS and _shows_image(pdf[i])]
        if not candidates:
            return texts, set()
        options = current_options()
        scanned = f"{len(candidates)} {_pages_word(len(candidates))} bez textové vrstvy"
        problem = unavailable_reason(options)
        if problem:
            raise OcrUnavailable(f"PDF je naskenované ({scanned}), ale {problem}")
        if len(candidates) > options.max_pages:
            raise ExtractionError(
                f"PDF má {scanned}, víc než limit {options.max_pages} pro rozpoznávání textu (OCR). "
                "Rozdělte ho na menší soubory nebo zvyšte limit KB_OCR_MAX_PAGES.")
        out, filled, failures = list(texts), set(), []
        for i in candidates:
            try:
                text = read_page(pdf[i], options)
            except _PageFailed as e:
                failures.append(f"strana {i + 1}: {e}")
                continue
            if len(text.strip()) > len(texts[i].strip()):
                out[i] = text
                filled.add(i)
        if failures and not filled and sum(len(t.strip()) for t in out) < MIN_PAGE_CHARS:
            raise ExtractionError(
                f"PDF je naskenované ({scanned}), ale rozpoznávání textu (OCR) selhalo ({failures[0]}). "
                "Zkuste zvýšit KB_OCR_PAGE_TIMEOUT, nebo vložte verzi PDF s textem.")
        return out, filled
    finally:
        pdf.close()


def _pages_word(n: int) -> str:
    return "strana" if n == 1 else "strany" if 2 <= n <= 4 else "stran"


def _shows_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    try:
        return next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3), None) is not None
    finally:
        page.close()


class _PageFailed(Exception):
    pass


def read_page(page, options: OcrOptions) -> str:
    """OCR text of one pypdfium2 page, from the cache when this page was read before."""
    _grant_time(options.page_timeout + RENDER_ALLOWANCE)
    try:
        width, height = page.get_size()
        scale = options.dpi / 72
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / (width * height)) ** 0.5
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        page.close()
    pixels = image.tobytes()
    key = hashlib.sha256(
        f"kb-ocr/{CACHE_VERSION}/{options.lang}/{image.width}x{image.height}/".encode() + pixels
    ).hexdigest()
    cached = _cache_get(options.cache_dir, key)
    if cached is not None:
        return cached
    buffer = io.BytesIO()
    image.save(buffer, "PPM")  # uncompressed greyscale (PGM): quicker to write than PNG
    text = run_tesseract(buffer.getvalue(), options, round(scale * 72))
    _cache_put(options.cache_dir, key, text)
    return text


def run_tesseract(image: bytes, options: OcrOptions, dpi: int) -> str:
    command = [shutil.which(options.tesseract) or options.tesseract, "stdin", "stdout",
               "-l", options.lang, "--dpi", str(dpi)]
    # Tesseract's own threads make it several times slower when pages are read in parallel
    # processes (and even alone on a small machine): one thread per page.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, input=image, capture_output=True, env=env,
                              timeout=options.page_timeout)
    except subprocess.TimeoutExpired as e:
        raise _PageFailed(f"trvalo déle než {options.page_timeout} s") from e
    except OSError as e:
        raise _PageFailed(f"Tesseract nejde spustit ({e.strerror or e})") from e
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _PageFailed(f"Tesseract skončil chybou: {detail[-1] if detail else proc.returncode}")
    log.debug("OCR page in %.2f s", time.perf_counter() - started)
    return proc.stdout.decode("utf-8", "replace").replace("\f", "").strip()


def _grant_time(seconds: int) -> None:
    """Extraction runs under the per-file alarm of kb.index.pipeline (KB_FILE_TIMEOUT). OCR is
    bounded per page instead: each page adds its own allowance to a pending alarm, so a
    long scan is not cut off while every single page stays bounded. Outside the indexer
    no alarm is pending and nothing changes."""
    remaining = signal.alarm(0)
    if remaining:
        signal.alarm(remaining + seconds)


# ---------------------------------------------------------------- cache


def _cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.txt"


def _cache_get(cache_dir: Path | None, key: str) -> str | None:
    if cache_dir is None:
        return None
    try:
        return _cache_file(cache_dir, key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _cache_put(cache_dir: Path | None, key: str, text: str) -> None:
    if cache_dir is None:
        return
    path = _cache_file(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:  # a read-only or full disk costs a second OCR later, nothing more
        log.warning("OCR cache not written (%s): %s", path, e)
