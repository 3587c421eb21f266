"""Hostile and broken files for the reliability tests, made from bytes by the tests
themselves: hand-written PDFs (so each defect is exactly the one intended), zip bombs
built from one pre-compressed block, YAML bombs. Also worker tasks that misbehave on
purpose (tests/test_zoo.py passes them to kb.index.workers.extract_all; the spawned worker
imports this module by name, as tests/ is on its sys.path)."""
from __future__ import annotations

import io
import os
import shutil
import signal
import struct
import time
import zipfile
import zlib

# ---------------------------------------------------------------- raw PDF


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from object bodies numbered 1..n, with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, xref))
    return out.getvalue()


def pdf_stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
TEXT_OPS = b"BT /F1 12 Tf 72 720 Td (Domaci nasili a rozhovor s ditetem v praxi OSPOD) Tj ET"


def one_page_pdf(content: bytes = TEXT_OPS, resources: bytes = b"<< /Font << /F1 3 0 R >> >>",
                 extra: tuple[bytes, ...] = (), content_extra: bytes = b"") -> bytes:
    """Catalog 1, Pages 2, Font 3, Page 4, Contents 5, then `extra` objects from 6."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents 5 0 R >>"
        % resources,
        pdf_stream(content, content_extra),
        *extra,
    ])


def pdf_deeply_nested(depth: int = 100_000) -> bytes:
    """A resource entry nested `depth` arrays deep (recursive parsers overflow)."""
    deep = b"[" * depth + b"]" * depth
    return one_page_pdf(resources=b"<< /Font << /F1 3 0 R >> /Deep " + deep + b" >>")


def pdf_nested_dicts(depth: int = 50_000) -> bytes:
    deep = b"".join(b"<< /K%d " % i for i in range(depth)) + b"1" + b" >>" * depth
    return one_page_pdf(resources=b"<< /Font << /F1 3 0 R >> /Deep " + deep + b" >>")


def pdf_page_tree_cycle() -> bytes:
    """The page tree points back at itself: a naive walk never ends."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R 2 0 R] /Count 2 >>",
        FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        pdf_stream(TEXT_OPS),
    ])


def pdf_xobject_bomb(levels: int = 8, fan: int = 10) -> bytes:
    """Form XObjects that each draw the next one `fan` times: fan**levels text draws."""
    forms = []
    for i in range(levels):
        number = 6 + i
        if i == levels - 1:
            content, res = TEXT_OPS, b"<< /Font << /F1 3 0 R >> >>"
        else:
            content = b" ".join([b"/X Do"] * fan)
            res = b"<< /XObject << /X %d 0 R >> >>" % (number + 1)
        forms.append(pdf_stream(content, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                         b"/Resources %s " % res))
    return one_page_pdf(b"/X Do", resources=b"<< /XObject << /X 6 0 R >> >>", extra=tuple(forms))


def _deflate_repeated(chunk: bytes, times: int, wbits: int) -> bytes:
    """A deflate stream of `chunk` * `times`, made by compressing `chunk` once: each
    copy of a fully flushed block is independent, so the copies can simply be joined."""
    block_maker = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = block_maker.compress(chunk) + block_maker.flush(zlib.Z_FULL_FLUSH)
    raw = block * times + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # final empty block
    if wbits < 0:
        return raw
    adler = 1
    for _ in range(times):  # zlib framing needs the Adler-32 of the whole output
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def pdf_flate_bomb(megabytes: int = 1024) -> bytes:
    """A page whose content stream inflates to `megabytes` MiB of spaces."""
    body = _deflate_repeated(b" " * (1 << 20), megabytes, 15)
    return one_page_pdf(body, content_extra=b"/Filter /FlateDecode ")


def pdf_slow_text(operations: int = 400_000) -> bytes:
    """Few kilobytes, but hundreds of thousands of text operations to interpret."""
    content = b"BT /F1 12 Tf " + b"(slovo) Tj 1 0 Td " * operations + b"ET"
    return one_page_pdf(zlib.compress(content, 9), content_extra=b"/Filter /FlateDecode ")


def pdf_many_pages(pages: int, text_on_first: bool) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    if text_on_first:
        writer.append(PdfReader(io.BytesIO(one_page_pdf())))
    for _ in range(pages - int(text_on_first)):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- ZIP / DOCX


def _crc32_repeated(chunk: bytes, times: int) -> int:
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return crc


def zip_with_raw_entries(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP from (name, raw deflate data, crc32, declared uncompressed size) entries:
    the sizes are written as given, so they can be honest or forged."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                                   len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> tuple[str, bytes, int, int]:
    maker = zlib.compressobj(9, zlib.DEFLATED, -15)
    return maker.compress(data) + maker.flush(), zlib.crc32(data), len(data)


DOCX_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
              b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
              b'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
              b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
              b'</Types>')
DOCX_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
             b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
             b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
             b'Target="word/document.xml"/></Relationships>')
W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_zip_bomb(gigabytes: int = 2, forged_size: int | None = None) -> bytes:
    """A DOCX whose word/document.xml inflates to `gigabytes` GiB (about 1 MB per GiB on
    disk). With `forged_size` the headers claim that many bytes instead of the truth."""
    chunk = b" " * (1 << 20)
    times = gigabytes * 1024
    raw = _deflate_repeated(chunk, times, -15)
    crc = _crc32_repeated(chunk, times)
    size = forged_size if forged_size is not None else times * len(chunk)
    return zip_with_raw_entries([
        ("[Content_Types].xml", *_deflated(DOCX_TYPES)),
        ("_rels/.rels", *_deflated(DOCX_RELS)),
        ("word/document.xml", raw, crc, size),
    ])


def docx_from_xml(document_xml: bytes) -> bytes:
    return zip_with_raw_entries([
        ("[Content_Types].xml", *_deflated(DOCX_TYPES)),
        ("_rels/.rels", *_deflated(DOCX_RELS)),
        ("word/document.xml", *_deflated(document_xml)),
    ])


def docx_entity_bomb() -> bytes:
    """document.xml with a billion-laughs DTD; expanded, it would be gigabytes of text."""
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)]
    return docx_from_xml(b'<?xml version="1.0"?><!DOCTYPE w:document [' + b"".join(entities)
                         + b']><w:document ' + W_NS + b'><w:body><w:p><w:r><w:t>&lol9; Domaci nasili'
                         b'</w:t></w:r></w:p></w:body></w:document>')


def docx_many_paragraphs(megabytes: int) -> bytes:
    """Honest, under the size limit, but `megabytes` MB of XML: millions of elements."""
    paragraph = b"<w:p><w:r><w:t>slovo</w:t></w:r></w:p>"
    body = paragraph * (megabytes * (1 << 20) // len(paragraph))
    return docx_from_xml(b'<w:document ' + W_NS + b'><w:body>' + body + b'</w:body></w:document>')


# ---------------------------------------------------------------- YAML

YAML_PYTHON_TAG = """title: !!python/object/apply:os.system ["touch {marker}"]
year: !!python/object/new:int [2023]
topics: !!python/name:os.system
"""

YAML_BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    + ["year: *i", "title: *i", "topics: *i", "summary: *i", ""])

YAML_DEEP = "title: " + "[" * 20_000 + "]" * 20_000 + "\n"


# ---------------------------------------------------------------- permissions as root


def without_root_file_access() -> list[str] | None:
    """A command prefix under which root obeys file permissions (as other users do), or
    None when that is impossible here. Not root: no prefix is needed."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


# ---------------------------------------------------------------- misbehaving worker tasks


def _blocked_forever(data, suffix, rel):
    """Like C code that never returns to Python: the alarm signal cannot get through."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(3600)


def _crash(data, suffix, rel):
    os.kill(os.getpid(), signal.SIGKILL)  # a segfault in a C library looks the same


def _hog_memory(data, suffix, rel):
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))


def _hold_the_interpreter(data, suffix, rel):
    """A loop in C that never releases the interpreter lock nor checks for signals:
    neither the alarm handler nor the watchdog thread can run until it ends."""
    sum(range(10**13))


MISBEHAVIOUR = {"zasekne": _blocked_forever, "spadne": _crash, "pamet": _hog_memory,
                "drzi-zamek": _hold_the_interpreter}


def misbehaving_task(path: str, rel: str, timeout: int, data: bytes | None = None):
    """kb.index.workers.extract_in_worker, except that files whose name contains a key of
    MISBEHAVIOUR make the extractor misbehave that way."""
    from kb.index import workers

    for key, behaviour in MISBEHAVIOUR.items():
        if key in rel:
            original = workers.extract_bytes
            workers.extract_bytes = behaviour
            try:
                return workers.extract_in_worker(path, rel, timeout, data)
            finally:
                workers.extract_bytes = original
    return workers.extract_in_worker(path, rel, timeout, data)


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()
