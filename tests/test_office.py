"""单位档案 and the evidence for copied text (AppTest on the demo warehouse): the office page's figures equal
SQL over the warehouse; every office ranking links to it; duplication pairs are split by kind, listed once,
with the right other report; the side-by-side view highlights the shared passages and keeps markup inert."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_app import app, metric, sql  # noqa: E402


def links(at) -> list[tuple[str, str, str]]:
    """(page, label, query string) of every page link shown."""
    return [(e.proto.page, e.proto.label, e.proto.query_string) for e in at.get("page_link")]


def table(at, *headers):
    """The first dataframe shown with all these column headers."""
    for d in at.dataframe:
        if all(h in d.value.columns for h in headers):
            return d.value
    raise KeyError(headers)


# ------------------------------------------------------------------------------------------------
def _office_with_missing_year(db) -> int:
    rows = sql(db, """SELECT office_id FROM findings WHERE rule = 'MISSING' AND status = 'FAIL'
                      AND office_id IN (SELECT office_id FROM report_facts) ORDER BY office_id LIMIT 1""")
    return rows[0][0]


def test_office_page_figures_equal_sql(demo_db, use_db):
    use_db(demo_db)
    oid = _office_with_missing_year(demo_db)
    at = app("office", {"office_id": str(oid)})
    assert not at.exception, [e.message for e in at.exception]
    name = sql(demo_db, "SELECT office FROM mart_offices WHERE office_id = ?", [oid])[0][0]
    assert any(s.value == name for s in at.subheader)

    n_reports = sql(demo_db, "SELECT count(*) FROM report_facts WHERE office_id = ?", [oid])[0][0]
    assert metric(at, "年报数") == str(n_reports)
    by_year = dict(sql(demo_db, "SELECT year, avg(score) FROM office_scores WHERE office_id = ? GROUP BY year", [oid]))
    assert metric(at, "平均得分") == f"{sum(by_year.values()) / len(by_year):.1f}"
    latest = max(by_year)
    assert metric(at, f"最近得分（{latest}年）") == f"{by_year[latest]:.1f}"
    on, late = sql(demo_db, """SELECT count(*) FILTER (WHERE status = 'PASS'), count(*) FILTER (WHERE status = 'FAIL')
        FROM findings WHERE rule = 'TIMELY' AND report_id IN (SELECT report_id FROM report_facts WHERE office_id = ?)""",
                   [oid])[0]
    assert metric(at, "按期发布") == f"{on} / {on + late}"
    n_fail, n_unc = sql(demo_db, """SELECT count(*) FILTER (WHERE status = 'FAIL'), count(*) FILTER (WHERE status = 'UNCERTAIN')
        FROM findings WHERE office_id = ?""", [oid])[0]
    assert n_fail >= 1  # the MISSING finding at least
    assert metric(at, "不通过检查项") == str(n_fail)
    assert metric(at, "不确定检查项") == str(n_unc)
    for kind, label in (("prev", "与上年最高重复率"), ("peer", "与其他单位最高相似度")):
        mx = sql(demo_db, """SELECT max(similarity) FROM duplication WHERE kind = ?
                             AND report_id IN (SELECT report_id FROM report_facts WHERE office_id = ?)""", [kind, oid])[0][0]
        assert metric(at, label) == ("—" if mx is None else f"{mx * 100:.1f}%")

    # the year table: one row per report and one per year without a report; scores and volumes as stored
    years = table(at, "年度", "得分", "按期发布", "新收申请")
    missing = {y for (y,) in sql(demo_db, """SELECT DISTINCT year FROM findings WHERE office_id = ? AND rule = 'MISSING'
                                            AND status = 'FAIL'""", [oid])}
    assert len(years) == n_reports + len(missing)
    assert set(years.loc[years["按期发布"] == "未发布", "年度"].astype(int)) == missing
    for y, score in by_year.items():
        assert set(years.loc[years["年度"].astype(int) == y, "得分"]) == {f"{score:.1f}"}
    from dashboard import queries as Q
    for rid, new in sql(demo_db, f"SELECT report_id, {Q.T3_NEW} FROM report_facts WHERE office_id = ?", [oid]):
        shown = years.loc[years["年报编号"].astype(str) == str(rid), "新收申请"].iloc[0]
        assert shown == ("—" if new is None else f"{new:g}")
    for rid, s in sql(demo_db, "SELECT report_id, similarity FROM duplication WHERE kind = 'prev' AND report_id IN "
                               "(SELECT report_id FROM report_facts WHERE office_id = ?)", [oid]):
        assert years.loc[years["年报编号"].astype(str) == str(rid), "与上年重复率"].iloc[0] == f"{s * 100:.1f}%"
    # nothing reads as a code, None or nan
    for col in years.columns:
        assert not years[col].astype(str).isin(["None", "nan", "<NA>", "PASS", "FAIL", "MISSING"]).any(), col
    # its reports, each a link to 年报详情
    rids = {r for (r,) in sql(demo_db, "SELECT report_id FROM report_facts WHERE office_id = ?", [oid])}
    assert {q for p, _, q in links(at) if p == "report" and q.startswith("report=")} >= {f"report={r}" for r in rids}


def test_office_page_without_compliance_tables(tmp_path, demo_db, use_db):
    db = tmp_path / "bare.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    for t in ("findings", "office_scores", "report_scores", "duplication", "mart_findings"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.close()
    use_db(db)
    at = app("office", {"office_id": "1"})
    assert not at.exception, [e.message for e in at.exception]
    assert metric(at, "年报数") == str(sql(db, "SELECT count(*) FROM report_facts WHERE office_id = 1")[0][0])
    assert any("etl check" in i.value for i in at.info)  # says how to build the checks, shows no score


def test_office_page_follows_the_sidebar_office(demo_db, use_db):
    use_db(demo_db)
    at = app("office", {"office_id": "1"})
    at.selectbox(key="office").set_value(2).run()
    assert not at.exception
    assert at.query_params.get("office_id") in ("2", ["2"])
    name = sql(demo_db, "SELECT office FROM mart_offices WHERE office_id = 2")[0][0]
    assert any(s.value == name for s in at.subheader)


RANKINGS = [("requests", "t3rank_tbl"), ("review", "t4top_tbl"), ("procurement", "proc_top_tbl"),
            ("compliance", "score_tbl")]


@pytest.mark.parametrize("page,key", RANKINGS)
def test_every_ranking_links_to_the_office(page, key, demo_db, use_db):
    use_db(demo_db)
    at = app(page)
    assert not at.exception, [e.message for e in at.exception]
    shown = at.dataframe(key=key).value
    at.session_state[key] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    office = shown["单位"].iloc[1]
    oid = sql(demo_db, "SELECT office_id FROM mart_offices WHERE office = ?", [office])
    assert len(oid) == 1
    assert ("office", f"查看 {office} 的单位档案 →", f"office_id={oid[0][0]}") in links(at)


@pytest.mark.parametrize("page,key", [("overview", "ov_region_tbl"), ("requests", "t3reg_tbl")])
def test_region_table_at_office_level_links_to_the_office(page, key, demo_db, use_db):
    """Inside one district the by-region table lists its offices: a ranking too, linked like the others."""
    use_db(demo_db)
    prov, city, dist = sql(demo_db, """SELECT province, city, district FROM report_facts WHERE district IS NOT NULL
        GROUP BY ALL HAVING count(DISTINCT office_id) > 1 ORDER BY count(*) DESC, district LIMIT 1""")[0]
    at = app(page, {"prov": prov, "city": city, "dist": dist})
    assert not at.exception, [e.message for e in at.exception]
    shown = at.dataframe(key=key).value
    assert shown.columns[0] == "单位"
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    office = shown["单位"].iloc[0]
    (oid,), = sql(demo_db, "SELECT office_id FROM mart_offices WHERE office = ? AND district = ?", [office, dist])
    assert ("office", f"查看 {office} 的单位档案 →", f"office_id={oid}") in links(at)


def test_chart_click_links_to_the_office(demo_db, use_db):
    """A click on an office bar narrows the filters to it (ui.drill_office); the next step links on to its
    单位档案 as well as to its 年报详情."""
    use_db(demo_db)
    at = app("requests")
    at.selectbox(key="office").set_value(3).run()
    assert not at.exception
    assert any(p == "office" and q == "office_id=3" for p, _, q in links(at))


# -- copied text --------------------------------------------------------------------------------
def _pairs(db, kind: str) -> set[frozenset]:
    return {frozenset(p) for p in sql(db, "SELECT report_id, other_report_id FROM duplication WHERE kind = ? "
                                          "AND other_report_id IS NOT NULL", [kind])}


def test_duplication_pairs_split_by_kind_and_listed_once(demo_db, use_db):
    use_db(demo_db)
    at = app("compliance")
    assert not at.exception, [e.message for e in at.exception]
    prev = at.dataframe(key="dup_prev").value
    peer = at.dataframe(key="dup_peer").value
    assert "重复率" in prev.columns and "相似度" in peer.columns
    for df, kind in ((prev, "prev"), (peer, "peer")):
        shown = [frozenset((int(a), int(b))) for a, b in zip(df["年报编号"], df["对照年报编号"])]
        assert len(shown) == len(set(shown)), f"{kind}: a pair listed twice"
        n = len(_pairs(demo_db, kind))
        assert set(shown) == _pairs(demo_db, kind) if n <= 100 else len(shown) == 100
        # the other report and the side-by-side view are links of the row
        for a, b, link, cmp_ in zip(df["年报编号"], df["对照年报编号"], df["对照年报"], df["并排对照"]):
            assert link == f"report?report={int(b)}"
            assert cmp_ == f"textcompare?report={int(a)}&other={int(b)}"
        # the measure shown is the stored one, of the right kind
        for a, b, s in zip(df["年报编号"], df["对照年报编号"], df.iloc[:, 0]):
            stored = sql(demo_db, "SELECT max(similarity) FROM duplication WHERE kind = ? AND "
                                  "((report_id = ? AND other_report_id = ?) OR (report_id = ? AND other_report_id = ?))",
                         [kind, int(a), int(b), int(b), int(a)])[0][0]
            assert abs(float(s) - stored) < 1e-6  # tables round to 6 digits
    # mutual peers exist in the demo, so deduplication is exercised
    n_rows = sql(demo_db, "SELECT count(*) FROM duplication WHERE kind = 'peer'")[0][0]
    assert len(_pairs(demo_db, "peer")) < n_rows
    # a 与上年 pair is this year -> the same office's previous report
    for a, b in zip(prev["年报编号"], prev["对照年报编号"]):
        (ya, oa), = sql(demo_db, "SELECT year, office_id FROM report_facts WHERE report_id = ?", [int(a)])
        (yb, ob), = sql(demo_db, "SELECT year, office_id FROM report_facts WHERE report_id = ?", [int(b)])
        assert oa == ob and yb < ya
    # selecting a pair links to both reports and to the side-by-side view
    a, b = int(peer["年报编号"].iloc[0]), int(peer["对照年报编号"].iloc[0])
    at.session_state["dup_peer"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    got = links(at)
    assert ("report", f"report={a}") in {(p, q) for p, _, q in got}
    assert ("report", f"report={b}") in {(p, q) for p, _, q in got}
    assert ("textcompare", f"report={a}&other={b}") in {(p, q) for p, _, q in got}
    # and to both offices' 单位档案
    offices = {o for (o,) in sql(demo_db, "SELECT office_id FROM report_facts WHERE report_id IN (?, ?)", [a, b])}
    assert {q for p, _, q in got if p == "office"} == {f"office_id={o}" for o in offices}


def test_report_page_lists_its_pairs_with_the_other_report(demo_db, use_db):
    use_db(demo_db)
    # a report with a previous year, a next year and a peer
    rid = sql(demo_db, """SELECT d.report_id FROM duplication d
        WHERE d.kind = 'prev' AND d.report_id IN (SELECT other_report_id FROM duplication WHERE kind = 'prev')
          AND d.report_id IN (SELECT report_id FROM duplication WHERE kind = 'peer') ORDER BY 1 LIMIT 1""")[0][0]
    at = app("report", {"report": str(rid)})
    assert not at.exception, [e.message for e in at.exception]
    expected = set()
    for r, o in sql(demo_db, "SELECT report_id, other_report_id FROM duplication WHERE other_report_id IS NOT NULL "
                             "AND (report_id = ? OR other_report_id = ?)", [rid, rid]):
        expected.add(o if r == rid else r)
    got = links(at)
    others = {int(q.split("=")[1]) for p, label, q in got if p == "report" and "对照年报" in label or
              (p == "report" and label.startswith("打开年报（"))}
    assert others == expected
    assert f"report={rid}" not in {q for p, label, q in got if p == "report" and "年报（" in label}  # not itself
    cmp_ = [q for p, _, q in got if p == "textcompare"]
    assert len(cmp_) == len(set(cmp_)) == len(expected)  # each pair once
    assert any(m.value.startswith("**与上年**") for m in at.markdown)
    assert any(m.value.startswith("**与其他单位**") for m in at.markdown)


SCRIPT_A = ("本机关独有的开头段落。\n共同段落：深入推进政务公开标准化规范化建设<script>alert(1)</script>"
            "**粗体**与[链接](http://example.invalid/x)$x^2$。\n结尾也不一样甲乙丙丁。")
SCRIPT_B = "别处的文字完全不同戊己庚辛。\n共同段落：深入推进政务公开标准化规范化建设。"


def test_side_by_side_highlights_shared_passages_inert(tmp_path, demo_db, use_db):
    db = tmp_path / "texts.duckdb"
    shutil.copy(demo_db, db)
    a, b = sql(db, "SELECT report_id, other_report_id FROM duplication WHERE kind = 'peer' ORDER BY 1 LIMIT 1")[0]
    con = duckdb.connect(str(db))
    for rid, text in ((a, SCRIPT_A), (b, SCRIPT_B)):
        con.execute("DELETE FROM section_texts WHERE report_id = ? AND section_no > (SELECT min(section_no) "
                    "FROM section_texts WHERE report_id = ?)", [rid, rid])
        con.execute("UPDATE section_texts SET text = ? WHERE report_id = ?", [text, rid])
    con.close()
    use_db(db)
    at = app("textcompare", {"report": str(a), "other": str(b)})
    assert not at.exception, [e.message for e in at.exception]
    bodies = [h.proto.body for h in at.get("html") if "gkjb-textdiff" in h.proto.body]
    assert len(bodies) == 2
    left, right = bodies
    # the shared sentence is marked on both sides; what only one side says is not
    assert "共同段落：深入推进政务公开标准化规范化建设</mark>" in left
    assert ">共同段落：深入推进政务公开标准化规范化建设</mark>" in right
    assert "本机关独有的开头段落" in left and "<mark" not in left.split("本机关独有的开头段落")[0][-80:]
    assert "甲乙丙丁" in left and not left.split("甲乙丙丁")[0].endswith("</mark>结尾也不一样")
    # markup from the report stays text: escaped, never a live element
    assert "<script" not in left and "&lt;script&gt;alert(1)&lt;/script&gt;" in left
    assert "**粗体**与[链接](http://example.invalid/x)$x^2$" in left  # st.html renders no Markdown
    assert set(left.replace("<mark ", "").replace("</mark>", "").replace("<div ", "").replace("</div>", "")) & {"<"} == set()
    # the stored measure of the pair is shown with its kind
    stored = sql(db, "SELECT similarity FROM duplication WHERE kind = 'peer' AND report_id = ?", [a])[0][0]
    assert any(f"相似度 **{stored * 100:.1f}%**" in m.value for m in at.markdown)
    assert ("report", f"report={a}") in {(p, q) for p, _, q in links(at)}
    assert ("report", f"report={b}") in {(p, q) for p, _, q in links(at)}
    from dashboard import textdiff as TD
    shares = [m.value for m in at.metric if m.label == "本文5字片段在另一份中出现的比例"]
    assert shares == [f"{TD.containment(SCRIPT_A, SCRIPT_B) * 100:.1f}%", f"{TD.containment(SCRIPT_B, SCRIPT_A) * 100:.1f}%"]


def test_side_by_side_of_a_prev_pair_shows_the_stored_rate(demo_db, use_db):
    use_db(demo_db)
    a, b, s = sql(demo_db, "SELECT report_id, other_report_id, similarity FROM duplication WHERE kind = 'prev' "
                           "ORDER BY similarity DESC LIMIT 1")[0]
    at = app("textcompare", {"report": str(a), "other": str(b)})
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.value.startswith("**与上年**") and f"重复率 **{s * 100:.1f}%**" in m.value for m in at.markdown)
    # the later report's share of 5-grams found in the earlier one is the stored rate
    assert [m.value for m in at.metric if m.label == "本文5字片段在另一份中出现的比例"][0] == f"{s * 100:.1f}%"


def test_highlighting_uses_the_rules_measure(demo_db):
    """The side-by-side view marks shared text with the duplication rule's own 5-grams: the share of a report's
    5-grams found in its previous year's report equals the stored 与上年 measure."""
    from dashboard import textdiff as TD
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        pairs = con.execute("SELECT report_id, other_report_id, similarity FROM duplication WHERE kind = 'prev' "
                            "ORDER BY report_id LIMIT 12").fetchall()
        assert pairs

        def text(rid):
            return "\n".join(t or "" for (t,) in con.execute(
                "SELECT text FROM section_texts WHERE report_id = ? ORDER BY section_no", [rid]).fetchall())
        for rid, other, stored in pairs:
            assert TD.containment(text(rid), text(other)) == pytest.approx(stored, abs=2e-3)
    finally:
        con.close()


def test_textdiff_marks_whole_copied_runs():
    from dashboard import textdiff as TD
    m = TD.mark("甲，今年共收到申请12件。乙", "去年 共收到申请 99 件！")
    html = TD.to_html(m)
    # digits fold to 0, the other's spaces and punctuation are dropped: 年共收到申请00件 is shared
    assert html.startswith("甲，今<mark") and ">年共收到申请12件</mark>。乙" in html
    assert TD.to_html(TD.mark("<b>a&b</b>", "")) == "&lt;b&gt;a&amp;b&lt;/b&gt;"


HOSTILE = "![](http://127.0.0.9:9/o.png)**粗**<script>alert(1)</script>:red[红]$x$局"


def test_office_names_with_markup_stay_text(tmp_path, demo_db, use_db):
    """An office name from a report is shown literally on the 单位档案, in its pair lines and links, and on the
    side-by-side view: Markdown channels get safe.md, the highlighted panel escapes its text."""
    from dashboard import safe
    db = tmp_path / "names.duckdb"
    shutil.copy(demo_db, db)
    a, b = sql(db, "SELECT report_id, other_report_id FROM duplication WHERE kind = 'peer' ORDER BY 1 LIMIT 1")[0]
    (oid,), = sql(db, "SELECT office_id FROM report_facts WHERE report_id = ?", [a])
    con = duckdb.connect(str(db))
    for t in ("mart_offices", "report_facts"):
        con.execute(f"UPDATE {t} SET office = ? WHERE office_id = ?", [HOSTILE, oid])
    con.close()
    use_db(db)
    for at in (app("office", {"office_id": str(oid)}), app("textcompare", {"report": str(a), "other": str(b)}),
               app("report", {"report": str(b)})):
        assert not at.exception, [e.message for e in at.exception]
        texts = [m.value for m in at.markdown] + [s.value for s in at.subheader] + [lbl for _, lbl, _ in links(at)]
        assert any(safe.md(HOSTILE) in t for t in texts), "the name is shown, escaped"
        assert not [t for t in texts if HOSTILE in t or re.search(r"(?<!\\)<script", t)]
        for h in at.get("html"):
            assert "<script" not in h.proto.body and "127.0.0.9" not in h.proto.body


PLAIN_DUP_PAIRS = """
    WITH d AS (SELECT * FROM duplication WHERE kind = ? AND other_report_id IS NOT NULL
                 AND report_id IN (SELECT report_id FROM report_facts WHERE {w}))
    SELECT similarity, report_id, other_report_id FROM d
    QUALIFY row_number() OVER (PARTITION BY least(report_id, other_report_id), greatest(report_id, other_report_id)
                               ORDER BY similarity DESC, report_id) = 1
    ORDER BY similarity DESC, least(report_id, other_report_id), greatest(report_id, other_report_id) LIMIT ?"""


@pytest.mark.parametrize("limit", [1, 3, 10, 40, 1000])
def test_dup_pairs_top_n_equals_the_plain_window(limit, demo_db, use_db):
    """dup_pairs keeps the top 2*limit rows before deduplicating (fast at national scale): the same pairs, in the
    same order, as deduplicating every row first."""
    from dashboard import queries as Q
    from dashboard.filters import Filters
    use_db(demo_db)
    city = sql(demo_db, "SELECT city FROM report_facts WHERE city IS NOT NULL GROUP BY city ORDER BY count(*) DESC")[0][0]
    year = sql(demo_db, "SELECT max(year) FROM report_facts")[0][0]
    for f, w, args in ((Filters(), "TRUE", []), (Filters(city=city), "city = ?", [city]),
                       (Filters(years=(year,)), "year = ?", [year])):
        for kind in ("prev", "peer"):
            got = Q.execute("dup_pairs", f, kind=kind, limit=limit)
            want = sql(demo_db, PLAIN_DUP_PAIRS.format(w=w), [kind, *args, limit])
            assert [(round(s, 12), r, o) for s, r, o in zip(got["similarity"], got["report_id"], got["other_report_id"])] \
                == [(round(s, 12), r, o) for s, r, o in want], (f, kind, limit)


def test_office_page_link_wins_over_an_older_sidebar_choice(demo_db, use_db):
    """Leaving the 单位档案, picking another office in the sidebar and coming back through a link to the first
    office shows the linked office: the URL of a new visit is the state."""
    use_db(demo_db)
    at = app("office", {"office_id": "1"})
    at.switch_page("app_pages/requests.py")
    at.run()
    at.selectbox(key="office").set_value(2).run()
    at.switch_page("app_pages/office.py")
    at.query_params["office_id"] = "1"
    at.run()
    assert not at.exception
    name = sql(demo_db, "SELECT office FROM mart_offices WHERE office_id = 1")[0][0]
    assert any(s.value == name for s in at.subheader)


def test_office_findings_show_their_reviews(tmp_path, demo_db, use_db):
    """A finding reviewed as 误报 keeps its place in the office's list with the verdict shown, the count says so
    and the office's score follows the policy (recomputed by the review)."""
    from etl.review import review_finding
    db = tmp_path / "reviewed.duckdb"
    shutil.copy(demo_db, db)
    oid, rid, rule = sql(db, """SELECT office_id, report_id, rule FROM findings WHERE status = 'FAIL'
                                AND report_id IS NOT NULL ORDER BY report_id, rule LIMIT 1""")[0]
    review_finding(db, verdict="false_positive", reviewer="测试", note="排版所致", report=rid, rule=rule)
    use_db(db)
    at = app("office", {"office_id": str(oid)})
    assert not at.exception, [e.message for e in at.exception]
    n_fail = sql(db, "SELECT count(*) FROM findings WHERE office_id = ? AND status = 'FAIL'", [oid])[0][0]
    m = next(m for m in at.metric if m.label == "不通过检查项")
    assert m.value == str(n_fail) and "误报 1" in (m.proto.delta or "")
    lst = at.dataframe(key="office_findings").value
    assert "误报" in set(lst["审核结论"]) and "排版所致" in set(lst["审核意见"])
    by_year = dict(sql(db, "SELECT year, avg(score) FROM office_scores WHERE office_id = ? GROUP BY year", [oid]))
    assert metric(at, "平均得分") == f"{sum(by_year.values()) / len(by_year):.1f}"
