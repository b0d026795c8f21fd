"""National scale: a synthetic warehouse of N reports built in SQL (for benchmarks and scale tests).

``synthetic_warehouse(db, n)`` writes offices (province/city/district), reports, cells (long form, one row
per template key of the report's version), section texts, problems and the compliance tables with
generate_series/random, then builds the marts with :func:`etl.marts.build` — the same code the real
pipeline runs — so the dashboard queries see exactly the relations they see in production.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import duckdb

from etl import template as T
from etl import warehouse as W
from etl.rules.policy import default_policy

YEARS = tuple(range(2019, 2026))
N_PROVINCES, CITIES_PER_PROVINCE, DISTRICTS_PER_CITY = 31, 12, 10
FIRST_PROVINCE = "示例省"


# ---------------------------------------------------------------------------------------------
# Synthetic warehouse
# ---------------------------------------------------------------------------------------------
def synthetic_warehouse(db: str | Path, n_reports: int, seed: float = 0.42, marts: bool | str = True,
                        log=None, compliance: bool = True) -> dict:
    """Build a warehouse of `n_reports` synthetic reports at `db` (replaced). Returns timings.
    ``compliance=False`` leaves out the tables the rules write (findings, scores, duplication), like a
    warehouse whose rules never ran."""
    log = log or (lambda msg: None)
    db = Path(db)
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    timings: dict[str, float] = {}
    n_offices = max(1, math.ceil(n_reports / len(YEARS)))
    con = W.connect(db)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SELECT setseed({seed})")

        def step(name, sql):
            t0 = time.perf_counter()
            con.execute(sql)
            timings[name] = round(time.perf_counter() - t0, 2)
            log(f"  {name}: {timings[name]}s")

        # template keys, read from the template
        con.execute("CREATE TEMP TABLE _keys (template VARCHAR, key VARCHAR, tbl TINYINT, row_key VARCHAR, "
                    "col_key VARCHAR, amount BOOLEAN, signed BOOLEAN)")
        rows = []
        for v in T.VERSIONS:
            for k in T.keys(v):
                t, r, c = T.split_key(k)
                col = T.column(v, k)
                rows.append((v, k, t, r, c, col.kind == "amount", col.kind == "signed"))
        con.executemany("INSERT INTO _keys VALUES (?,?,?,?,?,?,?)", rows)
        provinces = [FIRST_PROVINCE] + [f"合成{i:02d}省" for i in range(1, N_PROVINCES)]
        con.execute("CREATE TEMP TABLE _prov AS SELECT * FROM (SELECT unnest(?) AS name, "
                    "generate_subscripts(?, 1) - 1 AS i)", [provinces, provinces])
        step("offices", f"""
            INSERT INTO offices (office_id, name, aliases, parent, region_path, province, city, district,
                                 unit_type, report_kind, expected_years, source, confidence)
            WITH g AS (
                SELECT o AS office_id, (o % {N_PROVINCES}) AS pi,
                       (o // {N_PROVINCES}) % {CITIES_PER_PROVINCE} AS ci,
                       (o // {N_PROVINCES * CITIES_PER_PROVINCE}) % {DISTRICTS_PER_CITY} AS di,
                       hash(o, 'kind') % 100 AS k
                FROM generate_series(1, {n_offices}) s(o))
            SELECT g.office_id,
                   p.name || '第' || (g.ci + 1) || '市' || '第' || (g.di + 1) || '区' || '单位' || g.office_id,
                   [], NULL,
                   p.name || '/' || p.name || '第' || (g.ci + 1) || '市/' || p.name || '第' || (g.ci + 1) || '市第'
                          || (g.di + 1) || '区',
                   p.name, p.name || '第' || (g.ci + 1) || '市',
                   p.name || '第' || (g.ci + 1) || '市第' || (g.di + 1) || '区',
                   CASE WHEN g.k < 70 THEN 'department' WHEN g.k < 90 THEN 'government'
                        WHEN g.k < 96 THEN 'township' ELSE 'dev_zone' END,
                   CASE WHEN g.k < 70 THEN 'department' WHEN g.k < 96 THEN 'gov_self' ELSE 'region_summary' END,
                   '{YEARS[0]}-{YEARS[-1]}', 'registry', 1.0
            FROM g JOIN _prov p ON p.i = g.pi""")
        step("reports", f"""
            INSERT INTO reports (report_id, source_path, sha256, format, size_bytes, parser_version, status,
                                 error_code, error_message, office_id, office_name, year, template,
                                 template_expected, report_kind, published_on, title, n_values, n_inferred,
                                 n_uncertain, needs_ocr_pages, parse_seconds)
            WITH g AS (
                SELECT i AS report_id, ((i - 1) % {n_offices}) + 1 AS office_id,
                       {YEARS[0]} + ((i - 1) // {n_offices}) % {len(YEARS)} AS year, random() AS u
                FROM generate_series(1, {n_reports}) s(i))
            SELECT g.report_id, 'synthetic/' || g.year || '/' || g.office_id || '.pdf',
                   md5(g.report_id::VARCHAR) || md5('x' || g.report_id::VARCHAR),
                   (['pdf', 'pdf', 'html', 'docx', 'doc', 'txt'])[1 + (hash(g.report_id) % 6)::INTEGER],
                   20000 + (random() * 400000)::BIGINT, 'synthetic',
                   CASE WHEN g.u < 0.02 THEN 'failed' WHEN g.u < 0.17 THEN 'partial' ELSE 'ok' END,
                   CASE WHEN g.u < 0.02 THEN 'pdf_no_text' END,
                   CASE WHEN g.u < 0.02 THEN 'PDF 无文本层（扫描件）' END,
                   g.office_id, o.name, g.year,
                   {T.version_for_year_sql('g.year')},
                   {T.version_for_year_sql('g.year')},
                   o.report_kind,
                   {_policy().deadline_sql("g.year", "o.report_kind", "o.unit_type", "o.province", "NULL")}
                       + (random() * 60)::INTEGER - 50,  -- around the policy's deadline: most on time
                   o.name || g.year || '年政府信息公开工作年度报告',
                   150, CASE WHEN g.u < 0.1 THEN 1 ELSE 0 END, CASE WHEN g.u BETWEEN 0.1 AND 0.17 THEN 1 ELSE 0 END,
                   NULL, 0.2 + random()
            FROM g JOIN offices o USING (office_id)
            ORDER BY g.report_id""")
        # ids were given explicitly: move the sequences past them so a later ingest into this warehouse
        # (bench of incremental ingest at scale) gets fresh ids
        con.execute(f"SELECT max(nextval('office_id_seq')) FROM range({n_offices})").fetchall()
        con.execute(f"SELECT max(nextval('report_id_seq')) FROM range({n_reports})").fetchall()
        chunk = 100_000  # insert cells report range by report range: no global sort, no spilling
        ranges = [(lo, min(lo + chunk - 1, n_reports)) for lo in range(1, n_reports + 1, chunk)]
        if marts == "direct":
            _wide_values(con, step)
            cells_sql = _CELLS_INSERT.format(rid="u.report_id", v="u.value") + """
                FROM (UNPIVOT (SELECT * EXCLUDE (template) FROM _wide WHERE report_id BETWEEN $lo AND $hi)
                      ON COLUMNS(* EXCLUDE (report_id)) INTO NAME col VALUE value) u
                JOIN reports r USING (report_id)
                JOIN _keys k ON k.template = r.template AND replace(k.key, '.', '__') = u.col
                ORDER BY u.report_id"""
        else:
            cells_sql = _CELLS_INSERT.format(rid="r.report_id", v="v.value") + """
                FROM reports r JOIN _keys k ON k.template = r.template,
                     LATERAL (SELECT CASE WHEN random() < 0.08 THEN NULL
                                          WHEN k.amount THEN round(random() * 500, 2)
                                          WHEN k.signed THEN floor(random() * 11) - 5
                                          ELSE floor(random() * random() * 60) END AS value) v
                WHERE r.status <> 'failed' AND r.report_id BETWEEN $lo AND $hi
                ORDER BY r.report_id"""
        t0 = time.perf_counter()
        for lo, hi in ranges:
            con.execute(cells_sql, {"lo": lo, "hi": hi})
        timings["cells"] = round(time.perf_counter() - t0, 2)
        log(f"  cells: {timings['cells']}s")
        arr = lambda xs: "[" + ", ".join(repr(x) for x in xs) + "]"  # noqa: E731
        secs = (f"(SELECT unnest({arr([s.number for s in T.SECTIONS])}) AS n, "
                f"unnest({arr([s.key for s in T.SECTIONS])}) AS key, unnest({arr([s.title for s in T.SECTIONS])}) AS title)")
        step("section_texts", f"""
            INSERT INTO section_texts
            SELECT r.report_id, s.n, s.key, s.title,
                   r.year || '年，' || r.office_name || '认真贯彻落实《中华人民共和国政府信息公开条例》，' || s.title
                     || '有关情况如下。（合成数据）', '{{"line": 10}}'
            FROM reports r, {secs} s
            WHERE r.status <> 'failed' ORDER BY r.report_id""")
        step("parse_problems", """
            INSERT INTO parse_problems
            SELECT report_id, 'label_unmatched', '未识别的表格行标签（合成数据）', '{"line": 55}'
            FROM reports WHERE status = 'partial'""")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('dataset', 'synthetic-bench')")
        if marts:
            from etl.marts import build
            t0 = time.perf_counter()
            if marts == "direct":
                _direct_marts(con, build)
            else:
                build(con)
            timings["marts"] = round(time.perf_counter() - t0, 2)
            log(f"  marts: {timings['marts']}s")
        if compliance:
            _synthetic_compliance(con, step, marts)
        if marts and compliance:  # written by etl.marts.build after the rules in a real warehouse
            from etl.marts import build_findings_mart
            t0 = time.perf_counter()
            build_findings_mart(con)
            timings["mart_findings"] = round(time.perf_counter() - t0, 2)
            log(f"  mart_findings: {timings['mart_findings']}s")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return timings


# the columns of a synthetic cell row, from a report id and a value expression
_CELLS_INSERT = """
                INSERT INTO cells
                SELECT {rid}, k.key, k.tbl, k.row_key, k.col_key, {v},
                       CASE WHEN {v} IS NULL THEN NULL ELSE CAST({v} AS VARCHAR) END,
                       CASE WHEN {v} IS NULL THEN 'empty' WHEN {v} = 0 THEN 'zero' ELSE 'number' END,
                       CASE WHEN k.amount THEN '万元' END, NULL, NULL, '{{"line": 40}}'"""


def _wide_values(con, step) -> None:
    """_wide: one row per non-failed report, one random DOUBLE per canonical key (NULL where the report's
    template has no such key), named like report_facts columns."""
    from etl.marts import col_name

    cols = []
    for k in T.all_keys():
        vs = [v for v in T.VERSIONS if k in T.keys(v)]
        kind = T.column(vs[0], k).kind
        val = ("round(random() * 500, 2)" if kind == "amount" else "floor(random() * 11) - 5" if kind == "signed"
               else "floor(random() * random() * 60)")
        cond = " OR ".join(f"template = '{v}'" for v in vs)
        cols.append(f"CASE WHEN ({cond}) AND random() >= 0.08 THEN {val} END AS {col_name(k)}")
    step("wide_values", f"""
        CREATE OR REPLACE TEMP TABLE _wide AS
        SELECT report_id, template, {', '.join(cols)} FROM reports WHERE status <> 'failed' ORDER BY report_id""")


def _direct_marts(con, build) -> None:
    """report_facts/mart_region_year/mart_coverage without the cells pivot of etl.marts.build (which costs
    O(cells x keys)): build the marts over an empty cells table (dimensions, schema, coverage), then put
    the values of _wide into report_facts and sum mart_region_year again the way etl.marts does."""
    from etl.marts import build_lookup_marts, col_name, group_col, group_columns, key_columns

    con.execute("ALTER TABLE cells RENAME TO _cells_all")
    con.execute("CREATE TABLE cells AS SELECT * FROM _cells_all LIMIT 0")
    try:
        build(con)
    finally:
        con.execute("DROP TABLE cells")
        con.execute("ALTER TABLE _cells_all RENAME TO cells")
    repl = [f"w.{c} AS {c}" for c in key_columns()]
    for g in T.T3_OUTCOME_GROUPS:
        rows = sorted({r.key for v in T.VERSIONS for r in T.TABLES[v][3].rows if r.group == g})
        for c in T.T3_COLUMNS:
            parts = [f"w.{col_name(T.make_key(3, r, c.key))}" for r in rows]
            repl.append(f"CASE WHEN {' OR '.join(p + ' IS NOT NULL' for p in parts)} "
                        f"THEN {' + '.join(f'coalesce({p}, 0)' for p in parts)} END AS {group_col(g, c.key)}")
    con.execute(f"""CREATE OR REPLACE TABLE report_facts AS
        SELECT f.* REPLACE ({', '.join(repl)}) FROM report_facts f JOIN _wide w USING (report_id)
        ORDER BY f.report_id""")
    sums = ", ".join(f"sum({c}) AS {c}" for c in key_columns() + group_columns())
    con.execute(f"""CREATE OR REPLACE TABLE mart_region_year AS
        SELECT year, template, report_kind, unit_type, province, city, district,
               count(*) AS n_reports, count(DISTINCT office_id) AS n_offices, {sums}
        FROM report_facts GROUP BY ALL""")
    build_lookup_marts(con)


def _policy():
    return default_policy()  # deadlines and deductions as the compliance engine has them


def _synthetic_compliance(con, step, marts: bool) -> None:
    """findings, report_scores, office_scores, duplication — the relations written by etl.rules."""
    con.execute("""CREATE OR REPLACE TABLE findings (report_id INTEGER, office_id INTEGER, office VARCHAR,
        year INTEGER, file VARCHAR, rule VARCHAR, severity VARCHAR, status VARCHAR, message VARCHAR, evidence VARCHAR)""")
    rules = [("T3-IDENT", "E", "表三勾稽关系不成立"), ("T3-SUM", "E", "表三办理结果合计与总计不符"),
             ("T3-BLANK", "W", "表三存在空白单元格"), ("TIMELY", "E", "晚于法定期限发布"),
             ("DUP-PREV", "W", "正文与上一年度高度重复")]
    lst = "[" + ", ".join(f"{{'rule': '{r}', 'sev': '{s}', 'msg': '{m}'}}" for r, s, m in rules) + "]"
    step("findings", f"""
        INSERT INTO findings
        SELECT r.report_id, r.office_id, r.office_name, r.year, r.source_path, x.rule, x.sev,
               CASE WHEN random() < 0.12 THEN 'FAIL' WHEN random() < 0.03 THEN 'UNCERTAIN' ELSE 'PASS' END,
               x.msg, '{{"keys": []}}'
        FROM reports r, (SELECT unnest({lst}, recursive := true)) x
        WHERE r.status <> 'failed' ORDER BY r.report_id""")
    if marts:
        step("findings_missing", """
            INSERT INTO findings SELECT NULL, office_id, office, year, NULL, 'MISSING', 'E', 'FAIL',
                   '应报送而未发现年度报告', NULL FROM mart_coverage WHERE coverage = 'missing'""")
    step("report_scores", f"""
        CREATE OR REPLACE TABLE report_scores AS
        SELECT report_id, any_value(office_id) AS office_id, any_value(year) AS year,
               CAST(greatest(0.0, {float(_policy().data["scores"]["base"])}
                             - sum({_policy().deduction_sql("rule", "severity", "status")})) AS DOUBLE) AS score,
               '{{}}' AS deductions
        FROM findings WHERE report_id IS NOT NULL GROUP BY report_id ORDER BY report_id""")
    step("office_scores", """
        CREATE OR REPLACE TABLE office_scores AS
        SELECT office_id, year, avg(score) AS score FROM report_scores GROUP BY ALL ORDER BY office_id, year""")
    step("duplication", """
        CREATE OR REPLACE TABLE duplication AS
        SELECT report_id, 'prev' AS kind, round(random(), 3) AS similarity,
               lag(report_id) OVER (PARTITION BY office_id ORDER BY year) AS other_report_id
        FROM reports WHERE status <> 'failed'
        QUALIFY other_report_id IS NOT NULL AND random() < 0.5 ORDER BY report_id""")


# ------------------------------------------------------------------------------------------------
# Small warehouses for dashboard tests and the load test, built once per process
# ------------------------------------------------------------------------------------------------
_BUILT: dict[tuple, Path] = {}


def small_warehouse(root: Path, compliance: bool = True, n_reports: int = 350) -> Path:
    """A synthetic warehouse of `n_reports` reports under `root`, built once per process and arguments."""
    key = (compliance, n_reports)
    if key not in _BUILT:
        db = Path(root) / f"synthetic_{n_reports}_{int(compliance)}.duckdb"
        synthetic_warehouse(db, n_reports, compliance=compliance)
        _BUILT[key] = db
    return _BUILT[key]


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="a synthetic warehouse in SQL (no documents)")
    ap.add_argument("db")
    ap.add_argument("--reports", type=int, default=350)
    ap.add_argument("--no-compliance", action="store_true", help="leave out the tables the rules write")
    a = ap.parse_args()
    print(synthetic_warehouse(a.db, a.reports, compliance=not a.no_compliance, log=print))
