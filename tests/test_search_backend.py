"""The seam for a second search backend (docs/scaling.md): the app, the CLI and the
helpers use only what the SearchBackend protocol declares, and the Whoosh backend
provides all of it. A backend that served more, or a caller that used more, would make
an OpenSearch backend a rewrite instead of one new class."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

from kb.search import SearchBackend, open_backend
from kb.search.backend import WhooshBackend

CALLERS = ["app.py", "kb/cli/", "kb/search/suggest.py", "kb/library/browse.py", "kb/library/collections.py",
           "kb/library/exports.py", "ui"]


def protocol_members() -> set[str]:
    names = {n for n in vars(SearchBackend) if not n.startswith("_")}
    return names | set(getattr(SearchBackend, "__annotations__", {}))


def test_whoosh_backend_provides_the_whole_protocol(indexed):
    _, index_dir = indexed
    backend = open_backend(index_dir)
    assert isinstance(backend, WhooshBackend)
    for name in protocol_members():
        assert hasattr(backend, name), name
    assert backend.page_texts("metodiky/metodika.pdf")[0].keys() >= {"page", "section", "heading",
                                                                      "content", "ocr"}
    assert backend.is_stale() is False and backend.skipped() == []
    backend.close()


def test_app_and_cli_use_only_the_protocol():
    files: list[Path] = []
    for name in CALLERS:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    used: dict[str, set[str]] = {}
    pattern = re.compile(r"\bbackend\.(?!py\b)(\w+)|getattr\(\s*[\w.]*backend,\s*[\"'](\w+)")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "import whoosh" not in text and "from whoosh" not in text, path
        for match in pattern.finditer(text):
            used.setdefault(match.group(1) or match.group(2), set()).add(path.relative_to(ROOT).as_posix())
    outside = {name: where for name, where in used.items() if name not in protocol_members()}
    assert not outside, f"not in SearchBackend: {outside}"
