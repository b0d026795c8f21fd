"""`python -m etl parse FILE [--json]` — the SPEC §9 contract."""
from __future__ import annotations

import argparse
import json
import sys

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("parse", help="解析一份年报 / parse one report file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the SPEC §9 JSON object")
    p.add_argument("--cells", action="store_true", help="include raw cells with provenance in the JSON")
    p.add_argument("--timeout", type=_seconds, default=None, help="seconds allowed (default: as ingest, 120)")
    p.set_defaults(func=run)


def _seconds(text: str) -> int:
    """A whole number of seconds, 1 to one day (argparse type)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 1 <= v <= 86400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be between 1 and 86400 seconds: {text!r}")
    return int(v)


def run(args) -> int:
    from ..ingest import DEFAULT_TIMEOUT, parse_isolated

    try:  # in a worker process with ingest's time, CPU and memory limits
        result = parse_isolated(args.file, args.timeout or DEFAULT_TIMEOUT)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        print(json.dumps({"error": {"code": "not_found", "message": str(e)}}, ensure_ascii=False))
        return 2
    if "error" in result:
        print(json.dumps({"error": result["error"]}, ensure_ascii=False))
        return 2
    # the single-report rules, without office context (the warehouse runs them in etl.rules.refresh)
    from ..rules import check_report
    result["findings"] = check_report(result)
    if not args.cells:
        result.pop("cells", None)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        _print_human(result)
    return 0


def _print_human(r: dict) -> None:
    print(f"{r['office']}  {r['year']}年  模板 {r['template']}  类型 {r['report_kind']}  发布 {r['published_on']}")
    print(f"状态 {r['status']}  章节 {len(r['sections'])}/6  推断 {sum(v == 'inferred' for v in r['flags'].values())}"
          f"  不确定 {sum(v == 'uncertain' for v in r['flags'].values())}")
    for p in r["problems"]:
        print(f"  ! {p['code']}: {p['message']}")
    for f in r["findings"]:
        if f["status"] in ("FAIL", "UNCERTAIN"):
            print(f"  [{f['severity']}] {f['rule']} {f['status']}: {f['message']}")
