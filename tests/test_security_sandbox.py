"""SQL sandbox (etl/sandbox.py, `python -m etl query`): everything but one read-only SELECT is refused or
stopped with a clear message, and nothing leaks (no file read, written or attached; warehouse unchanged)."""
import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from etl import sandbox
from etl import warehouse as W

ROOT = Path(__file__).resolve().parents[1]
SECRET = "gkjb-secret-line-4711"


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    d = tmp_path_factory.mktemp("sbx")
    db = d / "w.duckdb"
    con = W.connect(db)
    W.load_result(con, "/x/r1.txt", "a" * 64, 10, {"status": "ok", "office": "测试局", "year": 2023, "format": "txt"})
    W.load_result(con, "/x/r2.txt", "b" * 64, 10, {"status": "ok", "office": "测试局", "year": 2024, "format": "txt"})
    con.execute("CHECKPOINT")
    con.close()
    secret = d / "secret.csv"
    secret.write_text(f"k,v\n{SECRET},1\n")
    return db, secret


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _listing(d: Path) -> set[str]:
    return {str(p.relative_to(d)) for p in d.rglob("*")}


def _err(sql, db, **kw) -> sandbox.SandboxError:
    with pytest.raises(sandbox.SandboxError) as ei:
        sandbox.run(sql, db, **kw)
    e = ei.value
    assert SECRET not in e.message and "root:" not in e.message
    return e


REFUSED_BY_PARSER = [
    ("COPY reports TO '{d}/out.csv'", "COPY"),
    ("COPY (SELECT * FROM reports) TO '{d}/out.parquet' (FORMAT parquet)", "COPY"),
    ("COPY reports FROM '{secret}'", "COPY"),
    ("EXPORT DATABASE '{d}/exported'", "EXPORT"),
    ("ATTACH '{d}/other.duckdb' AS o", "ATTACH"),
    ("ATTACH ':memory:' AS m", "ATTACH"),
    ("DETACH w", "DETACH"),
    ("INSTALL httpfs", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("RESET enable_external_access", "SET"),
    ("SET lock_configuration = false", "SET"),
    ("RESET memory_limit", "SET"),
    ("SET memory_limit = '100GB'", "SET"),
    ("PRAGMA enable_external_access", "PRAGMA"),
    ("PRAGMA database_list", "PRAGMA"),
    ("CALL pragma_version()", "CALL"),
    ("CHECKPOINT", "CALL"),
    ("INSERT INTO reports (source_path, sha256, status) VALUES ('x', 'y', 'ok')", "INSERT"),
    ("UPDATE reports SET status = 'failed'", "UPDATE"),
    ("DELETE FROM reports", "DELETE"),
    ("DROP TABLE reports", "DROP"),
    ("CREATE TEMP TABLE t AS SELECT * FROM reports", "CREATE"),
    ("CREATE MACRO m(x) AS x", "CREATE"),
    ("ALTER TABLE reports ADD COLUMN z INT", "ALTER"),
    ("USE memory", "SET"),
    ("VACUUM", "VACUUM"),
    ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN"),
    ("PIVOT reports ON status", "MULTI"),
]


@pytest.mark.parametrize("sql,kind", REFUSED_BY_PARSER)
def test_non_select_statements_refused(wh, sql, kind):
    db, secret = wh
    e = _err(sql.format(d=db.parent, secret=secret), db)
    assert e.code == "refused" and kind in e.message and "SELECT" in e.message and "只允许" in e.message


@pytest.mark.parametrize("sql", [
    "SELECT 1; SELECT 2",
    "SELECT 1; COPY reports TO '/tmp/x.csv'",
    "SELECT * FROM reports; SET enable_external_access = true",
    "SELECT 1;;DROP TABLE reports",
])
def test_several_statements_refused(wh, sql):
    e = _err(sql, wh[0])
    assert e.code == "refused" and "一条" in e.message and "one" in e.message.lower()


@pytest.mark.parametrize("sql", ["", "   ", "-- nothing", "SELEC 1", "SELECT * FROM reports FOR UPDATE"])
def test_empty_or_invalid(wh, sql):
    e = _err(sql, wh[0])
    assert e.code in ("refused", "syntax")


def test_attacks_inside_select_are_stopped_and_nothing_leaks(wh):
    """SELECT-typed attacks run in the child: file reads, globbing, writes, resource exhaustion."""
    db, secret = wh
    before_db, before_files = _digest(db), _listing(db.parent)
    cases = {
        "read_csv": (f"SELECT * FROM read_csv('{secret}')", {"permission"}),
        "read_csv_auto": (f"SELECT * FROM read_csv_auto('{secret}')", {"permission"}),
        "read_text": ("SELECT * FROM read_text('/etc/passwd')", {"permission"}),
        "read_blob": ("SELECT * FROM read_blob('/etc/passwd')", {"permission"}),
        "glob": ("SELECT * FROM glob('/etc/*')", {"permission"}),
        "read_json": ("SELECT * FROM read_json('/etc/passwd')", {"permission"}),
        "read_parquet_list": (f"SELECT * FROM read_parquet(['{secret}'])", {"permission"}),
        "replacement_scan": (f"SELECT * FROM '{secret}'", {"error", "permission"}),
        "http": ("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", {"permission", "error"}),
        "query_fn_copy": (f"SELECT * FROM query('COPY reports TO ''{db.parent}/q.csv''')", {"error", "syntax"}),
        "extension_fn": ("SELECT * FROM sqlite_scan('/etc/passwd', 't')", {"error", "permission"}),
        "secrets": ("SELECT * FROM duckdb_secrets()", {"permission", "error"}),
        "nextval_write": ("SELECT nextval('report_id_seq')", {"refused", "error"}),
        "getenv": ("SELECT getenv('HOME')", {"error"}),
        "minutes_scan": ("SELECT count(*) FROM range(1000000000000)", {"timeout"}),
        "minutes_join": ("SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1",
                         {"timeout"}),
        "recursive": ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
                      {"timeout", "memory"}),
        "memory_list": ("SELECT list(range(1000000000))", {"memory", "timeout"}),
        "memory_string": ("SELECT max(length(repeat('x', 1000000000))) FROM range(16)", {"memory", "timeout"}),
        "sort_bomb": ("SELECT string_agg(range::VARCHAR, ',' ORDER BY random()) FROM range(300000000)",
                      {"memory", "timeout"}),
    }
    t0 = time.perf_counter()

    def one(name):
        sql, codes = cases[name]
        s = time.perf_counter()
        with pytest.raises(sandbox.SandboxError) as ei:
            sandbox.run(sql, db, timeout=2)
        return name, ei.value, time.perf_counter() - s

    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(one, cases))
    for name, e, secs in results:
        assert e.code in cases[name][1], (name, e.code, e.message)
        assert SECRET not in e.message and "root:x" not in e.message, name
        assert secs < 2 + sandbox.GRACE + 15, (name, secs)  # stopped, not run for minutes
        if e.code == "timeout":
            assert "时间限制" in e.message and "time limit" in e.message
        if e.code == "permission":
            assert "不允许访问文件" in e.message
    assert _digest(db) == before_db
    assert _listing(db.parent) == before_files  # nothing written, exported or attached
    print(f"{len(cases)} attacks in {time.perf_counter() - t0:.1f}s")


def test_select_works_with_row_limit(wh):
    db, _ = wh
    with ThreadPoolExecutor(3) as ex:
        a, b, c = ex.map(lambda q: sandbox.run(q[0], db, max_rows=q[1]), [
            ("SELECT office_name, year FROM reports ORDER BY year", 1000),
            ("SELECT * FROM range(10) ORDER BY range DESC", 3),
            ("FROM reports SELECT count(*)", 1000)])  # DuckDB's FROM-first read syntax stays allowed
    assert a.columns == ["office_name", "year"] and a.rows == [("测试局", 2023), ("测试局", 2024)]
    assert not a.truncated and list(a.frame["year"]) == [2023, 2024]
    assert b.truncated and b.rows == [(9,), (8,), (7,)]
    assert c.rows == [(2,)]


def test_missing_warehouse(tmp_path):
    e = _err("SELECT 1", tmp_path / "nope.duckdb")
    assert e.code == "missing"


def test_cli_csv_and_exit_codes(wh):
    db, secret = wh
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([sys.executable, "-m", "etl", "query", "--db", str(db),
                         "SELECT year, office_name FROM reports ORDER BY year"], capture_output=True, text=True,
                        env=env, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["year,office_name", "2023,测试局", "2024,测试局"]
    bad = subprocess.run([sys.executable, "-m", "etl", "query", "--db", str(db), f"SELECT * FROM read_csv('{secret}')"],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert bad.returncode == 2 and "error (permission)" in bad.stderr and SECRET not in bad.stdout + bad.stderr
