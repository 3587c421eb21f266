"""Near-duplicate documents: the same standard published by forty municipalities, a
draft beside its final version, a copy under another name.

At indexing time every changed document gets a MinHash signature of its word
shingles (`signature`), kept in its manifest entry, so an unchanged document is never
read again. After each run the signatures of all documents are grouped
(`find_groups`): LSH buckets propose candidate pairs, the signatures confirm them,
and the groups (connected pairs) are stored in the manifest. Search shows a group as
one card (`collapse`); `differences` tells what one member has that the others lack
(its own paragraphs, signatures, dates and page footers left out).

Own MinHash rather than `datasketch`: that library needs scipy, pickles its objects,
and its signatures are not stable text to keep in a JSON manifest; the whole method
is the sixty lines below over numpy, deterministic across processes and versions.
"""
from __future__ import annotations

import base64
import re
import zlib
from collections import Counter, defaultdict

import numpy as np

from kb.analysis import fold
from kb.model import IndexedDocument

# Bump when signatures change meaning: entries with another version are signed again.
VERSION = 1
SHINGLE = 4  # words per shingle: long enough that two texts on one topic share few
PERMUTATIONS = 128
BANDS, ROWS = 32, 4  # LSH: a pair with Jaccard 0.5 shares a band with probability 0.87
# Estimated Jaccard of the shingle sets from which two documents are one group. Texts
# that are ~80 % the same (the rest rewritten, names and dates replaced all through)
# score 0.5-0.7; distinct documents on one topic stay under 0.1 (benchmarks/neardup.py).
THRESHOLD = 0.45
MIN_SHINGLES = 20  # shorter texts say too little to call them the same
_CHUNK = 4096

_WORD = re.compile(r"\w+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.default_rng(20240614)  # fixed: signatures must agree between runs
_A = (_rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
                dtype=np.uint64)[:SHINGLE]


def words(text: str) -> list[str]:
    """The text as the duplicate check sees it: lower-case words without diacritics.
    No stemming: a copy has the same word forms, and this costs a fraction of it."""
    return _WORD.findall(fold(text.lower()))


def _shingles(tokens: list[str]) -> np.ndarray:
    """64-bit hashes of the distinct runs of SHINGLE consecutive words."""
    if len(tokens) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    cache: dict[str, int] = {}
    ids = np.fromiter((cache.setdefault(t, zlib.crc32(t.encode())) for t in tokens), dtype=np.uint64,
                      count=len(tokens))
    n = len(ids) - SHINGLE + 1
    with np.errstate(over="ignore"):  # wrapping multiplication is the hash
        mixed = np.zeros(n, dtype=np.uint64)
        for i in range(SHINGLE):
            mixed = (mixed ^ (ids[i:i + n] * _MIX[i])) * np.uint64(0xFF51AFD7ED558CCD)
    return np.unique(mixed)


def signature_of_text(text: str) -> np.ndarray | None:
    """MinHash signature (PERMUTATIONS uint32) of a text; None when it is too short."""
    shingles = _shingles(words(text))
    if len(shingles) < MIN_SHINGLES:
        return None
    result = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(shingles), _CHUNK):
            chunk = shingles[start:start + _CHUNK, None]
            np.minimum(result, ((chunk * _A + _B) & _MASK64).min(axis=0), out=result)
    return (result >> np.uint64(32)).astype(np.uint32)


def signature(text: str) -> str:
    """The signature as manifest text (base64), "" for a text too short to compare."""
    sig = signature_of_text(text)
    return "" if sig is None else base64.b64encode(sig.tobytes()).decode("ascii")


def decode(value: str) -> np.ndarray | None:
    try:
        sig = np.frombuffer(base64.b64decode(value or "", validate=True), dtype=np.uint32)
    except (ValueError, TypeError):
        return None
    return sig if len(sig) == PERMUTATIONS else None


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(a == b))


def entry_fields(text: str) -> dict:
    """What a manifest entry keeps for the duplicate check."""
    return {"minhash": signature(text), "minhash_version": VERSION}


def needs_signature(entry) -> bool:
    return entry.minhash_version != VERSION


# ---------------------------------------------------------------- groups


def find_groups(documents: dict[str, IndexedDocument]) -> list[list[str]]:
    """Groups (sorted lists of paths, two or more) of the manifest's documents whose
    texts are near-identical or whose files are byte-identical."""
    parent: dict[str, str] = {}

    def root(p: str) -> str:
        while parent.get(p, p) != p:
            parent[p] = parent.get(parent[p], parent[p])
            p = parent[p]
        return p

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_hash: dict[str, str] = {}
    for path in sorted(documents):
        h = documents[path].hash
        if h:
            if h in by_hash:
                join(by_hash[h], path)
            else:
                by_hash[h] = path
    sigs = {p: s for p in sorted(documents) if (s := decode(documents[p].minhash)) is not None}
    buckets: dict[bytes, list[str]] = defaultdict(list)
    for path, sig in sigs.items():
        for band in range(BANDS):
            buckets[bytes([band]) + sig[band * ROWS:(band + 1) * ROWS].tobytes()].append(path)
    checked: set[tuple[str, str]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if (a, b) in checked or root(a) == root(b):
                    continue
                checked.add((a, b))
                if similarity(sigs[a], sigs[b]) >= THRESHOLD:
                    join(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(documents):
        groups[root(path)].append(path)
    return [members for members in groups.values() if len(members) > 1]


def pair_similarity(documents: dict[str, IndexedDocument], a: str, b: str) -> float:
    """Similarity of two indexed documents for display: 1.0 for identical files."""
    da, db = documents.get(a) or IndexedDocument(a), documents.get(b) or IndexedDocument(b)
    if da.hash and da.hash == db.hash:
        return 1.0
    sa, sb = decode(da.minhash), decode(db.minhash)
    if sa is None or sb is None:
        return 0.0
    return round(similarity(sa, sb), 2)


def group_index(manifest: dict) -> dict[str, list[str]]:
    """path -> all members of its group (itself included), from the manifest."""
    index: dict[str, list[str]] = {}
    for members in manifest.get("groups") or []:
        for path in members:
            index[path] = members
    return index


def similar_to(manifest: dict, path: str, others: list[str]) -> list[dict]:
    """`others` as {"path", "similarity" (to `path`)}, in the given order."""
    documents = manifest.get("documents", {})
    return [{"path": p, "similarity": pair_similarity(documents, path, p)} for p in others]


def group_of(manifest: dict, path: str) -> list[dict]:
    """The other members of a document's group with their similarity, most similar first."""
    members = group_index(manifest).get(path, [])
    others = similar_to(manifest, path, [p for p in members if p != path])
    return sorted(others, key=lambda d: (-d["similarity"], d["path"]))


def collapse(ranked: list[tuple[str, dict]], groups: dict[str, list[str]]
             ) -> tuple[list[tuple[str, dict]], dict[str, list[str]]]:
    """One item per group, at the rank of its best-matching member: (the kept items,
    best member -> the other matching members in rank order)."""
    kept: list[tuple[str, dict]] = []
    shown: dict[int, str] = {}  # id of a group's member list -> its best member
    others: dict[str, list[str]] = {}
    for path, data in ranked:
        members = groups.get(path)
        if members is None:
            kept.append((path, data))
            continue
        best = shown.get(id(members))
        if best is None:
            shown[id(members)] = path
            kept.append((path, data))
        else:
            others.setdefault(best, []).append(path)
    return kept, others


# ---------------------------------------------------------------- what differs
#
# What a trainer wants from a group is the section one member rewrote, not the lines that
# differ in every copy anyway: signatures, dates, page footers. Those lines are left out
# before comparing (by their shape, not by a list of words), numbers count as equal, and
# a paragraph is a member's own when most of its words stand in runs found in no other
# member.

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_DIFF_SHINGLE = 3
OWN_ABOVE = 0.5  # a paragraph is the member's own when more than half of its words are
MIN_OWN_WORDS = 8  # and at least this many: a changed name or two is no rewrite
SHORT_LINE = 16  # words; a line this short with a date or an academic title is a signature
_DATE = re.compile(r"\b\d{1,2}\.\s*(\d{1,2}\.|[^\W\d_]{3,}\s)\s*\d{4}\b|\bdne\b", re.IGNORECASE)
_ACADEMIC_TITLE = re.compile(r"\b(Mgr|Bc|Ing|PhDr|JUDr|MUDr|RNDr|PaedDr|ThDr|MVDr|Ph\.\s?D|DiS|CSc|doc|prof)\.")
_PAGE_FOOTER = re.compile(r"^\W*((strana|stránka|str|page)\.?\s*)?\d+(\s*(z|ze|/|of)\s*\d+)?\W*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+$")
REPEATED_ON = 3  # a line on this many pages of one document is its running header or footer


def boilerplate_line(line: str) -> bool:
    """A page number or footer ("Strana 3 z 12", "- 3 -"), or a short line with a date
    or an academic title: "V Praze dne 3. 5. 2021", "Mgr. Jana Dvořáková, vedoucí odboru"."""
    if _PAGE_FOOTER.match(line):
        return True
    return len(line.split()) <= SHORT_LINE and bool(_DATE.search(line) or _ACADEMIC_TITLE.search(line))


def paragraphs(pages: list[dict]) -> list[dict]:
    """The paragraphs of stored pages, without boilerplate lines (`boilerplate_line`, and
    lines repeated on REPEATED_ON pages or more): {"page", "heading", "text"} each."""
    lines = Counter(ln.strip() for page in pages for ln in set((page.get("content") or "").splitlines()))
    out = []
    for page in pages:
        for block in PARAGRAPH_BREAK.split(page.get("content") or ""):
            kept = [ln for ln in block.splitlines()
                    if ln.strip() and not boilerplate_line(ln) and lines[ln.strip()] < REPEATED_ON]
            text = " ".join(" ".join(kept).split())
            if text:
                out.append({"page": page.get("page", 0), "heading": page.get("heading", ""), "text": text})
    return out


def _diff_words(text: str) -> list[str]:
    """Words as the comparison sees them: numbers are all one word, so that dates and
    reference numbers changed throughout are no difference."""
    return ["0" if _NUMBER.match(w) else w for w in words(text)]


def _runs(w: list[str]) -> list[tuple[str, ...]]:
    return [tuple(w[i:i + _DIFF_SHINGLE]) for i in range(max(1, len(w) - _DIFF_SHINGLE + 1))]


def differences(texts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """For each member (path -> its stored pages), the paragraphs, in reading order, that
    are not in any other member: most of their words stand in three-word runs found
    nowhere else. Names and dates replaced throughout do not make a paragraph the
    member's own; a rewritten one does. Each paragraph gets "own_words"."""
    split = {path: paragraphs(pages) for path, pages in texts.items()}
    tokens = {path: [_diff_words(p["text"]) for p in paras] for path, paras in split.items()}
    counts = Counter(run for path in tokens for run in {r for w in tokens[path] for r in _runs(w)})  # members
    result: dict[str, list[dict]] = {}
    for path, paras in split.items():
        own = []
        for para, w in zip(paras, tokens[path], strict=True):
            shared = [False] * len(w)
            for i, run in enumerate(_runs(w)):
                if counts[run] > 1:  # the run is in another member too
                    shared[i:i + _DIFF_SHINGLE] = [True] * len(run)
            alone = shared.count(False)
            if alone >= MIN_OWN_WORDS and alone > OWN_ABOVE * len(w):
                own.append({**para, "own_words": alone})
        result[path] = own
    return result


def member_labels(entries: list[IndexedDocument]) -> list[str]:
    """A short name telling the members of a group apart (the municipality, mostly): the
    organization when they differ in it, else the words of the title that most of them
    do not share, else the file name."""
    organizations = [e.organization.strip() for e in entries]
    if all(organizations) and len(set(organizations)) == len(organizations):
        return organizations
    titles = [e.title.split() for e in entries]
    counts = Counter(w for t in titles for w in set(t))
    labels = []
    for entry, title in zip(entries, titles, strict=True):
        own = [w for w in title if counts[w] * 2 <= len(entries)]
        file_name = entry.path.rsplit("/", 1)[-1]
        labels.append(" ".join(own) if 0 < len(own) <= 3 else file_name)
    return labels


def describe_group(backend, path: str, duplicates: list[dict]) -> list[dict]:
    """The shown document and its near-duplicates, for the CLI and the app: {"path",
    "title", "label", "similarity", "own": [paragraphs only this member has]} each, the
    member that differs most first (the municipality that rewrote a section is at the
    top), members with nothing of their own after them, most similar first."""
    members = [{"path": path, "similarity": 1.0}, *duplicates]
    entries = [backend.document(m["path"]) or IndexedDocument(m["path"]) for m in members]
    own = differences({m["path"]: backend.page_texts(m["path"]) for m in members})
    out = []
    for member, entry, name in zip(members, entries, member_labels(entries), strict=True):
        out.append({"path": member["path"], "title": entry.display_title, "label": name,
                    "similarity": member["similarity"], "own": own.get(member["path"], [])[:MAX_DIFFERENCES],
                    "own_words": sum(p["own_words"] for p in own.get(member["path"], []))})
    return sorted(out, key=lambda m: (-m["own_words"], -m["similarity"], m["path"]))


def group_lines(backend, path: str, duplicates: list[dict]) -> list[str]:
    """Plain-text lines for the CLI: "a N dalších téměř stejných dokumentů (…)", then
    each member (the one that differs most first) with its similarity and the
    paragraphs only it has."""
    members = describe_group(backend, path, duplicates)
    others = ", ".join(m["label"] for m in members if m["path"] != path)
    lines = [f"a {others_phrase(len(duplicates))} ({others})"]
    for m in members:
        shown = "" if m["path"] == path else f" — shoda {percent(m['similarity'])}"
        lines.append(f"  • {m['label']}: {m['path']}{shown}")
        for para in m["own"]:
            where = f"str. {para['page']}: " if para["page"] else ""
            lines.append(f"      jen zde: {where}{shorten(para['text'])}")
    return lines


MAX_DIFFERENCES = 5


def percent(similarity: float) -> str:
    return f"{round(similarity * 100)} %"


def shorten(text: str, width: int = 140) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def others_phrase(n: int) -> str:
    """Czech: 1 další téměř stejný dokument, 2–4 další téměř stejné dokumenty, 5 dalších…"""
    if n == 1:
        return "1 další téměř stejný dokument"
    if 2 <= n <= 4:
        return f"{n} další téměř stejné dokumenty"
    return f"{n} dalších téměř stejných dokumentů"
