"""The 通报 as a Word document (python-docx)."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT, HEAD_FONT = "宋体", "黑体"
RED = RGBColor(0xB0, 0x00, 0x00)


def _font(run, name: str, size: float | None = None, bold: bool = False, color=None) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _para(doc_or_cell, text: str, font=BODY_FONT, size=12, bold=False, align=None, color=None, indent=False):
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold, color)
    return p


def render(blocks: list[tuple], banner: str | None = None) -> bytes:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin = sec.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.font.size = Pt(12)
    if banner:  # on every page, so a printed page can never pass for real data
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(hp.add_run(banner), HEAD_FONT, 9, color=RED)
    for b in blocks:
        kind = b[0]
        if kind == "title":
            _para(doc, b[1], HEAD_FONT, 18, True, WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "banner":
            _para(doc, b[1], HEAD_FONT, 12, True, WD_ALIGN_PARAGRAPH.CENTER, RED)
        elif kind == "subtitle":
            _para(doc, b[1], BODY_FONT, 11, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "h1":
            _para(doc, b[1], HEAD_FONT, 14, True)
        elif kind == "h2":
            _para(doc, b[1], HEAD_FONT, 12, True)
        elif kind == "p":
            _para(doc, b[1], indent=True)
        elif kind == "note":
            _para(doc, b[1], size=9)
        elif kind == "table":
            _, header, rows, widths = b
            t = doc.add_table(rows=1 + len(rows), cols=len(header))
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            total = sum(widths)
            width = [Cm((21 - 4.4) * w / total) for w in widths]
            t.autofit = False
            for col, w in zip(t.columns, width):  # the grid (LibreOffice) and each cell (Word)
                col.width = w
            # row by row (Table.cell(i, j) rebuilds the whole grid on every call: quadratic)
            for i, (tr, row) in enumerate(zip(t.rows, [header] + rows)):
                for j, (cell, text) in enumerate(zip(tr.cells, row)):
                    cell.width = width[j]
                    _font(cell.paragraphs[0].add_run(str(text)), HEAD_FONT if i == 0 else BODY_FONT, 9, i == 0)
            t.rows[0]._tr.get_or_add_trPr().append(_tbl_header())  # header row repeats on every page
            doc.add_paragraph()
        else:
            raise ValueError(kind)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _tbl_header():
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    return el
