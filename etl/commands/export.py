"""`python -m etl export --db DB --parquet DIR|URL` — the warehouse as Parquet, partitioned by year and
province for the big tables (see :mod:`etl.parquet`); a URL (s3://bucket/prefix …) uploads to object
storage (see :mod:`etl.storage`)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .. import config

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("export", help="导出数据仓库为 Parquet / export the warehouse as partitioned Parquet")
    p.add_argument("--db", default=None, help="warehouse file (default: env GKJB_DB, see etl/config.py)")
    p.add_argument("--parquet", required=True, help="output directory (replaced) or object-storage URL, e.g. s3://bucket/gkjb")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..parquet import export

    args.db = args.db or str(config.warehouse_path())

    if not Path(args.db).exists():
        print(f"error: no warehouse at {args.db}", file=sys.stderr)
        return 2
    from ..storage import is_url

    t0 = time.perf_counter()
    try:
        m = export(args.db, args.parquet)
    except (OSError, RuntimeError, ValueError) as e:
        print(f"error: cannot write {args.parquet}: {e}", file=sys.stderr)
        return 2
    size = m.get("bytes", 0) if is_url(args.parquet) else \
        sum(p.stat().st_size for p in Path(args.parquet).rglob("*.parquet"))
    for t, e in m["tables"].items():
        how = f"{len(e['files'])} files by {'/'.join(m['partition_by'])}" if e["partitioned"] else "1 file"
        print(f"  {t:20s} {e['rows']:>12,} rows  {how}")
    print(f"{len(m['tables'])} tables, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f}s -> {args.parquet}")
    return 0
