"""The warehouse exported to object storage and read back by the dashboard, the SQL sandbox and DuckDB.

The store is a real S3 server on loopback (moto's server), reached through s3fs with credentials and the
endpoint from the standard AWS environment variables, exactly as a deployment would configure MinIO or a
cloud bucket.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BUCKET = "gkjb-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    import boto3
    from moto import server as server_mod

    port = _free_port()
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"]).create_bucket(Bucket=BUCKET)
        yield env
    finally:
        server.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def exported(s3, demo_db):
    url = f"s3://{BUCKET}/warehouse"
    r = subprocess.run([sys.executable, "-m", "etl", "export", "--db", str(demo_db), "--parquet", url],
                       cwd=ROOT, env={**os.environ, **s3}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "-> s3://" in r.stdout
    return url


def _rows(con, q):
    return con.execute(q).fetchall()


def test_export_to_s3_reads_back_identical(exported, demo_db):
    from etl import storage
    from etl.parquet import connect_parquet, read_manifest

    m = read_manifest(exported)
    fs = storage.filesystem(exported)
    # data under a versioned prefix, the manifest at the top, every listed file present in the bucket
    assert m["prefix"].startswith("v") and fs.exists(f"{exported}/_manifest.json")
    listed = {f for e in m["tables"].values() for f in e["files"]}
    assert listed and all(f.startswith(m["prefix"] + "/") for f in listed)
    assert {f"{BUCKET}/warehouse/{f}" for f in listed} <= set(fs.find(f"{BUCKET}/warehouse"))
    assert any("/year=" in f and "/province=" in f for f in m["tables"]["cells"]["files"])

    src = duckdb.connect(str(demo_db), read_only=True)
    pq = connect_parquet(exported, config={"enable_external_access": False, "threads": 2})
    for t in ("reports", "report_facts", "findings", "offices"):
        assert _rows(src, f"SELECT * FROM {t} ORDER BY ALL") == _rows(pq, f"SELECT * FROM {t} ORDER BY ALL"), t
    q = "SELECT report_id, key, value, raw, flag FROM cells ORDER BY ALL"
    assert _rows(src, q) == _rows(pq, q)
    # with external access off only the store is reachable: local files are refused
    with pytest.raises(duckdb.Error, match="LocalFileSystem|disabled"):
        pq.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_dashboard_runs_on_the_s3_export(exported, demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard import db

    monkeypatch.setenv("GKJB_DB", exported)
    assert db.is_parquet() and db.is_remote() and db.exists()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    src = duckdb.connect(str(demo_db), read_only=True)
    year = src.execute("SELECT max(year) FROM report_facts").fetchone()[0]
    n = src.execute("SELECT count(*) FROM report_facts WHERE year = ?", [year]).fetchone()[0]
    shown = {m.label: m.value for m in at.metric}
    assert int(shown["年报数"].replace(",", "")) == n
    # the upload page says the export is read-only instead of writing somewhere else
    at.switch_page("app_pages/upload.py")
    at.run()
    assert not at.exception
    assert any("只读" in i.value for i in at.info)
    # a report page with its cells
    rid = src.execute("SELECT min(report_id) FROM report_facts WHERE status = 'ok'").fetchone()[0]
    at.switch_page("app_pages/report.py")
    at.query_params["report"] = str(rid)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.dataframe


def test_new_export_is_picked_up_by_the_dashboard(exported, demo_db, monkeypatch, tmp_path):
    """A second export replaces the manifest last; the dashboard's data version follows it."""
    import shutil

    from dashboard import db

    url = f"s3://{BUCKET}/second"
    monkeypatch.setenv("GKJB_DB", url)
    monkeypatch.setattr(db, "REMOTE_CHECK_SECONDS", 0.0)
    assert not db.exists()  # nothing there yet
    copy = tmp_path / "w.duckdb"
    shutil.copy(demo_db, copy)
    from etl.parquet import export

    export(copy, url)
    v1 = db.data_version()
    assert v1
    with db.connect() as con:
        n1 = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM cells WHERE report_id = (SELECT max(report_id) FROM reports)")
    con.execute("DELETE FROM reports WHERE report_id = (SELECT max(report_id) FROM reports)")
    con.close()
    export(copy, url)
    assert db.data_version() != v1
    with db.connect() as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == n1 - 1


def test_sql_sandbox_on_s3_and_on_a_parquet_directory(exported, demo_db, tmp_path):
    from etl import sandbox
    from etl.parquet import export

    n = duckdb.connect(str(demo_db), read_only=True).execute("SELECT count(*) FROM reports").fetchone()[0]
    local = tmp_path / "pq"
    export(demo_db, local)
    for where in (exported, str(local)):
        # the default 5 s budget is for people at the SQL box; a loaded CI box needs longer to start the child
        r = sandbox.run("SELECT count(*) AS n FROM reports", where, timeout=120)
        assert int(r.frame["n"][0]) == n, where
        with pytest.raises(sandbox.SandboxError) as e:
            sandbox.run("SELECT * FROM read_csv('/etc/passwd')", where, timeout=120)
        assert e.value.code in ("permission", "error")


def test_unreachable_store_is_a_clear_error(monkeypatch):
    from etl.parquet import connect_parquet

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    from etl import storage
    monkeypatch.setattr(storage, "_filesystems", {})
    monkeypatch.setenv(storage.ENV_OPTIONS, '{"skip_instance_cache": true, "config_kwargs": {"connect_timeout": 2, "retries": {"max_attempts": 1}}}')
    with pytest.raises(storage.StorageError, match="cannot read s3://"):
        connect_parquet(f"s3://{BUCKET}/nothing-here")
    # the dashboard shows its empty state instead of crashing
    from dashboard import db
    monkeypatch.setenv("GKJB_DB", f"s3://{BUCKET}/nothing-here")
    monkeypatch.setattr(db, "_remote_seen", {})
    assert not db.exists()
    assert "cannot read" in db.unavailable_reason()
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and any("无法读取对象存储" in e.value for e in at.error)


def test_dask_ingest_writes_partitioned_parquet_to_s3(s3, tmp_path):
    """`ingest --executor dask --parquet s3://…` parses on a 2-worker LocalCluster and publishes the export
    to the bucket; it holds the same reports and cells as a local single-process ingest."""
    from etl.ingest import ingest_paths
    from etl.parquet import connect_parquet, read_manifest
    from test_scale import _Q, _write_corpus

    corpus = _write_corpus(tmp_path / "in")
    local = tmp_path / "local.duckdb"
    ingest_paths([corpus], local, workers=1, post=False)
    url = f"s3://{BUCKET}/dask"
    r = subprocess.run([sys.executable, "-m", "etl", "ingest", str(corpus), "--executor", "dask", "--workers", "2",
                        "--parquet", url], cwd=ROOT, env={**os.environ, **s3, "DASK_TEMPORARY_DIRECTORY": str(tmp_path)},
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"Parquet written to {url}" in r.stdout
    assert read_manifest(url)["tables"]["cells"]["partitioned"]
    got = connect_parquet(url).execute(_Q).fetchall()
    assert got == duckdb.connect(str(local), read_only=True).execute(_Q).fetchall()
    assert len({row[0] for row in got}) == 9
