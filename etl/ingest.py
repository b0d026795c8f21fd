"""Batch ingest: find report files, parse them in worker processes, load each into the warehouse in its
own transaction, then refresh compliance findings and marts for what changed.

Idempotent by content: a file whose sha256 is already loaded is skipped; a file at a known path whose
content changed replaces its earlier version. A file that cannot be parsed is recorded as a failed
report with its reason; it never stops the batch.

Readers always see a complete warehouse: a run copies the current warehouse to ``DB.tmp-<pid>`` (or
starts fresh), loads into the copy, checkpoints and closes it, fsyncs it and ``os.replace``s it onto
``DB`` (then fsyncs the directory). A run killed at any point leaves ``DB`` exactly as it was; the next
run (holding the lock) deletes the stale ``DB.tmp-*`` files. See :mod:`etl.writer`.
"""
from __future__ import annotations

import datetime
import hashlib
import multiprocessing as mp
import os
import resource
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from tqdm import tqdm

from . import PARSER_VERSION
from . import parse  # called as parse.parse_file: tests substitute the parser
from . import template as T
from . import warehouse as W
from .document import ExtractError
from .extractors import EXTENSIONS, MAX_FILE_BYTES
from .writer import WriterLock, atomic_warehouse, crashpoint

DEFAULT_TIMEOUT = 120  # seconds per file (OCR of a scanned report needs up to ~90 s)
# address space of one parser process (RLIMIT_AS; converters it starts, LibreOffice and tesseract, inherit it)
PARSE_MEMORY_BYTES = int(os.environ.get("GKJB_PARSE_MEMORY_MB", "3072")) * 2**20


@dataclass
class Summary:
    seen: int = 0
    loaded: int = 0
    skipped: int = 0
    failed: int = 0
    replaced: int = 0
    report_ids: list[int] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (earlier version, its replacement)
    duplicates: list[dict] = field(default_factory=list)  # office-years with two current reports (see W.supersede)
    seconds: float = 0.0

    def record(self, path: str, report_id: int, result: dict) -> None:
        """Count one loaded file (a failure is loaded too: as a record of why it failed)."""
        self.report_ids.append(report_id)
        if result.get("status") == "failed":
            self.failed += 1
            self.failures.append((path, result["error"]["message"]))
        else:
            self.loaded += 1

    def line(self) -> str:
        return (f"{self.seen} files: {self.loaded} loaded ({self.replaced} replaced, {len(self.superseded)} newer "
                f"versions of a loaded report), {self.skipped} unchanged, {self.failed} failed in {self.seconds:.1f}s")


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Report files under the given paths (recursively), by extension, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(f for f in sorted(p.rglob("*"))
                       if f.is_file() and f.suffix.lower() in EXTENSIONS
                       and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return out


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _timeout_handler(signum, frame):
    raise TimeoutError


def parse_one(path: str, timeout: int = DEFAULT_TIMEOUT) -> dict:
    """Parse one file; never raises: a failure comes back as a result with ``error``.

    The time limit is a SIGALRM, which only the main thread of a process may install: ingest calls this
    in worker processes (:func:`_parse_guarded`); in any other thread (a Dask worker thread) it parses
    without the alarm and relies on the caller's own limits."""
    t0 = time.perf_counter()
    timed = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGALRM, _timeout_handler) if timed else None
    if timed:
        signal.alarm(max(1, int(timeout)))
    try:
        result = parse.parse_file(path)
    except ExtractError as e:
        result = {"error": {"code": e.code, "message": e.message}}
    except TimeoutError:
        result = {"error": {"code": "timeout", "message": f"parsing took longer than {timeout}s"}}
    except MemoryError:
        result = {"error": {"code": "memory", "message": "parsing ran out of memory (limit of the parser process)"}}
    except Exception as e:  # a parser bug must not stop the batch; record it with its type
        result = {"error": {"code": "parser_error", "message": f"{type(e).__name__}: {e}"[:500]}}
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    if "error" in result:
        result.update(status="failed", parser_version=PARSER_VERSION, seconds=round(time.perf_counter() - t0, 4))
    return result


def _parse_guarded(path: str, timeout: int = DEFAULT_TIMEOUT, memory: int | None = None) -> dict:
    """parse_one in a worker process, with a hard CPU-time cap and an address-space cap.

    SIGALRM cannot interrupt native code (a parser stuck inside lxml or pdfium), RLIMIT_CPU can — the
    worker dies, the pool breaks, and :func:`_parse_all` records the file as ``worker_crash`` after
    retrying it alone. RLIMIT_AS turns a runaway allocation (a table of huge spans, a decompression
    bomb) into a MemoryError in this worker instead of swapping the machine."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + 3 * int(timeout) + 5
    limits = {resource.RLIMIT_CPU: soft, resource.RLIMIT_AS: memory or PARSE_MEMORY_BYTES}
    saved = {}
    for res, want in limits.items():
        cur, hard = resource.getrlimit(res)
        saved[res] = cur
        try:
            resource.setrlimit(res, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
        except (ValueError, OSError):
            pass
    try:
        return parse_one(path, timeout)
    finally:
        for res, cur in saved.items():
            try:
                resource.setrlimit(res, (cur, resource.getrlimit(res)[1]))
            except (ValueError, OSError):
                pass


def parse_isolated(path: str | Path, timeout: int = DEFAULT_TIMEOUT) -> dict:
    """Parse one file in a worker process under the same limits as ingest (``etl parse``)."""
    size = Path(path).stat().st_size  # FileNotFoundError for a missing file
    for _, result in _parse_all([(Path(path), "", size)], 1, timeout):
        return result
    raise AssertionError("unreachable")


def _die_with(parent: int) -> None:
    """Pool-worker initializer: exit as soon as process `parent` (the ingesting process) is gone.

    Workers are children of the forkserver, not of the ingesting process, so PR_SET_PDEATHSIG cannot
    name it; a pidfd becomes readable when that exact process exits (no pid-reuse race)."""
    def watch():
        try:
            fd = os.pidfd_open(parent)
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):  # no pidfd (old kernel / not Linux): poll
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    os._exit(1)
                except PermissionError:
                    pass
        select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _init_worker(parent: int, versions: tuple) -> None:
    """Pool-worker initializer: know the template versions registered in the ingesting process, and die
    with it."""
    T.adopt(versions)
    _die_with(parent)

class _Unchanged(Exception):
    """Nothing to load: leave the warehouse file alone (no swap, so dashboard caches stay valid)."""

def ingest_paths(paths: Iterable[str | Path], db: str | Path, *, workers: int | None = None,
                 timeout: int = DEFAULT_TIMEOUT, progress: Callable[[int, int, Summary], None] | None = None,
                 show_bar: bool = False, post: bool = True, reparse: bool = False,
                 dataset: str | None = None) -> Summary:
    """Ingest files into the warehouse at `db`. `progress(done, total, summary)` is called after each file.

    The run builds a new warehouse file and swaps it in atomically (:func:`atomic_warehouse`). A run that
    fails (an exception, an interrupt, a kill) swaps nothing in: the warehouse stays as it was (or absent)
    and the exception is re-raised. A file that cannot be parsed is not a failure of the run: it is
    loaded as a failed report with its reason."""
    db = Path(db)
    t0 = time.perf_counter()
    files = find_files(paths)
    summary = Summary(seen=len(files))
    with WriterLock(db):
        todo = None
        if db.exists() and not dataset:  # decide on a read-only look whether copying the warehouse is needed
            try:
                ro = W.connect(db, read_only=True)
                try:
                    todo = plan_files(ro, files, summary, reparse)
                finally:
                    ro.close()
            except Exception:  # unreadable or old warehouse: let the normal path handle it
                todo, summary.skipped, summary.replaced = None, 0, 0
        if todo is not None and not todo:
            if progress:
                progress(summary.skipped, len(files), summary)
        else:
            try:
                with atomic_warehouse(db) as con:
                    _ingest_into(con, files, summary, workers, timeout, progress, show_bar, post, reparse,
                                         dataset, fresh_db=not db.exists(), todo=todo)
            except _Unchanged:
                pass
    summary.seconds = time.perf_counter() - t0
    return summary

def plan_files(con, files: list[Path], summary: Summary, reparse: bool = False) -> list[tuple[Path, str, int]]:
    """(file, sha256, size) of the files to parse: content already loaded is skipped (counted in
    `summary`), a known path with new content is counted as a replacement; an unreadable file gets size -1
    (it is recorded as failed). Only the files at hand are looked up: a national warehouse has millions."""
    todo: list[tuple[Path, str, int]] = []
    hashed = []
    for f in files:
        try:
            hashed.append((f, *_sha256(f)))
        except OSError:
            todo.append((f, hashlib.sha256(str(f).encode()).hexdigest(), -1))
    known_paths = W.loaded_paths(con, [str(f) for f, _, _ in hashed])
    known = set() if reparse else W.known_shas(con, [sha for _, sha, _ in hashed])
    for f, sha, size in hashed:
        if sha in known:
            summary.skipped += 1
            continue
        if str(f) in known_paths and known_paths[str(f)] != sha:
            summary.replaced += 1
        todo.append((f, sha, size))
    return todo

def _ingest_into(con, files, summary, workers, timeout, progress, show_bar, post, reparse, dataset,
                 fresh_db, todo=None) -> None:
    if dataset:
        W.set_meta(con, "dataset", dataset)
    if todo is None:
        todo = plan_files(con, files, summary, reparse)
    if not todo and not dataset and not fresh_db:
        if progress:
            progress(summary.skipped, len(files), summary)
        raise _Unchanged
    bar = None
    if show_bar:
        bar = tqdm(total=len(files), initial=summary.skipped, unit="份", desc="导入年报", dynamic_ncols=True)
    done = summary.skipped

    def loaded(batch, ids):
        nonlocal done
        for (f, _sha, _size, result), rid in zip(batch, ids):
            summary.record(f, rid, result)
            done += 1
        if bar is not None:
            bar.update(len(batch))
            bar.set_postfix(成功=summary.loaded, 失败=summary.failed, 跳过=summary.skipped, refresh=False)
        if progress:
            progress(done, len(files), summary)

    try:  # any exception leaves through atomic_warehouse, which then swaps nothing in
        load_batched(con, ((str(f), sha, max(size, 0), result)
                           for (f, sha, size), result in _parse_all(todo, workers, timeout)), loaded,
                     run_at=datetime.datetime.now())  # versions loaded by one run are not ordered
    finally:
        if bar is not None:
            bar.close()
    if post and summary.report_ids:
        crashpoint("refresh")
        pairs = refresh(con, summary.report_ids)
        paths = dict(con.execute("SELECT report_id, source_path FROM reports WHERE report_id IN (SELECT unnest(?))",
                                 [[i for p in pairs for i in p]]).fetchall()) if pairs else {}
        summary.superseded = [(paths[a], paths[b]) for a, b in pairs]
        summary.duplicates = W.duplicate_office_years(con, summary.report_ids)

LOAD_BATCH = 64            # parse results per load transaction
LOAD_BATCH_SECONDS = 0.5   # ... or whatever arrived within this time, so progress keeps moving

def load_batched(con, items, on_loaded, run_at=None) -> None:
    """Load (path, sha, size, result) items as they arrive, in batches (etl.warehouse.load_results):
    the loader is the one serial step of a parallel ingest and a batch costs about as much as one report.
    `on_loaded(batch, report_ids)` follows every batch. A batch that fails to load is retried item by
    item, so the error names the one bad result."""
    pending: list[tuple] = []
    last_flush = time.perf_counter()

    def flush():
        crashpoint("loading")
        try:
            ids = W.load_results(con, pending, run_at)
        except Exception:
            ids = []
            for item in pending:
                try:
                    ids.append(W.load_result(con, *item, run_at))
                except Exception:
                    on_loaded(pending[:len(ids)], ids)
                    raise
        on_loaded(list(pending), ids)
        pending.clear()

    for item in items:
        pending.append(item)
        now = time.perf_counter()
        if len(pending) >= LOAD_BATCH or now - last_flush >= LOAD_BATCH_SECONDS:  # slow parses load at once
            flush()
            last_flush = now
    if pending:
        flush()

def refresh(con, report_ids: list[int] | None) -> list[tuple[int, int]]:
    """Recompute what new reports affect: compliance findings, which version of an office-year report is
    current (:func:`etl.warehouse.supersede`; returns the pairs newly superseded), then the marts the
    dashboard reads."""
    # lazy: parser worker processes import this module, the rules and marts (pandas) load only here
    from .marts import build as build_marts
    from .rules import refresh as rules_refresh

    rules_refresh(con, report_ids)  # relinks reports to offices first: supersede after it
    pairs = W.supersede(con, report_ids)
    build_marts(con, report_ids)  # incremental when report ids are given
    return pairs

def _parse_all(todo: list[tuple[Path, str, int]], workers: int | None, timeout: int):
    """Yield ((path, sha, size), result) as files finish; a file over the size limit never reaches a worker."""
    big = [t for t in todo if t[2] > MAX_FILE_BYTES or t[2] < 0]
    for f, sha, size in big:
        msg = (f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB" if size > 0
               else "cannot read file")
        yield (f, sha, size), {"status": "failed", "parser_version": PARSER_VERSION, "format": None,
                               "error": {"code": "too_large" if size > 0 else "unreadable", "message": msg}}
    rest = [t for t in todo if t not in big]
    if not rest:
        return
    # always in worker processes, never in the caller: the caller may be a Streamlit script thread (no
    # signals there) and must not share memory or a crash with a parser
    workers = max(1, min(workers or os.cpu_count() or 1, len(rest)))
    ctx = mp.get_context("forkserver")
    pending = list(rest)

    def pool(n):
        return ProcessPoolExecutor(max_workers=n, mp_context=ctx,  # no max_tasks_per_child: it deadlocks on 3.11
                                   initializer=_init_worker, initargs=(os.getpid(), T.registered()))

    while pending:
        # a worker killed by a native crash breaks the whole pool: finish the rest in a fresh one
        retry: list[tuple[Path, str, int]] = []
        with pool(workers) as ex:
            futures = {ex.submit(_parse_guarded, str(t[0]), timeout, PARSE_MEMORY_BYTES): t for t in pending}
            for fut in as_completed(futures):
                t = futures[fut]
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    retry.append(t)
                    continue
                yield t, result
        if retry and len(retry) == len(pending):
            # nothing finished: parse one at a time so only the culprit fails
            for t in retry:
                with pool(1) as solo:
                    try:
                        result = solo.submit(_parse_guarded, str(t[0]), timeout, PARSE_MEMORY_BYTES).result()
                    except BrokenProcessPool:
                        result = {"status": "failed", "parser_version": PARSER_VERSION,
                                  "error": {"code": "worker_crash", "message": "parser process died on this file"}}
                yield t, result
            retry = []
        pending = retry
