"""Districts year by year (issue 14 item 9): 依申请公开 and 复议诉讼 tables per region and year with the
year-over-year change, and 对比 on the derived measures, honouring the sidebar's region and years.
AppTest over the demo warehouse (示例省 / 青川市); every expected figure is recomputed here from
report_facts (and findings / office_scores) — the rates from the etl.metrics key lists, in Python."""
from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd
import pytest

from etl import metrics as M
from etl.marts import col_name
from test_app import app, sql

CITY = {"prov": "示例省", "city": "青川市"}
YEARS = [2023, 2025, 2024]  # unordered on purpose; 2023 is the first year shown


def _frame(at, first_col: str, has: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_col and has in d.value.columns)


def _district_rows(db, years, keys):
    """{(district or （市本级）, year): {key: sum}} over the addable reports of 青川市 in `years`."""
    cols = [col_name(k) for k in keys]
    rows = sql(db, f"SELECT coalesce(district, '（市本级）'), year, {', '.join(cols)} FROM report_facts "
                   "WHERE city = '青川市' AND list_contains(?, year) "
                   "AND report_kind IS DISTINCT FROM 'region_summary'", [years])
    out: dict = defaultdict(lambda: defaultdict(float))
    for grp, year, *vals in rows:
        for k, v in zip(keys, vals):
            out[(grp, year)][k] += v or 0.0
    return out


def _rate(r: M.Rate, sums) -> float | None:
    n = sum(sums[k] for k in r.num)
    d = sum(sums[k] for k in r.den) - sum(sums[k] for k in r.den_minus)
    return n / d if d else None


def _close(a, b) -> bool:
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or pd.isna(a)
    return a is not None and not pd.isna(a) and abs(float(a) - b) < 1e-6  # tables show 6 decimals


def _check_yoy(shown: pd.DataFrame, want: dict, label: str, chg: str, pct: str):
    for (grp, year), v in want.items():
        prev = want.get((grp, year - 1))
        row = shown[(shown.iloc[:, 0] == grp) & (shown["年度"] == year)].iloc[0]
        if year == min(YEARS):
            assert pd.isna(row[chg]) and pd.isna(row[pct]), (grp, year)
        else:
            assert _close(row[chg], v - prev), (grp, year, row[chg], v, prev)
            assert _close(row[pct], (v - prev) / prev if prev else None), (grp, year, row[pct])
        assert _close(row[label], v), (grp, year)


def test_requests_by_district_and_year(demo_db, use_db):
    use_db(demo_db)
    at = app("requests", {**CITY, "year": [str(y) for y in YEARS]})
    assert not at.exception, [e.message for e in at.exception]
    assert "按区县和年度" in [s.value for s in at.subheader]
    shown = _frame(at, "区县", "新收申请同比")
    keys = list(dict.fromkeys(M.NEW_RECEIVED.keys + M.DISCLOSED.num + M.DISCLOSED.den + M.NOT_HELD.num))
    want = _district_rows(demo_db, YEARS, keys)
    # one row per district and year shown, no more (other years and other cities stay out)
    assert sorted(zip(shown["区县"], shown["年度"])) == sorted(want)
    assert {y for _, y in want} == set(YEARS) and "（市本级）" in set(shown["区县"]) and "未知" not in set(shown["区县"])
    for (grp, year), s in want.items():
        row = shown[(shown["区县"] == grp) & (shown["年度"] == year)].iloc[0]
        assert _close(row["实质公开率"], _rate(M.DISCLOSED, s)), (grp, year)
        assert _close(row["不掌握占比"], _rate(M.NOT_HELD, s)), (grp, year)
    _check_yoy(shown, {g: s[M.NEW_RECEIVED.keys[0]] for g, s in want.items()}, "新收申请", "新收申请同比增减",
               "新收申请同比")
    # the KPI rates over the selected years are the same definitions
    tot = defaultdict(float)
    for s in want.values():
        for k, v in s.items():
            tot[k] += v
    assert next(m.value for m in at.metric if m.label == "实质公开率") == f"{_rate(M.DISCLOSED, tot) * 100:.1f}%"
    assert next(m.value for m in at.metric if m.label == "不掌握占比") == f"{_rate(M.NOT_HELD, tot) * 100:.1f}%"


def test_review_by_district_and_year(demo_db, use_db):
    use_db(demo_db)
    at = app("review", {**CITY, "year": [str(y) for y in YEARS]})
    assert not at.exception, [e.message for e in at.exception]
    shown = _frame(at, "区县", "案件同比")
    keys = list(dict.fromkeys(M.CASES.keys + M.CORRECTED.num + M.CORRECTED.den + M.CORRECTED.den_minus))
    want = _district_rows(demo_db, YEARS, keys)
    assert sorted(zip(shown["区县"], shown["年度"])) == sorted(want)
    assert "未知" not in set(shown["区县"])
    cases = {g: sum(s[k] for k in M.CASES.keys) for g, s in want.items()}
    assert sum(cases.values()) > 0
    _check_yoy(shown, cases, "案件合计", "案件同比增减", "案件同比")
    for (grp, year), s in want.items():
        row = shown[(shown["区县"] == grp) & (shown["年度"] == year)].iloc[0]
        assert _close(row["纠错率"], _rate(M.CORRECTED, s)), (grp, year)


def test_compare_follows_sidebar_region_and_years(demo_db, use_db):
    use_db(demo_db)
    years = [2024, 2025]
    at = app("compare", {**CITY, "year": [str(y) for y in years]})
    assert not at.exception, [e.message for e in at.exception]
    picks = next(m for m in at.multiselect if m.label.startswith("区县"))
    districts = {r[0] for r in sql(demo_db, "SELECT DISTINCT coalesce(district, '（市本级）') FROM report_facts "
                                            "WHERE city = '青川市' AND list_contains(?, year)", [years])}
    assert set(picks.value) == districts and "（市本级）" in districts
    assert set(picks.options) == districts  # 青川市's districts only, not another city's
    wide = _frame(at, "指标", "（市本级）")
    assert set(wide["年度"]) == set(years)
    assert set(wide["指标"]) == {"实质公开率", "不掌握占比", "纠错率", "按时率", "得分"}
    assert "未知" not in wide.columns
    keys = list(dict.fromkeys(M.DISCLOSED.num + M.DISCLOSED.den + M.NOT_HELD.num + M.CORRECTED.num
                              + M.CORRECTED.den + M.CORRECTED.den_minus))
    want = _district_rows(demo_db, years, keys)
    on_time = {(g, y): p / n for g, y, p, n in sql(demo_db, """
        SELECT coalesce(r.district, '（市本级）'), r.year, count(*) FILTER (WHERE f.status = 'PASS'),
               count(*) FILTER (WHERE f.status IN ('PASS', 'FAIL'))
        FROM findings f JOIN report_facts r USING (report_id)
        WHERE f.rule = 'TIMELY' AND r.city = '青川市' AND list_contains(?, r.year) GROUP BY ALL""", [years])}
    score = {(g, y): s for g, y, s in sql(demo_db, """
        SELECT coalesce(c.district, '（市本级）'), s.year, avg(s.score) FROM office_scores s
        JOIN mart_coverage c USING (office_id, year) WHERE c.city = '青川市' AND list_contains(?, s.year)
        GROUP BY ALL""", [years])}
    assert any(v < 1 for v in on_time.values())  # the demo has late reports: the rate is not trivially 1
    for (grp, year), s in want.items():
        got = wide[wide["年度"] == year].set_index("指标")[grp]
        assert _close(got.get("实质公开率"), _rate(M.DISCLOSED, s)), (grp, year)
        assert _close(got.get("不掌握占比"), _rate(M.NOT_HELD, s)), (grp, year)
        assert _close(got.get("纠错率"), _rate(M.CORRECTED, s)), (grp, year)
        assert _close(got.get("按时率"), on_time.get((grp, year))), (grp, year)
        assert _close(got.get("得分"), score.get((grp, year))), (grp, year)


def test_compare_without_region_starts_below_the_only_province(demo_db, use_db):
    use_db(demo_db)
    at = app("compare", {"year": ["2024"]})
    picks = next(m for m in at.multiselect if m.label.startswith("市"))
    cities = {r[0] for r in sql(demo_db, "SELECT DISTINCT coalesce(city, '（省本级）') FROM report_facts")}
    assert set(picks.value) == cities and "（省本级）" in cities
    assert not at.info, [i.value for i in at.info]
    assert set(_frame(at, "指标", "（省本级）")["年度"]) == {2024}


def test_compare_empty_selection_says_so(demo_db, use_db):
    use_db(demo_db)
    from dashboard import queries as Q
    # 政府采购 exists only in the 2019 template: nothing to compare in 2024
    assert sql(demo_db, f"SELECT count({Q.AMT}) FROM report_facts WHERE year = 2024")[0][0] == 0
    at = app("compare", {**CITY, "year": ["2024"]})
    at.multiselect(key="cmp_measures").set_value([Q.AMT]).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    notes = [i.value for i in at.info]
    assert any("没有这些指标的数据" in n and "2024" in n for n in notes), notes


def test_no_district_named_unknown(demo_db, use_db):
    """A province's own departments among districts are 省本级, a city's are 市本级, never 未知."""
    use_db(demo_db)
    from dashboard import queries as Q
    from dashboard.filters import Filters
    assert sql(demo_db, "SELECT count(*) FROM report_facts WHERE city IS NULL")[0][0] > 0
    grps = set(Q.execute("t3_region_year", Filters(province="示例省"), level="district")["grp"])
    assert {"（省本级）", "（市本级）"} <= grps and "未知" not in grps
    for page in ("requests", "review", "compare"):
        at = app(page, CITY)
        for d in at.dataframe:
            assert not (d.value.astype(str) == "未知").any().any(), page
            assert "未知" not in d.value.columns, page


def test_compare_follows_a_sidebar_change(demo_db, use_db):
    """Another city in the sidebar: 对比 starts again from that city's districts (not the old picks)."""
    use_db(demo_db)
    at = app("compare", {**CITY, "year": ["2024", "2025"]})
    next(s for s in at.selectbox if s.key == "city").set_value("云岭市").run()
    assert not at.exception, [e.message for e in at.exception]
    picks = next(m for m in at.multiselect if m.label.startswith("区县"))
    want = {r[0] for r in sql(demo_db, "SELECT DISTINCT coalesce(district, '（市本级）') FROM report_facts "
                                       "WHERE city = '云岭市' AND year IN (2024, 2025)")}
    assert set(picks.value) == want and set(picks.options) == want
    assert not at.info, [i.value for i in at.info]


def test_on_time_rate_leaves_out_reviewed_false_positives(demo_db, use_db, tmp_path):
    """A late-publication finding a reviewer marked 误报 counts in neither part of 按时率 (as in the 通报)."""
    import shutil

    from dashboard import queries as Q
    from dashboard.filters import Filters
    from etl.review import review_finding
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_db, db)
    rid, dist, year = sql(db, """SELECT f.report_id, coalesce(r.district, '（市本级）'), r.year FROM findings f
        JOIN report_facts r USING (report_id) WHERE f.rule = 'TIMELY' AND f.status = 'FAIL' AND r.city = '青川市'
        ORDER BY f.report_id LIMIT 1""")[0]
    p, n = sql(db, """SELECT count(*) FILTER (WHERE f.status = 'PASS'), count(*) FILTER (WHERE f.status IN
        ('PASS', 'FAIL')) FROM findings f JOIN report_facts r USING (report_id) WHERE f.rule = 'TIMELY'
        AND r.city = '青川市' AND coalesce(r.district, '（市本级）') = ? AND r.year = ?""", [dist, year])[0]
    use_db(db)
    f = Filters(province="示例省", city="青川市", years=(year,))

    def rate():
        d = Q.execute("compare_derived_rv", f, level="district", names=[dist])
        return d["rate_on_time"].iloc[0]
    assert rate() == pytest.approx(p / n) and p < n
    review_finding(db, verdict="false_positive", reviewer="测试", note="发布日期识别错误", report=rid, rule="TIMELY")
    assert rate() == pytest.approx(p / (n - 1))
