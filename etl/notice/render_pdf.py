"""The 通报 as PDF (reportlab). Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1),
which needs no font file on the machine: viewers substitute their own Song face and text stays
extractable."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

FONT = "STSong-Light"
RED = colors.HexColor("#B00000")
_registered = False


def _styles() -> dict[str, ParagraphStyle]:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    base = dict(fontName=FONT, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=4, **base),
        "subtitle": ParagraphStyle("subtitle", fontSize=10.5, leading=16, alignment=TA_CENTER, spaceAfter=10,
                                   **base),
        "banner": ParagraphStyle("banner", fontSize=11, leading=16, alignment=TA_CENTER, textColor=RED,
                                 borderColor=RED, borderWidth=0.8, borderPadding=4, spaceBefore=4, spaceAfter=10,
                                 **base),
        "h1": ParagraphStyle("h1", fontSize=13.5, leading=20, spaceBefore=10, spaceAfter=4, **base),
        "h2": ParagraphStyle("h2", fontSize=11.5, leading=17, spaceBefore=6, spaceAfter=3, **base),
        "p": ParagraphStyle("p", fontSize=11, leading=18, firstLineIndent=22, spaceAfter=4, **base),
        "note": ParagraphStyle("note", fontSize=8.5, leading=12, spaceAfter=4, **base),
        "cell": ParagraphStyle("cell", fontSize=8.5, leading=11, **base),
        "head": ParagraphStyle("head", fontSize=8.5, leading=11, textColor=colors.white, **base),
    }


def render(blocks: list[tuple], banner: str | None = None) -> bytes:
    st = _styles()
    buf = io.BytesIO()
    margin = 2.0 * cm
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, title=next((b[1] for b in blocks if b[0] == "title"), "通报"))
    width = A4[0] - 2 * margin

    def page(canvas, _doc):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 1.1 * cm, f"— {canvas.getPageNumber()} —")
        if banner:  # on every page, so a printed page can never pass for real data
            canvas.setFillColor(RED)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, banner)
        canvas.restoreState()

    story = []
    for b in blocks:
        kind = b[0]
        if kind == "table":
            _, header, rows, widths = b
            total = sum(widths)
            data = [[Paragraph(escape(str(h)), st["head"]) for h in header]]
            data += [[Paragraph(escape(str(c)), st["cell"]) for c in row] for row in rows]
            t = LongTable(data, colWidths=[width * w / total for w in widths], repeatRows=1)
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#33507a")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f4f7")]),
            ]))
            story += [t, Spacer(1, 6)]
        elif kind in st:
            story.append(Paragraph(escape(b[1]), st[kind]))
        else:
            raise ValueError(kind)
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buf.getvalue()
