"""Read-only access to the warehouse.

The database path comes from etl.config (env ``GKJB_DB``, relative to the project root).
One read-only connection per data version is shared by all sessions and every query runs on its own
cursor. Ingest builds a new file and swaps it in atomically, so the open connection keeps reading a
complete snapshot until the next query sees the new version. Results are cached by the data version
(file size + mtime), so a new ingest invalidates every cached result automatically. GKJB_DB may also
point to a Parquet export (directory or URL, see etl/parquet.py).
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl import config, storage
from etl.parquet import connect_parquet

ROOT = config.ROOT

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
    return config.warehouse_path()


def location() -> str:
    """The warehouse as configured: a .duckdb file, a Parquet directory or an object-storage URL."""
    raw = config.warehouse_setting()
    return raw if storage.is_url(raw) else str(db_path())


def is_remote() -> bool:
    return storage.is_url(config.warehouse_setting())


def is_parquet(path: Path | None = None) -> bool:
    """GKJB_DB may name a Parquet export (a directory or an s3://, https:// URL) instead of a .duckdb file.
    A Parquet export is read-only: the upload page cannot load into it."""
    if path is None and is_remote():
        return True
    return (path or db_path()).is_dir()


REMOTE_CHECK_SECONDS = 15.0   # how often the manifest of a remote export is looked at again
_remote_seen: dict[str, tuple[float, str]] = {}
_remote_error: dict[str, str] = {}


def unavailable_reason() -> str | None:
    """Why a configured remote export cannot be read (None when it can, or when the source is local)."""
    return _remote_error.get(location()) if is_remote() else None


def _remote_version(url: str) -> str:
    """The manifest's ETag/date, asked at most every REMOTE_CHECK_SECONDS (one HEAD request)."""
    now = time.monotonic()
    seen = _remote_seen.get(url)
    if seen and now - seen[0] < REMOTE_CHECK_SECONDS:
        return seen[1]
    try:
        v = storage.version(url.rstrip("/") + "/_manifest.json")
        _remote_error.pop(url, None)
    except OSError as e:  # the store is unreachable: keep serving what was read last
        v = seen[1] if seen else ""
        _remote_error[url] = str(e)[:300]
    _remote_seen[url] = (now, v)
    return f"{url}|{v}" if v else ""


def data_version(path: Path | None = None) -> str:
    """Changes whenever the warehouse changes; '' when there is no warehouse. A new ingest replaces the
    file atomically (new mtime), so a version names one immutable snapshot."""
    if path is None and is_remote():
        return _remote_version(location())
    path = path or db_path()
    if is_parquet(path):
        try:
            return f"{path}|{(path / '_manifest.json').stat().st_mtime_ns}"
        except FileNotFoundError:
            return ""
    parts = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            s = p.stat()
            parts.append(f"{s.st_size}:{s.st_mtime_ns}")
        except FileNotFoundError:
            parts.append("-")
    return "" if parts[0] == "-" else f"{path}|{'|'.join(parts)}"


def exists() -> bool:
    return bool(data_version())


_shared: dict[str, tuple[duckdb.DuckDBPyConnection, Path | None]] = {}


def _snapshot(path: Path, version: str) -> Path | None:
    """A hard link to this version's file under a name of its own. DuckDB caches one database instance
    per path in a process, so reopening the same path after an ingest swapped the file in would keep
    serving the old data; a per-version name opens the new file while the old one finishes its queries."""
    snapdir = path.parent / f".{path.name}.snapshots"
    try:
        snapdir.mkdir(exist_ok=True)
        target = snapdir / (hashlib.sha1(version.encode()).hexdigest()[:16] + ".duckdb")
        if not target.exists():
            os.link(path, target)
        return target
    except OSError:  # no hard links here (another filesystem, read-only directory): open the file itself
        return None


def _connection(version: str) -> duckdb.DuckDBPyConnection:
    """One read-only connection per data version, shared by all sessions; queries run on cursors of it
    (a DuckDB connection is not safe to use from several threads at once, its cursors are)."""
    with _lock:
        entry = _shared.get(version)
        if entry is None:
            path = db_path()
            snap = None
            if is_parquet():
                con = connect_parquet(location(), config=dict(READ_CONFIG))
            else:
                snap = _snapshot(path, version)
                con = duckdb.connect(str(snap or path), read_only=True, config=dict(READ_CONFIG))
            # keep the previous snapshot open a little longer: a page may still be reading from it
            for old in list(_shared)[:-1]:
                old_con, old_snap = _shared.pop(old)
                old_con.close()
                if old_snap is not None:
                    old_snap.unlink(missing_ok=True)
            entry = _shared[version] = (con, snap)
        return entry[0]


@contextmanager
def connect():
    """A cursor on the shared read-only connection, closed on exit. Raises FileNotFoundError when there
    is no warehouse."""
    version = data_version()
    if not version:
        raise FileNotFoundError(location())
    cur = _connection(version).cursor()
    try:
        yield cur
    finally:
        cur.close()


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
