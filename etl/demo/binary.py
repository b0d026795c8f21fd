"""Binary renderers: DOCX (python-docx, merged cells), PDF with ruled tables (reportlab, built-in CID
font STSong-Light, no font file) and scanned PDFs without a text layer. All byte-deterministic."""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

from .render import DEMO_NOTE, _blocks
from .tables import matrix

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_DT = dt.datetime(2020, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------
def docx(doc: dict, rng: random.Random) -> bytes:
    import docx as _docx

    d = _docx.Document()
    cp = d.core_properties
    cp.created = cp.modified = cp.last_printed = FIXED_DT
    cp.author = cp.last_modified_by = "示例数据"
    cp.title = doc["title"]
    cp.revision = 1
    for kind, payload in _blocks(doc):
        if kind == "title":
            d.add_heading(payload, level=1) if rng.random() < 0.5 else d.add_paragraph(payload)
        elif kind == "heading":
            d.add_paragraph(payload)
        elif kind == "table":
            anchor = d.add_paragraph("")  # tables go before the final sectPr, like Word puts them
            anchor._p.addprevious(_docx_table(doc["tables"][payload]))
        else:
            d.add_paragraph(payload)
    d.add_paragraph(doc["sign_org"])
    d.add_paragraph(doc["date_cn"])
    buf = io.BytesIO()
    d.save(buf)
    return _fix_zip(buf.getvalue())


def _docx_table(grid):
    """A w:tbl element built directly (python-docx's cell merging is too slow for thousands of tables):
    gridSpan for colspans, vMerge restart/continue for rowspans, single-line borders."""
    from docx.oxml import parse_xml
    from xml.sax.saxutils import escape

    m = matrix(grid)
    width = len(m[0])
    w = 9000 // width
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    border = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    x = [f'<w:tbl {ns}><w:tblPr><w:tblW w:w="{w * width}" w:type="dxa"/><w:tblBorders>{border}</w:tblBorders>'
         f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>' + f'<w:gridCol w:w="{w}"/>' * width + "</w:tblGrid>"]
    for r, row in enumerate(m):
        x.append("<w:tr>")
        c = 0
        while c < width:
            cell, origin = row[c]
            span = 1
            while c + span < width and row[c + span][0] is cell:
                span += 1
            top = origin or (r > 0 and m[r - 1][c][0] is not cell)
            props = f'<w:tcW w:w="{w * span}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if cell.rs > 1:
                props += '<w:vMerge w:val="restart"/>' if top else "<w:vMerge/>"
            text = escape(cell.text) if top else ""
            run = f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
            x.append(f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{run}</w:p></w:tc>')
            c += span
        x.append("</w:tr>")
    x.append("</w:tbl>")
    return parse_xml("".join(x))


def _fix_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so that equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------
_FONT = "STSong-Light"
_styles = None


def _setup():
    global _styles
    if _styles is None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
        _styles = {
            "title": ParagraphStyle("t", fontName=_FONT, fontSize=16, leading=24, alignment=1, wordWrap="CJK",
                                    spaceAfter=10),
            "note": ParagraphStyle("n", fontName=_FONT, fontSize=9, leading=13, alignment=1, wordWrap="CJK",
                                   spaceAfter=6),
            "h": ParagraphStyle("h", fontName=_FONT, fontSize=12, leading=20, wordWrap="CJK", spaceBefore=6),
            "p": ParagraphStyle("p", fontName=_FONT, fontSize=11, leading=19, firstLineIndent=22, wordWrap="CJK"),
            "cell": ParagraphStyle("c", fontName=_FONT, fontSize=8, leading=10, alignment=1, wordWrap="CJK"),
            "right": ParagraphStyle("r", fontName=_FONT, fontSize=11, leading=19, alignment=2, wordWrap="CJK"),
        }
    return _styles


def pdf(doc: dict, rng: random.Random) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = _setup()
    style_num = rng.choice((0, 1))
    story = []
    for kind, payload in _blocks(doc):
        if kind == "title":
            story.append(Paragraph(payload, st["title"]))
        elif kind == "note":
            story.append(Paragraph(payload, st["note"]))
        elif kind in ("heading", "subheading"):
            story.append(Paragraph(payload, st["h"]))
        elif kind == "table":
            grid = doc["tables"][payload]
            m = matrix(grid)
            width = len(m[0])
            data = [[Paragraph(cell.text, st["cell"]) if origin and cell.text else "" for cell, origin in row]
                    for row in m]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("FONTNAME", (0, 0), (-1, -1), _FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
                     ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
            done = set()
            for r, row in enumerate(m):
                for c, (cell, origin) in enumerate(row):
                    if origin and (cell.rs > 1 or cell.cs > 1) and id(cell) not in done:
                        done.add(id(cell))
                        style.append(("SPAN", (c, r), (c + cell.cs - 1, r + cell.rs - 1)))
            total = 480
            if payload == 3:
                widths = [34, 58, 136] + [36] * 7
            elif payload == 4:
                widths = [total / 15] * 15
            else:
                widths = [168, 104, 104, 104]
            story.append(Spacer(1, 4))
            story.append(Table(data, colWidths=widths, style=TableStyle(style), repeatRows=0))
            story.append(Spacer(1, 6))
        else:
            story.append(Paragraph(payload, st["p"]))
    story.append(Spacer(1, 12))
    story.append(Paragraph(doc["sign_org"], st["right"]))
    story.append(Paragraph(doc["date_cn"], st["right"]))

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(_FONT, 9)
        label = ("— {} —", "- {} -")[style_num].format(canvas.getPageNumber())
        canvas.drawCentredString(A4[0] / 2, 28, label)
        canvas.restoreState()

    buf = io.BytesIO()
    d = SimpleDocTemplate(buf, pagesize=A4, leftMargin=57, rightMargin=57, topMargin=60, bottomMargin=56,
                          title=doc["title"], author="示例数据", subject=DEMO_NOTE, invariant=1)
    d.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def pdf_scan(doc: dict, rng: random.Random) -> bytes:
    """A scanned report: every page is only an image (no text layer). The page images are rendered from
    the ruled PDF; without a CJK system font the rasteriser draws the grid, digits and Latin text only."""
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    src = pdfium.PdfDocument(pdf(doc, rng))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setAuthor("示例数据")
    for i in range(len(src)):
        img = src[i].render(scale=100 / 72, grayscale=True).to_pil().convert("L")
        angle = rng.uniform(-0.6, 0.6)
        img = img.rotate(angle, fillcolor=255)
        jb = io.BytesIO()
        img.save(jb, format="JPEG", quality=55)
        c.drawImage(ImageReader(io.BytesIO(jb.getvalue())), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    src.close()
    return buf.getvalue()
