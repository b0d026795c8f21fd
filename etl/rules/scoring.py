"""Report and office-year scores from the findings, the policy's deductions and the reviews of findings
(etl/review.py): a reviewed finding's deduction is scaled as ``[scores.review]`` of the policy says.

- report score = base − Σ deductions (floor 0); an unread scan (needs_ocr) has no score;
- office-year score = mean of its reports' scores, or base − the MISSING deduction when no report came
  (no score when the MISSING finding was reviewed as 误报: nothing is known about that year).
"""
from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd

from .policy import Policy, default_policy


def _ids_df(ids) -> pd.DataFrame:
    return pd.DataFrame({"id": pd.Series(sorted(set(ids)), dtype="int64")})


def score_reports(con, ids, policy: Policy) -> None:
    """Recompute report_scores of the reports `ids`."""
    from etl.review_tables import reviews_by_report
    ids = sorted(set(ids))
    if not ids:
        return
    con.register("_score_ids", _ids_df(ids))
    try:
        con.execute("DELETE FROM report_scores WHERE report_id IN (SELECT id FROM _score_ids)")
        meta = {r[0]: r[1:] for r in con.execute(
            "SELECT report_id, office_id, year, status FROM reports WHERE report_id IN (SELECT id FROM _score_ids)"
        ).fetchall()}
        fs = con.execute("SELECT report_id, rule, severity, status FROM findings "
                         "WHERE report_id IN (SELECT id FROM _score_ids)").fetchall()
    finally:
        con.unregister("_score_ids")
    reviews = reviews_by_report(con, ids)
    per: dict[int, list] = defaultdict(list)
    for rid, rule_id, sev, st in fs:
        rv = reviews.get((rid, rule_id))
        d = policy.deduction(rule_id, sev, st, review=rv)
        if d:
            per[rid].append({"rule": rule_id, "status": st, "points": d, **({"review": rv} if rv else {})})
    base = float(policy.data["scores"]["base"])
    rows = []
    for rid in ids:
        if rid not in meta or meta[rid][2] == "needs_ocr":
            continue  # a scan not read: its checks could not run, so it has no score (not a perfect one)
        ded = sorted(per.get(rid, []), key=lambda x: x["rule"])
        score = max(0.0, base - sum(x["points"] for x in ded))
        rows.append((rid, meta[rid][0], meta[rid][1], score, json.dumps(ded, ensure_ascii=False)))
    if rows:
        df = pd.DataFrame(rows, columns=["report_id", "office_id", "year", "score", "deductions"])
        for c in ("report_id", "office_id", "year"):
            df[c] = df[c].astype("Int64")
        con.register("_score_df", df)
        con.execute("INSERT INTO report_scores (report_id, office_id, year, score, deductions) "
                    "SELECT report_id, office_id, year, score, deductions FROM _score_df")
        con.unregister("_score_df")


def score_offices(con, office_ids, policy: Policy) -> None:
    """Recompute office_scores of the offices `office_ids` (every year)."""
    from etl.review_tables import office_reviews
    office_ids = sorted({int(o) for o in office_ids if o is not None})
    if not office_ids:
        return
    base = float(policy.data["scores"]["base"])
    con.register("_score_ids", _ids_df(office_ids))
    try:
        con.execute("DELETE FROM office_scores WHERE office_id IN (SELECT id FROM _score_ids)")
        con.execute("""INSERT INTO office_scores
            SELECT office_id, year, avg(score) FROM report_scores
             WHERE office_id IN (SELECT id FROM _score_ids) AND year IS NOT NULL GROUP BY office_id, year""")
        missing = con.execute("""SELECT DISTINCT office_id, office, year, severity, status FROM findings
            WHERE rule = 'MISSING' AND report_id IS NULL AND office_id IN (SELECT id FROM _score_ids)""").fetchall()
    finally:
        con.unregister("_score_ids")
    reviews = office_reviews(con, "MISSING")
    rows = []
    for oid, office, year, sev, st in missing:
        rv = reviews.get((office, year))
        if policy.effective_status(st, rv) != "FAIL":
            continue  # an UNCERTAIN gap nobody confirmed gives no score
        pts = policy.deduction("MISSING", sev or "E", st, review=rv)
        if pts or rv != "false_positive":
            rows.append((oid, year, max(0.0, base - pts)))
    if rows:
        con.executemany("INSERT INTO office_scores VALUES (?, ?, ?)", rows)


def rescore(con, report_ids, office_ids, policy: Policy | None = None) -> None:
    """Scores after a review: the reports given and every office-year of their offices and of `office_ids`."""
    policy = policy or default_policy()
    score_reports(con, report_ids, policy)
    offices = set(office_ids)
    if report_ids:
        offices |= {r[0] for r in con.execute("SELECT office_id FROM reports WHERE report_id IN (SELECT unnest($i))",
                                              {"i": [int(i) for i in report_ids]}).fetchall()}
    score_offices(con, offices, policy)
