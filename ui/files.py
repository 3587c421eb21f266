"""Original files for the browser: a PDF opened at a page, and downloads.

Streamlit serves the `static/` folder beside app.py at `app/static/` when
`server.enableStaticServing` is on (.streamlit/config.toml), with the right content
type, so the browser's own PDF viewer opens `…/x.pdf#page=7` at page 7. It does not
follow links out of that folder, so a PDF is copied there on first use under its
content hash (an unguessable name; no corpus path appears in the URL). The copy goes
through kb.paths: only files inside the corpus are ever published.

Why not embedded: st.iframe puts its frame in a sandbox, and Chromium refuses to run
its PDF viewer in a sandboxed frame ("This page has been blocked by Chromium"); st.pdf
needs the separate streamlit-pdf component and cannot open at a page. A link to the
served file opens the browser's own viewer at `#page=N` (checked in headless Chromium).
"""
from __future__ import annotations

import mimetypes
import os
import shutil
from pathlib import Path

from kb.model import IndexedDocument
from kb.paths import UnsafePath, resolve_in_corpus

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PUBLISHED = STATIC_DIR / "kb"
MAX_PUBLISHED_BYTES = 500 * 1024 * 1024  # Streamlit turns static serving off above 1 GB
MIME = {".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def original_path(corpus: Path, entry: IndexedDocument) -> Path:
    """The original file of an indexed document; UnsafePath if missing or outside the corpus."""
    return resolve_in_corpus(corpus, entry.path)


def read_original(corpus: Path, entry: IndexedDocument) -> bytes:
    return original_path(corpus, entry).read_bytes()


def mime_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return MIME.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def pdf_url(corpus: Path, entry: IndexedDocument, page: int | None = None) -> str | None:
    """A URL (relative to the app) that opens the PDF in the browser at `page`, or None
    when the document is not a PDF or cannot be published."""
    if not entry.path.lower().endswith(".pdf"):
        return None
    digest = "".join(ch for ch in entry.hash if ch in "0123456789abcdef")[:32]
    try:
        source = original_path(corpus, entry)
        if len(digest) < 16:
            import hashlib

            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]
        target = PUBLISHED / f"{digest}.pdf"
        if not target.exists():
            _publish(source, target)
    except (UnsafePath, OSError):
        return None
    anchor = f"#page={int(page)}" if page and int(page) > 0 else ""
    return f"app/static/kb/{target.name}{anchor}"


def _publish(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _prune(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _prune(folder: Path) -> None:
    """Keep the published copies under the size limit, oldest first out."""
    files = sorted((p for p in folder.glob("*.pdf")), key=lambda p: p.stat().st_mtime)
    total = sum(p.stat().st_size for p in files)
    while files and total > MAX_PUBLISHED_BYTES:
        oldest = files.pop(0)
        total -= oldest.stat().st_size
        oldest.unlink(missing_ok=True)
