"""The DuckDB warehouse: schema, and loading one parse result per transaction.

Layers (dbt style):
  raw      reports, cells (long form, one row per canonical key with raw text and provenance),
           section_texts, parse_problems — written by ingest, in batches, one transaction per batch
  staging  offices (registry or inferred), findings (compliance engine)
  marts    report_facts (one wide row per report), built by :mod:`etl.marts` after each ingest
"""
from __future__ import annotations

import datetime as _dt
import json
from contextlib import contextmanager
from pathlib import Path

import duckdb

SCHEMA_VERSION = 1

DDL = """
CREATE SEQUENCE IF NOT EXISTS report_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS office_id_seq START 1;

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE TABLE IF NOT EXISTS offices (
    office_id INTEGER PRIMARY KEY DEFAULT nextval('office_id_seq'),
    name VARCHAR NOT NULL UNIQUE,          -- canonical name
    aliases VARCHAR[],                     -- other names seen or registered
    parent VARCHAR,                        -- canonical name of the parent office, if known
    region_path VARCHAR,                   -- e.g. 示例省/青川市/玉川区 ('/'-separated, province first)
    province VARCHAR, city VARCHAR, district VARCHAR,
    unit_type VARCHAR,                     -- government | general_office | department | township | dev_zone | other
    report_kind VARCHAR,                   -- department | gov_self | region_summary
    expected_years VARCHAR,                -- e.g. '2019-2025' (registry), NULL = inferred from reports seen
    source VARCHAR NOT NULL DEFAULT 'inferred',  -- registry | inferred
    confidence DOUBLE                      -- for inferred unit type / region
);

CREATE TABLE IF NOT EXISTS reports (
    report_id INTEGER PRIMARY KEY DEFAULT nextval('report_id_seq'),
    source_path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL UNIQUE,
    format VARCHAR,                        -- txt | md | html | docx | doc | pdf | unknown
    size_bytes BIGINT,
    parser_version VARCHAR,
    status VARCHAR NOT NULL,               -- ok | partial | failed
    error_code VARCHAR,
    error_message VARCHAR,
    office_id INTEGER,
    office_name VARCHAR,                   -- as printed in the report
    year INTEGER,
    template VARCHAR,                      -- layout found in the document ('2019' | '2021')
    template_expected VARCHAR,             -- layout the year requires
    report_kind VARCHAR,
    published_on DATE,
    title VARCHAR,
    n_values INTEGER, n_inferred INTEGER, n_uncertain INTEGER,
    needs_ocr_pages VARCHAR,               -- e.g. '1,2,5' for scanned pages
    parse_seconds DOUBLE,
    loaded_at TIMESTAMP DEFAULT current_timestamp,
    reading VARCHAR,                       -- JSON: per table how it was located and cells read/inferred/uncertain
    first_loaded_at TIMESTAMP,             -- when this content was first loaded (kept across re-parses)
    superseded_by INTEGER                  -- a later version for the same office, year and kind replaces it
);

CREATE TABLE IF NOT EXISTS cells (
    report_id INTEGER NOT NULL,
    key VARCHAR NOT NULL,                  -- canonical key, e.g. t3.granted.total
    tbl TINYINT NOT NULL,                  -- 2 | 3 | 4
    row_key VARCHAR NOT NULL,
    col_key VARCHAR NOT NULL,
    value DOUBLE,                          -- NULL when blank, not applicable or uncertain
    raw VARCHAR,                           -- text as printed
    kind VARCHAR,                          -- number | zero | empty | na | text | missing
    unit VARCHAR,                          -- unit as printed (元, 万元) or 'unknown' where one was expected
    note VARCHAR,                          -- e.g. 其中修订16件
    flag VARCHAR,                          -- inferred | uncertain | NULL
    prov VARCHAR                           -- JSON provenance (line / table,row,col / page,bbox)
);

CREATE TABLE IF NOT EXISTS section_texts (
    report_id INTEGER NOT NULL,
    section_no TINYINT NOT NULL,           -- 1..6
    section_key VARCHAR,
    title VARCHAR,
    text VARCHAR,
    prov VARCHAR
);

CREATE TABLE IF NOT EXISTS parse_problems (
    report_id INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    message VARCHAR,
    prov VARCHAR
);

"""

MIGRATIONS = (("reading", "VARCHAR"), ("first_loaded_at", "TIMESTAMP"), ("superseded_by", "INTEGER"))


# tables earlier versions wrote and nothing reads any more: report_findings (single-report findings stored at
# parse time; they are computed once, in the refresh, into findings)
RETIRED = ("report_findings",)


def connect(db: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    db = Path(db)
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=read_only)
    con.execute("SET enable_progress_bar = false")  # no terminal progress bars from long marts queries
    if not read_only:
        con.execute(DDL)
        for col, typ in MIGRATIONS:  # warehouses built before a column existed
            con.execute(f"ALTER TABLE reports ADD COLUMN IF NOT EXISTS {col} {typ}")
        for table in RETIRED:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        rollback(con)
        raise
    else:
        con.execute("COMMIT")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK after a failure, keeping the failure: when a write failed (disk full) DuckDB may have ended
    the transaction already, and "cannot rollback - no transaction is active" would hide the real cause."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


RETRYABLE_ERRORS = ("parser_error", "timeout", "worker_crash", "memory", "missing_converter")


def known_sha(con: duckdb.DuckDBPyConnection, sha: str) -> bool:
    """True when this content is loaded already — except a failure that a retry might fix."""
    return sha in known_shas(con, [sha])


def known_shas(con: duckdb.DuckDBPyConnection, shas: list[str]) -> set[str]:
    """The contents among `shas` that are loaded already (one query; see known_sha)."""
    rows = con.execute("SELECT sha256, status, error_code FROM reports WHERE sha256 IN (SELECT unnest($s))",
                       {"s": list(shas)}).fetchall()
    return {sha for sha, status, code in rows if not (status == "failed" and code in RETRYABLE_ERRORS)}


def loaded_paths(con: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, str]:
    """source_path -> sha256 for those of `paths` that are loaded (without reading every report)."""
    return dict(con.execute("SELECT source_path, sha256 FROM reports WHERE source_path IN (SELECT unnest($p))",
                            {"p": list(paths)}).fetchall())


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def load_result(con: duckdb.DuckDBPyConnection, source_path: str, sha: str, size: int, result: dict,
                run_at: _dt.datetime | None = None) -> int:
    """Load one parse result (or a failure record) in a single transaction; a file that changed since
    it was last loaded replaces its earlier version. Returns the report id."""
    return load_results(con, [(source_path, sha, size, result)], run_at)[0]


REPORT_COLUMNS = ["report_id", "source_path", "sha256", "format", "size_bytes", "parser_version", "status",
                  "error_code", "error_message", "office_id", "office_name", "year", "template", "template_expected",
                  "report_kind", "published_on", "title", "n_values", "n_inferred", "n_uncertain", "needs_ocr_pages",
                  "parse_seconds", "reading", "first_loaded_at"]
CHILD_COLUMNS = {
    "cells": ["report_id", "key", "tbl", "row_key", "col_key", "value", "raw", "kind", "unit", "note", "flag", "prov"],
    "section_texts": ["report_id", "section_no", "section_key", "title", "text", "prov"],
    "parse_problems": ["report_id", "code", "message", "prov"],
}


def _child_rows(rid: int, result: dict) -> dict[str, list[list]]:
    js = lambda x: json.dumps(x or {}, ensure_ascii=False)  # noqa: E731
    return {
        "cells": [[rid, c["key"], c["table"], c["row"], c["col"],
                   None if c.get("value") is None else float(c["value"]), c.get("raw"), c.get("kind"),
                   c.get("unit"), c.get("note"), c.get("flag"), js(c.get("prov"))] for c in result.get("cells") or []],
        "section_texts": [[rid, s["number"], s.get("key"), s.get("title"), s.get("text"), js(s.get("prov"))]
                          for s in result.get("sections") or []],
        "parse_problems": [[rid, p["code"], p.get("message"), js(p.get("prov"))] for p in result.get("problems") or []],
    }


def load_results(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, int, dict]],
                 run_at: _dt.datetime | None = None) -> list[int]:
    """Load a batch of (source_path, sha256, size, result) in one transaction with one bulk insert per
    table — the same rows as load_result() item by item, at a fraction of the statements (the loader is
    the one serial step of a parallel ingest). Returns the report ids in the order of `items`."""
    if not items:
        return []
    if len({i[0] for i in items}) < len(items) or len({i[1] for i in items}) < len(items):
        return [load_result(con, *i, run_at) for i in items]  # one file twice in a batch: later replaces earlier
    with transaction(con):
        prior = con.execute(
            "SELECT report_id, sha256, coalesce(first_loaded_at, loaded_at) FROM reports "
            "WHERE source_path IN (SELECT unnest($p)) OR sha256 IN (SELECT unnest($s))",
            {"p": [i[0] for i in items], "s": [i[1] for i in items]}).fetchall()
        old = [r[0] for r in prior]
        first_seen = {sha: t for _, sha, t in prior}  # the same content loaded again keeps its age
        now = run_at or _dt.datetime.now()  # new content's first_loaded_at: one instant per ingest run
        if old:
            for t in (*CHILD_COLUMNS, "reports"):
                con.execute(f"DELETE FROM {t} WHERE report_id IN (SELECT unnest(?))", [old])
        ids = [r[0] for r in con.execute("SELECT nextval('report_id_seq') FROM range(?)", [len(items)]).fetchall()]
        offices: dict[str, int] = {}
        reports: list[list] = []
        children: dict[str, list[list]] = {t: [] for t in CHILD_COLUMNS}
        for rid, (source_path, sha, size, result) in zip(ids, items):
            office_id = None
            if result.get("office"):
                office_id = offices.get(result["office"])
                if office_id is None:
                    office_id = offices[result["office"]] = ensure_office(
                        con, result["office"], result.get("office_aliases") or [], result.get("report_kind"))
            err = result.get("error") or {}
            flags = result.get("flags") or {}
            reports.append([
                rid, source_path, sha, result.get("format"), size, result.get("parser_version"),
                result.get("status", "failed" if err else "ok"), err.get("code"), err.get("message"),
                office_id, result.get("office"), result.get("year"), result.get("template"),
                result.get("template_expected"), result.get("report_kind"), _date(result.get("published_on")),
                result.get("title"), sum(v is not None for v in (result.get("values") or {}).values()),
                sum(f == "inferred" for f in flags.values()), sum(f == "uncertain" for f in flags.values()),
                ",".join(map(str, result.get("needs_ocr_pages") or [])) or None, result.get("seconds"),
                json.dumps(result["reading"], ensure_ascii=False) if result.get("reading") else None,
                first_seen.get(sha, now)])
            for t, rows in _child_rows(rid, result).items():
                children[t].extend(rows)
        _insert(con, "reports", REPORT_COLUMNS, reports)
        for t, rows in children.items():
            _insert(con, t, CHILD_COLUMNS[t], rows)
    return ids


def _date(v):
    """published_on as a date (parse results carry ISO strings; Arrow would otherwise infer VARCHAR)."""
    if v is None or isinstance(v, _dt.date):
        return v
    try:
        return _dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _insert(con, table: str, columns: list[str], rows: list[list]) -> None:
    if not rows:
        return
    import pyarrow as pa

    data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    con.register("_incoming", data)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _incoming")
    finally:
        con.unregister("_incoming")


def ensure_office(con, name: str, aliases: list[str], report_kind: str | None) -> int:
    """The office id for a printed name: an exact name or alias match, else a new inferred office."""
    row = con.execute("SELECT office_id FROM offices WHERE name = ? OR list_contains(aliases, ?) LIMIT 1",
                      [name, name]).fetchall()  # fetchall: a half-read result blocks Arrow registration
    row = row[0] if row else None
    if row:
        return row[0]
    for alias in aliases:
        row = con.execute("SELECT office_id FROM offices WHERE name = ? OR list_contains(aliases, ?) LIMIT 1",
                          [alias, alias]).fetchall()
        row = row[0] if row else None
        if row:
            con.execute("UPDATE offices SET aliases = list_distinct(list_append(coalesce(aliases, []), ?)) "
                        "WHERE office_id = ?", [name, row[0]])
            return row[0]
    return con.execute(
        "INSERT INTO offices (name, aliases, report_kind, source) VALUES (?, ?, ?, 'inferred') RETURNING office_id",
        [name, aliases or [], report_kind]).fetchall()[0][0]


def supersede(con: duckdb.DuckDBPyConnection, report_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """Decide which report of an office-year is the current one, for the office-years of `report_ids`
    (all when None). Returns the (earlier, current) report ids newly marked.

    A report (not failed) for an office, year and report kind that already has one is a corrected
    version: the one whose content was loaded last is current, the earlier ones get ``superseded_by``
    and are kept (history) but no longer counted (marts read current reports only). Two versions first
    loaded in the same run cannot be ordered: both stay current and :func:`duplicate_office_years`
    lists them for a person to resolve."""
    scope = "true" if report_ids is None else \
        "(office_id, year) IN (SELECT (office_id, year) FROM reports WHERE report_id IN (SELECT unnest($ids)))"
    params = {} if report_ids is None else {"ids": list(report_ids)}
    before = dict(con.execute(f"SELECT report_id, superseded_by FROM reports WHERE {scope}", params).fetchall())
    con.execute(f"""
        UPDATE reports SET superseded_by = s.current FROM (
            WITH r AS (SELECT report_id, office_id, year, coalesce(report_kind, '') AS kind, status,
                              coalesce(first_loaded_at, loaded_at) AS t
                       FROM reports WHERE office_id IS NOT NULL AND year IS NOT NULL AND {scope}),
            latest AS (SELECT office_id, year, kind, max(t) AS t FROM r WHERE status <> 'failed' GROUP BY ALL),
            current AS (SELECT office_id, year, kind, latest.t, max(report_id) AS current
                        FROM r JOIN latest USING (office_id, year, kind)
                        WHERE r.status <> 'failed' AND r.t = latest.t GROUP BY ALL)
            SELECT r.report_id, CASE WHEN r.status <> 'failed' AND r.t < c.t THEN c.current END AS current
            FROM r LEFT JOIN current c USING (office_id, year, kind)
        ) s WHERE reports.report_id = s.report_id""", params)
    after = con.execute(f"SELECT report_id, superseded_by FROM reports WHERE {scope} AND superseded_by IS NOT NULL",
                        params).fetchall()
    return [(rid, cur) for rid, cur in after if before.get(rid) != cur]


def duplicate_office_years(con: duckdb.DuckDBPyConnection, report_ids: list[int] | None = None) -> list[dict]:
    """Office-years (and report kind) with more than one current report: these would be counted twice."""
    scope = "true" if report_ids is None else \
        "(office_id, year) IN (SELECT (office_id, year) FROM reports WHERE report_id IN (SELECT unnest($ids)))"
    params = {} if report_ids is None else {"ids": list(report_ids)}
    rows = con.execute(f"""
        SELECT r.office_id, any_value(coalesce(o.name, r.office_name)), r.year, r.report_kind,
               list(r.report_id ORDER BY r.report_id), list(r.source_path ORDER BY r.report_id)
        FROM reports r LEFT JOIN offices o USING (office_id)
        WHERE r.status <> 'failed' AND r.superseded_by IS NULL AND r.office_id IS NOT NULL AND r.year IS NOT NULL
          AND {scope.replace("(office_id, year) IN", "(r.office_id, r.year) IN")}
        GROUP BY r.office_id, r.year, r.report_kind HAVING count(*) > 1 ORDER BY 2, 3""", params).fetchall()
    return [{"office_id": o, "office": name, "year": y, "report_kind": k, "report_ids": ids, "paths": paths}
            for o, name, y, k, ids, paths in rows]
