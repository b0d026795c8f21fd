"""Marts the dashboard reads, rebuilt after every ingest batch (after the rules).

``report_facts``      one wide row per non-failed report: report/office dimensions + one DOUBLE column per
                      canonical key (``t3.granted.total`` -> ``t3__granted__total``) + table-3 outcome-group
                      sums (``t3g__<group>__<col>``, groups from the template) so v2019/v2021 line up.
``mart_region_year``  sums of every numeric column by year × template × kind × unit type × region.
``mart_coverage``     office × year: ok / late / missing / failed, with deadline and days late, as the
                      TIMELY and MISSING findings have them (deadlines from the rules policy).
``mart_regions``, ``mart_facets``  what the sidebar offers, with counts.
``mart_offices``      one row per office (names, region): office picker, names of ranked offices.
``mart_findings``     FAIL/UNCERTAIN findings with the filter dimensions (no join at query time).

Key and label names come from :mod:`etl.template`; nothing here spells a canonical key.
The office dimension is ``office_dim`` when the compliance stage created one, else ``offices``.
"""
from __future__ import annotations

import logging

import duckdb

from etl import template as T
from etl import warehouse as W
from etl.columns import col_name, group_col, group_columns, key_columns  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


def _relations(con) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()",
        [table]).fetchall()}


def _office_source(con) -> str:
    """A SELECT giving office_id, office, region_path, province, city, district, unit_type, expected_years,
    kind_hint, level, source from office_dim (compliance stage) or offices, tolerating missing columns."""
    rels = _relations(con)
    src = "office_dim" if "office_dim" in rels and "office_id" in _columns(con, "office_dim") else "offices"
    cols = _columns(con, src)

    def pick(*names, cast="VARCHAR"):
        for n in names:
            if n in cols:
                return f"CAST({n} AS {cast})"
        return f"CAST(NULL AS {cast})"

    path = pick("region_path")
    part = lambda i, *names: (f"coalesce({pick(*names)}, nullif(split_part({path}, '/', {i}), ''))")  # noqa: E731
    return f"""
        SELECT CAST(office_id AS INTEGER) AS office_id, {pick('name', 'office', 'office_name')} AS office,
               {path} AS region_path, {part(1, 'province')} AS province, {part(2, 'city')} AS city,
               {part(3, 'district')} AS district, {pick('unit_type')} AS unit_type,
               {pick('expected_years')} AS expected_years, {pick('report_kind')} AS kind_hint,
               {pick('level')} AS level, {pick('source')} AS source
        FROM {src}"""


def build_lookup_marts(con) -> dict:
    """``mart_regions`` (province, city, district, n_reports) and ``mart_facets`` (facet, value, n_reports):
    what the sidebar needs — a few thousand rows at national scale, from the already grouped
    mart_region_year, instead of scanning report_facts."""
    con.execute("""CREATE OR REPLACE TABLE mart_regions AS
        SELECT province, city, district, CAST(sum(n_reports) AS BIGINT) AS n_reports FROM mart_region_year
        GROUP BY ALL ORDER BY ALL""")
    con.execute("""CREATE OR REPLACE TABLE mart_facets AS
        SELECT facet, value, CAST(sum(n) AS BIGINT) AS n_reports FROM (
            SELECT 'year' AS facet, CAST(year AS VARCHAR) AS value, n_reports AS n FROM mart_region_year
            UNION ALL SELECT 'unit_type', unit_type, n_reports FROM mart_region_year
            UNION ALL SELECT 'report_kind', report_kind, n_reports FROM mart_region_year
            UNION ALL SELECT 'template', template, n_reports FROM mart_region_year)
        GROUP BY ALL ORDER BY ALL""")
    # one row per office with its names and region: the office picker and the names of ranked offices
    # (rankings aggregate numbers by office_id first and look names up here for the top rows only)
    con.execute("""CREATE OR REPLACE TABLE mart_offices AS
        SELECT office_id, any_value(office) AS office, any_value(province) AS province, any_value(city) AS city,
               any_value(district) AS district, any_value(unit_type) AS unit_type, count(*) AS n_reports
        FROM report_facts WHERE office_id IS NOT NULL GROUP BY office_id ORDER BY province, city, district, office""")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("mart_regions", "mart_facets", "mart_offices")}


def build_findings_mart(con) -> int | None:
    """``mart_findings``: the findings a user looks at (FAIL, UNCERTAIN) with the dimensions the filters use,
    so the compliance lists filter and sort one table instead of semi-joining millions of findings with
    report_facts. Report findings take their report's dimensions; MISSING findings (no report) their
    office's, with report_kind/template NULL. Skipped (None) before the compliance stage has run."""
    rels = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema()").fetchall()}
    if not {"findings", "report_facts", "mart_coverage"} <= rels:
        return None
    con.execute("""CREATE OR REPLACE TABLE mart_findings AS
        SELECT f.severity, f.rule, f.status, f.office, f.year, f.message, f.evidence, f.report_id, f.office_id,
               r.province, r.city, r.district, r.unit_type, r.report_kind, r.template
        FROM findings f JOIN report_facts r USING (report_id)
        WHERE f.status IN ('FAIL', 'UNCERTAIN')
        UNION ALL
        SELECT f.severity, f.rule, f.status, f.office, f.year, f.message, f.evidence, NULL, f.office_id,
               c.province, c.city, c.district, c.unit_type, NULL, NULL
        FROM findings f JOIN (SELECT office_id, any_value(province) AS province, any_value(city) AS city,
                                     any_value(district) AS district, any_value(unit_type) AS unit_type
                              FROM mart_coverage GROUP BY office_id) c USING (office_id)
        WHERE f.report_id IS NULL AND f.status IN ('FAIL', 'UNCERTAIN')
        ORDER BY severity, rule, year DESC, office""")
    from etl.review_tables import annotate_findings_mart
    annotate_findings_mart(con)  # the current review of each finding (review_status, …)
    return con.execute("SELECT count(*) FROM mart_findings").fetchone()[0]


def build(con: duckdb.DuckDBPyConnection, report_ids: list[int] | None = None) -> dict:
    """(Re)build every mart. Returns row counts. Safe to call on an empty warehouse.

    With `report_ids` (the reports an ingest just loaded) report_facts is updated in place: rows of
    reports that are gone are deleted, and the rows of every report of the offices concerned are pivoted
    again (their office facts may have changed with the new report); the aggregates are then recomputed
    from report_facts. This costs O(new cells + report_facts) instead of pivoting every cell of the
    warehouse again. Without `report_ids`, or when report_facts does not have the current columns,
    everything is rebuilt."""
    from etl.review_tables import cells_source, ensure_schema as ensure_review_schema
    ensure_review_schema(con)
    cells = cells_source(con)  # hand corrections replace parsed values (the parsed ones stay in cells)
    offices = _office_source(con)
    key_cols = T.all_keys()
    # PIVOT is a hash aggregation: ~60x faster than one FILTER aggregate per key over the long cells table
    pivot_in = ", ".join(f"'{k}' AS {col_name(k)}" for k in key_cols)
    groups = []
    for g in T.T3_OUTCOME_GROUPS:
        rows = sorted({r.key for v in T.VERSIONS for r in T.TABLES[v][3].rows if r.group == g})
        for c in T.T3_COLUMNS:
            parts = [f"{col_name(T.make_key(3, r, c.key))}" for r in rows]
            # NULL only when every part is NULL (never turn blanks into zeros silently)
            expr = " + ".join(f"coalesce({p}, 0)" for p in parts)
            anyv = " OR ".join(f"{p} IS NOT NULL" for p in parts)
            groups.append(f"CASE WHEN {anyv} THEN {expr} END AS {group_col(g, c.key)}")

    def facts_sql(only: str) -> str:
        """report_facts rows; `only` restricts reports (a condition on r.report_id)."""
        return f"""
        WITH o AS ({offices}),
        piv AS (
            PIVOT (SELECT c.report_id, c.key, c.value FROM {cells} c JOIN reports r USING (report_id)
                   WHERE r.status <> 'failed' AND r.superseded_by IS NULL AND {only})
            ON key IN ({pivot_in}) USING max(value) GROUP BY report_id
        ),
        base AS (
            SELECT r.report_id, r.office_id, coalesce(o.office, r.office_name) AS office,
                   r.office_name AS office_printed,
                   o.region_path, o.province, o.city, o.district,
                   coalesce(o.unit_type, 'other') AS unit_type,
                   coalesce(r.report_kind, o.kind_hint) AS report_kind,
                   r.year, r.template, r.template_expected, r.format, r.published_on, r.status,
                   r.source_path, r.n_inferred, r.n_uncertain, piv.* EXCLUDE (report_id)
            FROM reports r LEFT JOIN o ON o.office_id = r.office_id LEFT JOIN piv USING (report_id)
            WHERE r.status <> 'failed' AND r.superseded_by IS NULL AND {only}
        )
        SELECT *, {", ".join(groups)} FROM base"""

    incremental = report_ids is not None and _same_columns(con, facts_sql("false"))
    con.execute("BEGIN TRANSACTION")
    try:
        if incremental:
            con.execute("""CREATE OR REPLACE TEMP TABLE _mart_ids AS
                SELECT report_id FROM reports WHERE report_id IN (SELECT unnest($ids))
                   OR office_id IN (SELECT office_id FROM reports WHERE report_id IN (SELECT unnest($ids)))""",
                        {"ids": list(report_ids)})
            con.execute("""DELETE FROM report_facts WHERE report_id IN (SELECT report_id FROM _mart_ids)
                           OR report_id NOT IN (SELECT report_id FROM reports WHERE status <> 'failed'
                                                   AND superseded_by IS NULL)""")
            con.execute("INSERT INTO report_facts BY NAME "
                        + facts_sql("r.report_id IN (SELECT report_id FROM _mart_ids)"))
            con.execute("DROP TABLE _mart_ids")
        else:
            con.execute("CREATE OR REPLACE TABLE report_facts AS " + facts_sql("true"))
        num_cols = key_columns() + group_columns()
        sums = ", ".join(f"sum({c}) AS {c}" for c in num_cols)
        con.execute(f"""
        CREATE OR REPLACE TABLE mart_region_year AS
        SELECT year, template, report_kind, unit_type, province, city, district,
               count(*) AS n_reports, count(DISTINCT office_id) AS n_offices, {sums}
        FROM report_facts GROUP BY ALL
        """)
        _build_coverage(con, offices)
        build_lookup_marts(con)
        build_findings_mart(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('marts_built_at', CAST(current_timestamp AS VARCHAR))")
        con.execute("COMMIT")
    except BaseException:
        W.rollback(con)
        raise
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("report_facts", "mart_region_year", "mart_coverage")}
    log.info("marts built: %s", counts)
    return counts


def _same_columns(con, sql: str) -> bool:
    """report_facts exists with exactly the columns `sql` produces (else the template changed: rebuild)."""
    try:
        have = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                          "table_name = 'report_facts' AND table_schema = current_schema() "
                                          "ORDER BY ordinal_position").fetchall()]
        want = con.sql(sql).columns
    except duckdb.Error:
        return False
    return bool(have) and have == list(want)


def _build_coverage(con, offices: str) -> None:
    """office × year from the compliance engine's ``office_expected_years`` plus the years with a report,
    with the deadline the TIMELY and MISSING rules apply (the policy the findings were computed with), so a
    cell is 按时 / 逾期 / 缺失 exactly when the findings say so. Years not yet due without a report are left
    out, as the engine does. Before the compliance stage has run, an office is expected from its first
    report year to the warehouse's last year."""
    from etl.rules.policy import timely_kind_sql, warehouse_policy
    policy = warehouse_policy(con)
    if "office_expected_years" in _relations(con):
        expected = "SELECT office_id, year FROM office_expected_years"
    else:
        expected = """SELECT office_id, unnest(range(min(year), (SELECT max(year) FROM reports) + 1)) AS year
                      FROM reports WHERE office_id IS NOT NULL AND year IS NOT NULL GROUP BY office_id"""
    kind = timely_kind_sql("b.report_kind", "o.kind_hint", "o.source")
    deadline = policy.deadline_sql("y.year", kind, "o.unit_type", "o.province", "o.level")
    con.execute(f"""
    CREATE OR REPLACE TABLE mart_coverage AS
    WITH o AS ({offices}),
    y AS ({expected}
          UNION SELECT office_id, year FROM reports WHERE office_id IS NOT NULL AND year IS NOT NULL),
    best AS (
        SELECT office_id, year, report_id, status, published_on, report_kind,
               row_number() OVER (PARTITION BY office_id, year
                                  ORDER BY (status = 'failed'), superseded_by IS NOT NULL,
                                           published_on NULLS LAST, report_id) AS rn
        FROM reports WHERE office_id IS NOT NULL AND year IS NOT NULL
    ),
    d AS (
        SELECT y.office_id, o.office, o.province, o.city, o.district, o.unit_type, y.year,
               b.report_id, b.published_on, b.status, {deadline} AS deadline
        FROM y JOIN o USING (office_id) LEFT JOIN best b ON b.office_id = y.office_id AND b.year = y.year AND b.rn = 1
    )
    SELECT office_id, office, province, city, district, unit_type, year, report_id, published_on, deadline,
           CASE WHEN report_id IS NULL THEN 'missing'
                WHEN status = 'failed' THEN 'failed'
                WHEN published_on IS NULL OR deadline IS NULL THEN 'unknown'
                WHEN published_on > deadline THEN 'late'
                ELSE 'ok' END AS coverage,
           CASE WHEN published_on IS NOT NULL THEN date_diff('day', deadline, published_on) END AS days_late
    FROM d
    WHERE report_id IS NOT NULL OR deadline IS NULL OR deadline < current_date  -- not due yet: not missing
    """)


def main() -> None:  # python -m etl.marts DB
    import sys
    con = duckdb.connect(sys.argv[1])
    print(build(con))


if __name__ == "__main__":
    main()
