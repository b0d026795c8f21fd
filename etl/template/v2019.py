"""The 2019 template (国办公开办函〔2019〕60号), used for the reports of 2019 and 2020."""
from __future__ import annotations

from .model import Row, TableSpec, Version, cols
from .shared import B1, B5, B6, B8, B9, SECTIONS, T3_COLUMNS, T3_HEAD, T3_TAIL, T4

# Table 2 --------------------------------------------------------------------------------------
_DOCS = cols(("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"),
             ("total_published", "对外公开总数量"))
_ITEMS = cols(("prev_items", "上一年项目数量"), ("change", "本年增/减", "signed"),
              ("decisions", "处理决定数量"))
_FEES = cols(("prev_items", "上一年项目数量"), ("change", "本年增/减", "signed"))
PROCUREMENT = "procurement"
_PROC = cols(("projects", "采购项目数量"), ("amount_wan", "采购总金额", "amount", "万元"))

T2_2019 = TableSpec(2, "2019", (
    Row("regulations", "规章", ("规章",), block=B1, mentions=("规章",)),
    Row("normative_docs", "规范性文件", ("规范性文件",), block=B1, mentions=("规范性文件",)),
    Row("licensing", "行政许可", ("行政许可",), block=B5, mentions=("许可",)),
    Row("other_services", "其他对外管理服务事项", ("其他对外管理服务事项", "对外管理服务", "其他对外管理"), block=B5,
        mentions=("对外管理服务",)),
    Row("penalty", "行政处罚", ("行政处罚",), block=B6, mentions=("处罚",)),
    Row("coercion", "行政强制", ("行政强制",), block=B6, mentions=("强制",)),
    Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), block=B8, mentions=("收费",)),
    Row(PROCUREMENT, "政府集中采购", ("政府集中采购", "集中采购"), block=B9, mentions=("采购",)),
), {
    "regulations": _DOCS, "normative_docs": _DOCS,
    "licensing": _ITEMS, "other_services": _ITEMS,
    "penalty": _ITEMS, "coercion": _ITEMS,
    "fees": _FEES, PROCUREMENT: _PROC,
})

# Table 3 --------------------------------------------------------------------------------------
# The single row that v2021 splits into three (SPEC §4).
SINGLE_OTHER = "other"
T3_2019 = TableSpec(3, "2019", T3_HEAD + (
    Row(SINGLE_OTHER, "（六）其他处理", ("其他处理",), group="other"),
) + T3_TAIL, {})
T3_2019.columns.update({r.key: T3_COLUMNS for r in T3_2019.rows})

# Normalised fragments that only this version prints (SPEC §3).
FINGERPRINT = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "第二十条第（九）项", "政府集中采购", "采购总金额")
TEMPLATE_DOC = "国办公开办函〔2019〕60号"


def t2_row_holds(named: dict) -> bool:
    """对外公开总数量 includes 本年新公开数量; 上一年项目数量 + 本年增/减 ≥ 0."""
    if "new_published" in named and named["new_published"] > named["total_published"]:
        return False
    if "prev_items" in named and "change" in named and named["prev_items"] + named["change"] < 0:
        return False
    return True


def t2_row_plausible(named: dict, units: dict) -> bool:
    if "change" in named and named.get("prev_items", 0) > 0:
        return abs(named["change"]) <= named["prev_items"]
    if "projects" in named and named["projects"] > 0:
        # an average purchase between 1万元 and 5000万元
        per = named["amount_wan"] / named["projects"]
        return {"元": 1e4 <= per <= 5e7, "万元": 1 <= per <= 5e3}.get(units["amount_wan"], True)
    return True


VERSION = Version("2019", 2019, {2: T2_2019, 3: T3_2019, 4: T4}, FINGERPRINT, TEMPLATE_DOC, SECTIONS,
                  t2_row_holds=t2_row_holds, t2_row_plausible=t2_row_plausible)
