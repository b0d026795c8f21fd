"""Warehouse-level compliance: cross-year rules, coverage, duplication, scores, registry, incremental refresh."""
import json

import pytest

from etl import template as T
from etl.rules import refresh
from etl.rules.offices import import_registry
from devtools.factories import filler, load, make_result
from etl.rules.view import CARRIED_OVER, T3_TOTAL
from etl.warehouse import connect

COL0 = T.T3_APPLICANT_COLUMNS[0]


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def findings(con, rule=None, status=None):
    sql = "SELECT office, year, file, rule, severity, status, message, evidence FROM findings WHERE true"
    p = []
    if rule:
        sql += " AND rule = ?"
        p.append(rule)
    if status:
        sql += " AND status = ?"
        p.append(status)
    return [dict(zip(["office", "year", "file", "rule", "severity", "status", "message", "evidence"], r))
            for r in con.execute(sql + " ORDER BY office, year", p).fetchall()]


def chain(office, years, **kw):
    """Consistent yearly reports: carried_over(Y) = carried_forward(Y-1)."""
    out = []
    fwd = [1, 0, 0, 0, 0, 0]
    stock = {"regulations": 0, "normative_docs": 10}
    for y in years:
        nf = [(y % 3), 0, 0, 0, 0, 0]
        issued = 2
        if y >= 2021:
            stock = {"regulations": 0, "normative_docs": stock["normative_docs"] + issued - 0}
        r = make_result(office, y, carried=fwd, forward=nf, in_force=stock if y >= 2021 else None, **kw)
        if y >= 2021:  # make issued/repealed consistent with the stock
            spec = T.TABLES["2021"][2]
            for c in spec.columns["normative_docs"] if "normative_docs" in spec.columns else ():
                pass
        out.append(r)
        fwd = nf
    return out


def _fix_stock(results):
    """Set issued/repealed so that in_force(Y) = in_force(Y-1) + issued - repealed (from the template)."""
    spec = T.TABLES["2021"][2]
    prev = None
    for r in results:
        if r["template"] != "2021":
            prev = None
            continue
        for row in spec.rows:
            cols = {c.label: c.key for c in spec.columns[row.key]}
            ik = next((T.make_key(2, row.key, k) for lab, k in cols.items() if "制发" in lab), None)
            rk = next((T.make_key(2, row.key, k) for lab, k in cols.items() if "废止" in lab), None)
            fk = next((T.make_key(2, row.key, k) for lab, k in cols.items() if "现行有效" in lab), None)
            if not fk:
                continue
            vals = {c["key"]: c for c in r["cells"]}
            if prev is not None:
                pv = {c["key"]: c for c in prev["cells"]}[fk]["value"]
                vals[fk]["value"] = pv + vals[ik]["value"] - vals[rk]["value"]
                vals[fk]["raw"] = str(vals[fk]["value"])
                r["values"][fk] = vals[fk]["value"]
        prev = r
    return results


def load_chain(con, office, years, **kw):
    return [load(con, r) for r in _fix_stock(chain(office, years, **kw))]


def test_clean_chain_no_fail_and_carry_mismatch(con):
    ids = load_chain(con, "玉川区教育局", range(2019, 2024))
    refresh(con)
    fails = [f for f in findings(con, status="FAIL")]
    assert fails == [], fails
    assert {f["status"] for f in findings(con, rule="T3-CARRY")} == {"PASS", "NOT_ASSESSABLE"}
    # a 2024 report whose carried_over does not match 2023's carried_forward
    r = make_result("玉川区教育局", 2024, carried=[7, 0, 0, 0, 0, 0], forward=[0] * 6)
    rid = load(con, r)
    stats = refresh(con, [rid])
    assert stats["reports"] == 1
    carry = [f for f in findings(con, rule="T3-CARRY") if f["year"] == 2024][0]
    assert carry["status"] == "FAIL" and carry["severity"] == "E"
    ev = json.loads(carry["evidence"])
    cells = ev["checks"][0]["cells"]
    assert {c["year"] for c in cells} == {2024, 2023}
    assert cells[0]["key"] == T.make_key(3, CARRIED_OVER, COL0)


def test_t2_stock_and_dup_data(con):
    rs = _fix_stock(chain("玉川区教育局", [2021, 2022]))
    spec = T.TABLES["2021"][2]
    fk = next(T.make_key(2, "normative_docs", c.key) for c in spec.columns["normative_docs"] if "现行有效" in c.label)
    for c in rs[1]["cells"]:
        if c["key"] == fk:
            c["value"] += 30
    for r in rs:
        load(con, r)
    # identical tables the year after
    same = json.loads(json.dumps(rs[1]))
    same.update(year=2023, file="玉川区教育局-2023.txt", sha256="x2023", template_expected="2021",
                sections=make_result("玉川区教育局", 2023)["sections"])
    load(con, same)
    refresh(con)
    st = {(f["year"], f["rule"]): f["status"] for f in findings(con) if f["rule"] in ("T2-STOCK", "DUP-DATA")}
    assert st[(2022, "T2-STOCK")] == "FAIL"
    assert st[(2021, "T2-STOCK")] == "NOT_ASSESSABLE"
    assert st[(2023, "DUP-DATA")] == "FAIL" and st[(2022, "DUP-DATA")] == "PASS"


def test_missing_coverage_inferred_exact(con):
    load_chain(con, "玉川区教育局", [2019, 2020, 2022])
    load_chain(con, "清溪区财政局", [2021, 2023])
    refresh(con)
    miss = {(f["office"], f["year"]): f["status"] for f in findings(con, rule="MISSING")}
    # a gap between two reports is certain; a year after the last report, without a registry, is not
    assert miss == {("玉川区教育局", 2021): "FAIL", ("玉川区教育局", 2023): "UNCERTAIN", ("清溪区财政局", 2022): "FAIL"}
    for f in findings(con, rule="MISSING"):
        assert f["file"] is None


def test_registry_import_aliases_and_missing(con, tmp_path):
    r1 = make_result("经济技术开发区管理办公室", 2020, aliases=["玉川片区"])
    r2 = make_result("玉川片区", 2021)  # the next year the report calls itself by its other name
    r3 = make_result("玉川区人民政府", 2021, kind="gov_self")
    for r in (r1, r2, r3):
        load(con, r)
    refresh(con)
    assert con.execute("SELECT count(DISTINCT office_id) FROM reports").fetchone()[0] == 2  # alias resolved
    csv = tmp_path / "offices.csv"
    csv.write_text(
        "name,aliases,parent,region_path,unit_type,report_kind,expected_years\n"
        "玉川经济技术开发区管理委员会,经济技术开发区管理办公室;玉川片区,玉川区人民政府,示例省/青川市/玉川区,dev_zone,department,2020-2022\n"
        "玉川区人民政府,玉川区政府,青川市人民政府,示例省/青川市/玉川区,government,gov_self,2021-2021\n"
        "玉川区,玉川区全区,玉川区人民政府,示例省/青川市/玉川区,government,region_summary,2021-2021\n"
        "玉川区教育局,,玉川区人民政府,示例省/青川市/玉川区,department,department,2021-2021\n", encoding="utf-8")
    stats = import_registry(con, csv)
    assert stats["rows"] == 4
    refresh(con)
    offs = dict(con.execute("SELECT name, office_id FROM offices").fetchall())
    assert set(offs) == {"玉川经济技术开发区管理委员会", "玉川区人民政府", "玉川区", "玉川区教育局"}
    linked = dict(con.execute("SELECT office_name, office_id FROM reports").fetchall())
    assert linked["经济技术开发区管理办公室"] == linked["玉川片区"] == offs["玉川经济技术开发区管理委员会"]
    miss = {(f["office"], f["year"]) for f in findings(con, rule="MISSING")}
    assert miss == {("玉川经济技术开发区管理委员会", 2022), ("玉川区", 2021), ("玉川区教育局", 2021)}
    dim = {r[0]: r[1:] for r in con.execute(
        "SELECT name, is_district, is_region_summary, is_dev_zone, level FROM office_dim").fetchall()}
    assert dim["玉川区人民政府"][0] is True and dim["玉川区"][1] is True
    assert dim["玉川经济技术开发区管理委员会"][0] is False and dim["玉川经济技术开发区管理委员会"][2] is True
    assert dim["玉川区教育局"][0] is False
    # a new report of the registry office under a registry alias links to it at load time
    rid = load(con, make_result("玉川区全区", 2021, kind="region_summary"))
    refresh(con, [rid])
    assert ("玉川区", 2021) not in {(f["office"], f["year"]) for f in findings(con, rule="MISSING")}


def test_inferred_unit_types(con):
    for name in ("淮安市人民政府", "淮安市人民政府办公室", "淮安市教育局", "清河区清溪镇人民政府", "淮安经济技术开发区管委会"):
        load(con, make_result(name, 2022, kind="department"))
    refresh(con)
    got = dict(con.execute("SELECT name, unit_type FROM office_dim").fetchall())
    assert got == {"淮安市人民政府": "government", "淮安市人民政府办公室": "general_office",
                   "淮安市教育局": "department", "清河区清溪镇人民政府": "township",
                   "淮安经济技术开发区管委会": "dev_zone"}
    city = con.execute("SELECT city, level, confidence FROM office_dim WHERE name = '淮安市人民政府'").fetchone()
    assert city[0] == "淮安市" and city[1] == "city" and city[2] > 0.5
    assert con.execute("SELECT count(*) FROM office_dim WHERE is_district").fetchone()[0] == 0


def test_duplication_prev_and_peer(con):
    base = filler("shared-text", 900)
    a20 = make_result("玉川区教育局", 2020, section_extra={5: base})
    a21 = make_result("玉川区教育局", 2021, section_extra={5: base}, text_seed="other")  # most text repeated
    b21 = make_result("清溪区教育局", 2021, section_extra={5: base}, text_seed="other")  # copied from a21
    c21 = make_result("白鹭区财政局", 2021)
    ids = [load(con, r) for r in (a20, a21, b21, c21)]
    refresh(con)
    dup = {(r[0], r[1]): (r[2], r[3]) for r in con.execute(
        "SELECT report_id, kind, similarity, other_report_id FROM duplication").fetchall()}
    sim, other = dup[(ids[1], "prev")]
    assert other == ids[0] and sim > 0.5
    psim, pother = dup[(ids[2], "peer")]
    assert pother == ids[1] and psim > 0.9
    st = {(f["office"], f["year"], f["rule"]): f for f in findings(con) if f["rule"].startswith("DUP-")}
    assert st[("玉川区教育局", 2021, "DUP-PREV")]["status"] == "FAIL"
    assert "%" in st[("玉川区教育局", 2021, "DUP-PREV")]["message"]
    assert st[("清溪区教育局", 2021, "DUP-PEER")]["status"] == "FAIL"
    assert st[("白鹭区财政局", 2021, "DUP-PEER")]["status"] == "PASS"
    # scores: the repeated report loses the DUP-PREV weight (20) and the DUP-PEER weight (10)
    sc = dict(con.execute("SELECT report_id, score FROM report_scores").fetchall())
    ded = json.loads(con.execute("SELECT deductions FROM report_scores WHERE report_id = ?", [ids[1]]).fetchone()[0])
    assert {d["rule"] for d in ded} >= {"DUP-PREV", "DUP-PEER"}
    assert sc[ids[1]] == 100 - sum(d["points"] for d in ded) and sc[ids[1]] <= 70
    assert sc[ids[3]] == 100
    osc = dict(con.execute("SELECT year, score FROM office_scores WHERE office_id = "
                           "(SELECT office_id FROM offices WHERE name = '玉川区教育局')").fetchall())
    assert osc[2021] == sc[ids[1]]


def test_late_and_missing_scores(con):
    load(con, make_result("玉川区教育局", 2020, published_on="2021-03-15"))
    load(con, make_result("玉川区教育局", 2022))
    refresh(con)
    late = [f for f in findings(con, rule="TIMELY") if f["year"] == 2020][0]
    assert late["status"] == "FAIL"
    osc = dict(con.execute("SELECT year, score FROM office_scores").fetchall())
    assert osc[2020] == 100 - 15 and osc[2021] == 0 and osc[2022] == 100


def test_incremental_refresh_only_affected(con):
    a = load_chain(con, "玉川区教育局", [2020, 2021])
    b = load_chain(con, "清溪区财政局", [2020, 2021, 2022])
    refresh(con)
    before = dict(con.execute("SELECT report_id, computed_at FROM rules_state").fetchall())
    n_before = con.execute("SELECT count(*) FROM findings").fetchone()[0]
    rid = load(con, _fix_stock(chain("玉川区教育局", [2020, 2021, 2022]))[-1])
    stats = refresh(con, [rid])
    assert stats["reports"] == 1 and not stats["full"]
    assert stats["cross_year"] == 1  # only the new report (no 2023 neighbour)
    after = dict(con.execute("SELECT report_id, computed_at FROM rules_state").fetchall())
    assert all(after[i] == before[i] for i in before)  # nobody else's single-report rules recomputed
    # findings of the other office untouched, new report got a full set
    n_rules = con.execute("SELECT count(DISTINCT rule) FROM findings WHERE report_id = ?", [rid]).fetchone()[0]
    assert n_rules == 24  # every rule except MISSING (21 template rules, 3 anomaly checks)
    # + 24 for the new report, − 1 for the MISSING (玉川区教育局, 2022) it resolves; the anomaly rows of its
    # peer (清溪区财政局 2022) are replaced, not added
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] == n_before + 24 - 1
    assert not findings(con, rule="MISSING")
    # inserting a middle year recomputes the following year's cross-year rules
    con.execute("DELETE FROM reports WHERE report_id = ?", [b[1]])
    rid2 = load(con, _fix_stock(chain("清溪区财政局", [2020, 2021]))[-1])
    stats = refresh(con, [rid2])
    assert stats["cross_year"] == 2
