"""Read-only SQL box for 数据探索 (and `python -m etl query`).

Defences: a read-only connection with external access off, extension auto-install/auto-load off and the
configuration locked; memory and thread limits; exactly one statement, which must be a SELECT (or
a read-only EXPLAIN / DESCRIBE-like query); a wall-clock limit enforced by ``con.interrupt()`` from a
timer thread; a row limit on the fetched result.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from . import db

DEFAULT_TIMEOUT = 5.0   # seconds
DEFAULT_MAX_ROWS = 1000
MEMORY_LIMIT = db.READ_CONFIG["memory_limit"]
THREADS = db.READ_CONFIG["threads"]

ALLOWED_TYPES = {"SELECT"}


class SandboxError(Exception):
    """A query refused or stopped by the sandbox; the message is shown to the user (Chinese)."""


@dataclass
class SandboxResult:
    frame: pd.DataFrame
    truncated: bool
    seconds: float


def _config() -> dict:
    # identical to the dashboard's read config, so both can share the in-process database instance
    return dict(db.READ_CONFIG)


def check_statement(con: duckdb.DuckDBPyConnection, sql: str):
    """Exactly one statement, of an allowed type. Returns the parsed statement."""
    try:
        stmts = con.extract_statements(sql)
    except duckdb.Error as e:
        raise SandboxError(f"SQL 语法错误：{e}") from None
    if len(stmts) != 1:
        raise SandboxError("只能执行一条 SQL 语句。" if stmts else "请输入一条 SELECT 查询。")
    stmt = stmts[0]
    kind = getattr(stmt.type, "name", str(stmt.type))
    if kind not in ALLOWED_TYPES:
        raise SandboxError(f"只允许只读查询（SELECT），不允许 {kind}。")
    return stmt


def run(sql: str, path: str | Path | None = None, timeout: float = DEFAULT_TIMEOUT,
        max_rows: int = DEFAULT_MAX_ROWS) -> SandboxResult:
    path = Path(path) if path else db.db_path()
    if not path.exists():
        raise SandboxError("数据仓库不存在，请先导入年报。")
    con = duckdb.connect(str(path), read_only=True, config=_config())
    timer = threading.Timer(timeout, con.interrupt)
    t0 = time.perf_counter()
    try:
        stmt = check_statement(con, sql)
        timer.start()
        try:
            cur = con.execute(stmt.query)
            rows = cur.fetchmany(max_rows + 1)
            cols = [d[0] for d in cur.description] if cur.description else []
        except duckdb.InterruptException:
            raise SandboxError(f"查询超过 {timeout:g} 秒时间限制，已中止。") from None
        except duckdb.Error as e:
            if time.perf_counter() - t0 >= timeout:
                raise SandboxError(f"查询超过 {timeout:g} 秒时间限制，已中止。") from None
            raise SandboxError(f"查询出错：{e}") from None
    finally:
        timer.cancel()
        con.close()
    truncated = len(rows) > max_rows
    frame = pd.DataFrame(rows[:max_rows], columns=cols)
    return SandboxResult(frame, truncated, time.perf_counter() - t0)
