"""Real-world text layouts (issue 12): how archivers, crawlers and converters save published reports.

Each renderer takes the document model of :mod:`etl.demo.generate` (title, narrative, table grids from
:mod:`etl.demo.tables`) and a :class:`Style` that states every layout accident explicitly, so that tests
can ask for one precise quirk and the generator can draw a realistic mix with :func:`draw_style`.

Layouts:
- ``archive_oneline``: an archive file with a metadata header (标题:/发布时间:/文号:/发布机构:/栏目:/原文链接:)
  and a "正文" marker, then the whole page on one line: breadcrumbs, title, narrative, the three tables with
  their cells glued (sometimes with stray spaces) and the signature.
- ``md_split``: converter markdown whose table 3 is split into one mini-table per block with placeholder
  headers (类别 | 数据1 | … | 数据6 | 总计), a block's first row left under the previous block's header, and
  a summary table (（七）总计, 四、结转) with a header row of its own.
- ``web_lines``: page text copied line by line with damaged labels (misspellings, header words split by
  spaces, group labels broken over two lines, rows left out), "标题：" and 发布时间/来源/字号/分享 lines
  before a title that may be wrapped year-first over two lines.

Quirks are copied from real pages; every text and number comes from the demo world.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from .. import template as T
from .render import DEMO_NOTE, _blocks
from .tables import G, T3_OUTCOME_HEAD

# Label damage seen in real reports: canonical printed label -> damaged label.
MISSPELLINGS = {
    "现行有效件数": "先行有效件数",
    "本年废止件数": "本年废纸件数",
    "2.其他法律行政法规禁止公开": "2.其他法律行政止公开",
    "本年新公开数量": "本年新公开数",
    "对外公开总数量": "对外公开总数",
}
TRUNCATIONS = {"本年废止件数": "本年废止件", "处理决定数量": "处理决定数"}
# Header words printed with a space inside ("结果 纠正").
SPLIT_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "本年制发件数", "本年新制作数量", "商业企业",
               "科研机构")
BREADCRUMBS = ("当前位置：首页 > 政务公开 > 政府信息公开 > 政府信息公开年报",
               "当前位置： 首页政务公开政府信息公开{org}政府信息公开年报",
               "首页 > 政务公开 > 法定主动公开内容 > 政府信息公开年报",
               "您所在的位置：首页 > 信息公开 > 年度报告")
PAGE_TOOLS = ("来源： 时间：{date} --> 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接：",
              "发布时间：{date} 来源：{org} 字号：大 中 小 分享：",
              "【字体：大 中 小】 打印本页 关闭窗口")


@dataclass
class Style:
    """Every accident of one rendering. Row/cell addresses use canonical keys (``t3.granted``)."""
    archive_header: bool = True
    header_colon: str = ": "  # "标题: " as the archiver writes it, or "：" (full width)
    publisher: str | None = None  # 发布机构 line: None = the office, "" = empty, else this text
    breadcrumb: str | None = None
    page_tools: str | None = None
    title_repeated: bool = True  # the page title printed again after the breadcrumb
    title_wrap_year_first: bool = False  # "2024 年X政府信息公开工作" / "年度报告" (web_lines)
    # separators between the value cells of a row: row address -> list of len(values)-1 separators
    seps: dict[str, list[str]] = field(default_factory=dict)
    label_gap: dict[str, str] = field(default_factory=dict)  # row address -> text between label and values
    default_sep: str = ""
    default_gap: str = ""  # text between a row's label and its first value when label_gap does not say
    signed_plus: bool = True  # v2019 本年增/减 printed "+1" for a positive change
    split_heads: tuple[str, ...] = ()  # header words printed with a space inside
    relabel: dict[str, str] = field(default_factory=dict)  # printed label -> damaged label
    drop_rows: tuple[str, ...] = ()  # row addresses left out of the printed table (e.g. "t2.regulations")
    break_groups: tuple[str, ...] = ()  # group labels broken over two lines (web_lines): "（三）不予公开"
    beside: dict[int, list[str]] = field(default_factory=dict)  # table -> sentences printed just before it
    after: dict[int, list[str]] = field(default_factory=dict)  # table -> sentences printed just after it
    md_carry_first_row: tuple[str, ...] = ()  # md_split: groups whose first row sits under the previous header
    md_summary_header: str = "promoted"  # md_split summary table: "promoted" (（七）总计 is the header) | "own"
    t2_unit_header: str | None = None  # text appended to the 采购总金额 header, e.g. "（元）"


# ---------------------------------------------------------------------------------------------
# Rows of a grid, with addresses
# ---------------------------------------------------------------------------------------------
def _addr(row: list[G]) -> str | None:
    for c in row:
        if c.kind == "value" and c.key:
            t, r, _ = c.key.split(".")
            return f"{t}.{r}"
    return None


def _label(text: str, style: Style) -> str:
    text = style.relabel.get(text, text)
    for w in style.split_heads:
        if w in text and " " not in text:
            k = 2 if len(w) >= 4 else 1
            text = text.replace(w, w[:k] + " " + w[k:], 1)
    return text


def _value_text(c: G, style: Style) -> str:
    t = c.text
    if style.signed_plus and c.key and c.key.endswith(".change") and t and t[0].isdigit() and t != "0":
        t = "+" + t
    return t


def row_text(row: list[G], style: Style, table: int) -> str:
    """One grid row as a glued/spaced run: labels, then values joined by the row's separators."""
    addr = _addr(row)
    labels = [c for c in row if c.kind != "value"]
    vals = [c for c in row if c.kind == "value"]
    head = "".join(_label(c.text, style) for c in labels if c.text)
    if table == 2 and style.t2_unit_header and "采购总金额" in head:
        head = head.replace("采购总金额", "采购总金额" + style.t2_unit_header)
    if not vals:
        return head
    seps = style.seps.get(addr) if addr else None
    if seps is None:
        seps = [style.default_sep] * (len(vals) - 1)
    body = _value_text(vals[0], style)
    for s, c in zip(seps, vals[1:]):
        body += s + _value_text(c, style)
    return head + style.label_gap.get(addr, style.default_gap) + body


def table_runs(grid: list[list[G]], style: Style, table: int) -> list[tuple[str | None, str]]:
    """(row address, text) per printed row, dropped rows left out."""
    out = []
    for row in grid:
        addr = _addr(row)
        if addr and addr in style.drop_rows:
            continue
        s = row_text(row, style, table)
        if s:
            out.append((addr, s))
    return out


# ---------------------------------------------------------------------------------------------
# Archive file, page on one line
# ---------------------------------------------------------------------------------------------
def _stable_slug(doc: dict) -> int:
    return sum(ord(ch) for ch in doc["title"]) * 37 % 90000 + 10000


def _archive_header(doc: dict, style: Style, org: str) -> list[str]:
    c = style.header_colon
    publisher = org if style.publisher is None else style.publisher
    stamp = f"{9 + len(org) % 8:02d}:{len(org) * 7 % 60:02d}"
    return [f"标题{c}{doc['title']}", f"发布时间{c}{doc['published_on']} {stamp}", f"文号{c}",
            f"发布机构{c}{publisher}", f"栏目{c}政府信息公开年报",
            f"原文链接{c}https://demo.example/zwgk/ndbg/{doc['year'] + 1}01/t_{_stable_slug(doc)}.htm",
            "==================== 正文 ===================="]


def archive_oneline(doc: dict, style: Style) -> bytes:
    org = doc.get("office_title") or doc["sign_org"]
    lines: list[str] = []
    if style.archive_header:
        lines = _archive_header(doc, style, org)
    parts: list[str] = []
    if style.breadcrumb:
        parts.append(style.breadcrumb.format(org=org) + " ")
    for kind, payload in _blocks(doc):
        if kind == "title":
            if style.title_repeated or not style.archive_header:
                parts.append(payload + " ")
            if style.page_tools:
                parts.append(style.page_tools.format(date=doc["published_on"], org=org) + " ")
        elif kind == "table":
            parts.extend(style.beside.get(payload, []))
            parts.extend(s for _, s in table_runs(doc["tables"][payload], style, payload))
            parts.extend(style.after.get(payload, []))
        else:
            parts.append(payload)
    parts.append(f" {doc['sign_org']} {doc['date_cn']} 附件下载")
    lines.append("".join(parts))
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Converter markdown with table 3 split into mini-tables
# ---------------------------------------------------------------------------------------------
PLACEHOLDER_HEAD = ["类别"] + [f"数据{i}" for i in range(1, 7)] + ["总计"]


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "｜") for c in cells) + " |"


def _md_rule(n: int) -> str:
    return "|" + "|".join(["---"] * n) + "|"


TAIL_ROWS = (T.T3_TOTAL_PROCESSED_ROW, T.T3_CARRIED_FORWARD)


def _t3_blocks(grid: list[list[G]], style: Style):
    """Column labels, the blocks of table 3 [(block title, [(row label, 7 values)])] and the summary rows."""
    heads = [c.text for row in grid[:3] for c in row if c.kind == "head"]
    blocks: list[tuple[str, list]] = []
    summary: list[tuple[str, list[str]]] = []
    for row in grid[3:]:
        addr = _addr(row)
        if addr in style.drop_rows:
            continue
        labels = [c.text for c in row if c.kind == "label" and c.text != T3_OUTCOME_HEAD]
        opens_outcomes = any(c.text == T3_OUTCOME_HEAD for c in row)
        vals = [c.text for c in row if c.kind == "value"]
        rowlab = _label(labels[-1], style)
        numbered = rowlab[:1].isdigit()
        if addr.split(".")[1] in TAIL_ROWS:
            summary.append((rowlab, vals))
        elif opens_outcomes:
            blocks.append((T3_OUTCOME_HEAD, [(rowlab, vals)]))
        elif len(labels) == 2:  # first row of a group: the group label opens a block
            blocks.append((labels[0], [(rowlab, vals)]))
        elif blocks and (numbered and blocks[-1][0].startswith("（")
                         or not numbered and blocks[-1][0] in ("", T3_OUTCOME_HEAD) and not rowlab.startswith("（六）")):
            blocks[-1][1].append((rowlab, vals))
        else:
            blocks.append(("", [(rowlab, vals)]))
    return heads, blocks, summary


def md_split(doc: dict, style: Style) -> bytes:
    from .render import _md_table
    lines: list[str] = []
    for kind, payload in _blocks(doc):
        if kind == "title":
            lines += [f"# {payload}", ""]
        elif kind == "heading":
            lines += [f"## {payload}", ""]
        elif kind == "table":
            lines += [s for s in style.beside.get(payload, [])] + ([""] if style.beside.get(payload) else [])
            if payload == 3:
                lines += _md_split_t3(doc["tables"][3], style)
            else:
                grid = [[G(c.text + style.t2_unit_header, c.rs, c.cs, c.kind, c.key)
                         if payload == 2 and style.t2_unit_header and c.kind == "head" and c.text == "采购总金额" else c
                         for c in row] for row in doc["tables"][payload] if _addr(row) not in style.drop_rows]
                lines += _md_table(grid, False)
            lines.append("")
            lines += [s for s in style.after.get(payload, [])] + ([""] if style.after.get(payload) else [])
        else:
            lines += [payload, ""]
    lines += [doc["sign_org"], "", doc["date_cn"], ""]
    return "\n".join(lines).encode("utf-8")


def _md_split_t3(grid: list[list[G]], style: Style) -> list[str]:
    heads, body, srows = _t3_blocks(grid, style)
    out = ["**" + "".join(heads[:1]) + "**", "", "：".join(heads[1:2]) + "：" + "、".join(heads[2:]), ""]
    tables: list[list[tuple[str, list[str]]]] = []
    titles: list[str] = []
    for title, rows in body:
        rows = list(rows)
        if tables and title and title in style.md_carry_first_row:
            tables[-1].append(rows.pop(0))  # the block's first row stays under the previous header
        tables.append(rows)
        titles.append(title)
    for title, rows in zip(titles, tables):
        if title:
            out += [f"**{title}**", ""]
        out += [_md_row(PLACEHOLDER_HEAD), _md_rule(8)]
        out += [_md_row([lab] + vals) for lab, vals in rows]
        out.append("")
    if not srows:
        return out
    if style.md_summary_header == "promoted":
        out += [_md_row([srows[0][0]] + srows[0][1]), _md_rule(8)] + [_md_row([lab] + v) for lab, v in srows[1:]]
    else:
        out += [_md_row(["合计", "", "", "", "", "", "", ""]), _md_rule(8)] + [_md_row([lab] + v) for lab, v in srows]
    return out


# ---------------------------------------------------------------------------------------------
# Web page copied line by line, with damaged labels
# ---------------------------------------------------------------------------------------------
def web_lines(doc: dict, style: Style) -> bytes:
    org = doc.get("office_title") or doc["sign_org"]
    lines: list[str] = []
    if style.archive_header:
        lines.append(f"标题{style.header_colon.strip() or '：'}{doc['title']}")
    if style.breadcrumb:
        lines.append(style.breadcrumb.format(org=org))
    if style.page_tools:
        lines.append(style.page_tools.format(date=doc["published_on"], org=org))
    for kind, payload in _blocks(doc):
        if kind == "title":
            y = str(doc["year"])
            if style.title_wrap_year_first:
                rest = payload.replace(f"{y}年", "", 1)
                assert rest.endswith("年度报告")
                lines += [f"{y} 年{rest[:-4]}", "年度报告"]
            else:
                lines.append(payload)
        elif kind == "table":
            lines += style.beside.get(payload, [])
            for addr, s in table_runs(doc["tables"][payload], style, payload):
                broken = next((g for g in style.break_groups if s.startswith(g)), None)
                if broken:
                    lines += [broken[:4], s[4:]]
                else:
                    lines.append(s)
            lines += style.after.get(payload, [])
        else:
            lines.append(payload)
    lines += [doc["sign_org"], doc["date_cn"]]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Drawing a realistic style
# ---------------------------------------------------------------------------------------------
def _value_rows(grid: list[list[G]]) -> list[tuple[str, list[G]]]:
    return [(_addr(r), [c for c in r if c.kind == "value"]) for r in grid if _addr(r)]


def _draw_seps(rng: random.Random, n: int, mode: str) -> list[str]:
    if mode == "glue":
        return [""] * (n - 1)
    if mode == "space":
        return [" "] * (n - 1)
    # stray spaces: some gaps spaced, some glued ("15 0 00 0 015")
    return [" " if rng.random() < 0.55 else "" for _ in range(n - 1)]


def beside_sentences(values: dict, version: str, year: int, t3_version: str | None = None) -> dict[int, list[str]]:
    """Narrative numbers printed right beside the tables (the report's own totals in sentences)."""
    v3 = t3_version or version
    spec = T.TABLES[v3][3]
    tot = lambda row: values.get(T.make_key(3, row, T.T3_TOTAL_COLUMN), 0)  # noqa: E731
    group = {}
    for r in spec.rows:
        if r.group:
            group[r.group] = group.get(r.group, 0) + tot(r.key)
    s3 = (f"{year}年，共收到政府信息公开申请{tot('new_received')}件，申请中同意公开答复 {group['granted']} 件，"
          f"部分公开答复 {group['partial']} 件，不予公开 {group['denied']} 件，无法提供 {group['unable']} 件，"
          f"不予处理 {group['rejected']} 件，其他处理 {group['other']} 件。")
    return {3: [s3]}


def draw_style(rng: random.Random, doc: dict, layout: str, values: dict, version: str,
               t3_version: str | None = None) -> Style:
    """A realistic mix of accidents for one document of ``layout``."""
    st = Style()
    st.archive_header = rng.random() < (0.9 if layout == "archive-oneline" else 0.6)
    st.header_colon = ": " if rng.random() < 0.7 else "："
    st.publisher = rng.choice((None, None, "", "", doc.get("office_title") or doc["sign_org"], "示例省学生资助中心"))
    st.breadcrumb = rng.choice(BREADCRUMBS) if rng.random() < 0.6 else None
    st.page_tools = rng.choice(PAGE_TOOLS) if rng.random() < 0.5 else None
    st.title_repeated = rng.random() < 0.7
    st.signed_plus = rng.random() < 0.5
    table_mode = rng.choice(("glue", "glue", "glue", "space", "stray"))
    for n in (2, 3, 4):
        for addr, vals in _value_rows(doc["tables"][n]):
            if len(vals) < 2:
                continue
            mode = table_mode if rng.random() < 0.8 else rng.choice(("glue", "space", "stray"))
            st.seps[addr] = _draw_seps(rng, len(vals), mode)
            if rng.random() < 0.3:
                st.label_gap[addr] = " "
    if rng.random() < 0.3 and not T.version(version).amount_unit_stated:
        st.t2_unit_header = "（元）" if rng.random() < 0.5 else None
    if rng.random() < 0.5:
        st.beside = beside_sentences(values, version, doc["year"], t3_version)
    # rows left out / damaged labels where the report prints nothing but zeros in them
    first = T.TABLES[version][2].rows[0].key  # 规章: many offices have none and leave the row out
    reg = [T.make_key(2, first, c.key) for c in T.TABLES[version][2].columns[first]]
    if all(values[k] == 0 for k in reg) and rng.random() < 0.3:
        st.drop_rows = (f"t2.{first}",)
    if layout == "web-lines":
        st.split_heads = tuple(w for w in SPLIT_HEADS if rng.random() < 0.4)
        st.relabel = {k: v for k, v in {**MISSPELLINGS, **TRUNCATIONS}.items() if rng.random() < 0.3}
        st.break_groups = tuple(g for g in ("（三）不予公开", "（四）无法提供", "（五）不予处理") if rng.random() < 0.5)
        st.title_wrap_year_first = rng.random() < 0.4
    if layout == "md-split":
        st.md_carry_first_row = tuple(g for g in ("（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理")
                                      if rng.random() < 0.4)
        st.md_summary_header = rng.choice(("promoted", "own"))
    return st


def render(doc: dict, layout: str, style: Style) -> bytes:
    return {"archive-oneline": archive_oneline, "md-split": md_split, "web-lines": web_lines}[layout](doc, style)


__all__ = ["Style", "archive_oneline", "md_split", "web_lines", "draw_style", "render", "beside_sentences",
           "MISSPELLINGS", "TRUNCATIONS", "SPLIT_HEADS", "DEMO_NOTE"]
