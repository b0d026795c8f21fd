"""The national report template, as data.

Everything that needs to know what a report contains — parsers, rules, the loader, the dashboard —
reads it from here. Canonical keys follow SPEC §3–§5: ``t2.<row>.<col>``, ``t3.<row>.<col>``,
``t4.<block>.<col>``. No key string is spelled anywhere else.

Matching of printed labels goes through :func:`norm`, which folds the variations seen in real reports
(full-width/ASCII punctuation, spaces and line breaks inside labels, 社会组织 for 社会公益组织).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

VERSIONS = ("2019", "2021")


def template_for_year(year: int | None) -> str | None:
    """The template a report of this year must use (SPEC §1)."""
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


# ---------------------------------------------------------------------------------------------
# Label normalisation
# ---------------------------------------------------------------------------------------------
_PUNCT = str.maketrans({
    "(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "“": "\"", "”": "\"", "‘": "'", "’": "'",
    "．": ".", "、": "、", "—": "-", "–": "-", "－": "-", "〔": "[", "〕": "]", "［": "[", "］": "]",
})
_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Fold a printed label to a comparable form: NFKC digits, CJK parentheses, no whitespace."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits/letters -> ASCII; also ( ) -> ( )
    text = text.translate(_PUNCT)
    return _SPACE.sub("", text)


# ---------------------------------------------------------------------------------------------
# Sections (SPEC §2)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionSpec:
    number: int
    numeral: str
    key: str
    title: str
    keywords: tuple[str, ...]  # at least one must appear in a heading (after norm)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(1, "一", "overview", "总体情况", ("总体情况", "概述", "基本情况")),
    SectionSpec(2, "二", "proactive", "主动公开政府信息情况", ("主动公开",)),
    SectionSpec(3, "三", "requests", "收到和处理政府信息公开申请情况", ("收到和处理", "依申请", "公开申请情况")),
    SectionSpec(4, "四", "review_litigation", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼")),
    SectionSpec(5, "五", "problems", "存在的主要问题及改进情况", ("存在的主要问题", "主要问题", "改进情况")),
    SectionSpec(6, "六", "other", "其他需要报告的事项", ("其他需要报告", "其他事项")),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# The five sub-topics section 一 should cover (SPEC §7 CONTENT-1).
OVERVIEW_TOPICS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障")


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | signed | amount
    unit: str | None = None  # canonical unit of the value, e.g. 万元


@dataclass(frozen=True)
class Row:
    key: str
    label: str  # as printed in the national template
    keywords: tuple[str, ...]  # normalised fragments that identify the row; the longest match wins
    group: str | None = None  # table 3 outcome group (granted/partial/denied/unable/rejected/other)
    block: str | None = None  # table 2 block label, e.g. 第二十条第（一）项
    mentions: tuple[str, ...] = ()  # words a narrative clause uses when it states this row's figures


@dataclass(frozen=True)
class TableSpec:
    number: int  # 2, 3 or 4
    version: str
    rows: tuple[Row, ...]
    columns: dict[str, tuple[Column, ...]]  # row key -> its columns (table 2 rows differ)

    def keys(self) -> list[str]:
        return [f"t{self.number}.{r.key}.{c.key}" for r in self.rows for c in self.columns[r.key]]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


def _cols(*spec: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


# Table 2, v2019 -------------------------------------------------------------------------------
_V19_DOCS = _cols(("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"),
                  ("total_published", "对外公开总数量"))
_V19_ITEMS = _cols(("prev_items", "上一年项目数量"), ("change", "本年增/减", "signed"),
                   ("decisions", "处理决定数量"))
_V19_FEES = _cols(("prev_items", "上一年项目数量"), ("change", "本年增/减", "signed"))
_V19_PROC = _cols(("projects", "采购项目数量"), ("amount_wan", "采购总金额", "amount", "万元"))

_B1, _B5, _B6, _B8, _B9 = ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                           "第二十条第（八）项", "第二十条第（九）项")

T2_2019 = TableSpec(2, "2019", (
    Row("regulations", "规章", ("规章",), block=_B1, mentions=("规章",)),
    Row("normative_docs", "规范性文件", ("规范性文件",), block=_B1, mentions=("规范性文件",)),
    Row("licensing", "行政许可", ("行政许可",), block=_B5, mentions=("许可",)),
    Row("other_services", "其他对外管理服务事项", ("其他对外管理服务事项", "对外管理服务", "其他对外管理"), block=_B5,
        mentions=("对外管理服务",)),
    Row("penalty", "行政处罚", ("行政处罚",), block=_B6, mentions=("处罚",)),
    Row("coercion", "行政强制", ("行政强制",), block=_B6, mentions=("强制",)),
    Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), block=_B8, mentions=("收费",)),
    Row("procurement", "政府集中采购", ("政府集中采购", "集中采购"), block=_B9, mentions=("采购",)),
), {
    "regulations": _V19_DOCS, "normative_docs": _V19_DOCS,
    "licensing": _V19_ITEMS, "other_services": _V19_ITEMS,
    "penalty": _V19_ITEMS, "coercion": _V19_ITEMS,
    "fees": _V19_FEES, "procurement": _V19_PROC,
})

# Table 2, v2021 -------------------------------------------------------------------------------
_V21_DOCS = _cols(("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))
_V21_DEC = _cols(("decisions", "本年处理决定数量"),)
_V21_FEES = _cols(("amount_wan", "本年收费金额（单位：万元）", "amount", "万元"),)

T2_2021 = TableSpec(2, "2021", (
    Row("regulations", "规章", ("规章",), block=_B1, mentions=("规章",)),
    Row("normative_docs", "行政规范性文件", ("行政规范性文件", "规范性文件"), block=_B1,
        mentions=("规范性文件",)),
    Row("licensing", "行政许可", ("行政许可",), block=_B5, mentions=("许可",)),
    Row("penalty", "行政处罚", ("行政处罚",), block=_B6, mentions=("处罚",)),
    Row("coercion", "行政强制", ("行政强制",), block=_B6, mentions=("强制",)),
    Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), block=_B8, mentions=("收费",)),
), {
    "regulations": _V21_DOCS, "normative_docs": _V21_DOCS,
    "licensing": _V21_DEC, "penalty": _V21_DEC, "coercion": _V21_DEC, "fees": _V21_FEES,
})

# Table 3 --------------------------------------------------------------------------------------
T3_COLUMNS = _cols(
    ("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
    ("social_welfare", "社会公益组织"), ("legal_service", "法律服务机构"), ("other_org", "其他"),
    ("total", "总计"),
)
T3_APPLICANT_COLUMNS = tuple(c.key for c in T3_COLUMNS if c.key != "total")
# Printed variants of column labels (after norm).
T3_COLUMN_VARIANTS = {"social_welfare": ("社会公益组织", "社会组织")}

_T3_HEAD = (
    Row("new_received", "一、本年新收政府信息公开申请数量", ("本年新收", "新收政府信息公开申请")),
    Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Row("granted", "（一）予以公开", ("予以公开",), group="granted"),
    Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("部分公开",), group="partial"),
    Row("denied_state_secret", "1.属于国家秘密", ("国家秘密",), group="denied"),
    Row("denied_law_prohibited", "2.其他法律行政法规禁止公开", ("法律行政法规禁止", "禁止公开", "其他法律", "行政法规"),
        group="denied"),
    Row("denied_safety_stability", "3.危及“三安全一稳定”", ("三安全一稳定", "危及"), group="denied"),
    Row("denied_third_party", "4.保护第三方合法权益", ("第三方",), group="denied"),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", ("内部事务",), group="denied"),
    Row("denied_process_info", "6.属于四类过程性信息", ("过程性",), group="denied"),
    Row("denied_enforcement_file", "7.属于行政执法案卷", ("执法案卷",), group="denied"),
    Row("denied_admin_query", "8.属于行政查询事项", ("行政查询",), group="denied"),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), group="unable"),
    Row("unable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), group="unable"),
    Row("unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后"), group="unable"),
    Row("rejected_petition", "1.信访举报投诉类申请", ("信访", "举报投诉"), group="rejected"),
    Row("rejected_repeat", "2.重复申请", ("重复申请",), group="rejected"),
    Row("rejected_publication", "3.要求提供公开出版物", ("公开出版物",), group="rejected"),
    Row("rejected_excessive", "4.无正当理由大量反复申请", ("大量反复",), group="rejected"),
    Row("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或"), group="rejected"),
)
_T3_TAIL = (
    Row("total_processed", "（七）总计", ("总计",)),
    Row("carried_forward", "四、结转下年度继续办理", ("结转下年度", "下年度继续")),
)
T3_2019 = TableSpec(3, "2019", _T3_HEAD + (
    Row("other", "（六）其他处理", ("其他处理",), group="other"),
) + _T3_TAIL, {})
T3_2021 = TableSpec(3, "2021", _T3_HEAD + (
    Row("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正", "不补正"), group="other"),
    Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("收费通知", "缴纳费用"), group="other"),
    # "3.其他" has no distinctive words; the reader anchors it by the pattern below and by order.
    Row("other_misc", "3.其他", ("3.其他",), group="other"),
) + _T3_TAIL, {})
for _t in (T3_2019, T3_2021):
    _t.columns.update({r.key: T3_COLUMNS for r in _t.rows})
# Reports of 2021 and later whose table 3 still prints the 2019 single （六）其他处理 row: read what is
# printed, under the 2019 key ``other`` (SPEC §4 maps it to the three 2021 rows for series).
T3_2021_OLD_OTHER = TableSpec(3, "2021", T3_2021.rows[:-2] + (T3_2019.row("other"),) + T3_2021.rows[-2:],
                              {r.key: T3_COLUMNS for r in T3_2021.rows + (T3_2019.row("other"),)})

# Rows that count toward total_processed (the outcome rows).
T3_OUTCOME_GROUPS = ("granted", "partial", "denied", "unable", "rejected", "other")

# Table 4 --------------------------------------------------------------------------------------
T4_COLUMNS = _cols(("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                   ("pending", "尚未审结"), ("total", "总计"))
T4 = TableSpec(4, "any", (
    Row("review", "行政复议", ("行政复议",)),
    Row("suit_direct", "行政诉讼·未经复议直接起诉", ("未经复议直接起诉", "直接起诉")),
    Row("suit_after_review", "行政诉讼·复议后起诉", ("复议后起诉",)),
), {})
T4.columns.update({r.key: T4_COLUMNS for r in T4.rows})

TABLES: dict[str, dict[int, TableSpec]] = {
    "2019": {2: T2_2019, 3: T3_2019, 4: T4},
    "2021": {2: T2_2021, 3: T3_2021, 4: T4},
}

# Fingerprints (SPEC §3): normalised fragments that only one version prints.
FINGERPRINTS: dict[str, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "第二十条第（九）项", "政府集中采购", "采购总金额"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "逾期不补正", "本年收费金额", "有效件数", "制发件数"),
}

# Which document-number the templates were issued under (a v2021 report citing 60号 is suspicious).
TEMPLATE_DOCS = {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}

REPORT_KINDS = ("department", "gov_self", "region_summary")


# ---------------------------------------------------------------------------------------------
# Key helpers
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def keys(version: str) -> tuple[str, ...]:
    """Every canonical key of a template version, in printed order."""
    return tuple(k for n in (2, 3, 4) for k in TABLES[version][n].keys())


@lru_cache(maxsize=None)
def all_keys() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in VERSIONS:
        for k in keys(v):
            seen.setdefault(k, None)
    return tuple(seen)


def split_key(key: str) -> tuple[int, str, str]:
    """'t3.granted.total' -> (3, 'granted', 'total')."""
    t, row, col = key.split(".")
    return int(t[1:]), row, col


def make_key(table: int, row: str, col: str) -> str:
    return f"t{table}.{row}.{col}"


def column(version: str, key: str) -> Column:
    table, row, col = split_key(key)
    return next(c for c in TABLES[version][table].columns[row] if c.key == col)


def label(version: str, key: str) -> str:
    """Human label of a key in Chinese, e.g. '予以公开 · 自然人'."""
    table, row, col = split_key(key)
    spec = TABLES[version][table]
    r = spec.row(row)
    c = column(version, key)
    return f"{r.label} · {c.label}"


def t3_outcome_rows(version: str, old_other: bool = False) -> tuple[str, ...]:
    """Outcome rows of table 3; ``old_other``: a 2021 report printing the 2019 single 其他处理 row."""
    if old_other:
        return t3_outcome_rows("2019")
    return tuple(r.key for r in TABLES[version][3].rows if r.group in T3_OUTCOME_GROUPS)


def other_keys_2021() -> tuple[str, ...]:
    """v2021 rows that together correspond to v2019 ``other`` (SPEC §4)."""
    return ("other_overdue_correction", "other_unpaid_fee", "other_misc")
