"""`python -m etl <command>`. Each command lives in its own module exposing ``register(subparsers)``;
the module sets ``func`` on its parser. Adding a command = adding its module to COMMAND_MODULES.

Every command module is imported to build the parser, so command modules import what their command needs
inside the function that runs it: ``python -m etl parse`` does not load DuckDB, pandas or reportlab."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMAND_MODULES = (
    "etl.commands.parse",     # parse FILE --json
    "etl.commands.ingest",    # ingest PATH... --db DB
    "etl.demo.cli",           # demo --out DIR, eval DIR
    "etl.commands.check",     # check --db DB, offices import CSV
    "etl.commands.query",     # query --db DB "SQL" (sandboxed)
    "etl.commands.export",    # export --db DB --parquet DIR
    "etl.commands.report",    # report --db DB --region 省/市 --year Y --out FILE.docx|.pdf
    "etl.commands.review",    # review --db DB --report ID --rule R --verdict 误报 --note …; correct --db DB …
)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m etl", description="政府信息公开工作年度报告 ETL")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
