"""Chinese labels and number formatting. Canonical keys and template labels come from etl.template."""
from __future__ import annotations

import json
import math
from pathlib import PurePath

import pandas as pd

from etl import template as T
from etl.labels import SEVERITY, UNIT_TYPES  # noqa: F401  (the labels the 通报 prints too)
from etl.marts import col_name, group_col

# One colour-blind-safe palette (Okabe–Ito) for every chart.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQ_SCALE = "Blues"

KINDS = {"department": "部门报告", "gov_self": "本级政府报告", "region_summary": "区域汇总报告"}
TEMPLATES = {v: f"{v}版模板" for v in T.VERSIONS}
STATUS = {"ok": "解析正常", "partial": "部分解析", "failed": "解析失败", "needs_ocr": "扫描件未读取"}
UNREAD = ("needs_ocr",)  # received but not read: no numbers, no score (SPEC: counted as received, not as read)
COVERAGE = {"ok": "按时", "late": "逾期", "missing": "缺失", "failed": "解析失败", "unknown": "日期不明"}
COVERAGE_CODE = {"missing": 0, "failed": 1, "late": 2, "unknown": 3, "ok": 4}
# the heatmap and its legend use these, so a state has one colour everywhere
COVERAGE_COLORS = {"missing": "#D55E00", "failed": "#CC79A7", "late": "#E69F00", "unknown": "#BBBBBB",
                   "ok": "#009E73"}
FINDING_STATUS = {"PASS": "通过", "FAIL": "不通过", "UNCERTAIN": "不确定", "NOT_ASSESSABLE": "无法评估"}
FINDING_STATUS_COLORS = {"不通过": "#D55E00", "不确定": "#999999", "通过": "#009E73", "无法评估": "#CCCCCC"}
# why a file could not be read (reports.error_code) and what to do about it
ERROR_CODES = {
    "binary": "不是文本文件", "damaged": "文件已损坏", "empty": "文件为空", "encoding": "文字编码无法识别",
    "encrypted": "文件已加密", "html": "网页无法解析", "missing_converter": "缺少转换程序",
    "not_a_report": "不是年度报告", "timeout": "解析超时", "too_large": "文件过大", "truncated": "文件不完整",
    "unreadable": "无法读取", "unsupported_format": "格式不受支持", "zip_bomb": "压缩内容异常",
    "parser_error": "解析程序出错", "worker_crash": "解析进程中断", "memory": "内存不足",
}
ERROR_ADVICE = {
    "encrypted": "请向报送单位索取未加密的文件后重新导入。",
    "missing_converter": "DOC 文件需要 LibreOffice 或 antiword：安装后重新导入。",
    "too_large": "请确认文件是否为年度报告；如是，请压缩图片或拆分后重新导入。",
    "not_a_report": "请确认文件内容是否为政府信息公开工作年度报告。",
    "timeout": "文件过于复杂，可在负载较低时重新导入；仍失败请转为 PDF 或 Word 文字版。",
    "parser_error": "请保留文件并报告问题；可先转为其他格式（PDF/Word/TXT）重新导入。",
    "worker_crash": "请保留文件并报告问题；可先转为其他格式（PDF/Word/TXT）重新导入。",
    "memory": "请在内存较充足时重新导入，或拆分文件。",
}
ADVICE_DEFAULT = "请检查文件是否完整、能否正常打开，修正或向报送单位重新索取后重新导入。"
ADVICE_OCR = ("请安装 tesseract-ocr 及中文语言包（chi_sim）后运行 python -m etl ingest 该文件 --reparse 重新识别，"
              "或向报送单位索取文字版后重新导入。")
PROBLEM_CODES = {
    "year_from_filename": "年度取自文件名", "office_from_filename": "单位取自文件名", "unlabelled_values": "数值缺少行名",
    "unit_unknown": "金额单位不明", "template_mismatch": "模板版本与年度不符", "table_missing": "缺少表格",
    "rows_missing": "缺少行", "glyph_cap": "字符数超限", "needs_ocr": "需要文字识别（扫描件）", "ocr": "文字识别",
    "glued": "数值连写", "glued_unreadable": "数值连写无法拆分", "glued_mixed": "数值连写且缺格",
    "placed_by_position": "按位置对应数值", "missing_cells": "缺少单元格", "extra_cells": "多出单元格",
    "page_cap": "页数超限", "page_unreadable": "页面无法读取", "table_cap": "表格数超限", "time_limit": "超时截断",
}
# short Chinese names of the SPEC §7 rules for axes and tables (the registry holds the long descriptions)
RULE_NAMES = {
    "T3-IDENT": "表三勾稽关系", "T3-SUM": "表三结果合计", "T3-ROW": "表三行合计", "T3-BLANK": "表三空白单元格",
    "T3-FEE": "信息处理费说明", "T3-CARRY": "表三结转衔接", "T4-SUM": "表四合计", "T4-TEXT": "表四与正文矛盾",
    "T2-INT": "表二数值", "T2-AUTH": "规章制定权", "T2-UNIT": "金额单位", "T2-STOCK": "现行有效件数衔接",
    "FMT-SECTIONS": "六个部分齐全", "FMT-TEMPLATE": "模板版本", "FMT-TABLES": "表格齐全", "TIMELY": "按期发布",
    "TEXT-TABLE": "正文与表格一致", "CONTENT-1": "总体情况五方面", "DUP-PREV": "与上年正文重复",
    "DUP-PEER": "与同年其他机关雷同", "DUP-DATA": "数据与上年相同", "MISSING": "未发布年报",
}
CELL_KIND = {"number": "数值", "zero": "零", "empty": "空白", "na": "不适用", "text": "文字", "missing": "缺失"}
CELL_FLAG = {"inferred": "推断", "uncertain": "存疑", "corrected": "人工更正"}
DUP_KIND = {"prev": "与上年重复", "peer": "与其他单位重复"}
FORMATS = {"txt": "TXT", "md": "Markdown", "html": "HTML", "docx": "DOCX", "doc": "DOC", "pdf": "PDF"}
LEVELS = {"province": "省", "city": "市", "district": "区县", "office": "单位"}

# Table-3 outcome groups (ids from the template) -> the group heading printed in the template.
GROUPS = {"granted": "予以公开", "partial": "部分公开", "denied": "不予公开", "unable": "无法提供",
          "rejected": "不予处理", "other": "其他处理"}
T4_BLOCKS = {r.key: r.label for r in T.T4.rows}
T4_COLS = {c.key: c.label for c in T.T4_COLUMNS}
T3_COLS = {c.key: c.label for c in T.T3_COLUMNS}

assert set(GROUPS) == set(T.T3_OUTCOME_GROUPS)


def key_version(key: str) -> str:
    """A template version that has this key (t3/t4 keys are shared; the latest one labels them)."""
    return next((v for v in reversed(T.VERSIONS) if key in T.keys(v)), T.VERSIONS[0])


def key_label(key: str, version: str | None = None) -> str:
    return T.label(version or key_version(key), key)


# Display names for report_facts columns: canonical key columns + group columns.
COLUMN_LABELS: dict[str, str] = {col_name(k): key_label(k) for k in T.all_keys()}
for _g, _gl in GROUPS.items():
    for _c in T.T3_COLUMNS:
        COLUMN_LABELS[group_col(_g, _c.key)] = f"{_gl}（合计） · {_c.label}"
DIM_LABELS = {
    "report_id": "年报编号", "office_id": "单位编号", "office": "单位", "office_printed": "报告署名",
    "region_path": "地区", "province": "省", "city": "市", "district": "区县", "unit_type": "单位类型",
    "report_kind": "报告类型", "year": "年度", "template": "模板版本", "template_expected": "应用模板",
    "format": "格式", "published_on": "发布日期", "status": "解析状态", "source_path": "源文件",
    "n_inferred": "推断值数", "n_uncertain": "存疑值数", "n_reports": "年报数", "n_offices": "单位数",
    "grp": "分组", "rule": "规则", "severity": "严重程度", "message": "说明", "evidence": "证据",
    "score": "得分", "similarity": "相似度", "kind": "类别", "coverage": "报送情况", "deadline": "截止日期",
    "days_late": "逾期天数", "error_code": "错误代码", "error_message": "错误信息", "n": "数量",
    "file": "文件", "value": "数值", "raw": "原文", "unit": "单位", "note": "备注", "flag": "标记",
    "prov": "出处", "key": "键", "label": "项目", "measure": "指标", "other_report_id": "对照年报编号",
    "deductions": "扣分明细", "rule_name": "检查规则", "verdict": "检查结论", "advice": "处理办法",
    "needs_ocr_pages": "无文字层的页", "loaded_at": "导入时间", "region": "地区", "other_office": "对照单位",
    "other_year": "对照年度", "new_received": "新收申请", "total_processed": "办理总数", "cases": "复议诉讼案件",
    "corrected": "结果纠正", "review": "行政复议", "suits": "行政诉讼", "rate_disclosed": "实质公开率",
    "rate_not_held": "不掌握占比", "rate_corrected": "纠错率", "carried_forward": "结转下年",
    "projects": "采购项目数", "amount_wan": "采购总金额（万元）", "n_years": "年度数", "min_score": "最低得分",
    "variable": "指标", "section_no": "部分", "title": "标题", "text": "正文", "tbl": "表格", "code": "问题",
}


def label_of(col: str) -> str:
    return DIM_LABELS.get(col) or COLUMN_LABELS.get(col) or col


# code columns every table shows by their Chinese labels (ui.display applies them)
CODE_COLUMNS = {"unit_type": UNIT_TYPES, "report_kind": KINDS, "template": TEMPLATES,
                "template_expected": TEMPLATES, "format": FORMATS, "status": STATUS, "coverage": COVERAGE}


def label_codes(df):
    """A copy of a table with its code columns (CODE_COLUMNS) replaced by their labels."""
    out = df.copy()
    for c, mapping in CODE_COLUMNS.items():
        if c in out.columns and not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(lambda v, m=mapping: v if isinstance(v, str) and v in m.values()
                                else code_label(m, v))
    return out


def chinese_only(text) -> str:
    """A message for people: kept when it is Chinese; a technical English one (from a library) is dropped,
    the code's label says what happened."""
    if not isinstance(text, str) or not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "—"
    return text


def rule_name(rule_id) -> str:
    """Short Chinese name of a rule; a rule without one (added later) shows its registry description."""
    if rule_id in RULE_NAMES:
        return RULE_NAMES[rule_id]
    from etl.rules import RULES
    r = RULES.get(rule_id)
    return r.description if r is not None else str(rule_id)


def rule_description(rule_id) -> str:
    from etl.rules import RULES
    r = RULES.get(rule_id)
    return r.description if r is not None else ""


def code_label(mapping: dict, code, unknown: str = "未知") -> str:
    """A code's Chinese label; a missing code reads 未知 and an unmapped one is shown as it is."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return unknown
    return mapping.get(code, str(code))


_EVIDENCE_LABELS = {
    "n_checked": "检查项数", "n_failed": "未通过项数", "n_uncertain": "不确定项数", "found": "已识别的部分",
    "missing": "缺少的部分", "year": "年度", "template": "模板", "template_expected": "应用模板",
    "missing_tables": "缺少的表格", "missing_rows": "缺少的行", "published_on": "发布日期", "deadline": "截止日期",
    "report_kind": "报告类型", "topics": "涉及方面", "needs_ocr_pages": "待识别页", "section6": "第六部分",
    "prev_year": "上一年度", "prev_file": "上一年度文件", "n_compared": "比较的数值个数",
    "n_nonzero": "非零数值个数", "similarity": "相似度", "other_year": "对照年度", "other_file": "对照文件",
    "other_office": "对照单位", "expected_years": "应报年度", "received_years": "已收到年度", "office": "单位",
    "cells": "相关单元格", "keys": "相关项目",
}
_EVIDENCE_SKIP = {"checks", "measure", "other_report_id", "office_id", "source"}


def _ev_value(k, v) -> str:
    if v is None or v == [] or v == "":
        return "无"
    if k in ("prev_file", "other_file"):
        return PurePath(str(v)).name
    if k == "similarity":
        return pct(v)
    if k == "template" or k == "template_expected":
        return TEMPLATES.get(str(v), str(v))
    if k == "report_kind":
        return KINDS.get(v, str(v))
    if k == "office" and isinstance(v, dict):
        return str(v.get("name") or "—")
    if k == "cells" and isinstance(v, list):
        parts = []
        for c in v[:8]:
            if isinstance(c, dict):
                val = c.get("value")
                shown = "空白" if val is None else num(val, 2)
                parts.append(f"{c.get('label') or key_label(c.get('key', ''))}={shown}")
        return "，".join(parts) + ("…" if len(v) > 8 else "")
    if k == "keys" and isinstance(v, list):
        return "、".join(key_label(x) if x in T.all_keys() else str(x) for x in v[:8])
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    if isinstance(v, dict):
        return "，".join(f"{_EVIDENCE_LABELS.get(a, a)}：{_ev_value(a, b)}" for a, b in v.items()
                        if a in _EVIDENCE_LABELS)
    if isinstance(v, float):
        return num(v, 2)
    return str(v)


def evidence_text(ev) -> str:
    """Evidence of a finding (JSON) as a short Chinese sentence; technical fields are left out."""
    if ev is None or (isinstance(ev, float) and math.isnan(ev)):
        return ""
    if isinstance(ev, str):
        try:
            ev = json.loads(ev)
        except ValueError:
            return ev
    if isinstance(ev, dict):
        return "；".join(f"{_EVIDENCE_LABELS[k]}：{_ev_value(k, v)}" for k, v in ev.items()
                        if k in _EVIDENCE_LABELS and k not in _EVIDENCE_SKIP)
    return _ev_value("", ev)


def num(v, digits: int = 0) -> str:
    """Chinese style: 1.20亿, 3.41万, 9,876."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    v = float(v)
    a = abs(v)
    if a >= 1e8:
        return f"{v / 1e8:.2f}亿"
    if a >= 1e4:
        return f"{v / 1e4:.2f}万"
    if digits == 0 and float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.{max(digits, 1)}f}"


def wan(v) -> str:
    """An amount already in 万元."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    v = float(v)
    if abs(v) >= 1e4:
        return f"{v / 1e4:,.2f}亿元"
    return f"{v:,.2f}万元"


def pct(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v) * 100:.{digits}f}%"


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def delta(cur, prev) -> str | None:
    """Change vs previous year for st.metric: '+12 +3%', '-26 -40%', or '0'.

    Streamlit picks the arrow from the first character: a decrease must start with an ASCII '-' (a
    typographic minus reads as an increase), and only the string '0' is drawn as no change."""
    if _missing(cur) or _missing(prev):
        return None
    d = float(cur) - float(prev)
    if d == 0:
        return "0"
    rel = f" {d / float(prev) * 100:+.0f}%" if prev else ""
    return f"{'+' if d > 0 else '-'}{num(abs(d))}{rel}"


def delta_points(cur, prev) -> str | None:
    """Change of a share in percentage points, signed for st.metric ('0' when it rounds to no change)."""
    if _missing(cur) or _missing(prev):
        return None
    d = round((float(cur) - float(prev)) * 100, 1)
    if d == 0:
        return "0"
    return f"{'+' if d > 0 else '-'}{abs(d):.1f} 个百分点"


def years_label(years) -> str:
    ys = sorted(years)
    if not ys:
        return "全部年度"
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}年"
    return "、".join(f"{y}年" for y in ys)
