"""Write a file so that no reader ever sees half of it: a temporary file beside it,
flushed to disk, then renamed over the target (os.replace is atomic on one filesystem)."""
from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # workers may write at once
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
