"""The 2021 template (国办公开办函〔2021〕30号), used for the reports of 2021 and later."""
from __future__ import annotations

from . import v2019
from .model import Row, TableSpec, Version, cols
from .shared import B1, B5, B6, B8, SECTIONS, T3_COLUMNS, T3_HEAD, T3_TAIL, T4
from .v2019 import SINGLE_OTHER, T3_2019

# Table 2 --------------------------------------------------------------------------------------
_DOCS = cols(("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))
_DEC = cols(("decisions", "本年处理决定数量"),)
_FEES = cols(("amount_wan", "本年收费金额（单位：万元）", "amount", "万元"),)

T2_2021 = TableSpec(2, "2021", (
    Row("regulations", "规章", ("规章",), block=B1, mentions=("规章",)),
    Row("normative_docs", "行政规范性文件", ("行政规范性文件", "规范性文件"), block=B1,
        mentions=("规范性文件",)),
    Row("licensing", "行政许可", ("行政许可",), block=B5, mentions=("许可",)),
    Row("penalty", "行政处罚", ("行政处罚",), block=B6, mentions=("处罚",)),
    Row("coercion", "行政强制", ("行政强制",), block=B6, mentions=("强制",)),
    Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), block=B8, mentions=("收费",)),
), {
    "regulations": _DOCS, "normative_docs": _DOCS,
    "licensing": _DEC, "penalty": _DEC, "coercion": _DEC, "fees": _FEES,
})

# Table 3 --------------------------------------------------------------------------------------
T3_2021 = TableSpec(3, "2021", T3_HEAD + (
    Row("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正", "不补正"), group="other"),
    Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("收费通知", "缴纳费用"), group="other"),
    # "3.其他" has no distinctive words; the reader anchors it by the pattern below and by order.
    Row("other_misc", "3.其他", ("3.其他",), group="other"),
) + T3_TAIL, {})
T3_2021.columns.update({r.key: T3_COLUMNS for r in T3_2021.rows})
# Reports of 2021 and later whose table 3 still prints the 2019 single （六）其他处理 row: read what is
# printed, under the 2019 key ``other`` (SPEC §4 maps it to the three 2021 rows for series).
T3_2021_OLD_OTHER = TableSpec(3, "2021", T3_2021.rows[:-2] + (T3_2019.row(SINGLE_OTHER),) + T3_2021.rows[-2:],
                              {r.key: T3_COLUMNS for r in T3_2021.rows + (T3_2019.row(SINGLE_OTHER),)})

# Normalised fragments that only this version prints (SPEC §3).
FINGERPRINT = ("本年制发件数", "本年废止件数", "现行有效件数", "逾期不补正", "本年收费金额", "有效件数", "制发件数")
TEMPLATE_DOC = "国办公开办函〔2021〕30号"


def t2_row_holds(named: dict) -> bool:
    """现行有效 + 本年废止 ≥ 本年制发: what was issued this year is still in force or was repealed."""
    return not ("issued" in named and named["in_force"] + named["repealed"] < named["issued"])


def t2_row_plausible(named: dict, units: dict) -> bool:
    if "issued" in named:  # stock of valid documents covers this year's issues and repeals
        return named["issued"] <= named["in_force"] and named["repealed"] <= named["in_force"]
    return True


VERSION = Version("2021", 2021, {2: T2_2021, 3: T3_2021, 4: T4}, FINGERPRINT, TEMPLATE_DOC, SECTIONS,
                  t3_single_other=T3_2021_OLD_OTHER, amount_unit_stated=True, document_stock=True,
                  outdated_documents=(v2019.TEMPLATE_DOC,), t2_row_holds=t2_row_holds,
                  t2_row_plausible=t2_row_plausible)
