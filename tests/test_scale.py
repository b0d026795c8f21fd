"""National scale: bench command, partitioned Parquet export + views, distributed ingest on Dask."""
import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import duckdb
import pytest

from devtools.report_fixtures import render_html, render_text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    from devtools.synthetic_warehouse import synthetic_warehouse

    db = tmp_path_factory.mktemp("synth") / "w.duckdb"
    synthetic_warehouse(db, 250)
    return db


def _write_corpus(root: Path, n: int = 8) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    layouts = ["tsv", "spaces", "vertical", "detached", "missing"]
    for i in range(n):
        version = "2021" if i % 2 else "2019"
        office = f"测试县第{i}局"
        if i % 3 == 0:
            data = render_html(version).replace("青禾县农业农村局".encode(), office.encode())
            (root / f"r{i}.html").write_bytes(data)
        else:
            (root / f"r{i}.txt").write_text(render_text(version, layouts[i % 5], office=office), encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")  # a failure must come out the same way too
    return root


def test_synthetic_warehouse_has_every_relation_the_dashboard_reads(synth):
    from dashboard.queries import QUERIES

    con = duckdb.connect(str(synth), read_only=True)
    rels = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    need = {r for q in QUERIES.values() for r in q.requires}
    assert need <= rels
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 250
    # a region hierarchy: provinces > cities > districts
    n = con.execute("SELECT count(DISTINCT province), count(DISTINCT city), count(DISTINCT district) "
                    "FROM report_facts").fetchone()
    assert n[0] > 1 and n[1] > n[0] and n[2] >= n[1]


def test_lookup_marts(synth, tmp_path):
    import shutil

    from etl.marts import build_lookup_marts

    db = tmp_path / "copy.duckdb"
    shutil.copy(synth, db)
    con = duckdb.connect(str(db))
    counts = build_lookup_marts(con)
    regions = con.execute("SELECT count(*) FROM (SELECT DISTINCT province, city, district FROM report_facts)").fetchone()[0]
    assert counts["mart_regions"] == regions
    assert con.execute("SELECT sum(n_reports) FROM mart_facets WHERE facet = 'year'").fetchone()[0] == \
        con.execute("SELECT count(*) FROM report_facts").fetchone()[0]


def test_bench_times_every_named_query(synth, capsys):
    from dashboard.queries import QUERIES
    from devtools.cli import main

    assert main(["bench", "--reports", "250", "--db", str(synth), "--reuse", "--no-parse", "--json",
                 "--repeat", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reports"] == 250 and out["warehouse_mb"] > 0 and out["peak_rss_mb"] > 0
    assert set(out["queries"]) == set(QUERIES)
    errors = {k: v["error"] for k, v in out["queries"].items() if "error" in v}
    assert not errors
    assert all(v["p95_ms"] >= v["p50_ms"] > 0 for v in out["queries"].values())


def test_bench_parse_throughput_per_format(tmp_path):
    from devtools.bench import bench_parse

    corpus = _write_corpus(tmp_path / "c", 6)
    r = bench_parse(corpus, limit=20, workers=2)
    assert r["files"] == 7 and {"html", "txt"} <= set(r["formats"])
    assert r["files_per_s_1proc"] > 0 and r["files_per_s_2proc"] > 0


def test_export_partitioned_parquet_and_views_match_the_warehouse(synth, tmp_path):
    from dashboard import queries as Q
    from dashboard.filters import Filters
    from etl.parquet import connect_parquet

    out = tmp_path / "pq"
    r = subprocess.run([sys.executable, "-m", "etl", "export", "--db", str(synth), "--parquet", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    m = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    for t in ("report_facts", "cells", "reports", "findings"):
        assert m["tables"][t]["partitioned"]
    assert any(p.name.startswith("province=") for p in (out / "report_facts").glob("year=*/*"))
    assert (out / "offices" / "data.parquet").exists()
    src = duckdb.connect(str(synth), read_only=True)
    pq = connect_parquet(out, config={"enable_external_access": False, "threads": 2})
    for t in m["tables"]:
        assert ([c[:2] for c in src.execute(f"DESCRIBE {t}").fetchall()]
                == [c[:2] for c in pq.execute(f"DESCRIBE {t}").fetchall()]), t
        assert (src.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                == pq.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()), t
    # the dashboard's SQL runs unchanged over the views
    prov = src.execute("SELECT min(province) FROM report_facts").fetchone()[0]
    for name, f, args in [("by_region", Filters(), {"level": "province"}),
                          ("t3_outcomes", Filters(province=prov), {}),
                          ("report_cells", Filters(), {"rid": 5})]:
        sql, params = Q.build(name, f, **args)
        a, b = src.execute(sql, params).fetchall(), pq.execute(sql, params).fetchall()
        if name == "by_region":  # ties in the order and any_value(office_id) may differ
            a, b = sorted(r[:-1] for r in a), sorted(r[:-1] for r in b)
        assert a == b, name


_Q = """SELECT r.source_path, r.status, r.error_code, r.format, r.office_name, r.year, r.template, r.report_kind,
               r.published_on, c.key, c.value, c.raw, c.kind, c.unit, c.flag
        FROM reports r LEFT JOIN cells c USING (report_id) ORDER BY ALL"""


def test_dask_ingest_matches_single_process(tmp_path):
    from etl.ingest import ingest_paths
    from etl.parquet import connect_parquet
    from etl.scale import ingest_dask

    corpus = _write_corpus(tmp_path / "in")
    local = tmp_path / "local.duckdb"
    ingest_paths([corpus], local, workers=1, post=False)
    dist = tmp_path / "dask.duckdb"
    args = Namespace(paths=[str(corpus)], db=str(dist), workers=2, timeout=60, scheduler=None,
                     parquet=str(tmp_path / "pq"), post=False, reparse=False, dataset=None)
    assert ingest_dask(args) == 0
    a = duckdb.connect(str(local), read_only=True).execute(_Q).fetchall()
    b = duckdb.connect(str(dist), read_only=True).execute(_Q).fetchall()
    assert len({row[0] for row in a}) == 9 and len(a) > 9 * 100
    assert a == b
    assert connect_parquet(tmp_path / "pq").execute(_Q).fetchall() == a
    # sections and problems too
    q2 = ("SELECT r.source_path, s.section_no, s.title, s.text FROM reports r JOIN section_texts s USING (report_id) "
          "ORDER BY ALL")
    assert (duckdb.connect(str(local), read_only=True).execute(q2).fetchall()
            == duckdb.connect(str(dist), read_only=True).execute(q2).fetchall())
    # idempotent: a second run on a known warehouse parses nothing
    args.parquet = None
    assert ingest_dask(args) == 0
    assert duckdb.connect(str(dist), read_only=True).execute("SELECT count(*) FROM reports").fetchone()[0] == 9
