"""Build invented reports at test time: one HTML source (v2019 or v2021 layout, merged label cells, blank
cells), rendered to DOCX (python-docx, real merged cells) and to PDF (reportlab, ruled table, built-in
CJK CID font) and, when LibreOffice is installed, HTML→PDF through soffice. Nothing binary is committed.
"""
from __future__ import annotations

import random
import shutil
import subprocess
from html import escape
from pathlib import Path

from bs4 import BeautifulSoup

from etl import template as T


def make_values(version: str, seed: int = 7) -> dict[str, int | float | None]:
    """Invented but internally consistent values; a few cells left blank (None)."""
    rnd = random.Random(seed)
    v: dict[str, int | float | None] = {}
    for key in T.keys(version):
        t, row, col = T.split_key(key)
        if t == 2:
            v[key] = round(rnd.uniform(1, 900), 1) if col == "amount_wan" else rnd.randint(0, 400)
        elif t == 4:
            v[key] = rnd.randint(0, 9)
        else:
            v[key] = rnd.choice([0, 0, 1, 2, 5, 13, 27, 118])
    for row in {T.split_key(k)[1] for k in v if k.startswith("t3.")}:
        cols = [f"t3.{row}.{c}" for c in T.T3_APPLICANT_COLUMNS]
        v[f"t3.{row}.total"] = sum(v[k] for k in cols)
    for blk in ("review", "suit_direct", "suit_after_review"):
        v[f"t4.{blk}.total"] = sum(v[f"t4.{blk}.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    # blanks, as printed by offices that leave zero cells empty
    for k in ("t3.research.research", f"t3.{T.TABLES[version][3].rows[5].key}.research",
              f"t3.{T.TABLES[version][3].rows[6].key}.social_welfare"):
        if k in v:
            v[k] = None
    return v


def _fmt(x) -> str:
    return "" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _td(text: str, rs: int = 1, cs: int = 1) -> str:
    a = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
    return f"<td{a}>{text}</td>"


def report_html(office: str, year: int, version: str, values: dict) -> str:
    t2, t3 = T.TABLES[version][2], T.TABLES[version][3]
    out = [f"<html><head><meta charset='utf-8'><title>{escape(office)}{year}年政府信息公开工作年度报告</title></head><body>",
           f"<p>{escape(office)}{year}年政府信息公开工作年度报告</p>",
           f"<p>本报告由{escape(office)}编制。报告所列统计期限自{year}年1月1日至{year}年12月31日。</p>",
           "<h2>一、总体情况</h2>",
           f"<p>{year}年，本单位认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开、依申请公开、"
           "政府信息管理、政府信息公开平台建设、监督保障等各项工作有序推进。</p>" * 3,
           "<h2>二、主动公开政府信息情况</h2>", '<table border="1">']
    blocks: dict[str, list] = {}
    for r in t2.rows:
        blocks.setdefault(r.block, []).append(r)
    for blk, rows in blocks.items():
        cols = t2.columns[rows[0].key]
        out.append("<tr>" + _td(blk, cs=4) + "</tr>")
        out.append("<tr>" + _td("信息内容") + "".join(_td(c.label, cs=4 - len(cols) if i == len(cols) - 1 else 1)
                                                   for i, c in enumerate(cols)) + "</tr>")
        for r in rows:
            cells = [_fmt(values[f"t2.{r.key}.{c.key}"]) for c in cols]
            out.append("<tr>" + _td(r.label) + "".join(_td(x, cs=4 - len(cols) if i == len(cols) - 1 else 1)
                                                     for i, x in enumerate(cells)) + "</tr>")
    out.append("</table>")
    out.append("<h2>三、收到和处理政府信息公开申请情况</h2>")
    out.append('<table border="1">')
    out.append("<tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
               + _td("申请人情况", cs=7) + "</tr>")
    out.append("<tr>" + _td("自然人", 2) + _td("法人或其他组织", cs=5) + _td("总计", 2) + "</tr>")
    out.append("<tr>" + "".join(_td(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>")
    groups = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理",
              "other": "（六）其他处理"}
    outcome = [r for r in t3.rows if r.group]
    seen_groups: set[str] = set()
    for r in t3.rows:
        vals = "".join(_td(_fmt(values[f"t3.{r.key}.{c.key}"])) for c in T.T3_COLUMNS)
        lead = ""
        if r is outcome[0]:
            lead += _td("三、本年度办理结果", rs=len(outcome) + 1)
        if r.key == "total_processed":
            out.append("<tr>" + _td(r.label, cs=2) + vals + "</tr>")
            continue
        if not r.group:
            out.append("<tr>" + _td(r.label, cs=3) + vals + "</tr>")
            continue
        members = [x for x in t3.rows if x.group == r.group]
        if r.group in groups and len(members) > 1:
            if r.group not in seen_groups:
                seen_groups.add(r.group)
                lead += _td(groups[r.group], rs=len(members))
            out.append("<tr>" + lead + _td(r.label) + vals + "</tr>")
        else:
            out.append("<tr>" + lead + _td(r.label, cs=2) + vals + "</tr>")
    out.append("</table>")
    out.append("<h2>四、政府信息公开行政复议、行政诉讼情况</h2>")
    out.append('<table border="1">')
    labels = [c.label for c in T.T4_COLUMNS]
    out.append("<tr>" + _td("行政复议", cs=5) + _td("行政诉讼", cs=10) + "</tr>")
    out.append("<tr>" + "".join(_td(x, rs=2) for x in labels) + _td("未经复议直接起诉", cs=5) + _td("复议后起诉", cs=5) + "</tr>")
    out.append("<tr>" + "".join(_td(x) for x in labels * 2) + "</tr>")
    out.append("<tr>" + "".join(_td(_fmt(values[f"t4.{b}.{c.key}"])) for b in ("review", "suit_direct", "suit_after_review")
                                for c in T.T4_COLUMNS) + "</tr>")
    out.append("</table>")
    out.append("<h2>五、存在的主要问题及改进情况</h2><p>政策解读形式仍较单一，下一步将加强培训。</p>")
    out.append("<h2>六、其他需要报告的事项</h2><p>本年度未收取信息处理费。</p></body></html>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- parse HTML

def html_blocks(html: str) -> list[tuple[str, object]]:
    """The source as ('p', text) and ('table', [(r, c, rs, cs, text)], n_rows, n_cols) in order."""
    soup = BeautifulSoup(html, "lxml")
    out = []
    for el in soup.body.find_all(["h1", "h2", "p", "table"], recursive=False):
        if el.name != "table":
            out.append(("p", el.get_text().strip()))
            continue
        occupied, cells = set(), []
        ncols = 0
        trs = el.find_all("tr")
        for r, tr in enumerate(trs):
            c = 0
            for td in tr.find_all("td"):
                while (r, c) in occupied:
                    c += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                for i in range(rs):
                    for j in range(cs):
                        occupied.add((r + i, c + j))
                cells.append((r, c, rs, cs, td.get_text().strip()))
                c += cs
                ncols = max(ncols, c)
        out.append(("table", cells, len(trs), ncols))
    return out


def to_docx(html: str, dest: Path) -> Path:
    import docx

    d = docx.Document()
    for item in html_blocks(html):
        if item[0] == "p":
            d.add_paragraph(item[1])
            continue
        _, cells, nr, nc = item
        t = d.add_table(rows=nr, cols=nc)
        t.style = "Table Grid"
        for r, c, rs, cs, text in cells:
            a = t.cell(r, c)
            if rs > 1 or cs > 1:
                a = a.merge(t.cell(r + rs - 1, c + cs - 1))
            a.text = text
    d.save(dest)
    return dest


def to_pdf(html: str, dest: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")

    def footer(canvas, _doc):
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {canvas.getPageNumber()} —")

    story = []
    for item in html_blocks(html):
        if item[0] == "p":
            story.append(Paragraph(escape(item[1]), body))
            continue
        _, cells, nr, nc = item
        data = [["" for _ in range(nc)] for _ in range(nr)]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 8)]
        for r, c, rs, cs, text in cells:
            data[r][c] = Paragraph(escape(text), cell) if text and not text.replace(".", "").isdigit() else text
            if rs > 1 or cs > 1:
                style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
        widths = {4: [150, 120, 120, 120], 10: [22, 52, 150] + [41] * 7, 15: [34] * 15}.get(nc)
        story.append(Table(data, colWidths=widths, style=TableStyle(style)))
    SimpleDocTemplate(str(dest), pagesize=A4, leftMargin=40, rightMargin=40, topMargin=50,
                      bottomMargin=50).build(story, onFirstPage=footer, onLaterPages=footer)
    return dest


def soffice_pdf(html: str, dest: Path) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    work = dest.parent / "soffice"
    work.mkdir(exist_ok=True)
    src = work / (dest.stem + ".html")
    src.write_text(html, encoding="utf-8")
    subprocess.run([exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf:writer_web_pdf_Export", "--outdir", str(work), str(src)],
                   capture_output=True, timeout=120, env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
    out = work / (dest.stem + ".pdf")
    if not out.exists():
        return None
    out.replace(dest)
    return dest


def soffice_doc(docx_path: Path, dest: Path) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    work = dest.parent / "soffice-doc"
    work.mkdir(exist_ok=True)
    subprocess.run([exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(work), str(docx_path)],
                   capture_output=True, timeout=120, env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
    out = work / (docx_path.stem + ".doc")
    if not out.exists():
        return None
    out.replace(dest)
    return dest
