"""`python -m devtools <command>` — developer tools (benchmarks). Same command-module convention as etl/cli.py."""
from __future__ import annotations

import argparse

from devtools import bench

COMMAND_MODULES = (bench,)  # bench [--reports N] [--json] [--corpus DIR] …


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m devtools", description="开发工具 / developer tools")
    sub = ap.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)

