#!/usr/bin/env python3
"""Build the sample corpus from ``corpus/src/*.md``.

Usage::

    python tools/build_corpus.py [--only SLUG ...]

Every ``corpus/src/<slug>.md`` (files starting with ``_`` and subfolders are
ignored) carries YAML front matter (see ``docs/dev/corpus-format.md``) and a
small Markdown body.  Depending on ``output`` it is rendered to PDF (fpdf2),
DOCX (python-docx), plain text, Markdown, or an image-only "scanned" PDF.
Output is deterministic: fixed creation dates, fixed ZIP timestamps, seeded
noise, so rebuilding does not change bytes needlessly.

Extra front-matter keys understood beyond corpus-format.md:
``align: L`` (pdf body left-aligned instead of justified), ``newline: crlf|lf``
(txt/md; default CRLF for cp1250, LF otherwise), ``wrap: 78`` (txt line width,
0 = no wrapping), ``jpeg_quality: 35`` (scan).  ``pdf_title: junk`` sets the
meaningless title "Microsoft Word - dokument1.docx".

Requires: fpdf2 >= 2.7, python-docx, pyyaml, Pillow.  Fonts come only from
``tools/fonts`` (DejaVu).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "corpus" / "src"
OUT = ROOT / "corpus"
FONTS = Path(__file__).resolve().parent / "fonts"

FIXED_DATE = dt.datetime(2024, 1, 15, 9, 0, 0, tzinfo=dt.timezone.utc)
JUNK_TITLE = "Microsoft Word - dokument1.docx"
SHY = "\u00ad"

# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # heading | para | bullets | numbers | table | pagebreak | columns
    text: str = ""
    level: int = 0
    items: list = field(default_factory=list)  # list items or table rows
    n: int = 1  # columns


@dataclass
class Doc:
    slug: str
    meta: dict
    blocks: list
    body: str
    docx_header: str = ""
    docx_footer: str = ""


FM_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
COMMENT_RE = re.compile(r"^<!--\s*(.*?)\s*-->\s*$")
TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
NUM_RE = re.compile(r"^\d+[.)]\s+")
ITALIC_RE = re.compile(r"(?<![*\w])\*(?![*\s])([^*\n]+?)(?<![\s*])\*(?![*\w])")


def split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def parse(path: Path) -> Doc:
    raw = path.read_text(encoding="utf-8")
    m = FM_RE.match(raw)
    if not m:
        raise SystemExit(f"{path}: missing front matter")
    meta = yaml.safe_load(m.group(1)) or {}
    # *italic* is not part of the source format: drop the markers, keep the words
    body = ITALIC_RE.sub(r"\1", raw[m.end():])
    doc = Doc(slug=path.stem, meta=meta, blocks=[], body=body)
    lines = body.splitlines()
    i = 0
    para: list[str] = []

    def flush_para():
        if para:
            doc.blocks.append(Block("para", text=" ".join(s.strip() for s in para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            flush_para()
            i += 1
            continue
        cm = COMMENT_RE.match(s)
        if cm:
            flush_para()
            c = cm.group(1)
            if c == "pagebreak":
                doc.blocks.append(Block("pagebreak"))
            elif c.startswith("columns:"):
                doc.blocks.append(Block("columns", n=int(c.split(":", 1)[1])))
            elif c.startswith("docx-header:"):
                doc.docx_header = c.split(":", 1)[1].strip()
            elif c.startswith("docx-footer:"):
                doc.docx_footer = c.split(":", 1)[1].strip()
            i += 1
            continue
        if s.startswith("<!--"):  # multi-line comment: skip
            flush_para()
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        hm = re.match(r"^(#{1,3})\s+(.*)$", s)
        if hm:
            flush_para()
            doc.blocks.append(Block("heading", text=hm.group(2).strip(), level=len(hm.group(1))))
            i += 1
            continue
        if s.startswith("|") and i + 1 < len(lines) and TABLE_SEP_RE.match(lines[i + 1].strip()):
            flush_para()
            rows = [split_row(s)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(split_row(lines[i]))
                i += 1
            ncol = len(rows[0])
            rows = [(r + [""] * ncol)[:ncol] for r in rows]
            doc.blocks.append(Block("table", items=rows))
            continue
        if re.match(r"^[-*+]\s+", s) or NUM_RE.match(s):
            flush_para()
            kind = "numbers" if NUM_RE.match(s) else "bullets"
            items: list[str] = []
            while i < len(lines):
                t = lines[i].strip()
                if not t:
                    break
                if kind == "bullets" and re.match(r"^[-*+]\s+", t):
                    items.append(re.sub(r"^[-*+]\s+", "", t))
                elif kind == "numbers" and NUM_RE.match(t):
                    items.append(NUM_RE.sub("", t))
                elif (re.match(r"^[-*+]\s+", t) or NUM_RE.match(t) or t.startswith("#")
                      or t.startswith("|") or t.startswith("<!--")):
                    break
                else:  # continuation line
                    items[-1] += " " + t
                i += 1
            doc.blocks.append(Block(kind, items=items))
            continue
        para.append(line)
        i += 1
    flush_para()
    return doc


def strip_md(text: str) -> str:
    return text.replace("**", "")


# --------------------------------------------------------------------------
# Czech-ish hyphenation (soft hyphens)
# --------------------------------------------------------------------------

VOWELS = set("aáeéěiíoóuúůyýAÁEÉĚIÍOÓUÚŮYÝ")
DIPHTHONGS = {"ou", "au", "eu"}
WORD_RE = re.compile(r"[^\W\d_]{9,}")
NO_SPLIT_CLUSTERS = {"ch"}


def hyphen_points(word: str) -> list[int]:
    """Return indexes where a soft hyphen may be inserted (before word[i])."""
    low = word.lower()
    n = len(low)
    # syllable nuclei: vowel positions (diphthongs count as one)
    nuclei = []
    i = 0
    while i < n:
        if low[i] in VOWELS:
            if i + 1 < n and low[i:i + 2] in DIPHTHONGS:
                nuclei.append((i, i + 1))
                i += 2
                continue
            nuclei.append((i, i))
            i += 1
            continue
        i += 1
    points = []
    for (_, e1), (s2, _) in zip(nuclei, nuclei[1:]):
        cons = low[e1 + 1:s2]
        k = len(cons)
        if k == 0:
            p = s2  # vowel hiatus: so-ci-ál
        elif k == 1:
            p = e1 + 1  # V-CV
        else:
            # keep "ch" together; otherwise VC-CV(C)
            if cons.startswith("ch"):
                p = e1 + 1 + (2 if k > 2 else 0)
            elif k >= 2 and cons[k - 2:] == "ch":
                p = s2 - 2
            else:
                p = e1 + 2
            # keep common onsets (st, str, sk, sp, pr, tr, kr, br, dr, gr, pl, kl, bl)
            if k == 3 and cons[0] == "s" and cons[1:] in {"tr", "kr", "pr", "pl", "kl", "tř", "kř", "př"}:
                p = e1 + 1  # pro-středí
            elif len(cons) == 2 and cons in {"st", "sk", "sp", "tr", "pr", "kr", "br", "dr", "gr", "pl", "kl", "bl", "vr", "zd", "tř", "př", "kř", "dř", "bř", "šk", "šť"}:
                p = e1 + 1
        if 2 <= p <= n - 2:
            points.append(p)
    return points


def hyphenate_word(word: str) -> str:
    pts = hyphen_points(word)
    if not pts or word.isupper():
        return word
    out, last = [], 0
    for p in pts:
        out.append(word[last:p])
        last = p
    out.append(word[last:])
    return SHY.join(out)


def hyphenate(text: str) -> str:
    return WORD_RE.sub(lambda m: hyphenate_word(m.group(0)), text)


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def make_pdf_class():
    from fpdf import FPDF

    class CorpusPDF(FPDF):
        run_header = ""
        run_footer = ""
        page_numbers = "strana"
        base_font = "DejaVu"

        def header(self):
            if self.page_no() > 1 and self.run_header:
                self.set_font(self.base_font, "", 8)
                self.set_text_color(90, 90, 90)
                self.set_y(10)
                self.cell(0, 5, self.run_header, align="L", new_x="LMARGIN", new_y="NEXT")
                self.set_draw_color(160, 160, 160)
                self.line(self.l_margin, 16, self.w - self.r_margin, 16)
                self.set_text_color(0, 0, 0)
                self.set_y(self.t_margin)

        def footer(self):
            if not self.run_footer and self.page_numbers == "none":
                return
            self.set_y(-15)
            self.set_font(self.base_font, "", 8)
            self.set_text_color(90, 90, 90)
            if self.run_footer:
                self.cell(0, 5, self.run_footer, align="L")
                self.set_x(self.l_margin)
            if self.page_numbers == "strana":
                self.cell(0, 5, f"Strana {self.page_no()} z {{nb}}", align="R" if self.run_footer else "C")
            elif self.page_numbers == "bare":
                self.cell(0, 5, str(self.page_no()), align="R" if self.run_footer else "C")
            self.set_text_color(0, 0, 0)

    return CorpusPDF


def new_pdf(meta: dict):
    cls = make_pdf_class()
    pdf = cls(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVu", "BI", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 22, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.run_header = meta.get("header") or ""
    pdf.run_footer = meta.get("footer") or ""
    pdf.page_numbers = str(meta.get("page_numbers", "strana"))
    title = meta.get("pdf_title")
    if title == "junk":
        pdf.set_title(JUNK_TITLE)
        pdf.set_creator("Microsoft Word")
    elif title:
        pdf.set_title(str(title))
    org = (meta.get("sidecar") or {}).get("organization")
    if org and title and title != "junk":
        pdf.set_author(str(org))
    return pdf


HEAD_SIZES = {1: 17, 2: 13.5, 3: 11.5}


def col_widths(rows: list[list[str]]) -> tuple:
    ncol = len(rows[0])
    lens = []
    for c in range(ncol):
        m = max(len(strip_md(r[c])) for r in rows)
        avg = sum(len(strip_md(r[c])) for r in rows) / len(rows)
        longest_word = max((len(w) for r in rows for w in strip_md(r[c]).split()), default=4)
        lens.append(max(6.0, longest_word * 1.15 + 1, min(60.0, (m + 2 * avg) / 3)))
    return tuple(lens)


def pdf_col_widths(pdf, rows: list[list[str]]) -> tuple:
    """Column fractions: every column fits its longest word, the rest by text length."""
    total = pdf.epw
    pad = 3.5
    mins = []
    for c in range(len(rows[0])):
        words = [w for k, r in enumerate(rows) for w in strip_md(r[c]).split()]
        pdf.set_font(style="B")
        wmax = max((pdf.get_string_width(w) for w in words), default=5)
        pdf.set_font(style="")
        mins.append(wmax + pad)
    pref = [x / sum(col_widths(rows)) * total for x in col_widths(rows)]
    widths = [max(m, p) for m, p in zip(mins, pref)]
    excess = sum(widths) - total
    if excess > 0:  # shrink the columns that are above their minimum
        slack = [w - m for w, m in zip(widths, mins)]
        tot_slack = sum(slack)
        if tot_slack > 0:
            widths = [w - excess * s / tot_slack if tot_slack >= excess else m
                      for w, s, m in zip(widths, slack, mins)]
    return tuple(w / sum(widths) for w in widths)


def render_pdf(doc: Doc, path: Path) -> int:
    meta = doc.meta
    pdf = new_pdf(meta)
    fs = float(meta.get("font_size", 11))
    lh = fs * 0.52  # mm line height
    hyph = bool(meta.get("hyphenate"))
    align = str(meta.get("align", "J"))[0].upper()
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "", fs)

    def H(t):
        return hyphenate(t) if hyph else t

    blocks = doc.blocks
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "columns" and b.n > 1:
            j = i + 1
            while j < len(blocks) and not (blocks[j].kind == "columns"):
                j += 1
            render_columns(pdf, blocks[i + 1:j], b.n, fs, H, align)
            i = j + 1 if j < len(blocks) else j
            continue
        render_block_pdf(pdf, b, fs, lh, H, align)
        i += 1
    pdf.output(str(path))
    return pdf.pages_count


def render_block_pdf(pdf, b: Block, fs: float, lh: float, H, align: str):
    if b.kind == "pagebreak":
        pdf.add_page()
        return
    if b.kind == "columns":
        return
    if b.kind == "heading":
        size = HEAD_SIZES[b.level] * fs / 11
        if pdf.get_y() > pdf.t_margin + 1:
            pdf.ln(size * 0.35 + (2 if b.level == 1 else 0.5))
        # keep heading with at least three lines of following text
        if pdf.get_y() + size * 0.5 + 3 * lh > pdf.page_break_trigger:
            pdf.add_page()
        pdf.set_font("DejaVu", "B", size)
        if b.level == 1:
            pdf.set_text_color(25, 55, 95)
        pdf.multi_cell(0, size * 0.5, strip_md(b.text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(size * 0.18)
        pdf.set_font("DejaVu", "", fs)
        return
    if b.kind == "para":
        pdf.set_font("DejaVu", "", fs)
        pdf.multi_cell(0, lh, H(b.text), align=align, markdown=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(lh * 0.5)
        return
    if b.kind in ("bullets", "numbers"):
        pdf.set_font("DejaVu", "", fs)
        old_l = pdf.l_margin
        for k, item in enumerate(b.items, 1):
            mark = "•" if b.kind == "bullets" else f"{k}."
            if pdf.get_y() + lh > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            pdf.set_x(old_l + 2)
            pdf.cell(6, lh, mark)
            pdf.set_left_margin(old_l + 8)
            pdf.set_xy(old_l + 8, y)
            pdf.multi_cell(0, lh, H(item), align=align, markdown=True, new_x="LMARGIN", new_y="NEXT")
            pdf.set_left_margin(old_l)
            pdf.ln(0.8)
        pdf.set_x(old_l)
        pdf.ln(lh * 0.4)
        return
    if b.kind == "table":
        from fpdf.fonts import FontFace

        pdf.set_font("DejaVu", "", fs * 0.88)
        with pdf.table(
            col_widths=pdf_col_widths(pdf, b.items),
            text_align="LEFT",
            markdown=True,
            line_height=lh * 0.9,
            padding=1.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 242)),
            borders_layout="ALL",
        ) as table:
            for r in b.items:
                row = table.row()
                for c in r:
                    row.cell(c)
        pdf.set_font("DejaVu", "", fs)
        pdf.ln(lh * 0.8)
        return


def render_columns(pdf, blocks, n, fs, H, align):
    lh_factor = 1.45
    col_align = "J" if (align == "J" and H("sociálního") != "sociálního") else "L"
    with pdf.text_columns(ncols=n, gutter=8, text_align=col_align,
                          line_height=lh_factor) as cols:
        for b in blocks:
            if b.kind == "pagebreak":
                cols.new_column()
                continue
            if b.kind == "heading":
                size = HEAD_SIZES[b.level] * fs / 11 * 0.9
                pdf.set_font("DejaVu", "B", size)
                with cols.paragraph(text_align="L", top_margin=2.5, bottom_margin=1.2) as par:
                    par.write(strip_md(b.text))
                pdf.set_font("DejaVu", "", fs)
                continue
            if b.kind == "para":
                with cols.paragraph(bottom_margin=3) as par:
                    write_md(pdf, par, H(b.text), fs)
                continue
            if b.kind in ("bullets", "numbers"):
                for k, item in enumerate(b.items, 1):
                    mark = "•" if b.kind == "bullets" else f"{k}."
                    pdf.set_font("DejaVu", "", fs)
                    with cols.paragraph(indent=5, bullet_string=mark, bullet_r_margin=1.8,
                                        bottom_margin=0.8) as par:
                        write_md(pdf, par, H(item), fs)
                continue
            if b.kind == "table":  # tables in columns: render as "a: b" lines
                for r in b.items[1:]:
                    with cols.paragraph(bottom_margin=0.8, text_align="L") as par:
                        write_md(pdf, par, "**" + strip_md(r[0]) + ":** " + " · ".join(r[1:]), fs)
    pdf.set_font("DejaVu", "", fs)


def write_md(pdf, par, text, fs):
    parts = text.split("**")
    for k, part in enumerate(parts):
        if not part:
            continue
        pdf.set_font("DejaVu", "B" if k % 2 else "", fs)
        par.write(part)
    pdf.set_font("DejaVu", "", fs)


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------


def add_runs(par, text: str):
    for k, part in enumerate(text.split("**")):
        if part:
            run = par.add_run(part)
            if k % 2:
                run.bold = True


def _restart_numbering(doc, paragraph):
    """Give a List Number paragraph its own numbering instance (restart at 1)."""
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    numbering = doc.part.numbering_part.element
    style = doc.styles["List Number"]
    numPr = style.element.pPr.find(qn("w:numPr"))
    base_num_id = int(numPr.find(qn("w:numId")).get(qn("w:val")))
    abstract = None
    for num in numbering.findall(qn("w:num")):
        if int(num.get(qn("w:numId"))) == base_num_id:
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    new_id = max(ids) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    an = OxmlElement("w:abstractNumId")
    an.set(qn("w:val"), abstract)
    num.append(an)
    ov = OxmlElement("w:lvlOverride")
    ov.set(qn("w:ilvl"), "0")
    so = OxmlElement("w:startOverride")
    so.set(qn("w:val"), "1")
    ov.append(so)
    num.append(ov)
    numbering.append(num)
    pPr = paragraph._p.get_or_add_pPr()
    np_ = OxmlElement("w:numPr")
    il = OxmlElement("w:ilvl")
    il.set(qn("w:val"), "0")
    ni = OxmlElement("w:numId")
    ni.set(qn("w:val"), str(new_id))
    np_.append(il)
    np_.append(ni)
    pPr.append(np_)
    return new_id


def render_docx(doc: Doc, path: Path) -> int:
    import docx
    from docx.shared import Pt
    from docx.oxml.ns import qn

    d = docx.Document()
    st = d.styles["Normal"]
    st.font.name = "Calibri"
    st.font.size = Pt(float(doc.meta.get("font_size", 11)))
    meta = doc.meta
    side = meta.get("sidecar") or {}
    cp = d.core_properties
    title = meta.get("pdf_title")
    cp.title = JUNK_TITLE if title == "junk" else (str(title) if title else "")
    if title == "junk":
        cp.author = "uzivatel"
    else:
        cp.author = str(side.get("organization", "")) if title else ""
    cp.last_modified_by = cp.author
    cp.created = FIXED_DATE.replace(tzinfo=None)
    cp.modified = FIXED_DATE.replace(tzinfo=None)
    cp.last_printed = FIXED_DATE.replace(tzinfo=None)
    cp.revision = 1
    cp.comments = ""
    cp.subject = ""
    cp.keywords = ""
    cp.category = ""
    sec = d.sections[0]
    from docx.shared import Mm
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    if doc.docx_header:
        sec.header.paragraphs[0].text = doc.docx_header
    if doc.docx_footer:
        sec.footer.paragraphs[0].text = doc.docx_footer
    first_num_list = True
    for b in doc.blocks:
        if b.kind == "heading":
            d.add_heading(strip_md(b.text), level=b.level)
        elif b.kind == "para":
            add_runs(d.add_paragraph(), b.text)
        elif b.kind == "bullets":
            for it in b.items:
                add_runs(d.add_paragraph(style="List Bullet"), it)
        elif b.kind == "numbers":
            num_id = None
            for k, it in enumerate(b.items):
                p = d.add_paragraph(style="List Number")
                if not first_num_list:
                    if k == 0:
                        num_id = _restart_numbering(d, p)
                    else:
                        from docx.oxml import OxmlElement
                        pPr = p._p.get_or_add_pPr()
                        np_ = OxmlElement("w:numPr")
                        il = OxmlElement("w:ilvl"); il.set(qn("w:val"), "0")
                        ni = OxmlElement("w:numId"); ni.set(qn("w:val"), str(num_id))
                        np_.append(il); np_.append(ni); pPr.append(np_)
                add_runs(p, it)
            first_num_list = False
        elif b.kind == "table":
            rows = b.items
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            for ri, r in enumerate(rows):
                for ci, c in enumerate(r):
                    cell = t.cell(ri, ci)
                    cell.paragraphs[0].text = ""
                    if ri == 0:
                        run = cell.paragraphs[0].add_run(strip_md(c))
                        run.bold = True
                    else:
                        add_runs(cell.paragraphs[0], c)
            # mark header row as repeating table header
            from docx.oxml import OxmlElement
            trPr = t.rows[0]._tr.get_or_add_trPr()
            th = OxmlElement("w:tblHeader")
            th.set(qn("w:val"), "true")
            trPr.append(th)
            d.add_paragraph()
        elif b.kind == "pagebreak":
            pass
    buf = io.BytesIO()
    d.save(buf)
    write_deterministic_zip(buf.getvalue(), path)
    return 0


def write_deterministic_zip(data: bytes, path: Path):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 15, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read(info.filename))
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------
# Plain text / Markdown
# --------------------------------------------------------------------------

FALLBACK = {
    "—": "-", "–": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'",
    "…": "...", "•": "-", "·": "-", "\u00a0": " ", "§": "§", "→": "->", "×": "x",
}


def encode_text(text: str, enc: str, slug: str, crlf: bool = False) -> bytes:
    codec = "utf-8" if enc in ("utf-8", "utf8") else enc
    out = []
    for ch in text:
        try:
            ch.encode(codec)
            out.append(ch)
        except UnicodeEncodeError:
            rep = FALLBACK.get(ch, "?")
            try:
                rep.encode(codec)
            except UnicodeEncodeError:
                rep = "?"
            if rep == "?":
                print(f"  warning: {slug}: {ch!r} not in {enc}, replaced by '?'", file=sys.stderr)
            out.append(rep)
    s = "".join(out)
    if crlf:
        s = s.replace("\r\n", "\n").replace("\n", "\r\n")
    return s.encode(enc)


def table_text(rows: list[list[str]], width: int = 78) -> list[str]:
    rows = [[strip_md(c) for c in r] for r in rows]
    ncol = len(rows[0])
    widths = [max(len(r[c]) for r in rows) for c in range(ncol)]
    if sum(widths) + 3 * (ncol - 1) <= width:
        lines = []
        for k, r in enumerate(rows):
            lines.append(" | ".join(r[c].ljust(widths[c]) for c in range(ncol)).rstrip())
            if k == 0:
                lines.append("-+-".join("-" * w for w in widths))
        return lines
    # too wide: one record per block
    lines = []
    for r in rows[1:]:
        for c in range(ncol):
            lines.extend(textwrap.wrap(f"{rows[0][c]}: {r[c]}", width,
                                       subsequent_indent="    ") or [""])
        lines.append("")
    return lines


def render_txt(doc: Doc) -> str:
    wrap = int(doc.meta.get("wrap", 78))
    out: list[str] = []
    for b in doc.blocks:
        if b.kind == "heading":
            t = strip_md(b.text)
            if out and out[-1] != "":
                out.append("")
            if b.level == 1:
                out += [t.upper(), "=" * len(t)]
            elif b.level == 2:
                out += [t, "-" * len(t)]
            else:
                out += [t]
            out.append("")
        elif b.kind == "para":
            out += (textwrap.wrap(strip_md(b.text), wrap) if wrap else [strip_md(b.text)])
            out.append("")
        elif b.kind in ("bullets", "numbers"):
            for k, it in enumerate(b.items, 1):
                mark = "-" if b.kind == "bullets" else f"{k}."
                ind = " " * (len(mark) + 3)
                out += textwrap.wrap(strip_md(it), wrap, initial_indent=f"  {mark} ",
                                     subsequent_indent=ind) if wrap else [f"  {mark} {strip_md(it)}"]
            out.append("")
        elif b.kind == "table":
            out += table_text(b.items, wrap or 78)
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def render_md(doc: Doc) -> str:
    lines = []
    for line in doc.body.splitlines():
        if COMMENT_RE.match(line.strip()):
            continue
        lines.append(line.rstrip())
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text + "\n"


# --------------------------------------------------------------------------
# Scan (image-only PDF)
# --------------------------------------------------------------------------

DPI = 150
PX_W, PX_H = int(210 / 25.4 * DPI), int(297 / 25.4 * DPI)


class ScanLayout:
    def __init__(self, fs: float):
        from PIL import ImageFont

        self.fs = fs
        px = lambda pt: int(round(pt / 72 * DPI))
        self.font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), px(fs))
        self.bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), px(fs))
        self.hfonts = {lvl: ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), px(HEAD_SIZES[lvl] * fs / 11))
                       for lvl in (1, 2, 3)}
        self.small = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), px(8))
        self.margin_l = int(20 / 25.4 * DPI)
        self.margin_t = int(22 / 25.4 * DPI)
        self.width = PX_W - 2 * self.margin_l
        self.bottom = PX_H - int(24 / 25.4 * DPI)
        self.pages: list[list] = []  # list of draw ops per page
        self.new_page()

    def new_page(self):
        self.pages.append([])
        self.y = self.margin_t

    def wrap(self, text, font, width):
        words = text.split()
        lines, cur = [], ""
        for w in words:
            t = (cur + " " + w) if cur else w
            if font.getlength(t) <= width or not cur:
                cur = t
            else:
                lines.append(cur)
                cur = w
        if cur:
            lines.append(cur)
        return lines

    def text_lines(self, text, font, x_off=0, lh=None, first_prefix=None):
        lh = lh or int(font.size * 1.45)
        lines = self.wrap(text, font, self.width - x_off)
        for k, ln in enumerate(lines):
            if self.y + lh > self.bottom:
                self.new_page()
            if k == 0 and first_prefix:
                self.pages[-1].append(("text", self.margin_l + x_off - int(font.size * 1.3), self.y, first_prefix, font))
            self.pages[-1].append(("text", self.margin_l + x_off, self.y, ln, font))
            self.y += lh

    def block(self, b: Block):
        if b.kind == "pagebreak":
            self.new_page()
        elif b.kind == "heading":
            f = self.hfonts[b.level]
            if self.y > self.margin_t:
                self.y += int(f.size * 0.7)
            if self.y + f.size * 4 > self.bottom:
                self.new_page()
            self.text_lines(strip_md(b.text), f)
            self.y += int(f.size * 0.3)
        elif b.kind == "para":
            self.text_lines(strip_md(b.text), self.font)
            self.y += int(self.font.size * 0.6)
        elif b.kind in ("bullets", "numbers"):
            for k, it in enumerate(b.items, 1):
                mark = "•" if b.kind == "bullets" else f"{k}."
                self.text_lines(strip_md(it), self.font, x_off=int(self.font.size * 1.6), first_prefix=mark)
            self.y += int(self.font.size * 0.6)
        elif b.kind == "table":
            rows = [[strip_md(c) for c in r] for r in b.items]
            cw = col_widths(b.items)
            tot = sum(cw)
            widths = [int(self.width * w / tot) for w in cw]
            pad = 6
            lh = int(self.font.size * 1.35)
            for ri, r in enumerate(rows):
                f = self.bold if ri == 0 else self.font
                cells = [self.wrap(c, f, widths[ci] - 2 * pad) for ci, c in enumerate(r)]
                h = max(len(c) for c in cells) * lh + 2 * pad
                if self.y + h > self.bottom:
                    self.new_page()
                x = self.margin_l
                for ci, cl in enumerate(cells):
                    self.pages[-1].append(("rect", x, self.y, x + widths[ci], self.y + h))
                    for li, ln in enumerate(cl):
                        self.pages[-1].append(("text", x + pad, self.y + pad + li * lh, ln, f))
                    x += widths[ci]
                self.y += h
            self.y += int(self.font.size * 0.8)


def render_scan(doc: Doc, path: Path) -> int:
    from PIL import Image, ImageDraw, ImageFilter

    meta = doc.meta
    lay = ScanLayout(float(meta.get("font_size", 11)))
    for b in doc.blocks:
        lay.block(b)
    if not lay.pages[-1]:
        lay.pages.pop()
    rng = random.Random(doc.slug)
    pdf = new_pdf({"pdf_title": meta.get("pdf_title"), "page_numbers": "none"})
    pdf.set_auto_page_break(False)
    total = len(lay.pages)
    for pno, ops in enumerate(lay.pages, 1):
        img = Image.new("L", (PX_W, PX_H), 255)
        dr = ImageDraw.Draw(img)
        for op in ops:
            if op[0] == "text":
                _, x, y, t, f = op
                dr.text((x, y), t, font=f, fill=rng.randint(20, 45))
            else:
                dr.rectangle(op[1:], outline=60, width=2)
        hdr = meta.get("header")
        if hdr and pno > 1:
            dr.text((lay.margin_l, int(12 / 25.4 * DPI)), hdr, font=lay.small, fill=70)
        pn = meta.get("page_numbers", "strana")
        foot = meta.get("footer") or ""
        fy = PX_H - int(15 / 25.4 * DPI)
        if foot:
            dr.text((lay.margin_l, fy), foot, font=lay.small, fill=70)
        if pn != "none":
            label = f"Strana {pno} z {total}" if pn == "strana" else str(pno)
            lw = lay.small.getlength(label)
            dr.text((PX_W - lay.margin_l - lw, fy), label, font=lay.small, fill=70)
        img = img.filter(ImageFilter.GaussianBlur(0.8))
        angle = rng.choice([-1, 1]) * rng.uniform(0.35, 0.6)
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        # paper tone + sparse speckle noise (cheap to compress)
        bg = rng.randint(226, 236)
        img = img.point(lambda v: int(v * bg / 255))
        px = img.load()
        for _ in range(2500):
            x, y = rng.randrange(PX_W), rng.randrange(PX_H)
            px[x, y] = max(0, px[x, y] - rng.randint(40, 120))
        # darker scanner edge on one side
        edge = Image.new("L", (14, PX_H), int(bg * 0.75))
        img.paste(edge, (PX_W - 14 if rng.random() < 0.5 else 0, 0))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(meta.get("jpeg_quality", 35)), optimize=True)
        buf.seek(0)
        pdf.add_page()
        pdf.image(buf, x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    if path.stat().st_size > 1_000_000:
        print(f"  warning: {doc.slug}: scan is {path.stat().st_size // 1024} KB (> 1 MB); "
              "shorten it or set jpeg_quality lower", file=sys.stderr)
    return pdf.pages_count


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def write_sidecar(doc: Doc, path: Path):
    side = doc.meta.get("sidecar")
    if not side:
        return None
    sp = path.with_suffix(".yaml")
    sp.write_text(yaml.safe_dump(side, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sp


def build(doc: Doc) -> None:
    meta = doc.meta
    kind = meta.get("output", "pdf")
    rel = meta.get("file") or f"{doc.slug}.{ 'pdf' if kind == 'scan' else kind}"
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "pdf":
        pages = render_pdf(doc, path)
        info = f"{pages} pages"
    elif kind == "scan":
        pages = render_scan(doc, path)
        info = f"{pages} pages (image only)"
    elif kind == "docx":
        render_docx(doc, path)
        info = "docx"
    elif kind in ("txt", "md"):
        enc = str(meta.get("encoding", "utf-8")).lower()
        text = render_txt(doc) if kind == "txt" else render_md(doc)
        newline = str(meta.get("newline", "crlf" if enc == "cp1250" else "lf")).lower()
        data = encode_text(text, enc, doc.slug, crlf=(newline == "crlf"))
        path.write_bytes(data)
        info = f"{text.count(chr(10))} lines, {enc}, {newline.upper()}"
    else:
        raise SystemExit(f"{doc.slug}: unknown output {kind!r}")
    sp = write_sidecar(doc, path)
    size = path.stat().st_size
    extra = f" + {sp.relative_to(OUT)}" if sp else ""
    print(f"{path.relative_to(OUT.parent) if OUT.parent in path.parents else path}\t{info}\t{size / 1024:.1f} KB{extra}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", metavar="SLUG", help="build only these slugs")
    ap.add_argument("--src", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    global SRC, OUT
    SRC = args.src or SRC
    OUT = args.out or OUT
    sources = sorted(p for p in SRC.glob("*.md") if not p.name.startswith("_"))
    if args.only:
        wanted = set(args.only)
        missing = wanted - {p.stem for p in sources}
        if missing:
            print(f"unknown slug(s): {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
        sources = [p for p in sources if p.stem in wanted]
    failed = 0
    for p in sources:
        try:
            build(parse(p))
        except Exception as e:  # keep building the others
            failed += 1
            print(f"ERROR {p.name}: {type(e).__name__}: {e}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
