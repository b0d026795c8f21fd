"""The warehouse as a Parquet directory, and a DuckDB connection over one.

Layout written by :func:`export` (``python -m etl export --db DB --parquet DIR``)::

    DIR/_manifest.json                       tables, their columns and types, files (relative paths)
    DIR/<big table>/year=2023/province=示例省/data_0.parquet     hive partitions (url-encoded values)
    DIR/<small table>/data.parquet

Big tables (``PARTITIONED``) are split by report year and province. A table that lacks one of the two
columns gets it from its report (``report_id``) or its office (``office_id``); such an added column is
listed under ``added`` in the manifest and dropped again by :func:`connect_parquet`, so every view has
exactly the columns (names, order, types) of the warehouse table it stands for.

:func:`export` and :func:`connect_parquet` accept a local directory or an object-storage URL (``s3://…``,
``https://…``; see :mod:`etl.storage`). An export to a URL uploads its files under a new prefix
``v<timestamp>/`` and the manifest last, so a dashboard reading the URL switches from one complete export to
the next and never sees a half-uploaded one.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from . import storage

MANIFEST = "_manifest.json"
PARTITION_COLS = ("year", "province")
PARTITIONED = ("report_facts", "reports", "cells", "section_texts", "findings", "parse_problems")


def _tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]


def _schema(con, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position", [table]).fetchall()]


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _province_of_office(con) -> str:
    """SELECT office_id, province — from the marts' office source (office_dim or offices)."""
    try:
        from .marts import _office_source
        return f"SELECT office_id, province FROM ({_office_source(con)})"
    except Exception:  # marts not importable: the raw offices table
        return ("SELECT office_id, coalesce(province, nullif(split_part(region_path, '/', 1), '')) AS province "
                "FROM offices")


def export(db: str | Path | duckdb.DuckDBPyConnection, out: str | Path, *,
           partitioned: tuple[str, ...] = PARTITIONED, overwrite: bool = True) -> dict:
    """Write every table of the warehouse to `out` (a directory or an object-storage URL) as Parquet.
    Returns the manifest."""
    if storage.is_url(out):
        return _export_url(db, str(out), partitioned)
    own = not isinstance(db, duckdb.DuckDBPyConnection)
    con = duckdb.connect(str(db), read_only=True) if own else db
    out = Path(out)
    if overwrite and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    con.execute("SET enable_progress_bar = false")
    manifest: dict = {"format": 1, "partition_by": list(PARTITION_COLS), "tables": {}}
    try:
        tables = _tables(con)
        rels = set(tables)
        if "reports" in rels:
            offices = _province_of_office(con) if "offices" in rels else \
                "SELECT NULL::INTEGER AS office_id, NULL::VARCHAR AS province WHERE false"
            con.execute("CREATE OR REPLACE TEMP TABLE _pq_office AS " + offices)
            has_office = "office_id" in dict(_schema(con, "reports"))
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _pq_report AS
                SELECT r.report_id, r.year, {'o.province' if has_office else 'NULL::VARCHAR'} AS province
                FROM reports r {'LEFT JOIN _pq_office o ON o.office_id = r.office_id' if has_office else ''}""")
        for t in tables:
            cols = _schema(con, t)
            names = [c for c, _ in cols]
            dest = out / t
            n = con.execute(f"SELECT count(*) FROM {_qi(t)}").fetchone()[0]
            entry = {"columns": cols, "rows": n, "partitioned": False, "added": []}
            if t in partitioned and n > 0 and ("reports" in rels or set(PARTITION_COLS) <= set(names)):
                sel, joins, added = ["t.*"], [], []
                if "report_id" in names and "reports" in rels and not set(PARTITION_COLS) <= set(names):
                    joins.append("LEFT JOIN _pq_report pr ON pr.report_id = t.report_id")
                if "office_id" in names and "province" not in names and "reports" in rels:
                    joins.append("LEFT JOIN _pq_office po ON po.office_id = t.office_id")
                for pc in PARTITION_COLS:
                    if pc in names:
                        continue
                    srcs = []
                    if any("pr." in j for j in joins):
                        srcs.append(f"pr.{pc}")
                    if pc == "province" and any("po." in j for j in joins):
                        srcs.append("po.province")
                    if not srcs:
                        break
                    sel.append(f"coalesce({', '.join(srcs)}) AS {pc}")
                    added.append(pc)
                else:
                    order = "t.report_id" if "report_id" in names else "1"
                    dest.mkdir(parents=True, exist_ok=True)
                    con.execute(f"""COPY (SELECT {', '.join(sel)} FROM {_qi(t)} t {' '.join(joins)}
                                          ORDER BY {order})
                                    TO '{dest}' (FORMAT parquet, PARTITION_BY ({', '.join(PARTITION_COLS)}),
                                                 OVERWRITE_OR_IGNORE, COMPRESSION zstd)""")
                    entry.update(partitioned=True, added=added)
            if not entry["partitioned"]:
                dest.mkdir(parents=True, exist_ok=True)
                con.execute(f"COPY (SELECT * FROM {_qi(t)}) TO '{dest / 'data.parquet'}' "
                            f"(FORMAT parquet, COMPRESSION zstd)")
            entry["files"] = sorted(str(p.relative_to(out)) for p in dest.rglob("*.parquet"))
            manifest["tables"][t] = entry
    finally:
        if own:
            con.close()
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _export_url(db, url: str, partitioned: tuple[str, ...]) -> dict:
    import tempfile
    import time

    prefix = time.strftime("v%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="gkjb-export-") as tmp:
        manifest = export(db, tmp, partitioned=partitioned)
        for entry in manifest["tables"].values():
            entry["files"] = [f"{prefix}/{f}" for f in entry["files"]]
        manifest["prefix"] = prefix
        manifest["bytes"] = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet"))
        staged = Path(tmp) / "_staged"
        (Path(tmp) / MANIFEST).unlink()
        for t in manifest["tables"]:
            if (Path(tmp) / t).exists():
                (staged / prefix).mkdir(parents=True, exist_ok=True)
                shutil.move(str(Path(tmp) / t), str(staged / prefix / t))
        (staged / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        storage.upload_dir(staged, url, last=(MANIFEST,))
    return manifest


def read_manifest(base: str | os.PathLike) -> dict:
    base = str(base)
    if storage.is_url(base):
        return json.loads(storage.read_text(base.rstrip("/") + "/" + MANIFEST))
    return json.loads((Path(base) / MANIFEST).read_text(encoding="utf-8"))


def connect_parquet(path_or_url: str | os.PathLike, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per warehouse table over a Parquet export.

    `config` is passed to duckdb.connect (e.g. memory_limit, threads). Reading files needs external
    access; with ``enable_external_access: False`` only the export can be read: a local directory is the
    only entry of ``allowed_directories``; for a URL the local file system is disabled and the remote one
    is registered confined to the export's prefix (:func:`etl.storage.confined`: no other host, bucket or
    path, so a query cannot fetch internal services)."""
    base = str(path_or_url)
    url = storage.is_url(base)
    cfg = dict(config or {})
    if not url:
        base = str(Path(base).resolve())
    no_external = cfg.pop("enable_external_access", True) is False
    lock = cfg.pop("lock_configuration", None)
    con = duckdb.connect(":memory:", config=cfg)
    con.execute("SET enable_progress_bar = false")
    try:
        if url:
            storage.attach(con, base, confine=no_external)  # confined: only objects under the export's URL
            manifest = read_manifest(base)
            if no_external:  # and no local files
                con.execute("SET disabled_filesystems = 'LocalFileSystem'")
        else:
            manifest = read_manifest(base)
            if no_external:  # only the export directory may be read
                con.execute("SET allowed_directories = ?", [[base]])
                con.execute("SET enable_external_access = false")
    except BaseException:
        con.close()
        raise
    for t, entry in manifest["tables"].items():
        cols = [(c, ty) for c, ty in entry["columns"]]
        if url or not entry["files"]:
            files = [f"{base.rstrip('/')}/{f}" for f in entry["files"]]
            src = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
        else:
            src = "'" + (base + f"/{t}/**/*.parquet").replace("'", "''") + "'"
        if not entry["files"]:
            con.execute(f"CREATE VIEW {_qi(t)} AS SELECT "
                        + ", ".join(f"CAST(NULL AS {ty}) AS {_qi(c)}" for c, ty in cols) + " WHERE false")
            continue
        if entry["partitioned"]:
            hive = ("hive_partitioning = true, hive_types = {"
                    + ", ".join(f"'{pc}': {'INTEGER' if pc == 'year' else 'VARCHAR'}" for pc in PARTITION_COLS) + "}")
        else:
            hive = "hive_partitioning = false"
        sel = ", ".join(f"CAST({_qi(c)} AS {ty}) AS {_qi(c)}" if entry["partitioned"] and c in PARTITION_COLS
                        else _qi(c) for c, ty in cols)
        con.execute(f"CREATE VIEW {_qi(t)} AS SELECT {sel} FROM read_parquet({src}, {hive})")
    if {"finding_reviews", "cell_corrections", "reports", "cells"} <= set(manifest["tables"]):
        from .review import VIEWS_DDL
        con.execute(VIEWS_DDL)  # current reviews / corrections, cells with corrections (etl/review.py)
    if lock:
        con.execute("SET lock_configuration = true")
    return con
