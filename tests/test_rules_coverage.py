"""The coverage mart (合规监测 matrix) agrees with the compliance findings: an office-year is 按时 exactly when
its report passes TIMELY, 逾期 when it fails TIMELY, 缺失 when there is a MISSING finding — with township
deadlines, province/level overrides, grace days and expected years written "2019,2021"."""
import pytest

from etl import marts
from etl.rules import refresh
from etl.rules.offices import import_registry
from etl.rules.policy import Policy
from devtools.factories import load, make_result
from etl.warehouse import connect

POLICY = {"deadlines": {"grace_days": 5, "overrides": {
    "东省": {"township": "02-28", "county": {"department": "02-15"}}}}}

REGISTRY = """name,aliases,parent,region_path,unit_type,report_kind,expected_years
乙县财政局,,乙县人民政府,东省/甲市/乙县,department,department,2021-2022
乙县城关镇人民政府,,乙县人民政府,东省/甲市/乙县,township,gov_self,2021-2022
丁区教育局,,丁区人民政府,西省/丙市/丁区,department,department,"2019,2021"
戊县人民政府,,丙市人民政府,西省/丙市/戊县,government,gov_self,2019-2022
己镇人民政府,,戊县人民政府,西省/丙市/戊县,township,department,2020-2020
"""

# office, year, report kind, published on
REPORTS = [
    ("乙县财政局", 2021, "department", "2022-02-10"),         # county override 02-15: on time
    ("乙县财政局", 2022, "department", "2023-02-25"),         # 02-15 + 5 grace days = 02-20: late
    ("乙县城关镇人民政府", 2021, "gov_self", "2022-03-03"),   # township override 02-28 + 5: on time
    ("乙县城关镇人民政府", 2022, "gov_self", "2023-03-20"),   # late, though before the gov_self 03-31
    ("丁区教育局", 2019, "department", "2020-02-03"),         # within the grace days of 01-31
    ("戊县人民政府", 2019, "gov_self", "2020-03-15"),
    ("戊县人民政府", 2020, "gov_self", "2021-04-02"),         # within grace of 03-31
    ("己镇人民政府", 2020, "department", "2021-03-20"),       # a township: its own 03-31, not the department 01-31
]


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    csv = tmp_path / "offices.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    import_registry(c, csv)
    for office, year, kind, pub in REPORTS:
        load(c, make_result(office, year, kind=kind, published_on=pub))
    refresh(c, policy=Policy(POLICY))
    marts.build(c)
    yield c
    c.close()


def _expected_statuses(con) -> dict:
    """office-year -> the coverage the findings imply."""
    out = {}
    for office, year, status in con.execute(
            "SELECT office, year, status FROM findings WHERE rule = 'TIMELY' AND report_id IS NOT NULL").fetchall():
        out[(office, year)] = {"PASS": "ok", "FAIL": "late"}.get(status, "unknown")
    for office, year, status in con.execute(
            "SELECT office, year, status FROM findings WHERE rule = 'MISSING'").fetchall():
        assert (office, year) not in out
        out[(office, year)] = "missing"
    return out


def test_coverage_mart_agrees_with_timely_and_missing(con):
    want = _expected_statuses(con)
    got = {(o, y): c for o, y, c in con.execute("SELECT office, year, coverage FROM mart_coverage").fetchall()}
    assert got == want
    # the cases the policy makes special are really there
    assert want[("乙县财政局", 2021)] == "ok" and want[("乙县财政局", 2022)] == "late"
    assert want[("乙县城关镇人民政府", 2021)] == "ok" and want[("乙县城关镇人民政府", 2022)] == "late"
    assert want[("丁区教育局", 2019)] == "ok" and want[("丁区教育局", 2021)] == "missing"
    assert ("丁区教育局", 2020) not in want  # "2019,2021": 2020 is not expected
    assert want[("戊县人民政府", 2020)] == "ok"
    assert want[("戊县人民政府", 2021)] == want[("戊县人民政府", 2022)] == "missing"
    assert want[("己镇人民政府", 2020)] == "ok"


def test_coverage_mart_deadlines_are_the_policy_deadlines(con):
    pol = Policy(POLICY)
    rows = con.execute("""SELECT c.year, c.deadline, o.unit_type, o.report_kind, o.province, d.level
                          FROM mart_coverage c JOIN offices o USING (office_id)
                          JOIN office_dim d USING (office_id)""").fetchall()
    assert rows
    for year, deadline, unit_type, kind, province, level in rows:
        assert deadline == pol.deadline(year, kind, unit_type, province, level)
