"""The warehouse writer: one writer at a time (a lock file), and every write on a private copy swapped in
atomically, so readers always see a complete warehouse.

A run copies the current warehouse to ``DB.tmp-<pid>`` (or starts fresh), writes into the copy, checkpoints
and closes it, fsyncs it and ``os.replace``s it onto ``DB`` (then fsyncs the directory). A run killed at
any point leaves ``DB`` exactly as it was; the next run (holding the lock) deletes the stale ``DB.tmp-*``
files. Used by ingest, the registry import, rule recomputation and review.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

from . import warehouse as W


class IngestLocked(RuntimeError):
    pass


class WriterLock:
    """One writer at a time: a second ingest into the same warehouse is refused, not queued.

    ``flock`` on ``DB.lock``; the kernel releases it when the holder dies (even by ``kill -9``), so a
    killed run never leaves the warehouse locked."""

    def __init__(self, db: Path):
        self.db = Path(db)
        self.path = self.db.with_name(self.db.name + ".lock")
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = self.path.open("a+")  # not "w": the refused opener must not wipe the holder's pid
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            raise IngestLocked(
                f"另一个导入正在写入数据仓库，请等它结束后再试 / another ingest is already writing {self.db}"
                f"{f' (pid {holder})' if holder.isdigit() else ''}; try again when it ends") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def crashpoint(name: str) -> None:
    """Test hook: ``GKJB_CRASH_AT=<name>`` kills this process (SIGKILL) at that point of a run."""
    if os.environ.get("GKJB_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stale_temp_files(db: Path) -> list[Path]:
    """Build files left by killed runs (``DB.tmp-<pid>`` and their WALs)."""
    db = Path(db)
    return sorted(db.parent.glob(db.name + ".tmp-*")) if db.parent.is_dir() else []


@contextmanager
def atomic_warehouse(db: str | Path, *, fresh: bool = False):
    """A read-write connection to a private copy of the warehouse, swapped onto `db` on success.

    Caller must hold :class:`WriterLock` (``ingest_paths`` does). On normal exit: CHECKPOINT, close, fsync,
    ``os.replace(tmp, db)``, fsync the directory. On an exception, or if the process dies, `db` is
    untouched and the copy is discarded (or, after a kill, removed by the next run). Other writers
    (registry import, rule recomputation) can use this too so readers never see half a change."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for old in stale_temp_files(db):  # we hold the lock: nobody else is building
        old.unlink(missing_ok=True)
    tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
    wal = Path(str(db) + ".wal")
    try:
        if db.exists() and not fresh:
            shutil.copyfile(db, tmp)
            if wal.exists():  # left by a writer that bypassed this function: replay it into the copy
                shutil.copyfile(wal, Path(str(tmp) + ".wal"))
        crashpoint("copied")
        con = W.connect(tmp)
    except BaseException:  # disk full while copying: no partial copy left behind
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    try:
        yield con
        crashpoint("before_checkpoint")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    Path(str(tmp) + ".wal").unlink(missing_ok=True)  # empty after CHECKPOINT + close
    _fsync(tmp)
    crashpoint("before_replace")
    if wal.exists():
        # the old WAL belongs to the old file (its content is already in the copy); a reader opening
        # DB between unlink and replace sees the last checkpointed state, which is still complete
        wal.unlink()
    os.replace(tmp, db)
    _fsync(db.parent)
    crashpoint("after_replace")


@contextmanager
def warehouse_writer(db: str | Path):
    """For any other command that writes the warehouse (registry import, rule recomputation): the ingest
    lock plus an atomic copy-and-swap, so readers never see half a change and writers never overlap.

        with warehouse_writer(db) as con:
            con.execute(...)
    """
    with WriterLock(Path(db)), atomic_warehouse(db) as con:
        yield con
