"""`python -m etl review …` (mark a finding 确认 / 误报 / 已整改 with a note) and `python -m etl correct …`
(hand-correct a cell: value + reason). Both write through the ingest's lock and atomic swap
(:mod:`etl.review`); `--list` prints what is in force (`--history`: every entry)."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("review", help="审核检查结果：确认 / 误报 / 已整改（附意见）")
    p.add_argument("--db", required=True)
    p.add_argument("--report", help="年报编号或内容哈希 sha256")
    p.add_argument("--office", help="缺报等没有年报的检查结果：单位名称")
    p.add_argument("--year", type=int, help="缺报等没有年报的检查结果：年度")
    p.add_argument("--rule", help="规则编号，如 T3-SUM、MISSING")
    p.add_argument("--verdict", help="确认 | 误报 | 已整改 | 撤销 (or confirmed | false_positive | fixed | cleared)")
    p.add_argument("--note", default="", help="审核意见（误报必填）")
    p.add_argument("--by", default="", help="审核人（默认“本机用户”）")
    p.add_argument("--policy", help="policy TOML for the scores (default etl/rules/policy.toml)")
    p.add_argument("--from", dest="from_csv", metavar="CSV",
                   help="many reviews in one write: CSV with columns report, office, year, rule, verdict, note, by")
    p.add_argument("--list", action="store_true", help="list the reviews in force")
    p.add_argument("--history", action="store_true", help="with --list: every review ever recorded")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)

    c = sub.add_parser("correct", help="人工更正单元格数值（附理由，保留解析值）")
    c.add_argument("--db", required=True)
    c.add_argument("--report", help="年报编号或内容哈希 sha256")
    c.add_argument("--key", help="单元格的标准键，如 t3.granted.natural_person")
    c.add_argument("--value", help="更正后的数值")
    c.add_argument("--reason", default="", help="更正理由（必填）")
    c.add_argument("--by", default="", help="更正人（默认“本机用户”）")
    c.add_argument("--revoke", action="store_true", help="撤销更正，恢复解析值")
    c.add_argument("--from", dest="from_csv", metavar="CSV",
                   help="many corrections in one write: CSV with columns report, key, value, reason, by, revoke")
    c.add_argument("--list", action="store_true", help="list the corrections in force")
    c.add_argument("--history", action="store_true", help="with --list: every correction ever recorded")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_correct)


def _print(rows: list[dict], as_json: bool, cols: list[str]) -> None:
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return
    for r in rows:
        print("\t".join("" if r.get(c) is None else str(r[c]) for c in cols))


def _listing(args, fn, cols) -> int:
    from etl.warehouse import connect
    if not Path(args.db).exists():
        print(f"error: no warehouse at {args.db}", file=sys.stderr)
        return 2
    con = connect(args.db, read_only=True)
    try:
        _print(fn(con, history=args.history), args.json, cols)
    finally:
        con.close()
    return 0


def _write(args, fn, **kw) -> int:
    from etl.writer import IngestLocked
    from etl.review import ReviewError
    try:
        out = fn(args.db, **kw)
    except ReviewError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except IngestLocked as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


def _csv(path: str, fields: tuple[str, ...], by: str) -> list[dict]:
    """Rows of a CSV (UTF-8, BOM allowed) as keyword arguments of the etl.review writers."""
    from etl.review import ReviewError
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ReviewError(f"无法读取 {path}：{e}") from None
    out = []
    for r in rows:
        r = {(k or "").strip(): (v or "").strip() for k, v in r.items()}
        d = {f: r.get(f) or None for f in fields}
        d[by] = r.get("by") or ""
        out.append(d)
    if not out:
        raise ReviewError(f"{path} 中没有记录")
    return out


def cmd_review(args) -> int:
    from etl.review import ReviewError, list_reviews, review_finding, review_findings
    if args.list:
        return _listing(args, list_reviews, ["reviewed_at", "reviewer", "verdict", "rule", "office", "year",
                                             "report_id", "sha256", "note"])
    if args.from_csv:
        policy = None
        if args.policy:
            from etl.rules.policy import Policy
            policy = Policy.load(args.policy)
        try:
            items = _csv(args.from_csv, ("report", "office", "year", "rule", "verdict", "note"), "reviewer")
        except ReviewError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return _write(args, lambda db: review_findings(db, items, policy))
    if not args.rule or not args.verdict:
        print("error: --rule and --verdict are required (or --list)", file=sys.stderr)
        return 2
    policy = None
    if args.policy:
        from etl.rules.policy import Policy
        policy = Policy.load(args.policy)
    return _write(args, review_finding, verdict=args.verdict, reviewer=args.by, note=args.note,
                  report=args.report, rule=args.rule, office=args.office, year=args.year, policy=policy)


def cmd_correct(args) -> int:
    from etl.review import ReviewError, correct_cell, correct_cells, list_corrections
    if args.list:
        return _listing(args, list_corrections, ["corrected_at", "corrector", "report_id", "key", "value",
                                                 "parsed_value", "reason", "sha256"])
    if args.from_csv:
        try:
            items = _csv(args.from_csv, ("report", "key", "value", "reason", "revoke"), "corrector")
        except ReviewError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        for it in items:
            it["revoke"] = it["revoke"] or False
        return _write(args, lambda db: correct_cells(db, items))
    if not args.report or not args.key or (args.value is None and not args.revoke):
        print("error: --report, --key and --value (or --revoke) are required (or --list)", file=sys.stderr)
        return 2
    return _write(args, correct_cell, report=args.report, key=args.key, value=args.value, reason=args.reason,
                  corrector=args.by, revoke=args.revoke)
