"""`python -m etl query --db DB "SQL"` — one read-only SELECT through the sandbox (etl/sandbox.py), CSV out.

Exit status: 0 on success; 2 when the query is refused (not a single SELECT, file/network access, …),
stopped (time or memory limit) or fails; the reason goes to stderr."""
from __future__ import annotations

import sys

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("query", help="只读 SQL 查询（沙箱）/ run one read-only SELECT in the sandbox, print CSV")
    p.add_argument("sql", help="one SELECT statement")
    p.add_argument("--db", default=None, help="warehouse file (default: env GKJB_DB, see etl/config.py)")
    p.add_argument("--timeout", type=float, default=None, help="seconds (default 5)")
    p.add_argument("--max-rows", type=int, default=None, help="rows to print at most (default 1000)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import sandbox

    try:
        res = sandbox.run(args.sql, args.db, timeout=args.timeout or sandbox.DEFAULT_TIMEOUT,
                          max_rows=args.max_rows or sandbox.DEFAULT_MAX_ROWS)
    except sandbox.SandboxError as e:
        print(f"error ({e.code}): {e.message}", file=sys.stderr)
        return 2
    res.to_csv(sys.stdout)
    if res.truncated:
        print(f"note: output truncated to {len(res.rows)} rows (--max-rows) / 结果已截断", file=sys.stderr)
    return 0
