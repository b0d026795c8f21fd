"""`python -m etl ingest PATH... --db DB` — load report files into the warehouse."""
from __future__ import annotations

import sys

from .. import config
from .parse import _seconds

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("ingest", help="导入年报文件到数据仓库 / load report files into the warehouse")
    p.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    p.add_argument("--db", default=None, help="warehouse file (default: env GKJB_DB, see etl/config.py; with --executor dask "
                                             "and --parquet but no --db: a scratch warehouse, only Parquet is kept)")
    p.add_argument("--workers", type=int, default=None, help="parser processes (default: all cores)")
    p.add_argument("--timeout", type=_seconds, default=120, help="seconds allowed per file")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--reparse", action="store_true", help="parse again files already loaded (after a parser upgrade)")
    p.add_argument("--dataset", default=None, help="label the warehouse, e.g. 'demo' (shown as a banner)")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", default=None, help="dask scheduler address tcp://HOST:PORT (with --executor dask)")
    p.add_argument("--parquet", default=None, help="with --executor dask: write the result as partitioned Parquet to this directory or "
                        "object-storage URL (s3://bucket/prefix)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.executor == "dask":
        from ..scale import ingest_dask
        return ingest_dask(args)
    import duckdb

    from ..ingest import ingest_paths
    from ..writer import IngestLocked

    args.db = args.db or str(config.warehouse_path())

    try:
        s = ingest_paths(args.paths, args.db, workers=args.workers, timeout=args.timeout,
                         show_bar=not args.no_progress, reparse=args.reparse, dataset=args.dataset)
    except IngestLocked as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, duckdb.Error) as e:  # disk full, read-only or damaged warehouse: nothing was swapped in
        print(f"error: cannot write the warehouse {args.db} (unchanged): {type(e).__name__}: {e}", file=sys.stderr)
        return 4
    print(s.line())
    for path, reason in s.failures[:50]:
        print(f"  failed: {path}: {reason}")
    if len(s.failures) > 50:
        print(f"  … and {len(s.failures) - 50} more (see table reports where status = 'failed')")
    for old, new in s.superseded:
        print(f"  newer version: {new} replaces {old} (kept as history)")
    for d in s.duplicates:
        print(f"  warning: {d['office']} {d['year']} has {len(d['paths'])} current reports (counted twice): "
              + ", ".join(d["paths"]))
    return 0
