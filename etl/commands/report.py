"""`python -m etl report --db DB --region 示例省/青川市 --year 2024 --out FILE.docx|.pdf` — the printable
通报 of a region and year (see :mod:`etl.notice`)."""
from __future__ import annotations

import sys
from pathlib import Path

from .. import config

# ETL modules are imported inside the command functions: see etl/cli.py (start-up time of every command).


def register(sub) -> None:
    p = sub.add_parser("report", help="生成通报（DOCX/PDF）/ write the printable notice of a region and year")
    p.add_argument("--db", default=None, help="warehouse file (default: env GKJB_DB, see etl/config.py)")
    p.add_argument("--region", required=True, help="省/市/区县, e.g. 示例省/青川市")
    p.add_argument("--year", type=int, required=True, help="report year, e.g. 2024")
    p.add_argument("--out", required=True, help="output file ending in .docx or .pdf")
    p.set_defaults(func=run)


def run(args) -> int:
    from etl.notice import NoticeError, generate

    args.db = args.db or str(config.warehouse_path())

    if not Path(args.db).exists():
        print(f"error: no warehouse at {args.db}", file=sys.stderr)
        return 2
    try:
        n = generate(args.db, args.region, args.year, args.out)
    except NoticeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write {args.out}: {e}", file=sys.stderr)
        return 2
    print(f"{n.title}: {n.due} 家应报送, 缺报 {len(n.missing)}, 逾期 {len(n.late)}, "
          f"{len(n.problems)} 家单位有问题 -> {args.out}")
    return 0
