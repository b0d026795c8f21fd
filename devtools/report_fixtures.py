"""Small report builder for parser tests: one set of invented values, rendered in the layouts that real
reports show (SPEC §8). Office names and numbers here are made up for the tests."""
from __future__ import annotations

import html as htmlmod

from etl import template as T

OUTCOMES = {
    "granted": {"natural_person": 12, "commercial": 2, "social_welfare": 1},
    "partially_granted": {"natural_person": 5},
    "denied_third_party": {"natural_person": 2},
    "denied_process_info": {"natural_person": 1, "commercial": 1},
    "unable_not_held": {"natural_person": 6, "legal_service": 1},
    "rejected_repeat": {"natural_person": 2},
}
NEW = {"natural_person": 30, "commercial": 5, "social_welfare": 1, "legal_service": 2}
CARRIED = {"natural_person": 4}

T2_VALUES = {
    "2021": {"regulations": [1, 0, 11], "normative_docs": [8, 26, 66], "licensing": [4472], "penalty": [39857],
             "coercion": [882], "fees": [9617.6]},
    "2019": {"regulations": [0, 0, 0], "normative_docs": [3, 3, 41], "licensing": [12, -2, 340],
             "other_services": [5, 1, 77], "penalty": [9, 0, 1203], "coercion": [2, 0, 15], "fees": [3, -1],
             "procurement": [14, 256.3]},
}
T4_VALUES = {"review": [3, 1, 0, 1, 5], "suit_direct": [1, 0, 1, 0, 2], "suit_after_review": [0, 0, 0, 1, 1]}


def values(version: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for row, vals in T2_VALUES[version].items():
        for col, v in zip(T.TABLES[version][2].columns[row], vals):
            out[T.make_key(2, row, col.key)] = v
    outcomes = dict(OUTCOMES)
    if version == "2021":
        outcomes["other_overdue_correction"] = {"natural_person": 1}
        outcomes["other_misc"] = {"natural_person": 1}
    else:
        outcomes["other"] = {"natural_person": 1}
    apps = T.T3_APPLICANT_COLUMNS
    rows: dict[str, dict[str, int]] = {"new_received": NEW, "carried_over": CARRIED, **outcomes}
    processed = {c: sum(outcomes[r].get(c, 0) for r in outcomes) for c in apps}
    forward = {c: NEW.get(c, 0) + CARRIED.get(c, 0) - processed[c] for c in apps}
    rows["total_processed"] = processed
    rows["carried_forward"] = forward
    for r in T.TABLES[version][3].rows:
        vals = rows.get(r.key, {})
        for c in apps:
            out[T.make_key(3, r.key, c)] = vals.get(c, 0)
        out[T.make_key(3, r.key, "total")] = sum(vals.get(c, 0) for c in apps)
    for block, vals in T4_VALUES.items():
        for col, v in zip(T.T4_COLUMNS, vals):
            out[T.make_key(4, block, col.key)] = v
    return out


def _fmt(v) -> str:
    return str(v)


def table_rows(version: str, vals: dict) -> dict[int, list[tuple[str, list[str]]]]:
    """(label, printed values) per table, in printed order."""
    out = {}
    for n in (2, 3):
        spec = T.TABLES[version][n]
        out[n] = [(r.label, [_fmt(vals[T.make_key(n, r.key, c.key)]) for c in spec.columns[r.key]])
                  for r in spec.rows]
    out[4] = [("", [_fmt(vals[T.make_key(4, r.key, c.key)]) for r in T.T4.rows for c in T.T4_COLUMNS])]
    return out


NARRATIVE = {
    1: "本年度，青禾县农业农村局坚持以公开为常态，全年主动公开信息一百余条，依申请公开渠道畅通。",
    2: "",
    3: "",
    4: "",
    5: "存在的主要问题是公开内容不够全面。下一步将加强培训，完善制度。",
    6: "本年度未收取信息处理费。",
}


def render_text(version: str, layout: str = "tsv", office: str = "青禾县农业农村局", year: int | None = None,
                vals: dict | None = None) -> str:
    """Text as extracted from a PDF or copied from a web page.

    layouts: tsv (tab-separated) · spaces (single spaces) · vertical (labels one character per line,
    page footers inside tables) · detached (each label on its own line before its values) ·
    missing (one blank cell dropped from a row) · glued (no separators at all)."""
    year = year or (2024 if version == "2021" else 2020)
    vals = vals or values(version)
    rows = table_rows(version, vals)
    sep = {"tsv": "\t", "spaces": " ", "vertical": " ", "detached": " ", "missing": "\t", "glued": ""}[layout]
    lines = [f"{office}{year}年政府信息公开工作年度报告", ""]
    for s in T.SECTIONS:
        lines.append(f"{s.numeral}、{s.title}")
        if NARRATIVE[s.number]:
            lines.append(NARRATIVE[s.number])
        if s.number in (2, 3, 4):
            if s.number == 4:
                lines.append(sep.join(["行政复议", "行政诉讼"]))
                lines.append(sep.join(c.label for c in T.T4_COLUMNS) + sep + "未经复议直接起诉" + sep + "复议后起诉")
            if s.number == 3:
                lines.append(sep.join(["申请人情况", "自然人", "法人或其他组织", "总计"]))
                lines.append(sep.join(c.label for c in T.T3_COLUMNS[1:6]))
            for i, (label, vs) in enumerate(rows[s.number]):
                if s.number == 3 and layout == "vertical" and i == 2:
                    lines.extend(["三、", "本", "年", "度"])
                if s.number == 3 and layout == "vertical" and i == 12:
                    lines.extend(["— 4 —", "办", "理", "结", "果"])
                if layout == "detached" and label:
                    lines.append(label)
                    lines.append(sep.join(vs))
                elif layout == "missing" and s.number == 3 and i == 5:
                    # a blank cell dropped: the row prints one cell fewer
                    lines.append(sep.join([label] + [v for j, v in enumerate(vs) if j != 2]))
                else:
                    lines.append(sep.join(([label] if label else []) + vs))
    lines += [f"{office}", f"{year + 1}年1月20日"]
    return "\n".join(lines) + "\n"


def render_markdown(version: str, detached: bool = False, vals: dict | None = None) -> str:
    """Converter markdown: pipe tables; with `detached`, label rows carry no values and the values follow
    on the next row, shifted by an empty label column."""
    year = 2024 if version == "2021" else 2020
    vals = vals or values(version)
    rows = table_rows(version, vals)
    out = [f"# 青禾县农业农村局{year}年政府信息公开工作年度报告", ""]
    for s in T.SECTIONS:
        out.append(f"## {s.numeral}、{s.title}")
        if NARRATIVE[s.number]:
            out.append(NARRATIVE[s.number])
        if s.number in (2, 3, 4):
            width = 8
            out.append("| " + " | ".join(["信息内容"] + ["项目"] * (width - 1)) + " |")
            out.append("|" + "---|" * width)
            for label, vs in rows[s.number]:
                if detached and label:
                    out.append("| " + label + " |" + " |" * (width - 1))
                    out.append("| |" + " | ".join(vs) + " |")
                else:
                    out.append("| " + " | ".join(([label] if label else []) + vs) + " |")
        out.append("")
    return "\n".join(out)


def render_html(version: str, vals: dict | None = None, blank_zero: bool = True, spans: bool = True,
                encoding: str = "utf-8", pubdate: str | None = "auto") -> bytes:
    """A saved web page: rowspan/colspan label cells, &nbsp; for blank zeros, <br> in labels,
    digits split across <span>s."""
    year = 2024 if version == "2021" else 2020
    vals = vals or values(version)
    rows = table_rows(version, vals)

    def td(v: str) -> str:
        if v == "0" and blank_zero:
            return "<td>&nbsp;</td>"
        if spans and len(v) > 2:
            return f"<td><span>{v[:1]}</span><span>{v[1:]}</span></td>"
        return f"<td>{v}</td>"

    body = [f"<h1>青禾县农业农村局{year}年政府信息公开工作年度报告</h1>"]
    for s in T.SECTIONS:
        body.append(f"<p><strong>{s.numeral}、{s.title}</strong></p>")
        if NARRATIVE[s.number]:
            body.append(f"<p>{htmlmod.escape(NARRATIVE[s.number])}</p>")
        if s.number in (2, 3, 4):
            body.append('<table border="1">')
            if s.number == 3:
                body.append('<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
                            '<td colspan="7">申请人情况</td></tr>')
                body.append('<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>')
                body.append("<tr>" + "".join(f"<td>{c.label[:2]}<br>{c.label[2:]}</td>" for c in T.T3_COLUMNS[1:6]) + "</tr>")
                for i, (label, vs) in enumerate(rows[3]):
                    lead = ""
                    if i == 2:
                        lead = f'<td rowspan="{len(rows[3]) - 4}">三、本年度办理结果</td>'
                    if i in (0, 1, len(rows[3]) - 1):
                        body.append(f'<tr><td colspan="3">{label}</td>' + "".join(td(v) for v in vs) + "</tr>")
                    else:
                        body.append(f'<tr>{lead}<td colspan="2">{label}</td>' + "".join(td(v) for v in vs) + "</tr>")
            elif s.number == 4:
                body.append('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>')
                body.append('<tr>' + "".join(f"<td rowspan='2'>{c.label[:2]}<br>{c.label[2:]}</td>" for c in T.T4_COLUMNS)
                            + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>')
                body.append("<tr>" + "".join(f"<td>{c.label}</td>" for c in T.T4_COLUMNS) * 2 + "</tr>")
                body.append("<tr>" + "".join(td(v) for v in rows[4][0][1]) + "</tr>")
            else:
                for label, vs in rows[2]:
                    body.append(f"<tr><td>{label}</td>" + "".join(td(v) for v in vs) + "</tr>")
            body.append("</table>")
    charset = "gbk" if encoding.lower() in ("gbk", "gb18030", "gb2312") else "utf-8"
    if pubdate == "auto":
        pubdate = f"{year + 1}-01-22"
    meta = f'<meta name="PubDate" content="{pubdate} 09:30">' if pubdate else ""
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">{meta}'
            f"<title>年报</title></head><body><table><tr><td>{''.join(body)}</td></tr></table></body></html>")
    return page.encode(encoding)


def render_layout(version: str, width: int = 14, label_width: int = 80) -> str:
    """Layout text as `pdftotext -layout` prints it: fixed columns padded with spaces, and table-3 zeros
    printed as blanks, so nothing but the position tells which column a number belongs to."""
    from etl.extractors.text import display_width

    out = []
    for line in render_text(version, "tsv").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and all(p.lstrip("-").replace(".", "").isdigit() for p in parts[1:]):
            label = parts[0]
            pad = " " * max(2, label_width - display_width(label))
            blank_zeros = len(parts) == 8
            out.append(label + pad + "".join(f"{'' if (p == '0' and blank_zeros) else p:>{width}}" for p in parts[1:]))
        elif line.startswith("申请人情况"):
            out.append(" " * label_width + f"{'总计':>{width * 7 - 2}}")
        elif line.startswith("商业企业"):
            heads = ["自然人", "商业企业", "科研机构", "社会组织", "法律服务机构", "其他"]
            out.append(" " * label_width + "".join(" " * (width - display_width(h)) + h for h in heads))
        else:
            out.append(line.replace("\t", "  "))
    return "\n".join(out) + "\n"
