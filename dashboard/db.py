"""Read-only access to the warehouse.

The database path comes from env ``GKJB_DB`` (default ``data/warehouse.duckdb`` under the project root).
Connections are short-lived and read-only (so a concurrent ingest can take the write lock between page
loads); results are cached by the *data version* (file size + mtime of the database and its WAL), so a
new ingest invalidates every cached result automatically.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]

# Same settings as the SQL sandbox so both can share one in-process database instance.
READ_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": "512MB",
    "threads": 2,
    "lock_configuration": True,
}

_lock = threading.Lock()


def db_path() -> Path:
    p = Path(os.environ.get("GKJB_DB", "data/warehouse.duckdb"))
    return p if p.is_absolute() else ROOT / p


def data_version(path: Path | None = None) -> str:
    """Changes whenever the warehouse file changes; '' when there is no warehouse."""
    path = path or db_path()
    parts = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            s = p.stat()
            parts.append(f"{s.st_size}:{s.st_mtime_ns}")
        except FileNotFoundError:
            parts.append("-")
    return "" if parts[0] == "-" else f"{path}|{'|'.join(parts)}"


def exists() -> bool:
    return db_path().exists()


@contextmanager
def connect():
    """A read-only connection, closed on exit. Raises FileNotFoundError when there is no warehouse."""
    path = db_path()
    if not path.exists():
        raise FileNotFoundError(str(path))
    con = duckdb.connect(str(path), read_only=True, config=dict(READ_CONFIG))
    try:
        yield con
    finally:
        con.close()


def query(sql: str, params: dict | list | None = None):
    """Run one statement on its own cursor and return a pandas DataFrame."""
    with connect() as con:
        cur = con.cursor()
        try:
            return cur.execute(sql, params or {}).df() if params else cur.execute(sql).df()
        finally:
            cur.close()


def relations() -> set[str]:
    """Tables and views in the warehouse ('' set when none)."""
    if not exists():
        return set()
    with connect() as con:
        return {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}


def columns(table: str) -> list[str]:
    with connect() as con:
        return [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position", [table]).fetchall()]
