"""Settings from environment variables, so an office can configure the app and the
indexer without editing code. Every setting has a safe default for one laptop."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".kb-index")
    workers: int = 2
    file_timeout: int = 120  # seconds one file may take to extract
    max_file_bytes: int = 200 * 1024 * 1024
    worker_memory_bytes: int = 2048 * 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    wait_for_lock: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        mb = 1024 * 1024
        return cls(
            corpus_dir=Path(os.environ.get("KB_CORPUS_DIR") or "corpus"),
            index_dir=Path(os.environ.get("KB_INDEX_DIR") or ".kb-index"),
            workers=max(1, _int("KB_WORKERS", min(2, os.cpu_count() or 1))),
            file_timeout=max(1, _int("KB_FILE_TIMEOUT", 120)),
            max_file_bytes=_int("KB_MAX_FILE_MB", 200) * mb,
            worker_memory_bytes=_int("KB_WORKER_MEMORY_MB", 2048) * mb,
            max_upload_bytes=_int("KB_MAX_UPLOAD_MB", 50) * mb,
            wait_for_lock=os.environ.get("KB_WAIT_FOR_LOCK", "") not in ("", "0", "no"),
        )
