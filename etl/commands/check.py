"""`python -m etl check --db DB [--json] [--office NAME] [--recompute] [--policy FILE]` and
`python -m etl offices import offices.csv --db DB`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("check", help="合规检查结果（findings）；必要时先重新计算")
    p.add_argument("--db", required=True)
    p.add_argument("--json", action="store_true", help="print a JSON list of findings")
    p.add_argument("--office", help="only this office (name or alias)")
    p.add_argument("--year", type=int)
    p.add_argument("--rule", action="append", help="only these rule ids")
    p.add_argument("--status", action="append", help="only these statuses (default: all for --json, "
                                                       "non-PASS for people)")
    p.add_argument("--recompute", action="store_true", help="recompute everything first")
    p.add_argument("--policy", help="policy TOML (default etl/rules/policy.toml)")
    p.set_defaults(func=cmd_check)

    o = sub.add_parser("offices", help="office registry")
    osub = o.add_subparsers(dest="offices_command", required=True)
    i = osub.add_parser("import", help="import a registry CSV (name, aliases, parent, region_path, unit_type, "
                                       "report_kind, expected_years)")
    i.add_argument("csv")
    i.add_argument("--db", required=True)
    i.add_argument("--policy")
    i.set_defaults(func=cmd_offices_import)
    ls = osub.add_parser("list", help="list offices")
    ls.add_argument("--db", required=True)
    ls.set_defaults(func=cmd_offices_list)


def _policy(path):
    from ..rules.policy import Policy
    return Policy.load(path) if path else None


def cmd_check(args) -> int:
    from etl.writer import IngestLocked, warehouse_writer
    from etl.marts import build as build_marts
    from etl.warehouse import connect
    from ..rules.engine import refresh, stale_report_ids
    from ..rules.policy import default_policy
    if not Path(args.db).exists():
        print(f"error: no warehouse at {args.db} (run `python -m etl ingest … --db {args.db}` first)", file=sys.stderr)
        return 2
    pol = _policy(args.policy) or default_policy()
    con = connect(args.db, read_only=True)
    try:
        stale = None if args.recompute else stale_report_ids(con, pol)
    except Exception:  # tables of the engine not there yet
        stale = None
    if args.recompute or stale is None or stale:
        con.close()
        try:
            # recomputing writes findings: through the same lock and atomic swap as an ingest
            with warehouse_writer(args.db) as wcon:
                refresh(wcon, None if args.recompute else stale, pol)
                build_marts(wcon)
        except IngestLocked as e:
            print(f"error: {e}", file=sys.stderr)
            return 3
        con = connect(args.db, read_only=True)
    try:
        rows = fetch_findings(con, office=args.office, year=args.year, rules=args.rule,
                              statuses=args.status or (None if args.json else ["FAIL", "UNCERTAIN"]))
        if args.json:
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            print_people(rows, con, args.office)
    finally:
        con.close()
    return 0


def fetch_findings(con, office=None, year=None, rules=None, statuses=None) -> list[dict]:
    from etl.review import finding_key_sql
    has_reviews = bool(con.execute("SELECT count(*) FROM information_schema.tables "
                                   "WHERE table_name = 'review_current'").fetchone()[0])
    # the current review of each finding (etl/review.py), when the warehouse has them
    rv = ("v.verdict, v.note, v.reviewer, CAST(v.reviewed_at AS VARCHAR)" if has_reviews else "NULL, NULL, NULL, NULL")
    sql = ("SELECT f.file, f.office, f.year, f.rule, f.severity, f.status, f.message, f.evidence, f.report_id, "
           f"f.office_id, {rv} FROM findings f")
    if has_reviews:
        sql += (" LEFT JOIN reports rr ON rr.report_id = f.report_id LEFT JOIN review_current v "
                f"ON v.finding_key = {finding_key_sql(sha='rr.sha256')}")
    where, params = [], []
    if office:
        where.append("f.office_id IN (SELECT office_id FROM offices WHERE name = ? OR list_contains(aliases, ?)) "
                     "OR f.report_id IN (SELECT report_id FROM reports WHERE office_name = ?)")
        params += [office, office, office]
    if year:
        where.append("f.year = ?")
        params.append(year)
    if rules:
        where.append("list_contains(?, f.rule)")
        params.append(rules)
    if statuses:
        where.append("list_contains(?, f.status)")
        params.append(statuses)
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    sql += " ORDER BY f.office, f.year, f.file NULLS FIRST, f.rule"
    cols = ["file", "office", "year", "rule", "severity", "status", "message", "evidence", "report_id", "office_id",
            "review", "review_note", "reviewer", "reviewed_at"]
    out = []
    for r in con.execute(sql, params).fetchall():
        d = dict(zip(cols, r))
        try:
            d["evidence"] = json.loads(d["evidence"]) if d["evidence"] else {}
        except ValueError:
            pass
        out.append(d)
    return out


_STATUS_ZH = {"FAIL": "不通过", "UNCERTAIN": "待核实", "PASS": "通过", "NOT_ASSESSABLE": "无法判断"}
_SEV_ZH = {"E": "错误", "W": "提示"}
_REVIEW_ZH = {"confirmed": "确认", "false_positive": "误报", "fixed": "已整改"}


def print_people(rows, con, office=None) -> None:
    if not rows:
        print("没有需要关注的检查结果。" if not office else f"{office}：没有需要关注的检查结果。")
        return
    cur = None
    for r in rows:
        head = (r["office"], r["year"])
        if head != cur:
            cur = head
            score = None
            if r["report_id"] is not None:
                s = con.execute("SELECT score FROM report_scores WHERE report_id = ?", [r["report_id"]]).fetchone()
                score = s[0] if s else None
            print(f"\n【{r['office'] or '未识别机关'} · {r['year'] or '年度不详'}年度】" +
                  (f"  合规得分 {score:.0f}" if score is not None else ""))
            if r["file"]:
                print(f"  文件：{r['file']}")
        review = _REVIEW_ZH.get(r.get("review"))
        print(f"  [{_SEV_ZH.get(r['severity'], r['severity'])}·{_STATUS_ZH.get(r['status'], r['status'])}] "
              f"{r['rule']}：{r['message']}" + (f"  〔审核：{review}，{r['reviewer']}〕" if review else ""))


def cmd_offices_import(args) -> int:
    from etl.writer import IngestLocked, warehouse_writer
    from etl.marts import build as build_marts
    from ..rules.engine import ensure_schema, refresh
    from ..rules.offices import import_registry
    try:
        with warehouse_writer(args.db) as con:  # the ingest's lock and atomic swap
            ensure_schema(con)
            stats = import_registry(con, args.csv)
            stats["refresh"] = refresh(con, None, _policy(args.policy))
            build_marts(con)  # regions and unit types of reports come from the registry
    except IngestLocked as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    print(json.dumps(stats, ensure_ascii=False, default=str))
    return 0


def cmd_offices_list(args) -> int:
    from etl.warehouse import connect
    from ..rules.offices import ensure_views
    con = connect(args.db)
    ensure_views(con)
    for r in con.execute("SELECT office_id, name, unit_type, level, report_kind, region_path, expected_years, "
                         "source, confidence, aliases FROM office_dim ORDER BY region_path, name").fetchall():
        print("\t".join("" if x is None else (";".join(x) if isinstance(x, list) else str(x)) for x in r))
    return 0
