"""What the dashboard shows is right and readable (issue 14): the year filter on 报送情况, KPI arrows, unread
scans, the findings chart, template-mixed table-2 years, one time frame on 总览, Chinese labels, exports.
AppTest over the demo warehouse (示例省 / 青川市); every expected figure comes from SQL over the warehouse."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from test_app import app, metric, parse_num, sql  # noqa: F401


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def _frames(at):
    return [d.value for d in at.dataframe]


def _arr(v):
    """A plotly array from a figure spec (plain list, or typed binary {dtype, bdata})."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _plots(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


# -- 14.1 报送情况 follows the year filter ------------------------------------------------------------
def test_coverage_follows_year_filter(demo_db, use_db):
    use_db(demo_db)
    at = app("compliance", {"prov": "示例省", "city": "青川市", "year": "2024"})
    assert not at.exception, [e.message for e in at.exception]
    want = dict(sql(demo_db, "SELECT coverage, count(*) FROM mart_coverage WHERE city = '青川市' AND year = 2024 "
                             "GROUP BY ALL"))
    every_year = dict(sql(demo_db, "SELECT coverage, count(*) FROM mart_coverage WHERE city = '青川市' GROUP BY ALL"))
    assert every_year.get("late", 0) != want.get("late", 0)  # the filter matters on this data
    assert parse_num(metric(at, "缺失")) == want.get("missing", 0)
    assert parse_num(metric(at, "逾期")) == want.get("late", 0)
    detail = next(df for df in _frames(at) if "报送情况" in df.columns)
    assert set(detail["年度"]) == {2024}
    assert len(detail) == want.get("missing", 0) + want.get("late", 0) + want.get("failed", 0)


def test_coverage_heatmap_legend_matches_cells():
    from dashboard import charts, fmt
    mat = pd.DataFrame({2023: [fmt.COVERAGE_CODE["late"], fmt.COVERAGE_CODE["ok"]],
                        2024: [fmt.COVERAGE_CODE["missing"], fmt.COVERAGE_CODE["late"]]}, index=["甲局", "乙局"])
    fig = charts.heatmap(mat)
    heat = fig.data[0]
    legend = {t.name: t.marker.color for t in fig.data[1:]}
    assert legend == {"按时": fmt.COVERAGE_COLORS["ok"], "逾期": fmt.COVERAGE_COLORS["late"],
                      "缺失": fmt.COVERAGE_COLORS["missing"]}
    # the colour a cell gets: its code's position on the scale, which must fall inside that code's band
    lo, hi = heat.zmin, heat.zmax
    for k in ("late", "missing", "ok"):
        pos = (fmt.COVERAGE_CODE[k] - lo) / (hi - lo)
        bands = [(p, c) for p, c in heat.colorscale]
        inside = {c for (p0, c), (p1, _) in zip(bands, bands[1:]) if p0 < pos < p1}
        assert inside == {fmt.COVERAGE_COLORS[k]}, (k, pos, inside)


# -- 14.2 KPI arrows ----------------------------------------------------------------------------------
def test_kpi_deltas_point_the_right_way(demo_db, use_db):
    from dashboard import queries as Q
    use_db(demo_db)
    at = app()
    year = sql(demo_db, "SELECT max(year) FROM report_facts")[0][0]

    def cases(y):
        return sql(demo_db, f"SELECT sum({Q.T4_CASES}) FROM report_facts WHERE year = ? "
                            "AND report_kind IS DISTINCT FROM 'region_summary'", [y])[0][0] or 0
    d = cases(year) - cases(year - 1)
    m = _metric(at, "复议诉讼案件")
    if d < 0:
        assert m.proto.delta.startswith("-") and "−" not in m.proto.delta
        assert m.proto.direction == m.proto.MetricDirection.DOWN and m.proto.color == m.proto.MetricColor.GREEN
    elif d > 0:
        assert m.proto.direction == m.proto.MetricDirection.UP and m.proto.color == m.proto.MetricColor.RED
    for m in at.metric:  # no change is grey with no arrow; no typographic minus anywhere
        assert "−" not in m.proto.delta
        if m.proto.delta in ("0", "+0"):
            assert m.proto.delta == "0" and m.proto.direction == m.proto.MetricDirection.NONE


def test_kpis_without_previous_year_show_no_change(demo_db, use_db):
    use_db(demo_db)
    first = sql(demo_db, "SELECT min(year) FROM report_facts")[0][0]
    at = app(params={"year": str(first)})
    assert not at.exception
    for m in at.metric:
        assert m.proto.delta == "", (m.label, m.proto.delta)
        assert "nan" not in m.value
    assert any(f"{first - 1} 年没有年报" in c.value for c in at.caption)


def test_zero_change_is_grey():
    from dashboard import fmt
    assert fmt.delta(5, 5) == "0"
    assert fmt.delta(10, 36) == "-26 -72%"
    assert fmt.delta(float("nan"), 3) is None
    assert fmt.delta_points(0.5, 0.5) == "0" and fmt.delta_points(0.4, 0.5) == "-10.0 个百分点"


# -- 14.3 scans that were not read ---------------------------------------------------------------------
def test_unread_scans_are_visible_and_unscored(demo_db, use_db):
    use_db(demo_db)
    scans = sql(demo_db, "SELECT report_id FROM reports WHERE status = 'needs_ocr' ORDER BY report_id")
    assert scans, "the demo corpus has scanned reports"
    ids = [r for (r,) in scans]
    assert sql(demo_db, f"SELECT count(*) FROM report_scores WHERE report_id IN ({','.join(map(str, ids))})")[0][0] == 0
    at = app("report", {"report": str(ids[0])})
    assert not at.exception, [e.message for e in at.exception]
    assert any("扫描件" in w.value and "--reparse" in w.value for w in at.warning)
    assert metric(at, "得分") == "未评分"
    for df in _frames(at):
        assert not df.astype(str).isin(["nan", "None"]).any().any()
    at = app("compliance")
    unread = next(df for df in _frames(at) if "处理办法" in df.columns)
    assert set(unread["年报编号"]) >= set(ids)
    assert unread["原因"].str.contains("扫描件未读取").sum() == len(ids)
    assert unread["处理办法"].str.contains("tesseract").all()


# -- 14.4 findings chart and tables ---------------------------------------------------------------
def test_findings_chart_keeps_fail_and_uncertain_apart(demo_db, use_db):
    from dashboard import fmt
    use_db(demo_db)
    at = app("compliance")
    fail, unc = sql(demo_db, "SELECT count(*) FILTER (WHERE status = 'FAIL'), count(*) FILTER (WHERE status = "
                             "'UNCERTAIN') FROM mart_findings WHERE rule = 'T2-UNIT'")[0]
    assert fail and unc
    fig = next(p for p in _plots(at) if "不确定" in json.dumps(p, ensure_ascii=False))
    bars = {}
    for tr in fig["data"]:
        for x, y in zip(_arr(tr["x"]), _arr(tr["y"])):
            bars[(y, tr["name"])] = x
    label = f"{fmt.rule_name('T2-UNIT')}（警告）"
    assert bars[(label, "不通过")] == fail and bars[(label, "不确定")] == unc
    colours = {tr["name"]: tr["marker"]["color"] for tr in fig["data"]}
    assert colours == {"不通过": fmt.FINDING_STATUS_COLORS["不通过"], "不确定": fmt.FINDING_STATUS_COLORS["不确定"]}
    fmt_fail = sql(demo_db, "SELECT count(*) FROM mart_findings WHERE rule = 'FMT-TABLES' AND status = 'FAIL'")[0][0]
    if fmt_fail == 0:
        assert (f"{fmt.rule_name('FMT-TABLES')}（错误）", "不通过") not in bars
    assert not any(str(y).isupper() and "-" in str(y) for (y, _) in bars)  # no bare rule codes on the axis
    detail = next(df for df in _frames(at) if "检查结论" in df.columns)
    assert "解析状态" not in detail.columns
    assert set(detail["检查结论"]) <= {"不通过", "不确定"}
    assert not detail["证据"].astype(str).str.startswith("{").any()


def test_report_findings_do_not_call_passes_errors(demo_db, use_db):
    use_db(demo_db)
    rid = sql(demo_db, "SELECT report_id FROM findings WHERE status = 'PASS' AND severity = 'E' LIMIT 1")[0][0]
    at = app("report", {"report": str(rid)})
    fd = next(df for df in _frames(at) if "检查结论" in df.columns)
    passed = fd[fd["检查结论"] == "通过"]
    assert len(passed) and set(passed["严重程度"]) == {"—"}


# -- 14.5 table-2 years that mix templates ------------------------------------------------------------
def test_table2_series_by_year_across_templates(demo_db, use_db):
    from etl.marts import col_name
    use_db(demo_db)
    mixed = sql(demo_db, "SELECT year, count(*) FROM report_facts WHERE year >= 2021 AND template = '2019' "
                         "AND report_kind IS DISTINCT FROM 'region_summary' GROUP BY year ORDER BY year")
    assert mixed
    at = app("proactive")
    assert not at.exception, [e.message for e in at.exception]
    assert any("模板混用" in i.value and all(f"{y}年有 {n} 份" in i.value for y, n in mixed) for i in at.info)
    t = next(df for df in _frames(at) if "行政许可 · 本年处理决定数量" in df.columns and "年度" in df.columns
             and any("现行有效" in c for c in df.columns))
    y0 = mixed[0][0]
    want = sql(demo_db, f"SELECT sum({col_name('t2.licensing.decisions')}) FROM report_facts WHERE year = ? "
                        "AND report_kind IS DISTINCT FROM 'region_summary'", [y0])[0][0]
    row = t[t["年度"] == y0].iloc[0]
    assert row["行政许可 · 本年处理决定数量"] == want  # both templates counted for a shared measure
    assert row["其中使用另一版模板"] == mixed[0][1]
    assert any(c.endswith("（混用年度不完整）") and "现行有效" in c for c in t.columns)


# -- 14.6 one time frame on 总览 ------------------------------------------------------------------------
def test_overview_breakdowns_use_the_kpi_year(demo_db, use_db):
    use_db(demo_db)
    at = app()
    year = sql(demo_db, "SELECT max(year) FROM report_facts")[0][0]
    assert sql(demo_db, "SELECT count(DISTINCT province) FROM report_facts")[0][0] == 1
    heads = [s.value for s in at.subheader]
    assert f"按市分布（{year}年）" in heads and f"按单位类型（{year}年）" in heads
    reg = next(df for df in _frames(at) if "市" in df.columns)
    assert int(reg["年报数"].sum()) == sql(demo_db, "SELECT count(*) FROM report_facts WHERE year = ?", [year])[0][0]
    assert len(reg) > 1


# -- 14.7 Chinese, not codes ------------------------------------------------------------------------
CODES = ("gov_self", "region_summary", "department", "needs_ocr", "unit_unknown", "t2.", "t3.", "html", "partial",
         "None", "nan", "PASS", "FAIL", "UNCERTAIN")


@pytest.mark.parametrize("page,params", [("overview", {}), ("compliance", {}), ("explore", {}), ("review", {}),
                                         ("requests", {}), ("report", {"report": "1"}),
                                         ("compare", {"prov": "示例省", "city": "青川市"})])
def test_no_codes_or_english_shown(page, params, demo_db, use_db):
    use_db(demo_db)
    at = app(page, params)
    assert not at.exception, [e.message for e in at.exception]
    for df in _frames(at):
        cells = df.astype(str)
        for code in CODES:
            hit = cells.apply(lambda c: c.str.fullmatch(rf"{code}.*" if code.endswith(".") else code)).any().any()
            assert not hit, (page, code, df.head(3))
    for fig in _plots(at):
        names = {tr.get("name") for tr in fig["data"]}
        assert not names & {"cases", "corrected", "review", "suits", "new_received", "total_processed"}, names
        assert "variable=" not in json.dumps(fig, ensure_ascii=False)
    for ms in at.multiselect:
        assert ms.proto.placeholder and "Choose" not in ms.proto.placeholder


# -- 14.8 exports ---------------------------------------------------------------------------------------
def test_exports_say_region_and_year_without_float_noise(demo_db, use_db):
    use_db(demo_db)
    from dashboard import ui
    from dashboard.filters import Filters

    shown = ui.display(pd.DataFrame({"amount_wan": [15832.080000000004, 1.5], "n_reports": [28.0, 3.0],
                                     "office": ["甲局", None]}))
    assert shown["采购总金额（万元）"].tolist() == [15832.08, 1.5]
    assert str(shown["年报数"].dtype) == "Int64" and shown["单位"].tolist() == ["甲局", "—"]
    f = Filters(years=(2024,), province="示例省", city="青川市")
    wb = pd.read_excel(io.BytesIO(ui.excel_bytes({"报送情况明细": shown}, f)), sheet_name=None)
    assert any("青川市" in s and "2024" in s for s in wb), list(wb)
    assert "筛选条件" in wb and "示例省青川市" in wb["筛选条件"].to_string()
    assert ui.file_name("报送情况明细", "csv", f) == "报送情况明细_示例省青川市_2024年.csv"


@pytest.mark.parametrize("page", ["requests", "review"])
def test_region_breakdowns_skip_a_single_province(page, demo_db, use_db):
    use_db(demo_db)
    at = app(page)
    heads = [s.value for s in at.subheader]
    assert "按市" in heads and "按省" not in heads, heads
    cities = {c for (c,) in sql(demo_db, "SELECT DISTINCT city FROM report_facts WHERE city IS NOT NULL")}
    reg = next(df for df in _frames(at) if "市" in df.columns)
    assert cities <= set(reg["市"]) and reg["市"].iloc[-1] == "（省本级）"


def test_rates_beside_counts_have_no_arrow(demo_db, use_db):
    use_db(demo_db)
    at = app("review")
    rates = [m for m in at.metric if m.proto.delta.startswith("纠错率")]
    assert rates and all(m.proto.direction == m.proto.MetricDirection.NONE for m in rates)


def test_print_mode_lays_tables_out_in_full(demo_db, use_db):
    use_db(demo_db)
    at = app("compliance")
    at.toggle(key="print_mode").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.dataframe  # no scrolling grids: they print only their visible rows
    tables = at.table
    n = sql(demo_db, "SELECT count(*) FROM mart_findings")[0][0]
    detail = max(tables, key=lambda t: len(t.value))
    assert len(detail.value) == min(n, 500)
