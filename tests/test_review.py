"""Reviews of findings and hand corrections of cells (etl/review.py): CLI, warehouse, scores, marts, rules,
the 通报, and the dashboard (AppTest) with and without sign-in."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from devtools.report_fixtures import render_text, values  # noqa: E402

from etl import template as T  # noqa: E402
from etl.cli import main  # noqa: E402
from etl.marts import col_name  # noqa: E402

KEY = T.make_key(3, "granted", "natural_person")
A, B = "青禾县农业农村局", "青禾县教育局"
REGISTRY = ("name,aliases,parent,region_path,unit_type,report_kind,expected_years\n"
            f"{A},,,示例省/青川市/青禾县,department,department,2022-2024\n"
            f"{B},,,示例省/青川市/青禾县,department,department,2024\n")


def sql(db, q, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(q, params or []).fetchall()
    finally:
        con.close()


def build(root: Path) -> Path:
    """A's 2024 report prints 予以公开·自然人 5 too high (T3-SUM and T3-ROW fail); A has no 2023 report
    (MISSING); B's report is consistent."""
    src = root / "src"
    src.mkdir(parents=True)
    v = values("2021")
    bad = dict(v)
    bad[KEY] = v[KEY] + 5
    (src / "a2024.txt").write_text(render_text("2021", office=A, year=2024, vals=bad), encoding="utf-8")
    (src / "a2022.txt").write_text(render_text("2021", office=A, year=2022), encoding="utf-8")
    (src / "b2024.txt").write_text(render_text("2021", office=B, year=2024), encoding="utf-8")
    (root / "offices.csv").write_text(REGISTRY, encoding="utf-8")
    db = root / "w.duckdb"
    assert main(["offices", "import", str(root / "offices.csv"), "--db", str(db)]) == 0
    assert main(["ingest", str(src), "--db", str(db), "--workers", "1", "--no-progress"]) == 0
    return db


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("review"))


@pytest.fixture
def db(base_db, tmp_path) -> Path:
    import shutil
    out = tmp_path / "w.duckdb"
    shutil.copyfile(base_db, out)
    shutil.copytree(base_db.parent / "src", tmp_path / "src")
    return out


def rid_of(db, office, year):
    return sql(db, "SELECT report_id FROM reports WHERE office_name = ? AND year = ?", [office, year])[0][0]


def score(db, rid):
    return sql(db, "SELECT score, deductions FROM report_scores WHERE report_id = ?", [rid])[0]


def status(db, rid, rule):
    return sql(db, "SELECT status FROM findings WHERE report_id = ? AND rule = ?", [rid, rule])[0][0]


def mart_review(db, rule, rid=None, office=None, year=None):
    if rid is not None:
        return sql(db, "SELECT review_status, review_note, reviewer FROM mart_findings WHERE report_id = ? "
                       "AND rule = ?", [rid, rule])[0]
    return sql(db, "SELECT review_status, review_note, reviewer FROM mart_findings WHERE report_id IS NULL "
                   "AND rule = ? AND office = ? AND year = ?", [rule, office, year])[0]


def run_json(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 and out.out.strip() else out.err)


# ---------------------------------------------------------------------------------------------------------
def test_review_and_correction_survive_reparse_and_check(db, capsys):
    rid = rid_of(db, A, 2024)
    assert status(db, rid, "T3-SUM") == "FAIL" and status(db, rid, "T3-ROW") == "FAIL"
    code, out = run_json(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-ROW", "--verdict", "确认",
                          "--note", "核对原件属实", "--by", "张三"], capsys)
    assert code == 0 and out["verdict"] == "confirmed" and out["reviewer"] == "张三" and out["reviewed_at"]
    sha = out["sha256"]
    assert mart_review(db, "T3-ROW", rid) == ("confirmed", "核对原件属实", "张三")
    code, out = run_json(["correct", "--db", str(db), "--report", sha[:16], "--key", KEY, "--value", "12",
                          "--reason", "原件为12", "--by", "李四"], capsys)
    assert code == 0 and out["parsed_value"] == 17 and out["value"] == 12

    # re-ingest every file (new report ids) and recompute every rule
    assert main(["ingest", str(db.parent / "src"), "--db", str(db), "--reparse", "--workers", "1",
                 "--no-progress"]) == 0
    assert main(["check", "--db", str(db), "--recompute"]) == 0
    capsys.readouterr()
    new = rid_of(db, A, 2024)
    assert new != rid
    # the correction is used by the marts, the parsed value is kept in cells
    assert sql(db, f"SELECT {col_name(KEY)} FROM report_facts WHERE report_id = ?", [new])[0][0] == 12
    assert sql(db, "SELECT value, raw FROM cells WHERE report_id = ? AND key = ?", [new, KEY])[0] == (17, "17")
    assert sql(db, "SELECT value, parsed_value, flag, correction_reason, corrector FROM cells_effective "
                   "WHERE report_id = ? AND key = ?", [new, KEY])[0] == (12, 17, "corrected", "原件为12", "李四")
    # ... and by the rules: the corrected row adds up now
    assert status(db, new, "T3-SUM") == "PASS" and status(db, new, "T3-ROW") == "PASS"
    # the review is still on record, bound to the report's content and rule
    code, out = run_json(["review", "--db", str(db), "--list", "--json"], capsys)
    assert [(r["rule"], r["verdict"], r["report_id"]) for r in out] == [("T3-ROW", "confirmed", new)]


def test_review_follows_findings_through_reparse(db, capsys):
    rid = rid_of(db, A, 2024)
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "误报",
                 "--note", "排版所致"]) == 0
    assert main(["ingest", str(db.parent / "src"), "--db", str(db), "--reparse", "--workers", "1",
                 "--no-progress"]) == 0
    new = rid_of(db, A, 2024)
    assert mart_review(db, "T3-SUM", new) == ("false_positive", "排版所致", "本机用户")
    assert mart_review(db, "T3-ROW", new)[0] is None
    ded = json.loads(score(db, new)[1])
    assert {d["rule"]: d["points"] for d in ded}.get("T3-SUM") is None  # 误报: no deduction


def _points(deductions: str) -> dict:
    return {d["rule"]: d["points"] for d in json.loads(deductions)}


def test_scores_follow_the_policy(db, tmp_path, capsys):
    rid = rid_of(db, A, 2024)
    before, ded = score(db, rid)
    pts = _points(ded)
    assert pts["T3-SUM"] == 10 and pts["T3-ROW"] == 10
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "false_positive",
                 "--note", "原文如此"]) == 0
    assert score(db, rid)[0] == before + 10                    # 误报: no deduction
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-ROW", "--verdict", "已整改"]) == 0
    s, ded = score(db, rid)
    assert s == before + 10 + 5 and _points(ded)["T3-ROW"] == 5   # 已整改: half (policy.toml fixed = 0.5)
    office = sql(db, "SELECT office_id FROM reports WHERE report_id = ?", [rid])[0][0]
    assert sql(db, "SELECT score FROM office_scores WHERE office_id = ? AND year = 2024", [office])[0][0] == s
    # withdrawing the 误报 restores the deduction
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "撤销"]) == 0
    assert score(db, rid)[0] == before + 5
    # another policy: 已整改 costs nothing; a recompute applies it
    pol = tmp_path / "p.toml"
    pol.write_text("[scores.review]\nfixed = 0.0\n", encoding="utf-8")
    assert main(["check", "--db", str(db), "--recompute", "--policy", str(pol)]) == 0
    capsys.readouterr()
    assert score(db, rid)[0] == before + 10


def test_missing_report_review_and_office_score(db, capsys):
    office = sql(db, "SELECT office_id FROM offices WHERE name = ?", [A])[0][0]
    assert sql(db, "SELECT status FROM findings WHERE rule = 'MISSING' AND office_id = ? AND year = 2023",
               [office])[0][0] == "FAIL"
    assert sql(db, "SELECT score FROM office_scores WHERE office_id = ? AND year = 2023", [office]) == [(0.0,)]
    # a review without a report: by office and year
    assert main(["review", "--db", str(db), "--office", A, "--year", "2023", "--rule", "MISSING",
                 "--verdict", "误报", "--note", "已在政府网站发布，采集遗漏"]) == 0
    assert mart_review(db, "MISSING", office=A, year=2023)[0] == "false_positive"
    # 误报 of a missing report: no score for that year (nothing is known about it), not 0 and not 100
    assert sql(db, "SELECT score FROM office_scores WHERE office_id = ? AND year = 2023", [office]) == []
    assert main(["check", "--db", str(db), "--recompute"]) == 0
    capsys.readouterr()
    assert sql(db, "SELECT score FROM office_scores WHERE office_id = ? AND year = 2023", [office]) == []
    assert mart_review(db, "MISSING", office=A, year=2023)[0] == "false_positive"


def test_confirmed_uncertain_counts_as_fail():
    from etl.rules.policy import Policy
    p = Policy()
    assert p.deduction("T3-SUM", "E", "UNCERTAIN") == 0
    assert p.deduction("T3-SUM", "E", "UNCERTAIN", review="confirmed") == 10
    assert p.deduction("T3-SUM", "E", "UNCERTAIN", review="fixed") == 0
    assert p.deduction("T3-SUM", "E", "FAIL", review="false_positive") == 0
    assert p.deduction("DUP-PREV", "W", "FAIL", review="fixed") == 10
    assert Policy({"scores": {"review": {"confirmed_uncertain_as_fail": False}}}).deduction(
        "T3-SUM", "E", "UNCERTAIN", review="confirmed") == 0


def test_bad_input_is_refused_and_nothing_is_written(db, capsys):
    rid = rid_of(db, A, 2024)
    before = sql(db, "SELECT count(*) FROM finding_reviews")[0][0]
    cases = [
        ["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "maybe"],
        ["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "误报"],  # no note
        ["review", "--db", str(db), "--report", "99999", "--rule", "T3-SUM", "--verdict", "确认"],
        ["review", "--db", str(db), "--report", str(rid), "--rule", "NO-SUCH", "--verdict", "确认"],
        ["correct", "--db", str(db), "--report", str(rid), "--key", "t9.x.y", "--value", "1", "--reason", "x"],
        ["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "abc", "--reason", "x"],
        ["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "1"],          # no reason
        ["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--revoke", "--reason", "x"],  # nothing to revoke
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        assert "error:" in capsys.readouterr().err
    assert sql(db, "SELECT count(*) FROM finding_reviews")[0][0] == before
    assert sql(db, "SELECT count(*) FROM cell_corrections")[0][0] == 0


def test_write_waits_for_no_ingest(db, capsys):
    """A review while an ingest holds the writer lock is refused (exit 3) and stores nothing."""
    from etl.writer import WriterLock
    rid = rid_of(db, A, 2024)
    with WriterLock(db):
        assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "确认"]) == 3
        assert main(["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "12",
                     "--reason", "x"]) == 3
    assert "另一个导入" in capsys.readouterr().err
    assert sql(db, "SELECT count(*) FROM finding_reviews")[0][0] == 0


def test_revoke_returns_to_the_parsed_value(db, capsys):
    rid = rid_of(db, A, 2024)
    assert main(["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "12",
                 "--reason", "原件为12"]) == 0
    assert status(db, rid, "T3-SUM") == "PASS"
    assert main(["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--revoke",
                 "--reason", "更正有误"]) == 0
    assert sql(db, f"SELECT {col_name(KEY)} FROM report_facts WHERE report_id = ?", [rid])[0][0] == 17
    assert status(db, rid, "T3-SUM") == "FAIL"
    capsys.readouterr()
    code, out = run_json(["correct", "--db", str(db), "--list", "--history", "--json"], capsys)
    assert [(r["value"], r["revoked"]) for r in out] == [(12, False), (None, True)]


def test_notice_leaves_out_false_positives_and_marks_fixed(db):
    from etl.notice import content
    from etl.notice.data import collect
    from etl.warehouse import connect
    rid = rid_of(db, A, 2024)
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "误报",
                 "--note", "排版"]) == 0
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-ROW", "--verdict", "已整改"]) == 0
    con = connect(db, read_only=True)
    try:
        n = collect(con, "示例省/青川市", 2024)
    finally:
        con.close()
    items = {i["rule"]: i for o in n.problems for i in o["items"]}
    assert "T3-SUM" not in items and items["T3-ROW"]["review"] == "fixed" and n.false_positives == 1
    text = json.dumps(content.blocks(n), ensure_ascii=False)
    assert "（已整改）" in text and "误报的1项检查结果未列入" in text


# ---------------------------------------------------------------------------------------------------------
# Dashboard
def _app(db, monkeypatch, page, params=None, user=None, secrets=None):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("GKJB_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.user = user
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_compliance_page_shows_status_and_a_reviewer_marks_a_finding(db, monkeypatch):
    at = _app(db, monkeypatch, "compliance")
    frames = [d.value for d in at.dataframe if "审核结论" in d.value.columns]
    assert frames and set(frames[0]["审核结论"]) == {"未审核"}
    from dashboard import fmt
    pick = at.selectbox(key="cmp_review_pick")
    target = next(i for i, lab in enumerate(pick.options) if fmt.rule_name("T3-SUM") in lab)
    pick.set_value(target)
    at.radio(key="cmp_review_verdict").set_value("false_positive")
    at.text_area(key="cmp_review_note").input("原文排版所致")
    at.button(key="cmp_review_save").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已保存审核结论" in s.value for s in at.success)
    got = sql(db, "SELECT rule, verdict, note, reviewer FROM review_current")
    assert got == [("T3-SUM", "false_positive", "原文排版所致", "本机用户")]
    shown = next(d.value for d in at.dataframe if "审核结论" in d.value.columns)
    assert "误报" in set(shown["审核结论"]) and "原文排版所致" in set(shown["审核意见"])
    assert any("误报 1 条" in c.value for c in at.caption)


def test_report_page_shows_review_and_correction(db, monkeypatch):
    rid = rid_of(db, A, 2024)
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-ROW", "--verdict", "已整改",
                 "--note", "已重新发布"]) == 0
    assert main(["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "12",
                 "--reason", "原件为12", "--by", "李四"]) == 0
    at = _app(db, monkeypatch, "report", {"report": str(rid)})
    findings = next(d.value for d in at.dataframe if "审核结论" in d.value.columns)
    from dashboard import fmt
    row = findings[findings["检查规则"] == fmt.rule_name("T3-ROW")]
    assert list(row["审核结论"]) == ["已整改"] and list(row["审核意见"]) == ["已重新发布"]
    cells = next(d.value for d in at.dataframe if "解析值" in d.value.columns)
    fixed = cells[cells["标记"] == "人工更正"]
    assert len(fixed) == 1 and fixed.iloc[0]["数值"] == 12 and fixed.iloc[0]["解析值"] == 17
    assert fixed.iloc[0]["更正理由"] == "原件为12" and fixed.iloc[0]["更正人"] == "李四"
    assert at.expander  # the review and correction forms are offered to the local user
    assert any("审核检查结果" in e.label for e in at.expander)
    log = next(d.value for d in at.dataframe if "意见或理由" in d.value.columns)
    assert set(zip(log["类别"], log["结论或更正值"], log["人员"])) == {("审核", "已整改", "本机用户"), ("更正", "12", "李四")}


AUTH = {"redirect_uri": "http://127.0.0.1/oauth2callback", "cookie_secret": "x" * 32, "client_id": "id",
        "client_secret": "s", "server_metadata_url": "http://127.0.0.1/.well-known/openid-configuration"}


@pytest.mark.parametrize("role,can", [("viewer", False), ("analyst", False), ("reviewer", True), ("admin", True)])
def test_only_reviewers_and_admins_may_review_when_sign_in_is_configured(db, monkeypatch, role, can):
    at = _app(db, monkeypatch, "compliance", user={"is_logged_in": True, "email": "u@x.cn", "name": "王五"},
              secrets={"auth": AUTH, "roles": {"default": "none", "u@x.cn": role}})
    assert any("审核结论" in d.value.columns for d in at.dataframe)       # everyone sees the status
    has_form = any(b.label == "保存审核结论" for b in at.button)
    assert has_form == can
    if not can:
        assert any("审核员" in c.value for c in at.caption)


def test_signed_in_reviewer_is_recorded(db, monkeypatch):
    at = _app(db, monkeypatch, "compliance", user={"is_logged_in": True, "email": "rv@x.cn", "name": "王五"},
              secrets={"auth": AUTH, "roles": {"default": "viewer", "rv@x.cn": "reviewer"}})
    at.radio(key="cmp_review_verdict").set_value("confirmed")
    at.button(key="cmp_review_save").click()
    at.run()
    assert not at.exception, at.exception
    assert sql(db, "SELECT reviewer FROM review_current") == [("王五（rv@x.cn）",)]


def test_a_reviewer_corrects_a_cell_on_the_report_page(db, monkeypatch):
    rid = rid_of(db, A, 2024)
    at = _app(db, monkeypatch, "report", {"report": str(rid)})
    at.selectbox(key="rep_correct_cell").set_value(KEY)
    at.number_input(key="rep_correct_value").set_value(12)
    at.button(key="rep_correct_save").click()
    at.run()
    assert any("更正理由" in e.value for e in at.error)          # a reason is required: nothing stored
    assert sql(db, "SELECT count(*) FROM cell_corrections")[0][0] == 0
    at.number_input(key="rep_correct_value").set_value(12)
    at.text_area(key="rep_correct_reason").input("原件为12")
    at.button(key="rep_correct_save").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已保存更正" in s.value for s in at.success)
    assert sql(db, "SELECT value, parsed_value, reason, corrector FROM correction_current") == \
        [(12.0, 17.0, "原件为12", "本机用户")]
    cells = next(d.value for d in at.dataframe if "解析值" in d.value.columns)
    assert list(cells.loc[cells["标记"] == "人工更正", "解析值"]) == [17]


def test_parquet_export_keeps_reviews_and_corrections(db, tmp_path, capsys):
    from etl.parquet import connect_parquet
    rid = rid_of(db, A, 2024)
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-ROW", "--verdict", "已整改"]) == 0
    assert main(["correct", "--db", str(db), "--report", str(rid), "--key", KEY, "--value", "13",
                 "--reason", "原件为13"]) == 0
    assert main(["export", "--db", str(db), "--parquet", str(tmp_path / "pq")]) == 0
    capsys.readouterr()
    con = connect_parquet(tmp_path / "pq")
    try:
        assert con.execute("SELECT rule, verdict FROM review_current").fetchall() == [("T3-ROW", "fixed")]
        assert con.execute("SELECT value, parsed_value FROM cells_effective WHERE flag = 'corrected'").fetchall() \
            == [(13.0, 17.0)]
    finally:
        con.close()


def test_batches_from_csv_are_all_or_nothing(db, tmp_path, capsys):
    rid = rid_of(db, A, 2024)
    bad = tmp_path / "bad.csv"
    bad.write_text("report,office,year,rule,verdict,note,by\n"
                   f"{rid},,,T3-SUM,确认,属实,张三\n"
                   f"{rid},,,T3-ROW,不知道,,张三\n", encoding="utf-8")
    assert main(["review", "--db", str(db), "--from", str(bad)]) == 2
    assert "第2条" in capsys.readouterr().err
    assert sql(db, "SELECT count(*) FROM finding_reviews")[0][0] == 0
    good = tmp_path / "good.csv"
    good.write_text("\ufeffreport,office,year,rule,verdict,note,by\n"
                    f"{rid},,,T3-SUM,确认,属实,张三\n"
                    f",{A},2023,MISSING,已整改,已补发,李四\n", encoding="utf-8")
    assert main(["review", "--db", str(db), "--from", str(good)]) == 0
    got = sql(db, "SELECT rule, verdict, reviewer, office, year FROM review_current ORDER BY rule")
    assert got == [("MISSING", "fixed", "李四", A, 2023), ("T3-SUM", "confirmed", "张三", A, 2024)]
    office = sql(db, "SELECT office_id FROM offices WHERE name = ?", [A])[0][0]
    # 已整改 MISSING: half of the 100-point deduction
    assert sql(db, "SELECT score FROM office_scores WHERE office_id = ? AND year = 2023", [office]) == [(50.0,)]
    fix = tmp_path / "fix.csv"
    fix.write_text(f"report,key,value,reason,by\n{rid},{KEY},12,原件为12,王五\n", encoding="utf-8")
    assert main(["correct", "--db", str(db), "--from", str(fix)]) == 0
    assert sql(db, "SELECT value, corrector FROM correction_current") == [(12.0, "王五")]
    assert status(db, rid, "T3-SUM") == "PASS"


def test_overview_lists_serious_findings_with_their_review(db, monkeypatch):
    rid = rid_of(db, A, 2024)
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "误报",
                 "--note", "排版"]) == 0
    at = _app(db, monkeypatch, "overview")
    from dashboard import fmt
    sf = next(d.value for d in at.dataframe if "审核结论" in d.value.columns)
    assert list(sf.loc[sf["检查规则"] == fmt.rule_name("T3-SUM"), "审核结论"]) == ["误报"]
    assert set(sf["审核结论"]) >= {"误报", "未审核"}


@pytest.mark.parametrize("point", ["copied", "before_replace"])
def test_a_killed_write_leaves_the_warehouse_as_it_was(db, point):
    import os
    import subprocess
    rid = rid_of(db, A, 2024)
    before = db.read_bytes()
    env = {**os.environ, "GKJB_CRASH_AT": point}
    out = subprocess.run([sys.executable, "-m", "etl", "correct", "--db", str(db), "--report", str(rid), "--key", KEY,
                          "--value", "12", "--reason", "x"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == -9
    assert db.read_bytes() == before
    assert main(["review", "--db", str(db), "--report", str(rid), "--rule", "T3-SUM", "--verdict", "确认"]) == 0
    assert sql(db, "SELECT count(*) FROM cell_corrections")[0][0] == 0
    assert sql(db, "SELECT count(*) FROM finding_reviews")[0][0] == 1
    assert not list(db.parent.glob(db.name + ".tmp-*"))
