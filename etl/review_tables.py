"""The review and correction tables (schema, stable finding keys) and the readers the rules and marts use:
below the rules, which read reviews and corrected cells. Writing reviews and corrections is etl/review.py."""
from __future__ import annotations

VERDICTS = {"confirmed": "确认", "false_positive": "误报", "fixed": "已整改"}
CLEARED = "cleared"   # withdraws the current review (history is kept)
VERDICT_CODES = {**{v: k for k, v in VERDICTS.items()}, **{k: k for k in VERDICTS}, "撤销": CLEARED, CLEARED: CLEARED}
LOCAL_USER = "本机用户"

DDL = """
CREATE TABLE IF NOT EXISTS finding_reviews (
    finding_key VARCHAR NOT NULL,          -- see finding_key_sql()
    sha256 VARCHAR,                        -- report content; NULL for findings without a report (MISSING)
    rule VARCHAR NOT NULL, office VARCHAR, year INTEGER,
    verdict VARCHAR NOT NULL,              -- confirmed | false_positive | fixed | cleared
    note VARCHAR,
    reviewer VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    finding_status VARCHAR, finding_message VARCHAR   -- the finding as the reviewer saw it
);
CREATE TABLE IF NOT EXISTS cell_corrections (
    sha256 VARCHAR NOT NULL, key VARCHAR NOT NULL,
    value DOUBLE,                          -- the corrected value (NULL only on a revoking entry)
    parsed_value DOUBLE, parsed_raw VARCHAR,   -- what the parser read, when corrected
    reason VARCHAR NOT NULL,
    corrector VARCHAR NOT NULL,
    corrected_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT false     -- true: back to the parsed value
);
"""
# views only (no rowid): also created over a Parquet export (etl/parquet.connect_parquet)
VIEWS_DDL = """
CREATE OR REPLACE VIEW review_current AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY finding_key ORDER BY reviewed_at DESC) AS rn
        FROM finding_reviews) WHERE rn = 1 AND verdict <> 'cleared';
CREATE OR REPLACE VIEW correction_current AS
    SELECT * EXCLUDE (rn, revoked) FROM (
        SELECT *, row_number() OVER (PARTITION BY sha256, key ORDER BY corrected_at DESC) AS rn
        FROM cell_corrections) WHERE rn = 1 AND NOT revoked;
CREATE OR REPLACE VIEW cells_effective AS
    WITH k AS (SELECT r.report_id, k.* FROM correction_current k JOIN reports r USING (sha256))
    SELECT c.report_id, c.key, c.tbl, c.row_key, c.col_key,
           CASE WHEN k.key IS NULL THEN c.value ELSE k.value END AS value, c.raw,
           CASE WHEN k.key IS NULL THEN c.kind WHEN k.value = 0 THEN 'zero' ELSE 'number' END AS kind,
           c.unit, c.note, CASE WHEN k.key IS NULL THEN c.flag ELSE 'corrected' END AS flag, c.prov,
           c.value AS parsed_value, c.kind AS parsed_kind, c.flag AS parsed_flag,
           k.reason AS correction_reason, k.corrector, k.corrected_at
    FROM cells c LEFT JOIN k USING (report_id, key)
    UNION ALL   -- a cell the parser did not find at all
    SELECT k.report_id, k.key, CAST(substr(split_part(k.key, '.', 1), 2) AS TINYINT), split_part(k.key, '.', 2),
           split_part(k.key, '.', 3), k.value, NULL, CASE WHEN k.value = 0 THEN 'zero' ELSE 'number' END, NULL,
           NULL, 'corrected', NULL, NULL, 'missing', NULL, k.reason, k.corrector, k.corrected_at
    FROM k WHERE NOT EXISTS (SELECT 1 FROM cells c WHERE c.report_id = k.report_id AND c.key = k.key);
"""


class ReviewError(ValueError):
    """Bad input for a review or a correction (message in Chinese, for people)."""


def ensure_schema(con) -> None:
    con.execute(DDL)
    con.execute(VIEWS_DDL)


def finding_key_sql(sha: str = "r.sha256", office: str = "f.office", year: str = "f.year",
                    rule: str = "f.rule") -> str:
    """SQL of a finding's stable key: report content + rule, or office + year + rule without a report."""
    return (f"(coalesce({sha}, 'office:' || coalesce({office}, '') || ':' || coalesce(CAST({year} AS VARCHAR), ''))"
            f" || '#' || {rule})")


def finding_key(sha: str | None, office: str | None, year: int | None, rule: str) -> str:
    ident = sha or "office:" + (office or "") + ":" + ("" if year is None else str(year))
    return f"{ident}#{rule}"


def has_corrections(con) -> bool:
    """Whether any correction is in force (else readers use the cells table directly: no join cost)."""
    try:
        return bool(con.execute("SELECT count(*) FROM correction_current").fetchone()[0])
    except Exception:  # a warehouse from before corrections existed
        return False


def cells_source(con) -> str:
    """The relation rules and marts read cell values from."""
    return "cells_effective" if has_corrections(con) else "cells"


def reviews_by_report(con, report_ids) -> dict[tuple[int, str], str]:
    """(report_id, rule) -> verdict of the current reviews of these reports' findings."""
    if not report_ids:
        return {}
    try:
        rows = con.execute("""SELECT r.report_id, v.rule, v.verdict FROM review_current v
                              JOIN reports r USING (sha256) WHERE r.report_id IN (SELECT unnest($ids))""",
                           {"ids": [int(i) for i in report_ids]}).fetchall()
    except Exception:
        return {}
    return {(rid, rule): verdict for rid, rule, verdict in rows}


def office_reviews(con, rule: str = "MISSING") -> dict[tuple[str, int], str]:
    """(office, year) -> verdict of the current reviews of findings without a report."""
    try:
        rows = con.execute("SELECT office, year, verdict FROM review_current WHERE sha256 IS NULL AND rule = ?",
                           [rule]).fetchall()
    except Exception:
        return {}
    return {(o, y): v for o, y, v in rows}


REVIEW_COLUMNS = ("review_status", "review_note", "reviewer", "reviewed_at")


def annotate_findings_mart(con) -> None:
    """Add the current review of every finding to mart_findings (the compliance lists read it)."""
    ensure_schema(con)
    for c, typ in zip(REVIEW_COLUMNS, ("VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP")):
        con.execute(f"ALTER TABLE mart_findings ADD COLUMN IF NOT EXISTS {c} {typ}")
    con.execute(f"""
        UPDATE mart_findings m SET review_status = v.verdict, review_note = v.note, reviewer = v.reviewer,
                                   reviewed_at = v.reviewed_at
        FROM (SELECT coalesce(r.report_id, -1) AS rid, v.* FROM review_current v LEFT JOIN reports r USING (sha256)) v
        WHERE m.rule = v.rule AND ((m.report_id IS NOT NULL AND m.report_id = v.rid)
                                   OR (m.report_id IS NULL AND v.sha256 IS NULL AND m.office = v.office
                                       AND m.year = v.year))""")
