"""Text-like renderers: text extracted from PDFs (tab- and space-separated), glued web text, converter
markdown and HTML (UTF-8 / GBK). Each takes the document model built in :mod:`etl.demo.generate` and a
seeded ``random.Random`` for layout accidents, and returns bytes."""
from __future__ import annotations

import html as _html
import random
import re

from .tables import G, matrix, origin_positions

DEMO_NOTE = "【示例数据】本报告为演示用虚构数据，所涉机关、地名和数字均为虚构。"


def _paras(doc: dict, n: int) -> list[str]:
    return doc["sections"][n]


def _blocks(doc: dict):
    """Yield ("title"|"note"|"para"|"heading"|"table", payload) in reading order."""
    yield "title", doc["title"]
    yield "note", DEMO_NOTE
    if doc["preamble"]:
        yield "para", doc["preamble"]
    for n in range(1, 7):
        yield "heading", doc["section_titles"][n]
        for p in _paras(doc, n):
            yield ("subheading" if p.startswith("（") and len(p) < 20 else "para"), p
        if n in (2, 3, 4):
            yield "table", n


# ---------------------------------------------------------------------------------------------
# Text extracted from a PDF
# ---------------------------------------------------------------------------------------------
_KEEP = re.compile(r"予以公开\s*\d+\s*件|\d+(?:\.\d+)?")


def _wrap(text: str, width: int) -> list[str]:
    """Fixed-width lines, as a PDF's text layer gives them; numbers (and 予以公开N件) are not split."""
    spans = [(m.start(), m.end()) for m in _KEEP.finditer(text)]
    out, i = [], 0
    while i < len(text):
        j = min(len(text), i + width)
        for a, b in spans:
            if a < j < b and a > i:
                j = a
        out.append(text[i:j])
        i = j
    return out or [""]


def _pageno(n: int, style: int) -> str:
    return ("— {} —", "- {} -", "-{}-", "第 {} 页")[style].format(n)


def _tab_row(grid, r, m, skip_colspan=True) -> list[str]:
    out = []
    for c, (cell, origin) in enumerate(m[r]):
        if origin:
            out.append(cell.text)
        else:
            # covered: by a rowspan from above -> empty cell; by a colspan -> collapsed
            left = m[r][c - 1][0] if c else None
            if left is cell and skip_colspan:
                continue
            out.append("")
    return out


def txt_pdf_tab(doc: dict, rng: random.Random) -> bytes:
    """Tab-separated table rows, as some PDF text extractors print them (cf. the seed report)."""
    lines: list[str] = [""]
    page = [1]
    spaced = rng.random() < 0.5
    pstyle = rng.choice((0, 0, 1, 2))

    def page_break():
        page[0] += 1
        lines.extend(["", _pageno(page[0], pstyle), ""])

    for kind, payload in _blocks(doc):
        if kind == "title":
            t = payload
            if spaced:
                y = str(doc["year"])
                t = t.replace(f"{y}年", f" {y} 年", 1)
            lines.extend([t, ""])
        elif kind == "table":
            grid = doc["tables"][payload]
            m = matrix(grid)
            break_at = rng.randrange(3, len(grid)) if payload == 3 and rng.random() < 0.6 else -1
            for r in range(len(grid)):
                if r == break_at:
                    page_break()
                cells = _tab_row(grid, r, m)
                if payload == 3:
                    cells = _vertical_piece(cells, grid, r, m)
                lines.append("\t".join(cells))
            lines.append("")
        else:
            lines.extend([payload, ""])
            if rng.random() < 0.08:
                page_break()
    lines.extend([doc["sign_org"], doc["date_cn"], ""])
    return "\n".join(lines).encode("utf-8")


def _vertical_piece(cells: list[str], grid, r, m) -> list[str]:
    """The rowspan label 三、本年度办理结果 printed in pieces down its rows (三、本年度办 / 理结果)."""
    for c, (cell, origin) in enumerate(m[r]):
        if cell.text.startswith("三、本年度") and cell.rs > 2:
            first = next(i for i in range(len(m)) if m[i][c][0] is cell)
            text = cell.text
            if r == first:
                cells[0] = text[:6]
            elif r == first + 1:
                cells[0] = text[6:]
            break
    return cells


def txt_pdf_space(doc: dict, rng: random.Random) -> bytes:
    """Space-separated text as pdfium extracts it: wrapped prose, page numbers between any lines,
    labels one character per line, long labels wrapped with their numbers on the next line."""
    width = rng.choice((28, 30, 32, 34))
    per_page = rng.choice((32, 36, 40))
    pstyle = rng.choice((1, 1, 0, 2))
    out: list[str] = []
    lines: list[str] = []

    def emit(s: str):
        lines.append(s)

    for kind, payload in _blocks(doc):
        if kind == "title":
            y = str(doc["year"])
            org, rest = payload.split(f"{y}年", 1)
            if len(payload) > 22:
                emit(org)
                emit(f"{y} 年{rest}")
            else:
                emit(payload.replace(f"{y}年", f"{y} 年"))
        elif kind == "table":
            for s in _space_table(doc, payload, rng):
                emit(s)
        elif kind in ("heading", "subheading", "note"):
            emit(payload)
        else:
            for piece in _wrap(payload, width):
                emit(piece)
    emit(doc["sign_org"])
    emit(doc["date_cn"])
    page = 1
    out.append(_pageno(page, pstyle))
    for i, s in enumerate(lines):
        if i and i % per_page == 0:
            page += 1
            out.append(_pageno(page, pstyle))
        out.append(s)
    return ("\n".join(out) + "\n").encode("utf-8")


def _vals(row: list[G]) -> str:
    return " ".join(c.text for c in row if c.kind == "value")


def _space_table(doc: dict, n: int, rng: random.Random) -> list[str]:
    grid = doc["tables"][n]
    out: list[str] = []
    if n == 2:
        for row in grid:
            if row[0].kind == "block":
                b = row[0].text
                out.append(b.replace("条第", "条 第") if rng.random() < 0.7 else b)
            else:
                out.append(" ".join(c.text for c in row if c.text))
        return out
    if n == 4:
        out += ["行政复议 行政诉讼", "结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计",
                "未经复议直接起诉 复议后起诉", "结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计",
                "结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计"]
        out.append(_vals(grid[-1]))
        return out
    # table 3
    note = grid[0][0].text
    cut = note.index("，") + 1
    social = grid[2][2].text
    out += [note[:cut], note[cut:], "申请人情况", "自然人", "法人或其他组织",
            "总计 商 业 企", "业", "科研机", "构", " ".join(social[:4]) if len(social) > 4 else social,
            social[4:] if len(social) > 4 else "", "法 律 服 务", "机构", "其他"]
    out = [s for s in out if s]
    label_w = rng.choice((14, 15, 16))
    for row in grid[3:]:
        labels = [c for c in row if c.kind == "label"]
        vals = _vals(row)
        for c in labels[:-1]:  # rowspan labels, printed vertically or wrapped
            if c.text.startswith("三、"):
                out.append("三、")
                out.extend(list(c.text[2:]))
            else:
                out.append(c.text[:4])
                out.append(c.text[4:])
        lab = labels[-1].text
        if len(lab) <= label_w:
            out.append(f"{lab} {vals}")
        else:
            out.extend(_wrap(lab, label_w))
            out.append(vals)
    return out


# ---------------------------------------------------------------------------------------------
# Glued web text
# ---------------------------------------------------------------------------------------------
def glued(doc: dict, rng: random.Random) -> bytes:
    """Text copied from a web page: every table row's cells glued with no separator."""
    lines = []
    if rng.random() < 0.6:
        lines.append(f"发布日期：{doc['published_on']}")
    for kind, payload in _blocks(doc):
        if kind == "table":
            for row in doc["tables"][payload]:
                s = "".join(c.text for c in row)
                if s:
                    lines.append(s)
        else:
            lines.append(payload)
    lines.extend([doc["sign_org"], doc["date_cn"]])
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Converter markdown
# ---------------------------------------------------------------------------------------------
def markdown(doc: dict, rng: random.Random) -> bytes:
    bold_heads = rng.random() < 0.4
    detach = rng.random() < 0.7
    lines: list[str] = []
    for kind, payload in _blocks(doc):
        if kind == "title":
            lines += [f"# {payload}", ""]
        elif kind == "heading":
            lines += [f"**{payload}**" if bold_heads else f"## {payload}", ""]
        elif kind == "table":
            lines += _md_table(doc["tables"][payload], detach) + [""]
        else:
            lines += [payload, ""]
    lines += [doc["sign_org"], "", doc["date_cn"], ""]
    return "\n".join(lines).encode("utf-8")


def _md_table(grid, detach: bool) -> list[str]:
    m = matrix(grid)
    width = len(m[0])
    rows: list[list[str]] = []
    for r in range(len(m)):
        cells = [cell.text if origin else "" for cell, origin in m[r]]
        labels_len = sum(len(cell.text) for cell, origin in m[r] if origin and cell.kind == "label")
        has_vals = any(cell.kind == "value" for cell, _ in m[r])
        if detach and has_vals and labels_len > 24:
            rows.append([cell.text if origin and cell.kind != "value" else "" for cell, origin in m[r]])
            rows.append([cell.text if origin and cell.kind == "value" else "" for cell, origin in m[r]])
        else:
            rows.append(cells)
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    out += ["| " + " | ".join(c.replace("|", "｜") for c in row) + " |" for row in rows[1:]]
    return out


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
def html(doc: dict, rng: random.Random, encoding: str = "utf-8") -> bytes:
    meta_date = rng.random() < 0.6
    split_digits = rng.random() < 0.5
    br_labels = rng.random() < 0.6
    charset = "gbk" if encoding != "utf-8" else rng.choice(("utf-8", "UTF-8"))
    esc = _html.escape
    h = ["<!DOCTYPE html>", "<html>", "<head>", f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
         if rng.random() < 0.5 else f'<meta charset="{charset}">']
    if meta_date:
        h.append(f'<meta name="PubDate" content="{doc["published_on"]}">')
    h.append(f'<meta name="ArticleTitle" content="{esc(doc["title"])}">')
    h += [f"<title>{esc(doc['title'])}_示例省政府信息公开平台</title>", "</head>", "<body>",
          '<div class="header">示例省人民政府门户网站 &gt; 政府信息公开 &gt; 年度报告</div>', '<div class="article">']
    for kind, payload in _blocks(doc):
        if kind == "title":
            h.append(f'<h1 class="title">{esc(payload)}</h1>')
            if not meta_date:
                h.append(f'<div class="info">发布日期：{doc["published_on"]}&nbsp;&nbsp;来源：{esc(doc["sign_org"])}</div>')
        elif kind == "heading":
            h.append(f"<p><strong>{esc(payload)}</strong></p>")
        elif kind == "table":
            h.append(_html_table(doc["tables"][payload], rng, split_digits, br_labels))
        else:
            h.append(f'<p style="text-indent:2em">{esc(payload)}</p>')
    h += [f'<p style="text-align:right">{esc(doc["sign_org"])}</p>',
          f'<p style="text-align:right">{esc(doc["date_cn"])}</p>', "</div>", "</body>", "</html>", ""]
    text = "\n".join(h)
    return text.encode("gbk" if encoding != "utf-8" else "utf-8")


def _html_table(grid, rng: random.Random, split_digits: bool, br_labels: bool) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    for row in grid:
        tds = []
        for c in row:
            attrs = ""
            if c.rs > 1:
                attrs += f' rowspan="{c.rs}"'
            if c.cs > 1:
                attrs += f' colspan="{c.cs}"'
            t = c.text
            if not t:
                inner = "&nbsp;"
            elif c.kind == "value":
                if split_digits and len(t) >= 2 and rng.random() < 0.3:
                    k = rng.randrange(1, len(t))
                    inner = f"<span>{_html.escape(t[:k])}</span><span>{_html.escape(t[k:])}</span>"
                else:
                    inner = f"<span>{_html.escape(t)}</span>" if rng.random() < 0.5 else _html.escape(t)
            else:
                if br_labels and len(t) >= 4 and rng.random() < 0.25:
                    k = rng.randrange(2, len(t) - 1)
                    inner = f"{_html.escape(t[:k])}<br>{_html.escape(t[k:])}"
                else:
                    inner = _html.escape(t)
            tds.append(f'<td{attrs}><p align="center">{inner}</p></td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


__all__ = ["txt_pdf_tab", "txt_pdf_space", "glued", "markdown", "html", "DEMO_NOTE", "origin_positions"]
