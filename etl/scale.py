"""Distributed ingest on a Dask cluster.

``ingest_dask(args)`` is the ``--executor dask`` path of ``python -m etl ingest``: files are parsed by
:func:`etl.ingest.parse_one` on Dask workers, results come back to the client, which loads them in
batches with :func:`etl.ingest.load_batched` (the same loader as the local path) and/or writes
the warehouse as partitioned Parquet (:mod:`etl.parquet`).
"""
from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import PARSER_VERSION, config, ingest, warehouse as W
from .extractors import MAX_FILE_BYTES
from .ingest import Summary, find_files, load_batched, plan_files, refresh
from .parquet import export
from .writer import IngestLocked, WriterLock

# dask is imported inside the functions that use it: an optional dependency (pip install '.[scale]')


# ---------------------------------------------------------------------------------------------
# Distributed ingest (Dask)
# ---------------------------------------------------------------------------------------------
class _ThreadSignal:
    """Stand-in for the ``signal`` module inside etl.ingest on Dask workers, where tasks run in worker
    threads and SIGALRM cannot be used. ``alarm(n)`` arms a timer that raises TimeoutError in the calling
    thread (checked between Python bytecodes, so a parser stuck inside C code is not interrupted).
    On the main thread every call goes to the real signal module."""

    def __init__(self, real):
        self._real = real
        self._timers: dict[int, threading.Timer] = {}
        self.SIGALRM = real.SIGALRM

    def __getattr__(self, name):
        return getattr(self._real, name)

    def signal(self, signum, handler):
        if threading.current_thread() is threading.main_thread():
            return self._real.signal(signum, handler)
        return None

    def alarm(self, seconds):
        if threading.current_thread() is threading.main_thread():
            return self._real.alarm(seconds)
        tid = threading.get_ident()
        old = self._timers.pop(tid, None)
        if old is not None:
            old.cancel()
        if seconds:
            def fire():
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(TimeoutError))
            t = threading.Timer(seconds, fire)
            t.daemon = True
            self._timers[tid] = t
            t.start()
        return 0


def parse_task(path: str, timeout: int) -> tuple[str, dict, float]:
    """Run on a worker: parse one file with etl.ingest.parse_one. Returns (path, result, seconds)."""
    if not isinstance(ingest.signal, _ThreadSignal):
        ingest.signal = _ThreadSignal(ingest.signal)
    t0 = time.perf_counter()
    result = ingest.parse_one(path, timeout)
    return path, result, time.perf_counter() - t0


def _client(scheduler: str | None, workers: int | None):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    return Client(cluster), cluster


def parse_on_dask(files: list[tuple[Path, str, int]], *, scheduler: str | None = None,
                  workers: int | None = None, timeout: int = 60, progress=None):
    """Yield ((path, sha, size), result) as files finish on the cluster."""
    from dask.distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        by_path = {}
        todo = []
        for t in files:
            f, sha, size = t
            if size > MAX_FILE_BYTES or size < 0:
                msg = (f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB" if size > 0
                       else "cannot read file")
                yield t, {"status": "failed", "parser_version": PARSER_VERSION, "format": None,
                          "error": {"code": "too_large" if size > 0 else "unreadable", "message": msg}}
                continue
            by_path[str(f)] = t
            todo.append(str(f))
        futures = client.map(parse_task, todo, timeout=timeout, retries=1, pure=False)
        path_of = {fut.key: p for fut, p in zip(futures, todo)}
        for fut in as_completed(futures):
            try:
                _path, result, _sec = fut.result()
            except Exception as e:  # the worker died on this file (twice)
                result = {"status": "failed", "parser_version": PARSER_VERSION,
                          "error": {"code": "worker_crash", "message": f"{type(e).__name__}: {e}"[:500]}}
            t = by_path[path_of[fut.key]]
            fut.release()
            yield t, result
    finally:
        _shut_down(client, cluster)


def _shut_down(client, cluster) -> None:
    """Close the client and a cluster we started. Every result is in hand by now: a nanny slow to stop on a
    loaded machine (distributed's close timeout) is reported, not turned into a failed ingest."""
    for part in (client, cluster):
        if part is None:
            continue
        try:
            part.close(timeout=60)
        except (TimeoutError, OSError) as e:
            print(f"warning: the Dask {type(part).__name__} did not close cleanly ({type(e).__name__}: {e})",
                  file=sys.stderr)


def ingest_dask(args) -> int:
    """``python -m etl ingest PATH... --executor dask [--scheduler tcp://H:P] [--db DB] [--parquet OUT]``."""
    t0 = time.perf_counter()
    try:
        files = find_files(args.paths)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    parquet = getattr(args, "parquet", None)
    db_arg = getattr(args, "db", None)
    # --parquet alone: load into a scratch warehouse, then export it
    scratch = None
    if parquet and db_arg is None:
        scratch = tempfile.TemporaryDirectory(prefix="gkjb-dask-")
        db = Path(scratch.name) / "warehouse.duckdb"
    else:
        db = Path(db_arg) if db_arg else config.warehouse_path()
    summary = Summary(seen=len(files))
    try:
        with WriterLock(db):
            con = W.connect(db)
            try:
                if getattr(args, "dataset", None):
                    W.set_meta(con, "dataset", args.dataset)
                todo = plan_files(con, files, summary, getattr(args, "reparse", False))
                results = parse_on_dask(todo, scheduler=getattr(args, "scheduler", None),
                                        workers=getattr(args, "workers", None),
                                        timeout=getattr(args, "timeout", 60) or 60)
                def loaded(batch, ids):
                    for (f, _sha, _size, result), rid in zip(batch, ids):
                        summary.record(f, rid, result)

                load_batched(con, ((str(f), sha, max(size, 0), result) for (f, sha, size), result in results),
                             loaded)
                if summary.report_ids and getattr(args, "post", True):
                    refresh(con, summary.report_ids)
                if parquet:
                    con.execute("CHECKPOINT")
                    export(con, parquet)
            finally:
                con.close()
    except IngestLocked as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    finally:
        if scratch is not None:
            scratch.cleanup()
    summary.seconds = time.perf_counter() - t0
    print(summary.line() + (f"; Parquet written to {parquet}" if parquet else ""))
    for path, reason in summary.failures[:50]:
        print(f"  failed: {path}: {reason}")
    return 0
