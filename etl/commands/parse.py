"""`python -m etl parse FILE [--json]` — the SPEC §9 contract."""
from __future__ import annotations

import json
import sys

from ..document import ExtractError


def register(sub) -> None:
    p = sub.add_parser("parse", help="解析一份年报 / parse one report file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the SPEC §9 JSON object")
    p.add_argument("--cells", action="store_true", help="include raw cells with provenance in the JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..parse import parse_file

    try:
        result = parse_file(args.file)
    except ExtractError as e:
        print(json.dumps({"error": {"code": e.code, "message": e.message}}, ensure_ascii=False))
        return 2
    except FileNotFoundError as e:
        print(json.dumps({"error": {"code": "not_found", "message": str(e)}}, ensure_ascii=False))
        return 2
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
