"""Derived measures, defined once from the template: the key volumes and the two rates supervisors quote.

Each measure can be computed for one report from its values (``value(values)``, a mapping canonical key ->
number or None) and, summed over many reports, in SQL over the ``report_facts`` columns (``sql()``).
Blank cells count as 0 inside a sum (SPEC §6: aggregates may treat empty as 0) but a measure whose cells
are all blank is None, and a rate whose denominator is 0 or blank is None — never a made-up 0 %.

The rates are the ones the dashboard pages explain (app_pages/requests.py, app_pages/review.py):
  实质公开率 = （予以公开 + 部分公开）÷ 办理结果总计
  纠错率     = 结果纠正 ÷（总计 − 尚未审结），表四三个部分合计
  不掌握占比 = 本机关不掌握相关政府信息 ÷ 办理结果总计
  按时率     = 按期发布的年报 ÷ 能判断是否按期的年报（合规检查 TIMELY 的 PASS ÷ (PASS + FAIL)）
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from etl import template as T
from etl.columns import col_name

_T3 = T.TABLES[T.latest()][3]  # table 3 rows used here have the same keys in every version
_TOT = T.T3_TOTAL_COLUMN
_T4_BLOCKS = [r.key for r in T.T4.rows]
_T4_UPHELD, _T4_CORRECTED, _T4_OTHER, _T4_PENDING, _T4_TOTAL = (c.key for c in T.T4_COLUMNS)


def _t3(group_or_row: str) -> str:
    row = next((r.key for r in _T3.rows if r.group == group_or_row), group_or_row)
    key = T.make_key(3, row, _TOT)
    assert all(key in T.keys(v) for v in T.VERSIONS), key
    return key


def _col(key: str) -> str:
    return col_name(key)


def _sum(values: Mapping[str, float | None], keys) -> float | None:
    got = [values.get(k) for k in keys]
    if all(v is None for v in got):
        return None
    return float(sum(v for v in got if v is not None))


def _filter(where: str | None) -> str:
    return f" FILTER (WHERE {where})" if where else ""


def _sql_sum(keys) -> str:
    return " + ".join(f"coalesce({_col(k)}, 0)" for k in keys)


@dataclass(frozen=True)
class Volume:
    id: str
    label: str
    keys: tuple[str, ...]
    same_template: bool = False  # table 2 measures differ between the 2019 and 2021 templates (SPEC §3)
    universal: bool = False      # every office has some, whatever its function (not so: 行政处罚, 复议诉讼)

    def value(self, values: Mapping[str, float | None]) -> float | None:
        return _sum(values, self.keys)

    def sql(self) -> str:
        """Sum over rows of report_facts (NULL when every cell is blank)."""
        any_v = " OR ".join(f"{_col(k)} IS NOT NULL" for k in self.keys)
        return f"sum(CASE WHEN {any_v} THEN {_sql_sum(self.keys)} END)"


@dataclass(frozen=True)
class Rate:
    id: str
    label: str
    formula: str
    num: tuple[str, ...]
    den: tuple[str, ...]
    den_minus: tuple[str, ...] = ()

    def parts(self, values: Mapping[str, float | None]) -> tuple[float | None, float | None]:
        n, d = _sum(values, self.num), _sum(values, self.den)
        if d is not None and self.den_minus:
            d -= _sum(values, self.den_minus) or 0.0
        return n, d

    def value(self, values: Mapping[str, float | None]) -> float | None:
        n, d = self.parts(values)
        if n is None or not d or d <= 0:
            return None
        return n / d

    def num_sql(self, where: str | None = None) -> str:
        return f"sum({_sql_sum(self.num)}){_filter(where)}"

    def den_sql(self, where: str | None = None) -> str:
        minus = f" - ({_sql_sum(self.den_minus)})" if self.den_minus else ""
        return f"sum({_sql_sum(self.den)}{minus}){_filter(where)}"

    def sql(self, where: str | None = None) -> str:
        """The rate over rows of report_facts (those satisfying `where`, an SQL condition, when given)."""
        return f"{self.num_sql(where)} / nullif({self.den_sql(where)}, 0)"


DISCLOSED = Rate("disclosed", "实质公开率", "（予以公开 + 部分公开）÷ 办理结果总计",
                 num=(_t3("granted"), _t3("partial")), den=(_t3(T.T3_TOTAL_PROCESSED_ROW),))
CORRECTED = Rate("corrected", "纠错率", "结果纠正 ÷（总计 − 尚未审结）",
                 num=tuple(T.make_key(4, b, _T4_CORRECTED) for b in _T4_BLOCKS),
                 den=tuple(T.make_key(4, b, _T4_TOTAL) for b in _T4_BLOCKS),
                 den_minus=tuple(T.make_key(4, b, _T4_PENDING) for b in _T4_BLOCKS))
NOT_HELD = Rate("not_held", "不掌握占比", "本机关不掌握相关政府信息 ÷ 办理结果总计",
                num=(_t3("unable"),), den=(_t3(T.T3_TOTAL_PROCESSED_ROW),))  # first "unable" row: 本机关不掌握
# 纠错率 of each part of table 4 (行政复议, 行政诉讼 未经复议, 行政诉讼 复议后起诉), shown beside its count
CORRECTED_BY_BLOCK = {b: Rate(f"corrected_{b}", "纠错率", CORRECTED.formula,
                              num=(T.make_key(4, b, _T4_CORRECTED),), den=(T.make_key(4, b, _T4_TOTAL),),
                              den_minus=(T.make_key(4, b, _T4_PENDING),)) for b in _T4_BLOCKS}
# the rates the anomaly checks and the 通报 watch (NOT_HELD is shown by the dashboard only)
RATES = {r.id: r for r in (DISCLOSED, CORRECTED)}


@dataclass(frozen=True)
class FindingRate:
    """Share of reports passing one compliance rule, over the ``findings`` rows of that rule (one per report);
    reports the rule could not assess (no date, no deadline) are in neither part."""
    id: str
    label: str
    formula: str
    rule: str

    def sql(self, prefix: str = "") -> str:
        r, st = f"{prefix}rule = '{self.rule}'", f"{prefix}status"
        return (f"count(*) FILTER (WHERE {r} AND {st} = 'PASS') / "
                f"nullif(count(*) FILTER (WHERE {r} AND {st} IN ('PASS', 'FAIL')), 0)")


ON_TIME = FindingRate("on_time", "按时率", "按期发布的年报 ÷ 能判断是否按期的年报", "TIMELY")

NEW_RECEIVED = Volume("new_received", "本年新收政府信息公开申请数", (_t3(T.T3_NEW_RECEIVED),), universal=True)
PROCESSED = Volume("processed", "办理结果总计", (_t3(T.T3_TOTAL_PROCESSED_ROW),), universal=True)
CASES = Volume("cases", "行政复议和行政诉讼案件数", tuple(T.make_key(4, b, _T4_TOTAL) for b in _T4_BLOCKS))
LICENSING = Volume("licensing", "行政许可处理决定数", (T.make_key(2, "licensing", "decisions"),), same_template=True)
PENALTY = Volume("penalty", "行政处罚处理决定数", (T.make_key(2, "penalty", "decisions"),), same_template=True)
# the volumes the anomaly checks watch (etl/rules/anomaly.py) and the 通报 compares year over year
VOLUMES = {v.id: v for v in (NEW_RECEIVED, PROCESSED, CASES, LICENSING, PENALTY)}

for _v in VOLUMES.values():
    for _k in _v.keys:
        assert any(_k in T.keys(ver) for ver in T.VERSIONS), _k


def needed_keys() -> list[str]:
    """Every canonical key some measure reads."""
    ks = [k for v in VOLUMES.values() for k in v.keys]
    ks += [k for r in RATES.values() for k in r.num + r.den + r.den_minus]
    return list(dict.fromkeys(ks))
