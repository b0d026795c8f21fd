"""Dashboard tests with streamlit.testing.v1.AppTest: every page renders on a demo warehouse and the numbers it
shows equal direct SQL over the warehouse; marts, named queries, sandbox and uploads."""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from dashboard.page_registry import PAGES, page as page_spec  # noqa: E402
from devtools.synthetic_warehouse import small_warehouse  # noqa: E402  (demo_db comes from conftest)

# named queries that legitimately answer nothing on the demo warehouse with their sample arguments
EMPTY_ON_DEMO = {"report_review_log"}  # no cell has been reviewed in a freshly built demo

APP = str(ROOT / "app.py")


@pytest.fixture(scope="session")
def bare_db(tmp_path_factory) -> Path:
    """Synthetic warehouse without the compliance tables."""
    return small_warehouse(tmp_path_factory.mktemp("dash_bare"), compliance=False)


def sql(db, q, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(q, params or []).fetchall()
    finally:
        con.close()


def app(page: str | None = None, params: dict | None = None):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page and not page_spec(page).default:
        at.switch_page(page_spec(page).file)
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.run()
    return at


def metric(at, label):
    for m in at.metric:
        if m.label == label:
            return m.value
    raise KeyError(label)


def parse_num(s: str) -> float:
    s = s.replace(",", "")
    if s.endswith("亿"):
        return float(s[:-1]) * 1e8
    if s.endswith("万"):
        return float(s[:-1]) * 1e4
    return float(s)


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_renders(page, demo_db, use_db):
    use_db(demo_db)
    at = app(page)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and at.title[0].value == page_spec(page).title
    if page_spec(page).shows_data:
        charts = at.get("plotly_chart")
        assert len(at.dataframe) + len(charts) > 0, f"{page}: no table or chart"


def test_overview_kpis_equal_sql(demo_db, use_db):
    from dashboard import queries as Q
    use_db(demo_db)
    at = app()
    year = sql(demo_db, "SELECT max(year) FROM report_facts")[0][0]
    n, offices, new = sql(demo_db, f"""SELECT count(*), count(DISTINCT office_id),
        sum({Q.T3_NEW}) FILTER (WHERE report_kind IS DISTINCT FROM 'region_summary')
        FROM report_facts WHERE year = ?""", [year])[0]
    assert parse_num(metric(at, "年报数")) == n
    assert parse_num(metric(at, "报告单位数")) == offices
    shown = parse_num(metric(at, "新收公开申请"))
    assert abs(shown - (new or 0)) <= max(1, 0.001 * (new or 0) * 10)  # 万-rounded display
    # the region table, for the KPI year, starts at the first level with more than one member: the demo has
    # one province, so its cities (and the province's own offices) are listed
    assert sql(demo_db, "SELECT count(DISTINCT province) FROM report_facts")[0][0] == 1
    cities = {r[0] or "（省本级）" for r in sql(demo_db, "SELECT DISTINCT city FROM report_facts WHERE year = ?", [year])}
    df = at.dataframe[0].value
    assert set(df.iloc[:, 0]) == cities
    assert int(df["年报数"].sum()) == n


def test_filters_from_url_narrow_numbers(demo_db, use_db):
    use_db(demo_db)
    prov, city, year = sql(demo_db, """SELECT province, city, year FROM report_facts WHERE city IS NOT NULL
                                       GROUP BY ALL ORDER BY count(*) DESC LIMIT 1""")[0]
    at = app(params={"prov": prov, "city": city, "year": str(year)})
    assert not at.exception
    n = sql(demo_db, "SELECT count(*) FROM report_facts WHERE province = ? AND city = ? AND year = ?",
            [prov, city, year])[0][0]
    assert parse_num(metric(at, "年报数")) == n
    assert at.selectbox(key="prov").value == prov
    assert at.selectbox(key="city").value == city
    # breakdown is now by district
    assert any("区县" in s.value for s in at.subheader)


def test_requests_page_rates_equal_sql(demo_db, use_db):
    from dashboard import queries as Q
    use_db(demo_db)
    at = app("requests")
    new, proc, gr, pa = sql(demo_db, f"""SELECT sum({Q.T3_NEW}), sum({Q.T3_PROC}), sum({Q.G('granted')}),
        sum({Q.G('partial')}) FROM report_facts WHERE report_kind IS DISTINCT FROM 'region_summary'""")[0]
    assert abs(parse_num(metric(at, "新收申请")) - new) <= max(1, new * 0.01)
    rate = metric(at, "实质公开率")
    assert rate == f"{(gr + pa) / proc * 100:.1f}%"


def test_report_detail_shows_template_cells(demo_db, use_db):
    use_db(demo_db)
    rid, tpl = sql(demo_db, """SELECT report_id, template FROM report_facts WHERE template IS NOT NULL
                               ORDER BY n_uncertain DESC, report_id LIMIT 1""")[0]
    at = app("report", {"report": str(rid)})
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="report_sel").value == rid
    # the table-3 grid: labels from the template, raw text from the cells table
    from etl import template as T
    spec = T.TABLES[tpl][3]
    grids = [d.value for d in at.dataframe]
    t3 = next(g for g in grids if list(g.index) == [r.label for r in spec.rows])
    raw = dict(sql(demo_db, "SELECT key, raw FROM cells WHERE report_id = ? AND tbl = 3", [rid]))
    r0, c0 = spec.rows[0], spec.columns[spec.rows[0].key][-1]
    want = raw.get(T.make_key(3, r0.key, c0.key))
    if want not in (None, ""):
        assert t3.loc[r0.label, c0.label] == want
    # narrative shown as text, never as HTML
    assert not any("<script" in m.value for m in at.markdown)


def test_compliance_page_empty_state_without_tables(bare_db, use_db):
    use_db(bare_db)
    at = app("compliance")
    assert not at.exception, [e.message for e in at.exception]
    assert any("合规检查结果尚未生成" in i.value for i in at.info)
    at = app()
    assert not at.exception
    assert any("合规检查结果尚未生成" in i.value for i in at.info)


def test_no_warehouse_says_how_to_load(tmp_path, use_db):
    use_db(tmp_path / "none.duckdb")
    for page in ("overview", "requests", "report"):
        at = app(page)
        assert not at.exception
        assert any("python -m etl ingest" in i.value for i in at.info)


def test_demo_banner(demo_db, use_db):
    use_db(demo_db)
    is_demo = sql(demo_db, "SELECT value FROM meta WHERE key = 'dataset'")
    at = app()
    banner = any("演示数据" in w.value for w in at.warning)
    assert banner == (bool(is_demo) and is_demo[0][0] == "demo")


def test_compliance_coverage_counts(demo_db, use_db):
    use_db(demo_db)
    at = app("compliance")
    missing = sql(demo_db, "SELECT count(*) FROM mart_coverage WHERE coverage = 'missing'")[0][0]
    assert parse_num(metric(at, "缺失")) == missing


# ------------------------------------------------------------------------------------------------
def test_marts_pivot_matches_cells(demo_db):
    from etl.marts import col_name
    n_facts = sql(demo_db, "SELECT count(*) FROM report_facts")[0][0]
    n_rep = sql(demo_db, "SELECT count(*) FROM reports WHERE status <> 'failed'")[0][0]
    assert n_facts == n_rep
    rid, key, value = sql(demo_db, "SELECT report_id, key, value FROM cells WHERE value IS NOT NULL "
                                   "AND report_id IN (SELECT report_id FROM report_facts) LIMIT 1")[0]
    got = sql(demo_db, f"SELECT {col_name(key)} FROM report_facts WHERE report_id = ?", [rid])[0][0]
    assert got == value
    assert sql(demo_db, "SELECT count(*) FROM report_facts WHERE status = 'failed'")[0][0] == 0


def test_every_named_query_runs(demo_db, use_db):
    """Every named query runs on the demo warehouse under several filters (all relations present, none
    missing) and, unfiltered, answers with rows."""
    from dashboard import queries as Q
    from dashboard.filters import Filters
    use_db(demo_db)
    year = sql(demo_db, "SELECT max(year) FROM report_facts")[0][0]
    empty = {}
    for f in (Filters(), Filters(years=(year,)), Filters(kinds=("region_summary",))):
        for name, q in Q.QUERIES.items():
            frame = Q.execute(name, f, **dict(q.sample))  # Missing would fail here: the demo has every mart
            assert len(frame.columns) > 0, name
            if f == Filters() and frame.empty:
                empty.setdefault(name, []).append(f)
    assert set(empty) <= EMPTY_ON_DEMO, sorted(set(empty) - EMPTY_ON_DEMO)


def test_query_identifiers_are_whitelisted():
    from dashboard import queries as Q
    with pytest.raises(ValueError):
        Q.build("pivot", None, r="year; DROP TABLE reports", c="year", m=Q.T3_NEW, agg="sum")
    with pytest.raises(ValueError):
        Q.build("explore_rows", None, m="(SELECT 1)", m2=Q.T3_NEW, limit=1)


def test_explore_sql_box_uses_the_sandbox(demo_db, use_db):
    """The SQL box of 数据探索 runs through etl.sandbox (tests/test_security_sandbox.py covers the refusals)."""
    from etl import sandbox
    use_db(demo_db)
    r = sandbox.run("SELECT count(*) AS n FROM reports", demo_db, timeout=120)  # not a timeout test: a loaded box starts slowly
    assert int(r.frame["n"][0]) == sql(demo_db, "SELECT count(*) FROM reports")[0][0]
    with pytest.raises(sandbox.SandboxError):
        sandbox.run("DROP TABLE reports", demo_db)


def test_filters_roundtrip(demo_db):
    """Filters survive the URL (every field), and their WHERE clause selects exactly the reports they name."""
    from dashboard.filters import Filters
    f = Filters(years=(2021, 2022), province="示例省", city="青川市", unit_types=("department",), office_id=3)
    assert Filters.from_params(f.to_params()) == f
    prov, city, year = sql(demo_db, """SELECT province, city, max(year) FROM report_facts WHERE city IS NOT NULL
                                       GROUP BY ALL ORDER BY count(*) DESC LIMIT 1""")[0]
    g = Filters(years=(year - 1, year), province=prov, city=city)
    assert Filters.from_params(g.to_params()) == g
    cond, params = g.where()
    got = sql(demo_db, f"SELECT count(*) FROM report_facts WHERE {cond}", params)[0][0]
    want = sql(demo_db, "SELECT count(*) FROM report_facts WHERE year IN (?, ?) AND province = ? AND city = ?",
               [year - 1, year, prov, city])[0][0]
    assert got == want > 0


def test_scale_rewrites_equal_the_plain_sql(demo_db, use_db):
    """The queries rewritten for 3.5 M reports (mart_findings, mart_offices, two-phase rankings, report_list
    from report_facts) give exactly what the plain joins over the base tables give, under several filters."""
    from dashboard import queries as Q
    from dashboard.filters import Filters
    use_db(demo_db)
    prov, city, year = sql(demo_db, """SELECT province, city, max(year) FROM report_facts WHERE city IS NOT NULL
                                       GROUP BY ALL ORDER BY count(*) DESC LIMIT 1""")[0]
    assert sql(demo_db, "SELECT count(*) FROM findings WHERE report_id IS NULL AND status = 'FAIL'")[0][0] > 0
    assert sql(demo_db, "SELECT count(*) FROM findings WHERE report_id IS NOT NULL AND status = 'FAIL'")[0][0] > 0
    # The oracle filters by hand, not through Filters.where() (the code under test): per selection, its year
    # condition, its other conditions on report_facts, the same region/unit conditions on mart_coverage.
    both = "province = $prov AND city = $city"
    cases = [(Filters(), "TRUE", "TRUE", "TRUE", {}),
             (Filters(years=(year,)), "year = $y", "TRUE", "TRUE", {"y": year}),
             (Filters(province=prov, city=city), "TRUE", both, both, {"prov": prov, "city": city}),
             (Filters(unit_types=("department",), years=(year - 1, year)), "year IN ($y0, $y)",
              "unit_type = 'department'", "unit_type = 'department'", {"y0": year - 1, "y": year}),
             (Filters(kinds=("gov_self",)), "TRUE", "report_kind = 'gov_self'", "TRUE", {})]
    for f, in_years, facts, coverage, p in cases:
        w = f"({in_years}) AND ({facts})"
        # findings: report findings by report_facts, MISSING by office coverage and finding year
        plain = sql(demo_db, f"""
            SELECT severity, rule, status, office, year, message, report_id, office_id FROM findings
            WHERE status IN ('FAIL', 'UNCERTAIN')
              AND (report_id IN (SELECT report_id FROM report_facts WHERE {w})
                   OR (report_id IS NULL AND office_id IN (SELECT office_id FROM mart_coverage WHERE {coverage})
                       AND {in_years}))""", p)
        got = Q.execute("findings_list", f, limit=10 ** 6, rules=[])
        assert sorted(plain, key=repr) == sorted(
            got[["severity", "rule", "status", "office", "year", "message", "report_id", "office_id"]]
            .astype(object).where(got.notna(), None).itertuples(index=False, name=None), key=repr), f
        # t3 ranking: same offices, same sums (region summaries never added to their parts), names from the
        # office table
        plain = sql(demo_db, f"""
            SELECT office_id, any_value(office), sum({Q.T3_NEW}) AS n FROM report_facts
            WHERE office_id IS NOT NULL AND {w} AND report_kind IS DISTINCT FROM 'region_summary'
            GROUP BY office_id ORDER BY n DESC NULLS LAST, office_id LIMIT 15""", p)
        got = Q.execute("t3_rank", f, limit=15)
        assert [(r[0], r[1], r[2]) for r in plain] == [
            (int(a), b, None if c != c else c) for a, b, c in got[["office_id", "office", "new_received"]].itertuples(
                index=False, name=None)], f
        # report list: every selected report once, failed ones only when asked for
        ids = {r[0] for r in sql(demo_db, f"SELECT report_id FROM report_facts WHERE {w}", p)}
        assert set(Q.execute("report_list", f, include_failed=False, limit=10 ** 6)["report_id"]) == ids
        failed = {r[0] for r in sql(demo_db, "SELECT report_id FROM reports WHERE status = 'failed'")}
        assert set(Q.execute("report_list", f, include_failed=True, limit=10 ** 6)["report_id"]) == ids | failed
