"""Anomaly checks on a real warehouse: one office's applications jump ×6 from last year, one office's
实质公开率 sits far from its peers, one office reports 0 applications among peers with dozens; the
findings carry the comparison as evidence, reach mart_findings and the 通报; a warehouse of ordinary
variation stays quiet; incremental refresh recomputes what a new report affects."""
import json

import numpy as np
import pytest

from etl import metrics as M
from etl import template as T
from etl.marts import build as build_marts
from etl.rules import refresh
from etl.rules.anomaly import robust_z
from etl.rules.offices import import_registry
from devtools.factories import load, make_result
from etl.warehouse import connect

ANOM = ("ANOM-YOY", "ANOM-ZERO", "ANOM-RATE")
PEERS = [f"青川市{n}局" for n in ("教育", "公安", "民政", "司法", "财政", "交通运输", "水利", "商务", "卫生健康")]
COL0 = T.T3_APPLICANT_COLUMNS[0]


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    csv = tmp_path / "offices.csv"
    csv.write_text("name,aliases,parent,region_path,unit_type,report_kind,expected_years\n" + "".join(
        f"{n},,青川市人民政府,示例省/青川市,department,department,2022-2023\n" for n in PEERS), encoding="utf-8")
    import_registry(c, csv)
    yield c
    c.close()


def report(office, year, new, *, low_disclosure=False):
    """A consistent report with `new` applications from natural persons, all processed this year.
    low_disclosure moves most 予以公开 to 本机关不掌握 (table 3 still adds up)."""
    r = make_result(office, year, new=[new, 0, 0, 0, 0, 0], carried=[0] * 6, forward=[0] * 6)
    if low_disclosure:
        granted = T.make_key(3, "granted", COL0)
        unable = T.make_key(3, "unable_not_held", COL0)
        vals = {c["key"]: c for c in r["cells"]}
        moved = vals[granted]["value"] - 2
        for key, delta in ((granted, -moved), (unable, moved)):
            for k in (key, key.rsplit(".", 1)[0] + ".total"):
                vals[k]["value"] += delta
                vals[k]["raw"] = str(vals[k]["value"])
                vals[k]["kind"] = "number" if vals[k]["value"] else "zero"
                r["values"][k] = vals[k]["value"]
    return r


def findings(con, rule=None, status=None):
    sql = "SELECT office, year, rule, status, message, evidence FROM findings WHERE rule LIKE 'ANOM-%'"
    p = []
    if rule:
        sql += " AND rule = ?"
        p.append(rule)
    if status:
        sql += " AND status = ?"
        p.append(status)
    return [dict(zip(("office", "year", "rule", "status", "message", "evidence"), r[:5] + (json.loads(r[5]),)))
            for r in con.execute(sql + " ORDER BY office, year, rule", p).fetchall()]


def base_values(i):
    return 60 + 5 * i  # ordinary variation between offices: 60 … 100 applications


def test_jump_outlier_and_zero_with_evidence(con, tmp_path):
    jump, low, zero = PEERS[0], PEERS[1], PEERS[2]
    for i, name in enumerate(PEERS):
        load(con, report(name, 2022, base_values(i)))
        n23 = {jump: 6 * base_values(0), zero: 0}.get(name, base_values(i) + 2)
        load(con, report(name, 2023, n23, low_disclosure=name == low))
    refresh(con)

    fails = {(f["office"], f["year"], f["rule"]): f for f in findings(con, status="FAIL")}
    assert set(fails) == {(jump, 2023, "ANOM-YOY"), (low, 2023, "ANOM-RATE"), (zero, 2023, "ANOM-ZERO"),
                          (zero, 2023, "ANOM-YOY")}, sorted(fails)
    for f in fails.values():
        assert f["status"] == "FAIL" and "请核实" in f["message"]
    sev = {r[0] for r in con.execute("SELECT severity FROM findings WHERE rule LIKE 'ANOM-%'").fetchall()}
    assert sev == {"W"}

    # ×6: this year's and last year's value, the ratio, last year's file
    yoy = fails[(jump, 2023, "ANOM-YOY")]["evidence"]
    c = next(c for c in yoy["checks"] if c["measure"] == "new_received")
    assert (c["value"], c["prev_value"], c["ratio"], c["prev_year"]) == (360, 60, 6.0, 2022)
    assert yoy["prev_file"].endswith(f"{jump}-2022.txt")
    assert "由2022年的60变为360（6.0倍）" in fails[(jump, 2023, "ANOM-YOY")]["message"]

    # far from peers: the rate, the peers' median, MAD and robust z, recomputed here independently
    ev = fails[(low, 2023, "ANOM-RATE")]["evidence"]
    c = c_rate = next(c for c in ev["checks"] if c["measure"] == "disclosed")
    processed = base_values(1) + 2
    assert c["value"] == pytest.approx(3 / processed, abs=1e-4)  # 2 granted + 1 partial
    peers = np.array([(base_values(i) + 1) / (base_values(i) + 2) for i in range(len(PEERS)) if PEERS[i] not in
                      (low, jump, zero)] + [359 / 360], dtype=float)
    med = float(np.median(peers))
    mad = float(np.median(np.abs(peers - med)))
    assert c["peer_median"] == pytest.approx(med, abs=1e-4) and c["mad"] == pytest.approx(mad, abs=1e-4)
    assert c["z"] == pytest.approx(0.6745 * (3 / processed - med) / mad, rel=1e-3) and c["z"] < -3.5
    assert c["n_peers"] == len(peers)
    assert "2023年示例省市级政府部门" in ev["peer_group"]

    z = fails[(zero, 2023, "ANOM-ZERO")]["evidence"]["checks"]
    c = next(c for c in z if c["measure"] == "new_received")
    others = [base_values(i) + 2 for i in range(len(PEERS)) if PEERS[i] not in (jump, zero)] + [360]
    assert c["value"] == 0 and c["peer_median"] == float(np.median(others)) and c["n_peers"] == len(others)

    # last year: nothing to compare with, so YOY is not assessable (never PASS by default)
    st22 = {f["status"] for f in findings(con, rule="ANOM-YOY") if f["year"] == 2022}
    assert st22 == {"NOT_ASSESSABLE"}

    # anomalies cost no points (a warning to verify, not an error)
    score = con.execute("SELECT score FROM report_scores s JOIN reports r USING (report_id) "
                        "WHERE r.office_name = ? AND r.year = 2023", [low]).fetchone()[0]
    assert score == 100

    # listed wherever findings are listed: mart_findings, and the 通报's problems with the comparison
    build_marts(con)
    listed = {(r[0], r[1]) for r in con.execute(
        "SELECT office, rule FROM mart_findings WHERE rule LIKE 'ANOM-%' AND status = 'FAIL'").fetchall()}
    assert listed == {(o, r) for o, _, r in fails}
    from etl.notice import collect
    n = collect(con, "示例省/青川市", 2023)
    items = {(o["office"], i["rule"]): i for o in n.problems for i in o["items"]}
    assert "6.0倍" in items[(jump, "ANOM-YOY")]["message"]
    assert f"对照：{jump}-2022.txt" in items[(jump, "ANOM-YOY")]["evidence"]
    assert f"稳健Z {c_rate['z']:+.1f}" in items[(low, "ANOM-RATE")]["evidence"]
    assert "MAD" in items[(low, "ANOM-RATE")]["evidence"]
    assert "其中为0的占0%" in items[(zero, "ANOM-ZERO")]["evidence"]


def test_ordinary_variation_stays_quiet(con):
    """Growth ×1.5 and ×4, a ×6 jump between small numbers (2 → 12), rates spread as real ones are."""
    for i, name in enumerate(PEERS):
        load(con, report(name, 2022, base_values(i)))
        n23 = {0: int(base_values(0) * 1.5), 1: base_values(1) * 4}.get(i, base_values(i) - i)
        load(con, report(name, 2023, n23))
    small = "青川市档案局"
    load(con, report(small, 2022, 2))
    load(con, report(small, 2023, 12))
    refresh(con)
    assert findings(con, status="FAIL") == []
    st = {(f["rule"], f["status"]) for f in findings(con) if f["year"] == 2023}
    assert {("ANOM-YOY", "PASS"), ("ANOM-ZERO", "PASS"), ("ANOM-RATE", "PASS")} <= st


def test_blank_is_not_zero(con):
    """A report whose table 3 is blank is not 'zero among peers': the check is not assessable."""
    for i, name in enumerate(PEERS[1:]):
        load(con, report(name, 2023, base_values(i)))
    keys = [k for k in T.keys("2021") if k.startswith("t3.")]
    load(con, make_result(PEERS[0], 2023, blanks=keys))
    refresh(con)
    f = {(x["office"], x["rule"]): x for x in findings(con)}
    assert f[(PEERS[0], "ANOM-ZERO")]["status"] == "NOT_ASSESSABLE"
    assert f[(PEERS[0], "ANOM-RATE")]["status"] == "NOT_ASSESSABLE"


def test_ocr_numbers_give_uncertain(con):
    """The same outlier read by OCR from a scan: a doubt to check (UNCERTAIN), not a FAIL."""
    low = PEERS[1]
    for i, name in enumerate(PEERS):
        r = report(name, 2023, base_values(i), low_disclosure=name == low)
        if name == low:
            r["needs_ocr_pages"] = [1, 2]
        load(con, r)
    refresh(con)
    f = {(x["office"], x["rule"]): x for x in findings(con) if x["status"] in ("FAIL", "UNCERTAIN")}
    assert set(f) == {(low, "ANOM-RATE")}
    assert f[(low, "ANOM-RATE")]["status"] == "UNCERTAIN" and "OCR" in f[(low, "ANOM-RATE")]["message"]
    assert f[(low, "ANOM-RATE")]["evidence"]["checks"][0]["z"] < -3.5


def test_incremental_refresh(con):
    """A new report changes its peers' statistics and its office's next year: both are recomputed."""
    jump, low = PEERS[0], PEERS[1]
    for i, name in enumerate(PEERS):
        if name != low:
            load(con, report(name, 2023, 6 * base_values(0) if name == jump else base_values(i)))
    refresh(con)
    assert findings(con, status="FAIL") == []
    rid = load(con, report(low, 2023, base_values(1), low_disclosure=True))
    stats = refresh(con, [rid])
    assert stats["full"] is False and stats["anomaly"] == len(PEERS)  # the whole peer group
    assert {(f["office"], f["rule"]) for f in findings(con, status="FAIL")} == {(low, "ANOM-RATE")}
    rid = load(con, report(jump, 2022, base_values(0)))  # last year arrives after this year
    refresh(con, [rid])
    assert {(f["office"], f["year"], f["rule"]) for f in findings(con, status="FAIL")} == \
        {(low, 2023, "ANOM-RATE"), (jump, 2023, "ANOM-YOY")}
    n = con.execute("SELECT count(*) FROM findings WHERE rule LIKE 'ANOM-%'").fetchone()[0]
    assert n == 3 * con.execute("SELECT count(*) FROM reports").fetchone()[0]  # one row per rule and report


def test_robust_z_and_rate_definitions():
    med, mad, z = robust_z(0.1, np.array([0.5, 0.6, 0.7, 0.6, 0.55]))
    assert (med, round(mad, 4)) == (0.6, 0.05) and z == pytest.approx(0.6745 * -0.5 / 0.05)
    # MAD 0 (most peers equal): mean absolute deviation instead; no variation at all: no z
    assert robust_z(0.1, np.array([0.5, 0.5, 0.5, 0.9]))[2] == pytest.approx(-0.4 / (1.253314 * 0.1))
    assert robust_z(0.1, np.array([0.5, 0.5, 0.5]))[2] is None
    v = {"t3.granted.total": 6, "t3.partially_granted.total": None, "t3.total_processed.total": 8}
    assert M.DISCLOSED.value(v) == 0.75
    assert M.DISCLOSED.value({"t3.granted.total": 0, "t3.total_processed.total": 0}) is None  # no 0 %
    t4 = {f"t4.{b}.{c}": 0 for b in ("review", "suit_direct", "suit_after_review")
          for c in ("upheld", "corrected", "other", "pending", "total")}
    t4.update({"t4.review.corrected": 1, "t4.review.total": 5, "t4.review.pending": 1})
    assert M.CORRECTED.value(t4) == 0.25
