"""Hardening after an outside attack run (issue 13): each test here failed before its fix."""
import os
import threading

import duckdb
import pytest

from etl.ingest import ingest_paths
from report_fixtures import render_html, render_text


def _report(path, office="加固测试县统计局", version="2021", **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_text(version, "tsv", office=office, **kw), encoding="utf-8")
    return path


def _reports(db, where="true"):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM reports WHERE {where} ORDER BY report_id").fetchdf()
    finally:
        con.close()


# --- 5. ingest from a non-main thread (Streamlit script thread); a failed run swaps nothing in -------------

@pytest.mark.parametrize("n", [1, 2])
def test_ingest_from_a_script_thread(tmp_path, n):
    files = [_report(tmp_path / "in" / f"r{i}.txt", office=f"线程测试县第{i}局") for i in range(n)]
    db = tmp_path / "w.duckdb"
    box = {}

    def run():
        try:
            box["summary"] = ingest_paths(files, db)
        except BaseException as e:  # noqa: BLE001 (reported below)
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    assert "error" not in box, box.get("error")
    assert box["summary"].loaded == n and box["summary"].failed == 0
    assert list(_reports(db)["status"]) == ["ok"] * n


def test_failed_ingest_never_replaces_the_warehouse(tmp_path, monkeypatch):
    from etl import ingest

    db = tmp_path / "w.duckdb"
    first = _report(tmp_path / "in" / "a.txt")
    ingest_paths([first], db)
    before = db.read_bytes()

    def boom(*a, **kw):  # as the script-thread SIGALRM did
        raise RuntimeError("signal only works in main thread")
        yield

    monkeypatch.setattr(ingest, "_parse_all", boom)
    with pytest.raises(RuntimeError):
        ingest_paths([_report(tmp_path / "in" / "b.txt", office="另一个局")], db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("w.duckdb.tmp-*"))
    fresh = tmp_path / "fresh.duckdb"
    with pytest.raises(RuntimeError):
        ingest_paths([first], fresh)
    assert not fresh.exists()  # no empty warehouse swapped in either
