"""Single-report rules (SPEC §7). Each is registered once with its id, severity and Chinese description;
``check_report`` runs them all over one parse result. No database access here."""
from __future__ import annotations

import datetime as dt
import re

from etl import template as T

from . import naming
from .policy import timely_kind
from .registry import RULES, combine, finding, rule
from .view import (BLANK, CARRIED_FORWARD, CARRIED_OVER, FLAGGED, GRANTED, MISSING, NEW_RECEIVED, OK,
                   PARTIAL, REGULATIONS, T3_TOTAL, T4_REVIEW, T4_SUITS, T4_TOTAL, TOTAL_PROCESSED, UNKNOWN,
                   UNPAID_FEE, View, equation)

MAX_EVIDENCE = 12  # equations kept as evidence per finding


def _summarise(rule_id: str, checks: list[dict], fail_msg: str, pass_msg: str, na_msg: str):
    status = combine(c["status"] for c in checks)
    bad = [c for c in checks if c["status"] in ("FAIL", "UNCERTAIN")]
    bad.sort(key=lambda c: c["status"] != "FAIL")
    ev = {"checks": bad[:MAX_EVIDENCE], "n_checked": len(checks),
          "n_failed": sum(c["status"] == "FAIL" for c in checks),
          "n_uncertain": sum(c["status"] == "UNCERTAIN" for c in checks)}
    if status == "FAIL":
        fails = [c for c in checks if c["status"] == "FAIL"]
        detail = "；".join(f"{c['what']}：{c['lhs']}≠{c['rhs']}" for c in fails[:4])
        msg = f"{fail_msg}（{detail}{'等' if len(fails) > 4 else ''}）"
    elif status == "UNCERTAIN":
        msg = f"{RULES[rule_id].description}：涉及的单元格存在空白、推断或无法确定的数值，无法确认"
    elif status == "PASS":
        msg = pass_msg
    else:
        msg = na_msg
    return status, msg, ev


# ---------------------------------------------------------------------------------------------
# Table 3
# ---------------------------------------------------------------------------------------------
def _col_label(c: str) -> str:
    return next(x.label for x in T.T3_COLUMNS if x.key == c) + "列"


@rule("T3-IDENT", "E", "report", "表三勾稽关系：新收+上年结转=办理结果总计+结转下年度")
def t3_ident(v: View, ctx):
    checks = []
    for col in (c.key for c in T.T3_COLUMNS):
        k = lambda row: T.make_key(3, row, col)  # noqa: E731
        checks.append(equation(v, _col_label(col), [k(NEW_RECEIVED), k(CARRIED_OVER)],
                               [k(TOTAL_PROCESSED), k(CARRIED_FORWARD)]))
    return _summarise("T3-IDENT", checks, "表三勾稽关系不成立（新收+上年结转≠总计+结转下年度）",
                      "表三勾稽关系成立", "未识别到表三，无法核对")


@rule("T3-SUM", "E", "report", "表三办理结果总计=各项办理结果之和")
def t3_sum(v: View, ctx):
    # a 2021 report may still print the 2019 single （六）其他处理 row: add up what it prints
    old_other = T.splits_other(v.version) and \
        v.cell(T.make_key(3, T.SINGLE_OTHER, T3_TOTAL)).get("kind") not in (None, "missing")
    outcome = T.t3_outcome_rows(v.version, old_other=old_other)
    checks = []
    for col in (c.key for c in T.T3_COLUMNS):
        checks.append(equation(v, _col_label(col), [T.make_key(3, TOTAL_PROCESSED, col)],
                               [T.make_key(3, r, col) for r in outcome]))
    return _summarise("T3-SUM", checks, "表三办理结果总计与各项之和不符", "表三办理结果总计与各项之和相符",
                      "未识别到表三，无法核对")


@rule("T3-ROW", "E", "report", "表三每行总计=六类申请人之和")
def t3_row(v: View, ctx):
    spec = T.TABLES[v.version][3]
    checks = []
    for r in spec.rows:
        checks.append(equation(v, r.label, [T.make_key(3, r.key, T3_TOTAL)],
                               [T.make_key(3, r.key, c) for c in T.T3_APPLICANT_COLUMNS]))
    return _summarise("T3-ROW", checks, "表三行总计与各类申请人之和不符", "表三各行总计与申请人之和相符",
                      "未识别到表三，无法核对")


@rule("T3-BLANK", "W", "report", "表三存在空白单元格")
def t3_blank(v: View, ctx):
    if not v.table_present(3):
        return "NOT_ASSESSABLE", "未识别到表三", {}
    if not v.has_cells:
        return "NOT_ASSESSABLE", "无单元格明细，无法判断空白", {}
    blanks = [k for k in v.table_keys(3) if v.cell(k).get("kind") == "empty"]
    if blanks:
        return ("FAIL", f"表三有{len(blanks)}个空白单元格（空白不等于0，应填写数字）",
                {"cells": [v.evidence(k) for k in blanks[:40]], "n_blank": len(blanks)})
    return "PASS", "表三无空白单元格", {}


_FEE_WORDS = ("信息处理费", "处理费")


@rule("T3-FEE", "W", "report", "因逾期未缴费不再处理的申请>0，但第六部分未说明信息处理费")
def t3_fee(v: View, ctx):
    if not T.splits_other(v.version):
        return "NOT_ASSESSABLE", "仅适用于2021版格式", {}
    keys = [T.make_key(3, UNPAID_FEE, c.key) for c in T.T3_COLUMNS]
    tot = T.make_key(3, UNPAID_FEE, T3_TOTAL)
    n = v.num(tot)
    if n is None:
        vals = [v.num(k) for k in keys[:-1]]
        n = sum(vals) if all(x is not None for x in vals) else None
    if n is None:
        return "UNCERTAIN" if v.table_present(3) else "NOT_ASSESSABLE", "缴费相关单元格无法确定", \
            {"cells": [v.evidence(k) for k in keys]}
    if n <= 0:
        return "PASS", "无因逾期未缴费不再处理的申请", {}
    text = v.text(6)
    ev = {"cells": [v.evidence(tot)], "section6": (text or "")[:300]}
    if text is None:
        return "UNCERTAIN", "有逾期未缴费申请，但未识别到第六部分", ev
    if any(w in text for w in _FEE_WORDS):
        return "PASS", "第六部分说明了信息处理费", ev
    return "FAIL", f"有{int(n)}件申请因逾期未缴费不再处理，但第六部分未说明信息处理费收取情况", ev


# ---------------------------------------------------------------------------------------------
# Table 4
# ---------------------------------------------------------------------------------------------
@rule("T4-SUM", "E", "report", "表四各板块：维持+纠正+其他+尚未审结=总计")
def t4_sum(v: View, ctx):
    parts = [c.key for c in T.T4_COLUMNS if c.key != T4_TOTAL]
    checks = [equation(v, r.label, [T.make_key(4, r.key, T4_TOTAL)], [T.make_key(4, r.key, c) for c in parts])
              for r in T.T4.rows]
    return _summarise("T4-SUM", checks, "表四总计与分项之和不符", "表四各板块总计与分项相符", "未识别到表四，无法核对")


_T4_LABELS = [c.label for c in T.T4_COLUMNS] + ["未经复议直接起诉", "复议后起诉", "尚未审结", "未经复议"]
_SENT = re.compile(r"[。；;！!\n]")
_CLAUSE = re.compile(r"[，,、：:]")
_NEG = re.compile(r"(未|没有|无|不存在)(发生|收到|出现|接到|产生|涉及|有)|均为(0|零)|为零|无(行政复议|行政诉讼|复议|诉讼)"
                  r"|(?<![0-9])(零|0)(件|起|宗)|未(被|因)")


def _case_total(v: View, block: str):
    t = v.num(T.make_key(4, block, T4_TOTAL))
    if t is None:
        parts = [v.num(T.make_key(4, block, c.key)) for c in T.T4_COLUMNS if c.key != T4_TOTAL]
        t = sum(parts) if all(p is not None for p in parts) else None
    return t


@rule("T4-TEXT", "W", "report", "正文称未发生行政复议/诉讼，但表四有案件")
def t4_text(v: View, ctx):
    if not v.table_present(4):
        return "NOT_ASSESSABLE", "未识别到表四", {}
    text = v.narrative()
    for lab in _T4_LABELS:
        text = text.replace(lab, "")
    claims = []
    for sent in _SENT.split(text):
        # "行政复议1件、行政诉讼0件": a negation belongs to the clause it stands in, not to the sentence
        for clause in _CLAUSE.split(sent):
            has_r, has_s = "复议" in clause, "诉讼" in clause
            if (has_r or has_s) and _NEG.search(clause):
                claims.append((sent.strip(), has_r, has_s))
    if not claims:
        return "PASS", "正文未声称无复议诉讼或与表四一致", {}
    review = _case_total(v, T4_REVIEW)
    suits = [_case_total(v, b) for b in T4_SUITS]
    suit = None if any(s is None for s in suits) else sum(suits)
    bad, unknown = [], False
    for sent, has_r, has_s in claims:
        for present, n, what in ((has_r, review, "行政复议"), (has_s, suit, "行政诉讼")):
            if not present:
                continue
            if n is None:
                unknown = True
            elif n > 0:
                bad.append({"text": sent[:200], "what": what, "table_total": n})
    cells = [v.evidence(T.make_key(4, r.key, T4_TOTAL)) for r in T.T4.rows]
    if bad:
        b = bad[0]
        return ("FAIL", f"正文称“{b['text'][:60]}”，但表四{b['what']}共{int(b['table_total'])}件",
                {"claims": bad[:5], "cells": cells})
    if unknown:
        return "UNCERTAIN", "表四案件数无法确定", {"cells": cells}
    return "PASS", "正文关于复议诉讼的表述与表四一致", {}


# ---------------------------------------------------------------------------------------------
# Table 2
# ---------------------------------------------------------------------------------------------
@rule("T2-INT", "E", "report", "表二数量为非负整数（2019版本年增/减可为负）")
def t2_int(v: View, ctx):
    if not v.table_present(2):
        return "NOT_ASSESSABLE", "未识别到表二", {}
    bad, unsure = [], []
    for k in v.table_keys(2):
        col = T.column(v.version, k)
        if col.kind == "amount":
            continue
        st = v.state(k)
        if st in (MISSING, BLANK):
            continue
        if st == UNKNOWN:
            unsure.append(k)
            continue
        x = v.num(k)
        ok = float(x).is_integer() and (x >= 0 or col.kind == "signed")
        if not ok:
            (unsure if st == FLAGGED else bad).append(k)
    if bad:
        ev = {"cells": [v.evidence(k) for k in bad]}
        lst = "、".join(f"{e['label']}={e['raw'] if e['raw'] is not None else e['value']}" for e in ev["cells"][:4])
        return "FAIL", f"表二数量应为非负整数：{lst}", ev
    if unsure:
        return "UNCERTAIN", "表二部分数量无法确定", {"cells": [v.evidence(k) for k in unsure[:20]]}
    return "PASS", "表二数量均为非负整数", {}


@rule("T2-AUTH", "W", "report", "无规章制定权的机关填报了规章")
def t2_auth(v: View, ctx):
    if not v.table_present(2):
        return "NOT_ASSESSABLE", "未识别到表二", {}
    first_col = T.TABLES[v.version][2].columns[REGULATIONS][0].key
    key = T.make_key(2, REGULATIONS, first_col)
    st = v.state(key)
    if st in (MISSING, UNKNOWN):
        return "UNCERTAIN", "规章数量无法确定", {"cells": [v.evidence(key)]}
    n = v.num(key)
    if not n:
        return "PASS", "未填报规章", {}
    off = ctx.get("office") or {}
    power = naming.has_rulemaking_power(off.get("unit_type"), off.get("level"))
    ev = {"cells": [v.evidence(key)], "office": {k: off.get(k) for k in ("name", "unit_type", "level", "source")}}
    if power is False:
        if st == FLAGGED:
            return "UNCERTAIN", "规章数量为推断值", ev
        return "FAIL", f"{off.get('name') or v.office or '该机关'}无规章制定权，但填报规章{int(n)}件", ev
    if power is None:
        return "UNCERTAIN", "无法确定该机关是否有规章制定权", ev
    return "PASS", "该机关有规章制定权", ev


@rule("T2-UNIT", "W", "report", "金额单位异常：以元填报或按万元不合理")
def t2_unit(v: View, ctx):
    if not v.table_present(2):
        return "NOT_ASSESSABLE", "未识别到表二", {}
    limit = ctx["policy"].threshold("amount_wan_max")
    bad, unsure = [], []
    for k in v.table_keys(2):
        if T.column(v.version, k).kind != "amount":
            continue
        c, st = v.cell(k), v.state(k)
        if c.get("unit") == "元" and (c.get("value") or c.get("flag") == "uncertain"):
            # the unit is printed even where the glued digits leave the number open
            bad.append((k, "以元填报（应为万元）"))
            continue
        if st == MISSING and c.get("flag") == "uncertain":
            unsure.append(k)  # the amount was not read: PASS would be a guess
            continue
        if st in (MISSING, BLANK):
            continue
        x = v.num(k)
        if st == UNKNOWN:
            unsure.append(k)
        elif x is not None and abs(x) > limit:
            bad.append((k, f"{_fmt(x)}万元明显过大，疑为以元填报"))
        elif c.get("unit") == "unknown" or st == FLAGGED:
            unsure.append(k)
    if bad:
        ev = {"cells": [dict(v.evidence(k), problem=p) for k, p in bad]}
        return "FAIL", "；".join(f"{v.evidence(k)['label']}{p}" for k, p in bad), ev
    if unsure:
        return "UNCERTAIN", "金额单位未注明或数值无法确定", {"cells": [v.evidence(k) for k in unsure]}
    return "PASS", "金额单位正常", {}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(round(x, 4))


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------
@rule("FMT-SECTIONS", "E", "report", "六个部分齐全且顺序正确")
def fmt_sections(v: View, ctx):
    if "sections" not in v.r:
        return "NOT_ASSESSABLE", "解析结果未提供章节信息", {}
    standard = {s.number for s in T.SECTIONS}  # a section a version inserts is not one of the six
    secs = [s.get("number") for s in v.r.get("sections") or [] if s.get("number") in standard]
    if not secs:
        if v.r.get("needs_ocr_pages"):
            return "UNCERTAIN", "报告为扫描件，未识别到文字", {}
        return "FAIL", "未识别到任何标准部分（一至六）", {"found": []}
    missing = [s for s in T.SECTIONS if s.number not in secs]
    ev = {"found": secs, "missing": [f"{s.numeral}、{s.title}" for s in missing]}
    if missing:
        msg = "缺少部分：" + "、".join(f"{s.numeral}、{s.title}" for s in missing)
        if v.status == "partial":  # the parser itself is unsure: a person must look
            return "UNCERTAIN", msg + "（解析不完整，可能为未识别的标题，需人工核实）", ev
        return "FAIL", msg, ev
    if secs != sorted(secs):
        return "FAIL", "各部分顺序不正确：" + "-".join(map(str, secs)), ev
    return "PASS", "六个部分齐全且顺序正确", ev


@rule("FMT-TEMPLATE", "E", "report", "表格格式版本与报告年度相符（2019/2020年用2019版，2021年起用2021版）")
def fmt_template(v: View, ctx):
    exp = T.template_for_year(v.year)
    found = v.found_template
    ev = {"year": v.year, "template": found, "template_expected": exp}
    if exp is None:
        return "NOT_ASSESSABLE", "未识别报告年度", ev
    if found is None:
        return "UNCERTAIN" if v.r.get("needs_ocr_pages") or not v.table_present(3) else "UNCERTAIN", \
            "未能从表格判断格式版本", ev
    if found != exp:
        return "FAIL", f"{v.year}年度报告应使用{exp}版格式（{T.TEMPLATE_DOCS[exp]}），实际为{found}版", ev
    text = (v.r.get("title") or "") + v.narrative()
    for cite in T.version(exp).outdated_documents:  # e.g. a v2021 report citing the 2019 letter (60号)
        year, number = re.search(r"(\d{4})〕(\d+)号", cite).groups()
        if cite in text or re.search(rf"{year}[〕\]）)]\s*{number}\s*号", text):
            ev["cites"] = cite
            return "FAIL", f"{exp}版格式报告仍引用{cite}", ev
    return "PASS", f"格式版本（{found}版）与年度相符", ev


# FMT-TEMPLATE's 60号 sub-case is a warning only (SPEC §7)
def _template_severity(f: dict) -> dict:
    if f["rule"] == "FMT-TEMPLATE" and f["status"] == "FAIL" and (f.get("evidence") or {}).get("cites"):
        f["severity"] = "W"
    return f


@rule("FMT-TABLES", "E", "report", "表二、表三、表四齐全且行项目完整")
def fmt_tables(v: View, ctx):
    missing_tables, missing_rows = [], []
    for n in (2, 3, 4):
        spec = T.TABLES[v.version][n]
        if not v.table_present(n):
            missing_tables.append(n)
            continue
        for r in spec.rows:
            if all(v.state(T.make_key(n, r.key, c.key)) == MISSING for c in spec.columns[r.key]):
                missing_rows.append(f"表{n}·{r.label}")
    ev = {"template": v.version, "missing_tables": missing_tables, "missing_rows": missing_rows}
    if not missing_tables and not missing_rows:
        return "PASS", "表二、表三、表四齐全", ev
    if v.r.get("needs_ocr_pages"):
        return "UNCERTAIN", "报告含扫描页，表格可能为图片", ev
    if v.status == "partial":
        parts = (["未识别到表" + "、".join(map(str, missing_tables))] if missing_tables else []) + \
            (["未识别到行：" + "、".join(missing_rows[:6])] if missing_rows else [])
        return "UNCERTAIN", "；".join(parts) + "（解析不完整，需人工核实）", ev
    parts = [f"缺少表{'、'.join(map(str, missing_tables))}"] if missing_tables else []
    if missing_rows:
        parts.append("缺少行：" + "、".join(missing_rows[:6]) + ("等" if len(missing_rows) > 6 else ""))
    return "FAIL", "；".join(parts), ev


# ---------------------------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------------------------
@rule("TIMELY", "E", "report", "按期发布（部门1月31日前，本级政府3月31日前，可按政策表调整）")
def timely(v: View, ctx):
    off = ctx.get("office") or {}
    kind = timely_kind(v.r.get("report_kind"), off)
    if v.year is None:
        return "NOT_ASSESSABLE", "未识别报告年度", {}
    deadline = ctx["policy"].deadline(v.year, kind, off.get("unit_type"), off.get("province"), off.get("level"))
    pub = v.r.get("published_on")
    ev = {"published_on": str(pub) if pub else None, "deadline": str(deadline) if deadline else None,
          "report_kind": kind}
    if not pub:
        return "NOT_ASSESSABLE", "未识别发布日期", ev
    if deadline is None:
        return "NOT_ASSESSABLE", "无适用的发布期限", ev
    d = pub if isinstance(pub, dt.date) else dt.date.fromisoformat(str(pub)[:10])
    if d > deadline:
        return "FAIL", f"发布日期{d.isoformat()}晚于期限{deadline.isoformat()}（逾期{(d - deadline).days}天）", ev
    return "PASS", f"发布日期{d.isoformat()}未晚于期限{deadline.isoformat()}", ev


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------
_NUM = r"(\d+)\s*(?:件|条|个|宗|起|人次)"
_GAP = r"[^，,。；;：:\d]{0,%d}?"


def _text_patterns():
    t3 = lambda row: T.make_key(3, row, T3_TOTAL)  # noqa: E731
    return [
        (re.compile(r"(?:新收|收到|受理|接到|共收)" + _GAP % 14 + r"申请" + _GAP % 6 + _NUM), [t3(NEW_RECEIVED)], "新收申请"),
        (re.compile(r"上年结转" + _GAP % 12 + _NUM), [t3(CARRIED_OVER)], "上年结转"),
        (re.compile(r"予以公开" + _GAP % 4 + _NUM), [t3(GRANTED)], "予以公开"),
        (re.compile(r"部分公开" + _GAP % 4 + _NUM), [t3(PARTIAL)], "部分公开"),
        (re.compile(r"结转(?:至)?下(?:一)?年(?:度)?" + _GAP % 8 + _NUM), [t3(CARRIED_FORWARD)], "结转下年度"),
        (re.compile(r"行政复议" + _GAP % 6 + _NUM), [T.make_key(4, T4_REVIEW, T4_TOTAL)], "行政复议"),
        (re.compile(r"行政诉讼" + _GAP % 6 + _NUM), [T.make_key(4, b, T4_TOTAL) for b in T4_SUITS], "行政诉讼"),
    ]


_PATTERNS = _text_patterns()


@rule("TEXT-TABLE", "W", "report", "正文中的数字与表格不一致")
def text_table(v: View, ctx):
    text = v.narrative()
    if not text:
        return "NOT_ASSESSABLE", "未识别到正文", {}
    checks = []
    for pat, keys, what in _PATTERNS:
        said = [int(m.group(1)) for m in pat.finditer(text)]
        if not said:
            continue
        states = [v.state(k) for k in keys]
        if any(s in (UNKNOWN, MISSING) for s in states):
            checks.append({"what": what, "status": "UNCERTAIN", "text": said, "cells": [v.evidence(k) for k in keys]})
            continue
        table = sum(v.num(k) for k in keys)
        ok = any(abs(x - table) < 1e-6 for x in said)
        st = "PASS" if ok else ("UNCERTAIN" if any(s in (FLAGGED, BLANK) for s in states) else "FAIL")
        checks.append({"what": what, "status": st, "text": said, "table": int(table) if table.is_integer() else table,
                       "cells": [v.evidence(k) for k in keys]})
    if not checks:
        return "NOT_ASSESSABLE", "正文未给出可核对的数字", {}
    status = combine(c["status"] for c in checks)
    bad = [c for c in checks if c["status"] == "FAIL"]
    ev = {"checks": [c for c in checks if c["status"] != "PASS"] or checks}
    if status == "FAIL":
        return status, "；".join(f"正文{c['what']}{c['text'][0]}件，表格为{c['table']}" for c in bad), ev
    if status == "UNCERTAIN":
        return status, "正文数字涉及的表格单元格无法确定", ev
    return status, "正文数字与表格一致", ev


_TOPIC_VARIANTS = {t: (t,) for t in T.OVERVIEW_TOPICS}
_TOPIC_VARIANTS.update({"依申请公开": ("依申请公开", "依申请"), "政府信息管理": ("政府信息管理", "信息管理"),
                        "平台建设": ("平台建设", "平台"), "监督保障": ("监督保障", "监督")})


@rule("CONTENT-1", "W", "report", "总体情况应涵盖主动公开、依申请公开、政府信息管理、平台建设、监督保障五方面")
def content_1(v: View, ctx):
    text = v.text(1)
    if text is None:
        return "NOT_ASSESSABLE", "未识别到第一部分", {}
    t = T.norm(text)
    missing = [topic for topic in T.OVERVIEW_TOPICS if not any(w in t for w in _TOPIC_VARIANTS.get(topic, (topic,)))]
    ev = {"missing": missing, "topics": list(T.OVERVIEW_TOPICS)}
    if missing:
        return "FAIL", "总体情况缺少：" + "、".join(missing), ev
    return "PASS", "总体情况涵盖五个方面", ev


# ---------------------------------------------------------------------------------------------
def office_context(result: dict, office: dict | None = None) -> dict:
    if office:
        return office
    name = result.get("office") or ""
    inf = naming.infer(name, result.get("title"))
    return {"name": name, "unit_type": inf.unit_type, "level": inf.level, "province": inf.province,
            "report_kind": result.get("report_kind"), "source": "inferred", "confidence": inf.confidence}


def check_report(result: dict, policy=None, office: dict | None = None) -> list[dict]:
    """Run every single-report rule over one parse result; returns one finding per rule."""
    from .policy import default_policy
    ctx = {"policy": policy or default_policy(), "office": office_context(result, office)}
    v = View(result)
    out = []
    for r in RULES.values():
        if r.scope != "report":
            continue
        if v.status == "failed":
            out.append(finding(r.id, "NOT_ASSESSABLE", "报告无法读取，未检查", {}))
            continue
        if v.status == "needs_ocr" and r.id != "TIMELY":
            out.append(finding(r.id, "NOT_ASSESSABLE", "报告为扫描件（无文字层），需OCR后才能检查",
                               {"needs_ocr_pages": v.r.get("needs_ocr_pages")}))
            continue
        try:
            status, msg, ev = r.check(v, ctx)
        except Exception as e:  # a rule bug must not stop a batch
            status, msg, ev = "NOT_ASSESSABLE", f"规则执行出错：{type(e).__name__}: {e}", {}
        out.append(_template_severity(finding(r.id, status, msg, ev)))
    return out
