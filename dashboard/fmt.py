"""Chinese labels and number formatting. Canonical keys and template labels come from etl.template."""
from __future__ import annotations

import math

from etl import template as T
from etl.marts import col_name, group_col

# One colour-blind-safe palette (Okabe–Ito) for every chart.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQ_SCALE = "Blues"

UNIT_TYPES = {"government": "人民政府", "general_office": "政府办公室", "department": "政府部门",
              "township": "乡镇/街道", "dev_zone": "开发区", "other": "其他"}
KINDS = {"department": "部门报告", "gov_self": "本级政府报告", "region_summary": "区域汇总报告"}
TEMPLATES = {"2019": "2019版模板", "2021": "2021版模板"}
STATUS = {"ok": "解析正常", "partial": "部分解析", "failed": "解析失败"}
COVERAGE = {"ok": "按时", "late": "逾期", "missing": "缺失", "failed": "解析失败", "unknown": "日期不明"}
COVERAGE_CODE = {"missing": 0, "failed": 1, "late": 2, "unknown": 3, "ok": 4}
SEVERITY = {"E": "错误", "W": "警告"}
FINDING_STATUS = {"PASS": "通过", "FAIL": "不通过", "UNCERTAIN": "不确定", "NOT_ASSESSABLE": "无法评估"}
CELL_KIND = {"number": "数值", "zero": "零", "empty": "空白", "na": "不适用", "text": "文字", "missing": "缺失"}
CELL_FLAG = {"inferred": "推断", "uncertain": "存疑"}
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
    """A template version that has this key (t3/t4 keys are shared; prefer 2021 for labels)."""
    return "2021" if key in T.keys("2021") else "2019"


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
    "deductions": "扣分明细",
}


def label_of(col: str) -> str:
    return DIM_LABELS.get(col) or COLUMN_LABELS.get(col) or col


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


def delta(cur, prev) -> str | None:
    """Change vs previous year for st.metric: '+12（+3.4%）'."""
    if cur is None or prev is None or (isinstance(prev, float) and math.isnan(prev)) \
            or (isinstance(cur, float) and math.isnan(cur)):
        return None
    d = float(cur) - float(prev)
    rel = f" {d / float(prev) * 100:+.0f}%" if prev else ""
    return f"{'+' if d >= 0 else '−'}{num(abs(d))}{rel}"


def years_label(years) -> str:
    ys = sorted(years)
    if not ys:
        return "全部年度"
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}年"
    return "、".join(f"{y}年" for y in ys)
