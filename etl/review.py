"""People's judgements kept in the warehouse: reviews of findings (确认 / 误报 / 已整改 with a note) and hand
corrections of cells (value + reason, the parsed value kept).

Both are keyed by identities that survive re-ingest (``--reparse`` gives reports new ids) and re-check
(findings are deleted and recomputed): a report's content hash (sha256) plus the rule, or plus the
canonical key; a finding without a report (MISSING) by office name + year + rule. Tables are append-only
(the history says who decided what and when); the ``*_current`` views give the latest entry per key.

Writes go through :func:`etl.writer.warehouse_writer` (the ingest's lock and atomic copy-and-swap), so a
concurrent ingest is refused rather than overwriting or being overwritten, and a crash leaves nothing half
written. A review re-scores the report and office concerned; a correction re-runs the rules and the
marts of its report, like an ingest of that report.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from etl import template as T
from etl.ingest import refresh
from etl.rules.scoring import rescore
from etl.writer import warehouse_writer

from .review_tables import (  # noqa: F401  (re-exported for callers above the rules)
    VERDICTS, CLEARED, VERDICT_CODES, LOCAL_USER, DDL, VIEWS_DDL, ReviewError, ensure_schema, finding_key_sql,
    finding_key, has_corrections, cells_source, reviews_by_report, office_reviews, REVIEW_COLUMNS,
    annotate_findings_mart)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _report(con, report) -> tuple[int, str, dict]:
    """(report_id, sha256, header) of a report given by id or by (a prefix of at least 12 of) its sha256."""
    s = str(report).strip()
    if s.isdigit() and len(s) < 12:
        rows = con.execute("SELECT report_id, sha256, status, office_name, year FROM reports WHERE report_id = ?",
                           [int(s)]).fetchall()
    elif len(s) >= 12:
        rows = con.execute("SELECT report_id, sha256, status, office_name, year FROM reports "
                           "WHERE starts_with(sha256, ?)", [s.lower()]).fetchall()
    else:
        rows = []
    if len(rows) != 1:
        raise ReviewError(f"找不到年报“{s}”（请给出年报编号或内容哈希 sha256）" if not rows
                          else f"“{s}”对应多份年报，请给出完整的 sha256")
    rid, sha, status, office, year = rows[0]
    return rid, sha, {"status": status, "office": office, "year": year}


def _writer(db):
    if not Path(db).exists():
        raise ReviewError(f"数据仓库不存在：{db}")
    return warehouse_writer(db)


def review_finding(db, *, verdict: str, reviewer: str, note: str = "", report=None, rule: str,
                   office: str | None = None, year: int | None = None, policy=None) -> dict:
    """Record a review of the finding of `rule` on `report` (id or sha256), or — for a finding without a
    report (MISSING) — of `office` and `year`. Re-scores what it affects. Returns what was stored."""
    return review_findings(db, [dict(verdict=verdict, reviewer=reviewer, note=note, report=report, rule=rule,
                                     office=office, year=year)], policy)[0]


def review_findings(db, items: list[dict], policy=None) -> list[dict]:
    """Several reviews in one write (one copy of the warehouse): all are stored or, when one is invalid,
    none (the ReviewError names it)."""
    with _writer(db) as con:
        ensure_schema(con)
        out, rids, oids = [], set(), set()
        for n, it in enumerate(items, 1):
            try:
                d = _review_one(con, **it)
            except ReviewError as e:
                raise ReviewError(f"第{n}条：{e}" if len(items) > 1 else str(e)) from None
            oid = d.pop("_office_id")
            if d["report_id"] is not None:
                rids.add(d["report_id"])
            if oid is not None:
                oids.add(oid)
            out.append(d)
        rescore(con, sorted(rids), sorted(oids), policy)
        if _has_table(con, "mart_findings"):
            for d in out:
                annotate_findings_mart_one(con, d["report_id"], d["rule"], d["office"], d["year"])
    return out


def _review_one(con, *, verdict: str, reviewer: str, note: str = "", report=None, rule: str,
                office: str | None = None, year: int | None = None) -> dict:
    code = VERDICT_CODES.get((verdict or "").strip())
    if code is None:
        raise ReviewError(f"审核结论应为 确认 / 误报 / 已整改（或 撤销），不是“{verdict}”")
    reviewer = (reviewer or "").strip() or LOCAL_USER
    note = (note or "").strip()
    rule = (rule or "").strip()
    if code == "false_positive" and not note:
        raise ReviewError("标记为误报时请写明理由")
    if report not in (None, ""):
        rid, sha, _ = _report(con, report)
        rows = con.execute("SELECT office_id, office, year, status, message FROM findings "
                           "WHERE report_id = ? AND rule = ?", [rid, rule]).fetchall()
    else:
        if not office or year in (None, ""):
            raise ReviewError("请给出年报，或（缺报等没有年报的检查结果）单位名称和年度")
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ReviewError(f"年度应为数字，不是“{year}”") from None
        rid, sha = None, None
        rows = con.execute("SELECT office_id, office, year, status, message FROM findings "
                           "WHERE report_id IS NULL AND rule = ? AND office = ? AND year = ?",
                           [rule, office, year]).fetchall()
    if not rows:
        raise ReviewError(f"没有找到规则 {rule} 的这条检查结果")
    office_id, office, year, status, message = rows[0]
    now = dt.datetime.now()
    key = finding_key(sha, office, year, rule)
    con.execute("INSERT INTO finding_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [key, sha, rule, office, year, code, note or None, reviewer, now, status, message])
    return {"finding_key": key, "report_id": rid, "sha256": sha, "rule": rule, "office": office, "year": year,
            "verdict": code, "note": note, "reviewer": reviewer, "reviewed_at": now.isoformat(timespec="seconds"),
            "finding_status": status, "_office_id": office_id}


def annotate_findings_mart_one(con, rid, rule, office, year) -> None:
    for c, typ in zip(REVIEW_COLUMNS, ("VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP")):
        con.execute(f"ALTER TABLE mart_findings ADD COLUMN IF NOT EXISTS {c} {typ}")
    if rid is not None:
        where, params = "report_id = ? AND rule = ?", [rid, rule]
        sha = con.execute("SELECT sha256 FROM reports WHERE report_id = ?", [rid]).fetchone()[0]
        key = finding_key(sha, office, year, rule)
    else:
        where, params = "report_id IS NULL AND rule = ? AND office = ? AND year = ?", [rule, office, year]
        key = finding_key(None, office, year, rule)
    cur = con.execute("SELECT verdict, note, reviewer, reviewed_at FROM review_current WHERE finding_key = ?",
                      [key]).fetchall()
    vals = list(cur[0]) if cur else [None] * 4
    con.execute(f"UPDATE mart_findings SET review_status = ?, review_note = ?, reviewer = ?, reviewed_at = ? "
                f"WHERE {where}", vals + params)


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [name]).fetchone()[0])


def correct_cell(db, *, report, key: str, value=None, reason: str, corrector: str, revoke: bool = False) -> dict:
    """Record a hand correction of one cell of `report` (id or sha256): `value` replaces the parsed value
    for the marts and the rules (the parsed value stays in ``cells``); `revoke` returns to the parsed
    value. The report's rules and marts are recomputed."""
    return correct_cells(db, [dict(report=report, key=key, value=value, reason=reason, corrector=corrector,
                                   revoke=revoke)])[0]


def correct_cells(db, items: list[dict]) -> list[dict]:
    """Several corrections in one write; all or none (the ReviewError names the bad one)."""
    with _writer(db) as con:
        ensure_schema(con)
        out = []
        for n, it in enumerate(items, 1):
            try:
                out.append(_correct_one(con, **it))
            except ReviewError as e:
                raise ReviewError(f"第{n}条：{e}" if len(items) > 1 else str(e)) from None
        # the reports' rules (and their neighbours'), scores and marts, as after an ingest of them
        refresh(con, sorted({d["report_id"] for d in out}))
    return out


def _correct_one(con, *, report, key: str, value=None, reason: str, corrector: str, revoke=False) -> dict:
    key = (key or "").strip()
    if key not in T.all_keys():
        raise ReviewError(f"“{key}”不是模板中的单元格（例如 {T.all_keys()[0]}）")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请写明更正理由")
    corrector = (corrector or "").strip() or LOCAL_USER
    revoke = revoke is True or str(revoke).strip().lower() in ("1", "true", "yes", "撤销")
    if not revoke:
        try:
            value = float(str(value).replace(",", "").strip())
        except (TypeError, ValueError):
            raise ReviewError(f"更正值应为数字，不是“{value}”") from None
        if not math.isfinite(value):
            raise ReviewError("更正值应为有限的数字")
    rid, sha, head = _report(con, report)
    if head["status"] == "failed":
        raise ReviewError("这份年报解析失败，没有可更正的表格；请修正文件后重新导入")
    cell = con.execute("SELECT value, raw FROM cells WHERE report_id = ? AND key = ?", [rid, key]).fetchall()
    parsed, raw = (cell[0] if cell else (None, None))
    if revoke and not con.execute("SELECT count(*) FROM correction_current WHERE sha256 = ? AND key = ?",
                                  [sha, key]).fetchone()[0]:
        raise ReviewError("这个单元格没有人工更正，无需撤销")
    now = dt.datetime.now()
    con.execute("INSERT INTO cell_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sha, key, None if revoke else value, parsed, raw, reason, corrector, now, revoke])
    return {"report_id": rid, "sha256": sha, "key": key, "value": None if revoke else value,
            "parsed_value": parsed, "parsed_raw": raw, "reason": reason, "corrector": corrector,
            "corrected_at": now.isoformat(timespec="seconds"), "revoked": revoke}


# ---------------------------------------------------------------------------------------------
# Reading (CLI listings, exports)
# ---------------------------------------------------------------------------------------------
def list_reviews(con, history: bool = False) -> list[dict]:
    ensure = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "finding_reviews" not in ensure:
        return []
    src = "finding_reviews" if history else "review_current"
    sql = f"""SELECT v.*, r.report_id, r.source_path AS file FROM {src} v LEFT JOIN reports r USING (sha256)
              ORDER BY v.reviewed_at"""
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def list_corrections(con, history: bool = False) -> list[dict]:
    ensure = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "cell_corrections" not in ensure:
        return []
    src = "cell_corrections" if history else "correction_current"
    cur = con.execute(f"""SELECT k.*, r.report_id, r.source_path AS file FROM {src} k
                          LEFT JOIN reports r USING (sha256) ORDER BY k.corrected_at""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
