"""Crash safety of ingest: a run killed (SIGKILL) at any point leaves the previous warehouse intact and
the next run completes; a second concurrent run is refused; stale build files are cleaned up."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.ingest import ingest_paths
from etl.writer import WriterLock, stale_temp_files
from devtools.report_fixtures import render_html, render_text

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _add(src: Path, i: int) -> Path:
    """One more report file (office name varies, values identical)."""
    src.mkdir(parents=True, exist_ok=True)
    office = f"崩溃测试县第{i}局"
    if i % 3 == 2:
        p = src / f"r{i}.html"
        p.write_bytes(render_html("2021").replace("青禾县农业农村局".encode(), office.encode()))
    else:
        p = src / f"r{i}.txt"
        p.write_text(render_text("2021" if i % 2 else "2019", "tsv", office=office), encoding="utf-8")
    return p


def snapshot(db: Path):
    """What a dashboard reader sees; raises if the file is not a complete, openable warehouse."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        reports = tuple(con.execute("SELECT source_path, sha256, status FROM reports ORDER BY 1").fetchall())
        n_cells, total = con.execute("SELECT count(*), sum(value) FROM cells").fetchone()
        incomplete = con.execute("SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM cells c "
                                 "WHERE c.report_id = r.report_id) NOT IN (198, 200)").fetchone()[0]
        orphans = con.execute("SELECT count(*) FROM cells WHERE report_id NOT IN "
                              "(SELECT report_id FROM reports)").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        facts = con.execute("SELECT count(*) FROM report_facts").fetchone()[0] if "report_facts" in tables else None
    finally:
        con.close()
    assert orphans == 0 and incomplete == 0  # every report whole (198 cells v2019, 200 v2021)
    return {"reports": reports, "cells": n_cells, "sum": total, "facts": facts}


def _complete(snap, src: Path, post: bool) -> bool:
    files = sorted(str(p) for p in src.iterdir())
    return ([r[0] for r in snap["reports"]] == files and all(r[2] != "failed" for r in snap["reports"])
            and (not post or snap["facts"] == len(files)))


CLI = [sys.executable, "-m", "etl", "ingest", "--no-progress", "--workers", "1"]


@pytest.mark.slow
def test_kill9_at_random_points_keeps_previous_warehouse(tmp_path):
    src, db = tmp_path / "in", tmp_path / "w.duckdb"
    for i in range(3):
        _add(src, i)
    t0 = time.perf_counter()
    out = subprocess.run(CLI + [str(src), "--db", str(db)], capture_output=True, text=True, env=ENV, cwd=ROOT)
    full = time.perf_counter() - t0
    assert out.returncode == 0, out.stderr
    prev = snapshot(db)
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    kills = swaps = 0
    n = 3
    deadline = time.monotonic() + 170
    while kills < 20:
        assert time.monotonic() < deadline, f"too slow: {kills} kills (seed {seed})"
        _add(src, n)
        n += 1
        p = subprocess.Popen(CLI + [str(src), "--db", str(db)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT, start_new_session=True)
        time.sleep(rng.uniform(0.1, full * 0.9))
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)  # the CLI and any parser workers it started
            kills += 1
        p.wait()
        snap = snapshot(db)  # opens and reads: never a half-written file
        if snap != prev:
            assert _complete(snap, src, post=True), f"warehouse neither previous nor complete (seed {seed})"
            swaps += 1
            prev = snap
    # the next run completes and removes what the killed runs left
    out = subprocess.run(CLI + [str(src), "--db", str(db)], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert _complete(snapshot(db), src, post=True)
    assert stale_temp_files(db) == []
    print(f"seed {seed}: {kills} kills, {swaps} runs finished before their kill, full run {full:.1f}s")


CRASH_SCRIPT = ("import sys; from etl.ingest import ingest_paths; "
                "ingest_paths([sys.argv[1]], sys.argv[2], workers=1, post=False)")


def test_kill9_at_each_phase(tmp_path):
    """Deterministic kill points (GKJB_CRASH_AT) around the swap, where a random kill rarely lands."""
    src, db = tmp_path / "in", tmp_path / "w.duckdb"
    _add(src, 0)
    ingest_paths([src], db, workers=1, post=False)
    prev = snapshot(db)
    _add(src, 1)
    for point in ("copied", "loading", "before_checkpoint", "before_replace", "after_replace"):
        p = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(src), str(db)], env={**ENV, "GKJB_CRASH_AT": point},
                           cwd=ROOT, capture_output=True)
        assert p.returncode == -signal.SIGKILL, (point, p.stderr[-2000:])
        snap = snapshot(db)
        if point == "after_replace":
            assert _complete(snap, src, post=False)
        else:
            assert snap == prev, point
            assert stale_temp_files(db), "the killed run left its build file (cleaned by the next run)"
    _add(src, 2)
    s = ingest_paths([src], db, workers=1, post=False)
    assert s.loaded == 1 and _complete(snapshot(db), src, post=False)
    assert stale_temp_files(db) == []


def test_second_ingest_refused_with_clear_message(tmp_path):
    src, db = tmp_path / "in", tmp_path / "w.duckdb"
    _add(src, 0)
    with WriterLock(db):
        out = subprocess.run(CLI + [str(src), "--db", str(db)], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert out.returncode == 3
    assert "another ingest is already writing" in out.stderr and "另一个导入" in out.stderr
    assert f"pid {os.getpid()}" in out.stderr
    assert not db.exists()


def test_unchanged_run_does_not_touch_the_file(tmp_path):
    src, db = tmp_path / "in", tmp_path / "w.duckdb"
    _add(src, 0)
    ingest_paths([src], db, workers=1, post=False)
    st = db.stat()
    s = ingest_paths([src], db, workers=1, post=False)
    assert s.skipped == 1 and s.loaded == 0
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert stale_temp_files(db) == []


def test_legacy_wal_is_folded_in(tmp_path):
    """A WAL left by a writer that bypassed the swap is replayed into the copy, not lost or misapplied."""
    src, db = tmp_path / "in", tmp_path / "w.duckdb"
    _add(src, 0)
    ingest_paths([src], db, workers=1, post=False)
    code = (f"import duckdb, os; c = duckdb.connect({str(db)!r}); c.execute('PRAGMA disable_checkpoint_on_shutdown');"
            "c.execute(\"INSERT OR REPLACE INTO meta VALUES ('legacy', 'yes')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert Path(str(db) + ".wal").exists()
    _add(src, 1)
    ingest_paths([src], db, workers=1, post=False)
    assert not Path(str(db) + ".wal").exists()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'legacy'").fetchone() == ("yes",)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    con.close()
