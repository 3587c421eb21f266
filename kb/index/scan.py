"""The plan's first step: which files a run looks at (scan_corpus) and reading each of
them once to hash it (hash_file). The bytes read stay with the file for extraction.
"""
from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kb.extract import content_hash, is_supported
from kb.extract.sidecar import sidecar_path
from kb.index import skip_reasons as reasons
from kb.safe_text import safe_text
from kb.settings import Settings

IGNORE_FILE = ".kbignore"


@dataclass
class SourceFile:
    rel: str
    path: Path
    hash: str = ""
    sidecar_hash: str = ""
    size: int = 0
    arrived: float = 0.0  # when the file came to this place (inode change time)
    data: bytes | None = field(default=None, repr=False)  # the bytes hashed, for extraction



def _ignore_patterns(root: Path) -> list[str]:
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            if rel.startswith(pattern) or f"/{pattern}" in f"/{rel}":
                return True
        elif fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern):
            return True
    return False


def scan_corpus(root: Path, skipped: list[dict]) -> list[SourceFile]:
    """Supported files under `root`, sorted; hidden and ignored ones left out. Links that
    lead outside the corpus or nowhere are reported, never followed."""
    patterns = _ignore_patterns(root)
    real_root = root.resolve()
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if name.startswith(".") or not is_supported(path) or _ignored(rel, patterns):
                continue
            if safe_text(rel) != rel or "\n" in rel or "\t" in rel:  # other encoding, control chars
                shown = safe_text(_printable(rel)).replace("\n", " ").replace("\t", " ")
                skipped.append({"path": shown, "reason": reasons.BAD_NAME})
                continue
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    skipped.append({"path": rel, "reason": reasons.LINK_NOWHERE})
                    continue
                if not target.is_relative_to(real_root):
                    skipped.append({"path": rel, "reason": reasons.LINK_OUTSIDE})
                    continue
            found.append(SourceFile(rel=rel, path=path))
    return found


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def hash_file(source: SourceFile, settings: Settings) -> str | None:
    """Read the file and fill in its bytes and hashes; returns a Czech reason when the
    file cannot be read. Never
    blocks (a named pipe is refused, not opened for a blocking read) and never reads more
    than the size limit, even when the file grows meanwhile."""
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return reasons.NOT_A_REGULAR_FILE
            if info.st_size > settings.max_file_bytes:
                return reasons.too_big(info.st_size, settings.max_file_bytes)
            source.arrived = info.st_ctime
            data = f.read(settings.max_file_bytes + 1)
        if len(data) > settings.max_file_bytes:
            return reasons.too_big(len(data), settings.max_file_bytes)
    except PermissionError:
        return reasons.NO_PERMISSION
    except FileNotFoundError:
        return reasons.VANISHED
    except OSError as e:
        return reasons.read_failed(e.strerror)
    source.size = len(data)
    source.hash = content_hash(data)
    source.data = data
    try:
        source.sidecar_hash = hashlib.sha256(sidecar_path(source.path).read_bytes()).hexdigest()
    except OSError:
        source.sidecar_hash = ""
    return None
