"""CLI: `python -m etl demo --out DIR [--seed N] [--small]` and `python -m etl eval DIR`."""
from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="generate the deterministic demo corpus (示例省, 示例数据)")
    p.add_argument("--out", required=True, help="output directory (docs/, truth/, offices.csv)")
    p.add_argument("--seed", type=int, default=2019)
    p.add_argument("--small", action="store_true", help="a small corpus (2 cities, 2 counties each) for tests")
    p.add_argument("--workers", type=int, default=None, help="processes for rendering (default: all cores)")
    p.set_defaults(func=_demo)

    e = subparsers.add_parser("eval", help="parse a demo corpus and score it against its truth")
    e.add_argument("dir")
    e.add_argument("--workers", type=int, default=None)
    e.add_argument("-v", "--verbose", type=int, nargs="?", const=50, default=0,
                   help="list up to N misreads (file, key, expected, got)")
    e.add_argument("--no-scans", action="store_true", help="skip scanned PDFs (OCR is slow)")
    e.add_argument("--format", action="append", help="only documents of this format (repeatable)")
    e.add_argument("--min", type=float, default=0.0, help="exit 1 when overall accuracy is below this")
    e.set_defaults(func=_eval)


def _demo(args) -> int:
    from .generate import generate
    summary = generate(args.out, seed=args.seed, small=args.small, workers=args.workers)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


def _eval(args) -> int:
    from .evaluate import evaluate
    res = evaluate(args.dir, workers=args.workers, verbose=args.verbose, scans=not args.no_scans,
                   formats=set(args.format) if args.format else None)
    return 0 if res["accuracy"] >= args.min else 1
