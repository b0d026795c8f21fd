"""Read-only SQL sandbox over the warehouse, shared by the 数据探索 page and ``python -m etl query``.

Layers (each enough on its own for the common attacks; together they also stop resource abuse):

1. Statement check in the caller, with DuckDB's own parser (``extract_statements``): exactly one
   statement, of type SELECT (this covers WITH/VALUES/FROM-first/DESCRIBE/SHOW/SUMMARIZE). COPY, EXPORT,
   ATTACH/DETACH, INSTALL/LOAD, SET/RESET, PRAGMA/CALL, CREATE, INSERT/UPDATE/DELETE … are refused here.
2. The query runs in a short-lived child process (``python -m etl.sandbox``) that
   - caps its address space (RLIMIT_AS) and CPU time, so a memory bomb such as
     ``SELECT list(range(1e9))`` fails inside the child instead of swelling the dashboard server
     (DuckDB's ``memory_limit`` does not cover every allocation);
   - opens the warehouse ``read_only`` with ``enable_external_access=false`` (no files, no network:
     read_csv/read_text/read_blob/glob/replacement scans/COPY/ATTACH fail), extension auto-install and
     auto-load off, ``memory_limit`` and ``threads`` limits, ``lock_configuration=true`` (SET/RESET of
     any option fails);
   - enforces the time limit with ``con.interrupt()`` from a timer thread, and fetches at most
     ``max_rows + 1`` rows (to report truncation) as an Arrow table, refusing results over
     ``MAX_RESULT_BYTES``.
3. The caller kills the child if it overruns the time limit by more than a grace period (a native
   operation that never checks for interrupts cannot hold the dashboard).

Errors are :class:`SandboxError` with a ``code`` (refused | syntax | permission | timeout | memory |
too_large | missing | error) and a bilingual message fit to show to the user.
"""
from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config, storage

# DuckDB and pyarrow are imported inside functions: the child process sets its limits before loading them

DEFAULT_TIMEOUT = 5.0      # seconds of query time
DEFAULT_MAX_ROWS = 1000
MEMORY_LIMIT = "512MB"     # DuckDB buffer manager limit inside the child
THREADS = 2
CHILD_ADDRESS_SPACE = 2 * 1024 ** 3   # RLIMIT_AS of the child (bytes)
MAX_RESULT_BYTES = 64 * 1024 ** 2
GRACE = 5.0                # seconds for child start-up and clean interrupt before it is killed

# Same keys/values as dashboard.db.READ_CONFIG (DuckDB refuses to share an in-process database
# instance between connections with different configurations).
CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": MEMORY_LIMIT,
    "threads": THREADS,
    "lock_configuration": True,
}

ALLOWED_TYPES = {"SELECT"}
MAX_TIMEOUT = 300.0        # seconds a caller may ask for
MAX_ROWS_LIMIT = 1_000_000
MAX_CONCURRENT = int(os.environ.get("GKJB_SQL_CONCURRENCY", "2"))  # sandbox children at once, per server process
QUEUE_WAIT = 10.0          # seconds a query waits for a free slot before it is refused as busy
SPILL_LIMIT = "1GB"        # DuckDB max_temp_directory_size in the child (its own temporary directory)
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)


def _kind(stmt) -> str:
    """The statement type's name; a type this DuckDB build cannot name (e.g. UPDATE EXTENSIONS) is 'UNKNOWN'."""
    try:
        t = stmt.type
    except ValueError:
        return "UNKNOWN"
    return getattr(t, "name", str(t))


class SandboxError(Exception):
    """A query refused or stopped by the sandbox. ``str(e)`` is a message for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SandboxResult:
    columns: list[str]
    table: object = field(repr=False)   # pyarrow.Table, at most max_rows rows
    truncated: bool = False
    seconds: float = 0.0

    @property
    def frame(self):
        """The rows as a pandas DataFrame."""
        return self.table.to_pandas()

    @property
    def rows(self) -> list[tuple]:
        cols = [self.table.column(i).to_pylist() for i in range(self.table.num_columns)]
        return list(zip(*cols)) if cols else []

    def to_csv(self, out) -> None:
        w = csv.writer(out)
        w.writerow(self.columns)
        for r in self.rows:
            w.writerow(["" if v is None else v for v in r])


def check_statement(sql: str) -> str:
    """The text of the single allowed statement in `sql`; SandboxError otherwise. Parser only."""
    import duckdb

    if not isinstance(sql, str) or not sql.strip():
        raise SandboxError("refused", "请输入一条 SELECT 查询。/ Enter one SELECT query.")
    if len(sql) > 100_000:
        raise SandboxError("refused", "SQL 过长（上限 100000 字符）。/ SQL text is too long (limit 100,000 characters).")
    con = duckdb.connect(":memory:", config=dict(CONFIG))
    try:
        stmts = con.extract_statements(sql)
    except duckdb.Error as e:
        raise SandboxError("syntax", f"SQL 语法错误 / syntax error: {_first_line(e)}") from None
    finally:
        con.close()
    if len(stmts) != 1:
        raise SandboxError("refused", "请输入一条 SELECT 查询。/ Enter one SELECT query." if not stmts else
                           f"只能执行一条 SQL 语句（收到 {len(stmts)} 条）。/ Exactly one statement is allowed "
                           f"(got {len(stmts)}).")
    kind = _kind(stmts[0])
    if kind not in ALLOWED_TYPES:
        raise SandboxError("refused", f"只允许只读查询（SELECT），不允许 {kind} 语句。/ Only read-only SELECT "
                                      f"queries are allowed; {kind} statements are refused.")
    return stmts[0].query


def run(sql: str, path: str | Path | None = None, timeout: float = DEFAULT_TIMEOUT,
        max_rows: int = DEFAULT_MAX_ROWS) -> SandboxResult:
    """Run one read-only SELECT against the warehouse at `path` (default: the configured
    warehouse, etl.config) in a sandboxed child process."""
    timeout, max_rows = check_limits(timeout, max_rows)
    query = check_statement(sql)
    if path and storage.is_url(path):  # a Parquet export in object storage
        location = str(path)
    else:
        path = Path(path) if path else config.warehouse_path()
        if not (path.is_file() or (path / "_manifest.json").is_file()):
            raise SandboxError("missing", f"数据仓库不存在，请先导入年报。/ Warehouse not found: {path}")
        location = str(path.resolve())
    job = {"db": location, "sql": query, "timeout": float(timeout), "max_rows": int(max_rows)}
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "PYTHONPATH") + storage.ENV_KEYS
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")]))
    if not _slots.acquire(timeout=QUEUE_WAIT):
        raise SandboxError("busy", f"同时运行的查询已达上限（{MAX_CONCURRENT} 个），请稍后再试。/ Too many queries are "
                                   f"running at once (limit {MAX_CONCURRENT}); try again shortly.")
    spill = tempfile.mkdtemp(prefix="gkjb-sql-")
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd="/",
                                start_new_session=True)
        try:
            out, err = proc.communicate(json.dumps(dict(job, spill=spill)).encode(), timeout=timeout + GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise SandboxError("timeout", _timeout_msg(timeout)) from None
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        _slots.release()
    seconds = time.perf_counter() - t0
    if proc.returncode == 0 and out[:1] == b"R":
        import pyarrow as pa

        meta_len = int.from_bytes(out[1:5], "big")
        meta = json.loads(out[5:5 + meta_len])
        table = pa.ipc.open_stream(io.BytesIO(out[5 + meta_len:])).read_all()
        return SandboxResult(meta["columns"], table, meta["truncated"], seconds)
    if out[:1] == b"E":
        e = json.loads(out[1:])
        raise SandboxError(e["code"], e["message"])
    if proc.returncode and seconds >= timeout:
        # the child died after its time budget ran out (CPU limit, or the interrupt raced the exit)
        raise SandboxError("timeout", _timeout_msg(timeout))
    if proc.returncode and proc.returncode < 0:
        raise SandboxError("memory", "查询进程因超出资源限制被终止。/ The query process was stopped for exceeding "
                                     "its resource limits.")
    raise SandboxError("error", "查询进程异常退出。/ The query process failed: "
                       + err.decode("utf-8", "replace").strip().splitlines()[-1:][0][:300] if err.strip() else
                       "查询进程异常退出。/ The query process failed.")


def check_limits(timeout, max_rows) -> tuple[float, int]:
    """(timeout, max_rows) as numbers within bounds; SandboxError ``refused`` otherwise (nan, inf, 1e9 …)."""
    try:
        timeout, max_rows = float(timeout), int(max_rows)
    except (TypeError, ValueError, OverflowError):
        raise SandboxError("refused", "时间或行数限制不是数字。/ The time or row limit is not a number.") from None
    if not 0.1 <= timeout <= MAX_TIMEOUT:  # false for nan as well
        raise SandboxError("refused", f"时间限制须在 0.1 到 {MAX_TIMEOUT:g} 秒之间。/ The time limit must be between 0.1 "
                                      f"and {MAX_TIMEOUT:g} seconds.")
    if not 1 <= max_rows <= MAX_ROWS_LIMIT:
        raise SandboxError("refused", f"行数限制须在 1 到 {MAX_ROWS_LIMIT} 之间。/ The row limit must be between 1 and "
                                      f"{MAX_ROWS_LIMIT}.")
    return timeout, max_rows


def _timeout_msg(timeout: float) -> str:
    return f"查询超过 {timeout:g} 秒时间限制，已中止。/ Query stopped: it exceeded the {timeout:g}s time limit."


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:300] if text else type(e).__name__


# The child: python -I (isolated: no user site, no cwd on path, PYTHON* env ignored); limits first, then imports.
_BOOT = "import sys; sys.path[:0] = __import__('os').environ['PYTHONPATH'].split(':'); " \
        "from etl.sandbox import _child; _child()"


def _child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    job = json.loads(sys.stdin.buffer.read())
    cpu = int(job["timeout"] * THREADS + GRACE) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    out = sys.stdout.buffer
    try:
        meta, payload = _execute(job["db"], job["sql"], job["timeout"], job["max_rows"], job["spill"])
    except SandboxError as e:
        out.write(b"E" + json.dumps({"code": e.code, "message": e.message}, ensure_ascii=False).encode())
        out.flush()
        os._exit(2)
    except MemoryError:
        out.write(b"E" + json.dumps({"code": "memory", "message": _MEMORY_MSG}, ensure_ascii=False).encode())
        out.flush()
        os._exit(2)
    m = json.dumps(meta).encode()
    out.write(b"R" + len(m).to_bytes(4, "big") + m + payload)
    out.flush()
    os._exit(0)


_MEMORY_MSG = "查询超出内存限制，已中止。/ Query stopped: it exceeded the memory limit."


def _execute(db: str, sql: str, timeout: float, max_rows: int, spill: str) -> tuple[dict, bytes]:
    import duckdb
    import pyarrow as pa

    # spills go to the private, size-capped directory the caller made (not next to the warehouse, and
    # not ./.tmp under '/' in Parquet mode); the caller removes it however this process ends
    config = dict(CONFIG, temp_directory=spill, max_temp_directory_size=SPILL_LIMIT)
    try:
        if storage.is_url(db) or Path(db).is_dir():  # a Parquet export: views over its files only
            from .parquet import connect_parquet  # lazy: pyarrow, loaded after the limits
            con = connect_parquet(db, config=config)
        else:
            con = duckdb.connect(db, read_only=True, config=config)
    except (duckdb.Error, OSError, RuntimeError, ValueError) as e:
        raise SandboxError("error", f"无法打开数据仓库 / cannot open the warehouse: {_first_line(e)}") from None
    # the statement is checked again here: the child never trusts its input
    stmts = con.extract_statements(sql)
    if len(stmts) != 1 or _kind(stmts[0]) not in ALLOWED_TYPES:
        raise SandboxError("refused", "只允许一条只读查询（SELECT）。/ Only one read-only SELECT query is allowed.")
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        table = con.sql(stmts[0].query).limit(max_rows + 1).to_arrow_table()
    except duckdb.InterruptException:
        raise SandboxError("timeout", _timeout_msg(timeout)) from None
    except duckdb.OutOfMemoryException:
        raise SandboxError("memory", _MEMORY_MSG) from None
    except duckdb.PermissionException as e:
        raise SandboxError("permission", "不允许访问文件、网络或扩展。/ Access to files, network and extensions is "
                                         f"disabled: {_first_line(e)}") from None
    except duckdb.Error as e:
        msg = _first_line(e)
        if "interrupt" in msg.lower():
            raise SandboxError("timeout", _timeout_msg(timeout)) from None
        if "read-only" in msg or "read only" in msg:
            raise SandboxError("refused", f"数据仓库是只读的。/ The warehouse is read-only: {msg}") from None
        raise SandboxError("error", f"查询出错 / query error: {msg}") from None
    finally:
        timer.cancel()
    truncated = table.num_rows > max_rows
    if truncated:
        table = table.slice(0, max_rows)
    if table.nbytes > MAX_RESULT_BYTES:
        raise SandboxError("too_large", f"结果过大（{table.nbytes / 1e6:.0f} MB，上限 {MAX_RESULT_BYTES / 1e6:.0f} MB），"
                                        "请减少列或行。/ Result too large; select fewer columns or rows.")
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    con.close()
    return {"columns": table.column_names, "truncated": truncated}, sink.getvalue().to_pybytes()
