"""Uploaded files sit in the Streamlit server's memory from the moment they are picked until the session
ends. Bound them per session (one batch) and across sessions, and free them as soon as 导入 has written
them to disk, so that a few browsers cannot grow the server without limit.

Streamlit keeps uploads in its ``MemoryUploadedFileManager``; :func:`install` wraps its ``add_file`` with
the two budgets (an upload over budget gets HTTP 413, which the file picker shows as an error), and
:func:`release` removes a session's files after they were saved and returns the freed memory to the OS.

Streamlit frees a closed session's files only when its disconnected-session cache evicts it, which
happens lazily (on some later session activity), so uploads of closed browsers could stay in memory
indefinitely; :func:`install` also starts a sweeper that drops the files of any session that has been
disconnected for ``IDLE_SECONDS``, clears that session's widget state (which still refers to the bytes; a
browser reconnecting after that starts with a fresh page) and evicts expired closed sessions.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

from etl.extractors import MAX_FILE_BYTES, MB
from etl.uploads import MAX_TOTAL_BYTES

SESSION_BYTES = MAX_TOTAL_BYTES + MAX_FILE_BYTES   # one batch, plus a file picked again while it uploads
TOTAL_BYTES = int(os.environ.get("GKJB_UPLOAD_BUDGET_MB", "1000")) * MB   # all sessions together
IDLE_SECONDS = float(os.environ.get("GKJB_UPLOAD_IDLE_SECONDS", "60"))  # disconnected this long: files dropped
_lock = threading.Lock()


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _runtime():
    try:
        from streamlit.runtime import Runtime
        return Runtime.instance() if Runtime.exists() else None
    except Exception:  # no server (tests, bare mode)
        return None


def _manager():
    rt = _runtime()
    return getattr(rt, "uploaded_file_mgr", None)


def _refuse(message: str):
    try:
        from starlette.exceptions import HTTPException
        return HTTPException(status_code=413, detail=message)
    except ImportError:
        return RuntimeError(message)


def _held(mgr, session_id: str | None = None, skip: str | None = None) -> int:
    storage = getattr(mgr, "file_storage", {})
    sessions = [storage.get(session_id, {})] if session_id is not None else list(storage.values())
    return sum(len(f.data) for s in sessions for fid, f in list(s.items()) if fid != skip)


def install(mgr=None) -> bool:
    """Put the budgets on Streamlit's upload manager (once per process). False when there is none."""
    mgr = mgr or _manager()
    if mgr is None or not hasattr(mgr, "file_storage"):
        return False
    if getattr(mgr, "_gkjb_budget", False):
        return True
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD fixed at 1 MiB: upload buffers go back to the OS when freed
    original = mgr.add_file

    def add_file(session_id, file):
        size = len(file.data)
        with _lock:
            if _held(mgr, session_id, skip=file.file_id) + size > SESSION_BYTES:
                raise _refuse(f"upload refused: this session already holds {SESSION_BYTES / MB:.0f} MB of files")
            if _held(mgr, skip=file.file_id) + size > TOTAL_BYTES:
                raise _refuse(f"upload refused: the server holds {TOTAL_BYTES / MB:.0f} MB of uploads; try later")
            original(session_id, file)

    mgr.add_file = add_file
    mgr._gkjb_budget = True
    sessions = getattr(_runtime(), "_session_mgr", None)
    if sessions is not None and hasattr(sessions, "is_active_session"):
        threading.Thread(target=_sweeper, args=(mgr, sessions), name="upload-sweeper", daemon=True).start()
    return True


def sweep(mgr, is_active, idle_since: dict, now: float, idle: float = IDLE_SECONDS, forget=None) -> int:
    """Drop the files of sessions disconnected for `idle` seconds (`idle_since`: session -> first seen
    disconnected, kept between calls), and let `forget(session_id)` drop what else the session keeps of
    them. Returns the bytes freed."""
    freed = 0
    for sid in list(getattr(mgr, "file_storage", {})):
        if is_active(sid):
            idle_since.pop(sid, None)
            continue
        if now - idle_since.setdefault(sid, now) >= idle:
            freed += _held(mgr, sid)
            mgr.remove_session_files(sid)
            if forget is not None:
                forget(sid)
            idle_since.pop(sid, None)
    for sid in [s for s in idle_since if s not in getattr(mgr, "file_storage", {})]:
        idle_since.pop(sid)
    return freed


def _sweeper(mgr, sessions) -> None:
    import gc
    import time

    idle_since: dict = {}
    # closed sessions wait in a TTL cache for a reconnect; it evicts them only when touched, and until then
    # their widget state still holds the uploaded bytes
    storage = getattr(sessions, "_session_storage", None)
    cache = getattr(storage, "_cache", None)

    def forget(sid):  # the widget state of a closed session (kept for a reconnect) holds the uploaded bytes
        info = storage.get(sid) if storage is not None else None
        state = getattr(getattr(info, "session", None), "_session_state", None)
        if state is not None:
            state.clear()

    while True:
        time.sleep(max(1.0, IDLE_SECONDS / 4))
        try:
            freed = sweep(mgr, sessions.is_active_session, idle_since, time.monotonic(), forget=forget)
            before = len(cache) if cache is not None else 0
            if cache is not None and hasattr(cache, "expire"):
                cache.expire()
            if freed or (cache is not None and len(cache) < before):
                gc.collect()
                trim()
        except Exception:  # never let the sweeper die on a Streamlit internals change
            pass


def release(files) -> None:
    """Drop the server's copies of `files` (Streamlit UploadedFile objects of this session)."""
    mgr = _manager()
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
    except Exception:
        ctx = None
    if mgr is not None and ctx is not None:
        for f in files:
            mgr.remove_file(ctx.session_id, getattr(f, "file_id", None))
    trim()


def trim() -> None:
    """Return freed heap memory to the OS (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
