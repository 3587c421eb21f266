"""Domain errors. The CLI and the app turn them into Czech messages for people."""
from __future__ import annotations


class KbError(Exception):
    """Base of all errors meant to be shown to a user (the message is Czech)."""


class ExtractionError(KbError):
    """A file could not be turned into text; the message says why and what to do."""


class IndexMissing(KbError):
    """No index exists yet in the given directory."""


class IndexOutdated(IndexMissing):
    """The index was built by an older version of the program and must be rebuilt."""


class IndexLocked(KbError):
    """Another indexer is writing to the same index right now."""


class IndexWriteError(KbError):
    """The index could not be written (disk full, read-only directory...)."""


class QueryError(KbError):
    """The query or its filters cannot be understood."""


class OcrUnavailable(ExtractionError):
    """A scanned PDF needs OCR, but Tesseract or its Czech data is missing (or OCR is off);
    the indexer tries the file again once OCR works."""
