"""Every SQL statement the dashboard runs, as a registry of named queries.

``QUERIES[name]`` is a :class:`Query`: SQL text with placeholders, the relations it needs, and sample
arguments (so a benchmark can time every query: ``for name in QUERIES: run(name, Filters(), **q.sample)``).

Placeholders filled by :func:`build`:
  {w}      active filters over report_facts columns        {wny}   the same without the year filter
  {wm}     filters over mart columns (no office)          {wmny}  the same without years
  {wc}     filters over mart_coverage columns              {wcny}  the same without years
  {sumok}  rows that may be added up (no region summary added to its parts)
  {facts}  mart_region_year, or an equivalent projection of report_facts when an office is selected
  {wfind}  filters over mart_findings (report findings by report, MISSING by office)  {wfind_ny}  without years
  {m}, {m2}, {r}, {c}, {agg}  identifiers chosen by the user, checked against a whitelist
Named parameters (``$name``) come from the filters and from keyword arguments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from etl import metrics as M  # 实质公开率, 纠错率: defined once, shared with the rules and the 通报
from etl import template as T
from etl.marts import col_name, group_col, key_columns, group_columns
from etl.review import finding_key_sql

from . import db
from .selection import COVERAGE_COLS, FACT_COLS, MART_COLS, Filters


def K(table: int, row: str, col: str) -> str:
    """report_facts column of a template cell; fails at import if the template has no such key."""
    key = T.make_key(table, row, col)
    if key not in T.all_keys():
        raise KeyError(key)
    return col_name(key)


def G(group: str, col: str = "total") -> str:
    assert group in T.T3_OUTCOME_GROUPS
    return group_col(group, col)


# Rows/columns used by name, all validated against the template.
T3_FIRST, T3_CARRY_IN = T.T3_NEW_RECEIVED, T.T3_CARRIED_OVER
T3_TOTAL_ROW, T3_CARRY_OUT = T.T3_TOTAL_PROCESSED_ROW, T.T3_CARRIED_FORWARD  # （七）总计 row, 结转下年度
T3_NOT_HELD = T.T3_NOT_HELD
TOT = T.T3_TOTAL_COLUMN                                           # the 总计 column (all applicants)
T3_REASON_ROWS = [r.key for r in T.TABLES[T.latest()][3].rows if r.group in T.T3_REASON_GROUPS]
T4_BLOCKS = [r.key for r in T.T4.rows]
T4_COLS = [c.key for c in T.T4_COLUMNS]
T4_UPHELD, T4_CORRECTED, T4_OTHER, T4_PENDING, T4_TOTAL = T4_COLS
PROC_ROW = T.T2_PROCUREMENT                                       # only in v2019
_PROC_VERSIONS = T.versions_with_row(2, PROC_ROW)
PROC_COLS = [c.key for c in T.TABLES[_PROC_VERSIONS[0]][2].columns[PROC_ROW]]  # projects, amount_wan
# reports whose template prints the procurement row
PROC_TPL = (f"template = '{_PROC_VERSIONS[0]}'" if len(_PROC_VERSIONS) == 1 else
            "template IN (" + ", ".join(f"'{v}'" for v in _PROC_VERSIONS) + ")")
T2_COLS = {v: [col_name(k) for k in T.TABLES[v][2].keys()] for v in T.VERSIONS}
ALL_T2 = list(dict.fromkeys(c for v in T.VERSIONS for c in T2_COLS[v]))
MEASURES = key_columns() + group_columns()
DIMENSIONS = ["year", "province", "city", "district", "unit_type", "report_kind", "template", "format", "status",
              "office"]
AGGS = {"sum": "求和", "avg": "平均", "count": "计数", "max": "最大", "min": "最小"}

T3_NEW, T3_PROC = K(3, T3_FIRST, TOT), K(3, T3_TOTAL_ROW, TOT)
T3_NH = K(3, T3_NOT_HELD, TOT)
T3_IN, T3_OUT = K(3, T3_CARRY_IN, TOT), K(3, T3_CARRY_OUT, TOT)
T4_CASES = " + ".join(f"coalesce({K(4, b, T4_TOTAL)}, 0)" for b in T4_BLOCKS)
T4_CORR = " + ".join(f"coalesce({K(4, b, T4_CORRECTED)}, 0)" for b in T4_BLOCKS)
PROJ, AMT = K(2, PROC_ROW, PROC_COLS[0]), K(2, PROC_ROW, PROC_COLS[1])


def _sums(cols, prefix="") -> str:
    return ", ".join(f"sum({prefix}{c}) AS {c}" for c in cols)


# offices above the level being broken down (a province's own departments when listing cities) are a group
# of their own, named for what they are: 省本级 / 市本级 (ui.drill_region does not drill into them)
OWN_LEVEL = {"city": "（省本级）", "district": "（市本级）"}
# (a province's own departments listed among districts, when no city is selected, are 省本级 too)
_OWN = ("CASE WHEN $level = 'city' AND province IS NOT NULL THEN '（省本级）' "
        "WHEN $level = 'district' AND city IS NOT NULL THEN '（市本级）' "
        "WHEN $level = 'district' AND province IS NOT NULL THEN '（省本级）' END")
GRP = ("coalesce(CASE $level WHEN 'province' THEN province WHEN 'city' THEN city "
       f"WHEN 'district' THEN district END, {_OWN}, '未知')")
GRP_F = ("coalesce(CASE $level WHEN 'province' THEN province WHEN 'city' THEN city "
         f"WHEN 'district' THEN district ELSE office END, {_OWN}, '未知')")
# 对比 groups: a region of the level, or one office (by id: two offices may share a name)
GRP_C = f"CASE WHEN $level = 'office' THEN CAST(office_id AS VARCHAR) ELSE {GRP} END"


def _yoy(cols: list[str], order: str = "grp, year") -> str:
    """SELECT over CTE ``g`` (grp, year, …) adding, per column c, c_chg and c_pct: the change against the
    previous year of the same group in the table — blank for the first year shown, and when that year is
    not in the table (2023 → 2025 is not a year-over-year change)."""
    prev = lambda c: f"lag({c}) OVER (PARTITION BY grp ORDER BY year)"  # noqa: E731
    ok = f"{prev('year')} = year - 1"
    out = []
    for c in cols:
        out.append(f"CASE WHEN {ok} THEN {c} - {prev(c)} END AS {c}_chg")
        out.append(f"CASE WHEN {ok} THEN ({c} - {prev(c)}) / nullif({prev(c)}, 0) END AS {c}_pct")
    return f"SELECT *, {', '.join(out)} FROM g ORDER BY {order}"


@dataclass(frozen=True)
class Query:
    sql: str
    requires: tuple[str, ...] = ("report_facts",)
    doc: str = ""
    sample: dict = field(default_factory=dict)
    idents: dict = field(default_factory=dict)  # placeholder -> allowed identifiers


FACTS_AS_MART = "(SELECT *, 1 AS n_reports FROM report_facts)"


def _office_rank(aggs: str, where: str, order: str, having: str = "", source: str = "report_facts") -> str:
    """Top offices by some sums: aggregate numbers by office_id alone (no strings in the hash table), keep
    the top $limit, then look up names and regions in mart_offices for those rows only — at 3.5 M reports
    the one-phase GROUP BY with any_value(name) took ~1 s, this ~0.15 s."""
    return f"""
        WITH top AS (
            SELECT office_id, {aggs} FROM {source}
            WHERE office_id IS NOT NULL AND {where} GROUP BY office_id {having}
            ORDER BY {order}, office_id LIMIT $limit)
        SELECT top.office_id, n.office, coalesce(n.district, n.city, n.province) AS region,
               top.* EXCLUDE (office_id)
        FROM top LEFT JOIN mart_offices n USING (office_id) ORDER BY {order}, top.office_id"""
COVERAGE_LIMIT = 20000


_CMP_REQ = ("report_facts", "findings", "office_scores", "mart_coverage")


def _compare_derived(reviews: bool) -> str:
    """Derived measures by group × year: rates over report_facts, 按时率 over the TIMELY findings of the same
    reports, 得分 = mean office-year score (office_scores, regions from mart_coverage: a year with no report
    scores too); $names limits the groups (office ids or region names). With `reviews`, a TIMELY FAIL a
    reviewer marked 误报 counts in neither part of 按时率."""
    grp_r, grp_c = GRP_C.replace("office_id", "r.office_id"), GRP_C.replace("office_id", "c.office_id")
    fp = ""
    if reviews:
        fp = (f"LEFT JOIN reports rr ON rr.report_id = f.report_id LEFT JOIN review_current v "
              f"ON v.finding_key = {finding_key_sql('rr.sha256')} "
              "WHERE NOT (f.status = 'FAIL' AND v.verdict IS NOT DISTINCT FROM 'false_positive') AND")
    return f"""
        WITH facts AS (
            SELECT {GRP_C} AS grp, year, {M.DISCLOSED.sql()} AS rate_disclosed,
                   {M.NOT_HELD.sql()} AS rate_not_held, {M.CORRECTED.sql()} AS rate_corrected
            FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp, year),
        timely AS (
            SELECT {grp_r} AS grp, r.year, {M.ON_TIME.sql("f.")} AS rate_on_time
            FROM findings f JOIN (SELECT report_id, office_id, province, city, district, year FROM report_facts
                                  WHERE {{w}}) r ON r.report_id = f.report_id
            {fp or "WHERE"} f.rule = '{M.ON_TIME.rule}' GROUP BY ALL),
        score AS (
            SELECT {grp_c} AS grp, c.year, avg(s.score) AS score
            FROM office_scores s JOIN (SELECT office_id, year, province, city, district FROM mart_coverage
                                       WHERE {{wc}}) c ON c.office_id = s.office_id AND c.year = s.year
            GROUP BY ALL)
        SELECT grp, year, rate_disclosed, rate_not_held, rate_corrected, rate_on_time, score
        FROM facts FULL JOIN timely USING (grp, year) FULL JOIN score USING (grp, year)
        WHERE list_contains($names, grp) ORDER BY grp, year"""

QUERIES: dict[str, Query] = {
    # -- global -----------------------------------------------------------------------------------
    "meta": Query("SELECT key, value FROM meta", requires=("meta",), doc="元数据"),
    "filter_regions": Query("SELECT province, city, district FROM mart_regions", requires=("mart_regions",),
                            doc="筛选项：地区（每个省/市/区县一行，全国约几千行）"),
    "filter_facets": Query("SELECT facet, value FROM mart_facets", requires=("mart_facets",),
                           doc="筛选项：年度、单位类型、报告类型、模板"),
    "office_lookup": Query(
        "SELECT office_id, office, province, city, district FROM mart_offices WHERE TRUE"
        " AND ($prov IS NULL OR province = $prov) AND ($city IS NULL OR city = $city)"
        " AND ($dist IS NULL OR district = $dist)"
        " ORDER BY office, office_id LIMIT 5000", requires=("mart_offices",),
        sample={"prov": None, "city": None, "dist": None}, doc="单位名称（按所选地区，最多5000个）"),
    "office_name": Query("SELECT office FROM mart_offices WHERE office_id = $office_id", requires=("mart_offices",),
                         sample={"office_id": 1}, doc="一个单位的名称"),
    "counts": Query(
        "SELECT (SELECT count(*) FROM reports) AS n_files,"
        " (SELECT count(*) FROM reports WHERE status = 'failed') AS n_failed,"
        " (SELECT count(*) FROM report_facts) AS n_reports", requires=("reports", "report_facts")),
    # -- 总览 ------------------------------------------------------------------------------------
    "kpi_year": Query(f"""
        SELECT count(*) AS n_reports, count(DISTINCT office_id) AS n_offices,
               sum({T3_NEW}) FILTER (WHERE {{sumok}}) AS new_received,
               sum({T3_PROC}) FILTER (WHERE {{sumok}}) AS total_processed,
               {M.DISCLOSED.sql(where="{sumok}")} AS rate_disclosed,
               sum({T4_CASES}) FILTER (WHERE {{sumok}}) AS cases,
               sum(n_inferred + n_uncertain) AS n_flagged
        FROM report_facts WHERE {{wny}} AND year = $year""", sample={"year": 2023}, doc="某年KPI"),
    "latest_year": Query("SELECT max(year) AS year FROM report_facts WHERE {wny}"),
    "kpi_findings": Query("""
        SELECT count(*) FILTER (WHERE severity = 'E') AS errors, count(*) FILTER (WHERE severity = 'W') AS warnings,
               count(*) FILTER (WHERE rule = 'MISSING') AS missing
        FROM mart_findings WHERE status = 'FAIL' AND year = $year AND {wfind_ny}""",
                          requires=("mart_findings",), sample={"year": 2023}),
    "by_region": Query(f"""
        SELECT {GRP_F} AS grp, count(*) AS n_reports, count(DISTINCT office_id) AS n_offices,
               sum({T3_NEW}) FILTER (WHERE {{sumok}}) AS new_received,
               sum({T3_PROC}) FILTER (WHERE {{sumok}}) AS total_processed,
               sum({T4_CASES}) FILTER (WHERE {{sumok}}) AS cases, any_value(office_id) AS office_id
        FROM report_facts WHERE {{w}} GROUP BY grp ORDER BY new_received DESC NULLS LAST""",
                       sample={"level": "province"}, doc="按地区"),
    "by_unit_type": Query(f"""
        SELECT unit_type, count(*) AS n_reports, count(DISTINCT office_id) AS n_offices,
               sum({T3_NEW}) FILTER (WHERE {{sumok}}) AS new_received,
               sum({T4_CASES}) FILTER (WHERE {{sumok}}) AS cases
        FROM report_facts WHERE {{w}} GROUP BY unit_type ORDER BY n_reports DESC"""),
    "reports_by_year": Query("""
        SELECT year, report_kind, count(*) AS n_reports FROM report_facts WHERE {wny}
        GROUP BY ALL ORDER BY year"""),
    "serious_findings": Query("""
        SELECT severity, rule, office, year, message, report_id, office_id
        FROM mart_findings WHERE status = 'FAIL' AND {wfind}
        ORDER BY severity = 'E' DESC, year DESC, rule, office LIMIT $limit""",
                              requires=("mart_findings",), sample={"limit": 20}),
    # -- 主动公开 (table 2) -------------------------------------------------------------------------
    "t2_by_year": Query(f"""
        SELECT year, template, sum(n_reports) AS n_reports, {_sums(ALL_T2)}
        FROM {{facts}} WHERE {{wmny}} AND {{sumok}} GROUP BY year, template ORDER BY template, year"""),
    "t2_by_region": Query(f"""
        SELECT {GRP_F} AS grp, year, template, count(*) AS n_reports, {_sums(ALL_T2)},
               any_value(office_id) AS office_id
        FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp, year, template ORDER BY grp""",
                          sample={"level": "province"}),
    # -- 依申请公开 (table 3) -----------------------------------------------------------------------
    "t3_applicants": Query(f"""
        SELECT year, {_sums([K(3, T3_FIRST, c.key) for c in T.T3_COLUMNS])}
        FROM {{facts}} WHERE {{wmny}} AND {{sumok}} GROUP BY year ORDER BY year"""),
    "t3_outcomes": Query(f"""
        SELECT year, sum(n_reports) AS n_reports, {_sums([T3_NEW, T3_IN, T3_PROC, T3_OUT, T3_NH] +
                                                         [G(g) for g in T.T3_OUTCOME_GROUPS])}
        FROM {{facts}} WHERE {{wmny}} AND {{sumok}} GROUP BY year ORDER BY year"""),
    "t3_rates": Query(f"""
        SELECT {M.DISCLOSED.sql()} AS rate_disclosed, {M.NOT_HELD.sql()} AS rate_not_held
        FROM {{facts}} WHERE {{wm}} AND {{sumok}}""", doc="实质公开率、不掌握占比（所选年度合计）"),
    "t3_reasons": Query(f"""
        SELECT {_sums([K(3, r, TOT) for r in T3_REASON_ROWS])}
        FROM {{facts}} WHERE {{wm}} AND {{sumok}}"""),
    "t3_rank": Query(_office_rank(f"""
               sum({T3_NEW}) AS new_received, sum({T3_PROC}) AS total_processed,
               {M.DISCLOSED.sql()} AS rate_disclosed,
               {M.NOT_HELD.sql()} AS rate_not_held,
               sum({T3_OUT}) AS carried_forward""", "{w} AND {sumok}", "new_received DESC NULLS LAST"),
                     requires=("report_facts", "mart_offices"), sample={"limit": 20}),
    "t3_by_region": Query(f"""
        SELECT {GRP_F} AS grp, sum({T3_NEW}) AS new_received, sum({T3_PROC}) AS total_processed,
               {_sums([G(g) for g in T.T3_OUTCOME_GROUPS])},
               {M.DISCLOSED.sql()} AS rate_disclosed,
               {M.NOT_HELD.sql()} AS rate_not_held, any_value(office_id) AS office_id
        FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp ORDER BY new_received DESC NULLS LAST""",
                          sample={"level": "province"}),
    "t3_region_year": Query(f"""
        WITH g AS (
            SELECT {GRP_F} AS grp, year, sum({T3_NEW}) AS new_received, sum({T3_PROC}) AS total_processed,
                   {M.DISCLOSED.sql()} AS rate_disclosed, {M.NOT_HELD.sql()} AS rate_not_held,
                   any_value(office_id) AS office_id
            FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp, year)
        {_yoy(["new_received"])}""", sample={"level": "district"}, doc="按地区和年度（含同比）"),
    # -- 政府采购 (v2019 table 2 block 九) --------------------------------------------------------------
    "proc_by_year": Query(f"""
        SELECT year, sum({PROJ}) AS projects, sum({AMT}) AS amount_wan, sum(n_reports) AS n_reports
        FROM {{facts}} WHERE {{wmny}} AND {{sumok}} AND {PROC_TPL} GROUP BY year ORDER BY year"""),
    "proc_by_office": Query(_office_rank(f"sum({PROJ}) AS projects, sum({AMT}) AS amount_wan",
                                         "{w} AND {sumok} AND " + PROC_TPL, "amount_wan DESC NULLS LAST"),
                            requires=("report_facts", "mart_offices"), sample={"limit": 20}),
    "proc_by_region": Query(f"""
        SELECT {GRP_F} AS grp, sum({PROJ}) AS projects, sum({AMT}) AS amount_wan, any_value(office_id) AS office_id
        FROM report_facts WHERE {{w}} AND {{sumok}} AND {PROC_TPL} GROUP BY grp
        ORDER BY amount_wan DESC NULLS LAST""", sample={"level": "province"}),
    # -- 复议诉讼 (table 4) -------------------------------------------------------------------------
    "t4_by_year": Query(f"""
        SELECT year, {_sums([K(4, b, c) for b in T4_BLOCKS for c in T4_COLS])}
        FROM {{facts}} WHERE {{wmny}} AND {{sumok}} GROUP BY year ORDER BY year"""),
    "t4_block_rates": Query(f"""
        SELECT {", ".join(f"sum({K(4, b, T4_TOTAL)}) AS {K(4, b, T4_TOTAL)}, {r.sql()} AS rate_corrected_{b}"
                          for b, r in M.CORRECTED_BY_BLOCK.items())}
        FROM {{facts}} WHERE {{wm}} AND {{sumok}}""", doc="表四各部分案件数与纠错率（所选年度合计）"),
    "t4_top": Query(_office_rank(f"""
               sum({K(4, T4_BLOCKS[0], T4_TOTAL)}) AS review, sum({T4_CASES}) - sum(coalesce({K(4, T4_BLOCKS[0], T4_TOTAL)}, 0)) AS suits,
               sum({T4_CASES}) AS cases, sum({T4_CORR}) AS corrected,
               {M.CORRECTED.sql()} AS rate_corrected""", "{w} AND {sumok}",
                                 "cases DESC, rate_corrected DESC", having=f"HAVING sum({T4_CASES}) > 0"),
                    requires=("report_facts", "mart_offices"), sample={"limit": 20}),
    "t4_by_region": Query(f"""
        SELECT {GRP_F} AS grp, sum({T4_CASES}) AS cases, sum({T4_CORR}) AS corrected,
               {M.CORRECTED.sql()} AS rate_corrected, any_value(office_id) AS office_id
        FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp ORDER BY cases DESC""",
                          sample={"level": "province"}),
    "t4_region_year": Query(f"""
        WITH g AS (
            SELECT {GRP_F} AS grp, year, sum({K(4, T4_BLOCKS[0], T4_TOTAL)}) AS review,
                   sum({T4_CASES}) - sum(coalesce({K(4, T4_BLOCKS[0], T4_TOTAL)}, 0)) AS suits,
                   sum({T4_CASES}) AS cases, sum({T4_CORR}) AS corrected,
                   {M.CORRECTED.sql()} AS rate_corrected, any_value(office_id) AS office_id
            FROM report_facts WHERE {{w}} AND {{sumok}} GROUP BY grp, year)
        {_yoy(["cases"])}""", sample={"level": "district"}, doc="复议诉讼按地区和年度（含同比）"),
    # -- 合规监测 ------------------------------------------------------------------------------------
    "findings_by_rule": Query("""
        SELECT rule, severity, status, count(*) AS n FROM mart_findings WHERE {wfind}
        GROUP BY ALL ORDER BY n DESC""", requires=("mart_findings",)),
    "findings_list": Query("""
        SELECT severity, rule, status, office, year, message, evidence, report_id, office_id FROM mart_findings
        WHERE {wfind} AND (len($rules) = 0 OR list_contains($rules, rule))
        ORDER BY severity, rule, year DESC, office LIMIT $limit""",
                           requires=("mart_findings",), sample={"limit": 500, "rules": []}),
    "coverage_counts": Query("""
        SELECT coverage, count(*) AS n FROM mart_coverage WHERE {wc} GROUP BY coverage""",
                             requires=("mart_coverage",)),
    # detail rows for the matrix: bounded (a national selection has millions of office-years)
    "coverage": Query(f"""
        SELECT office_id, office, coalesce(district, city, province) AS region, unit_type, year, coverage,
               report_id, published_on, deadline, days_late
        FROM mart_coverage WHERE {{wc}} ORDER BY office, year LIMIT {COVERAGE_LIMIT}""", requires=("mart_coverage",)),
    "score_rank": Query(_office_rank(
        "avg(score) AS score, count(*) AS n_years, min(score) AS min_score",
        "office_id IN (SELECT office_id FROM report_facts WHERE {wny}) "
        "AND (len($f_years_or_all) = 0 OR list_contains($f_years_or_all, year))", "score ASC", source="office_scores"),
                        requires=("office_scores", "report_facts", "mart_offices"), sample={"limit": 50}),
    # files that were received but not read: parse failures and scans awaiting OCR (kept out of every
    # statistic and score); scans are filtered like reports, failures have no office to filter by
    "failed_parses": Query("""
        SELECT r.report_id, r.status, r.source_path AS file, r.format, r.error_code, r.error_message,
               coalesce(f.office, r.office_name) AS office, r.year, r.needs_ocr_pages, r.loaded_at
        FROM reports r LEFT JOIN report_facts f USING (report_id)
        WHERE r.status = 'failed' OR (r.status = 'needs_ocr' AND report_id IN (SELECT report_id FROM report_facts
                                                                              WHERE {w}))
        ORDER BY r.status, r.loaded_at DESC LIMIT $limit""",
                           requires=("reports", "report_facts"), sample={"limit": 500}),
    # -- 对比 ----------------------------------------------------------------------------------------
    "compare_offices": Query("""
        SELECT office_id, any_value(office) AS office, year, sum({m}) AS value
        FROM report_facts WHERE {w} AND list_contains($ids, office_id) GROUP BY office_id, year ORDER BY year""",
                             sample={"ids": [1, 2], "m": None}, idents={"m": "measure"}),
    "compare_regions": Query("""
        SELECT {GRP} AS grp, year, sum({m}) AS value
        FROM report_facts WHERE {w} AND {sumok} AND list_contains($names, {GRP}) GROUP BY grp, year ORDER BY year"""
                             .replace("{GRP}", GRP), sample={"names": ["示例省"], "level": "province", "m": None},
                             idents={"m": "measure"}),
    "compare_groups": Query(f"""
        SELECT {GRP} AS grp, count(*) AS n_reports FROM report_facts WHERE {{w}} GROUP BY grp
        ORDER BY grp IN ('（省本级）', '（市本级）', '未知'), grp""", sample={"level": "district"},
                            doc="对比：所选地区和年度内某一级的地区（含本级单位）"),
    # derived measures by group × year (see _compare_derived); the _rv variant leaves out late-publication
    # findings a reviewer marked 误报, as the 通报 does
    "compare_derived": Query(_compare_derived(False), requires=_CMP_REQ,
                             sample={"level": "district", "names": ["（市本级）"]}, doc="对比：派生指标"),
    "compare_derived_rv": Query(_compare_derived(True), requires=_CMP_REQ + ("reports", "review_current"),
                                sample={"level": "district", "names": ["（市本级）"]}, doc="对比：派生指标（含审核）"),
    # -- 数据探索 -------------------------------------------------------------------------------------
    "facets": Query("""
        SELECT CASE WHEN GROUPING(year) = 0 THEN 'year' WHEN GROUPING(province) = 0 THEN 'province'
                    WHEN GROUPING(city) = 0 THEN 'city' WHEN GROUPING(unit_type) = 0 THEN 'unit_type'
                    WHEN GROUPING(report_kind) = 0 THEN 'report_kind' WHEN GROUPING(template) = 0 THEN 'template'
                    WHEN GROUPING(format) = 0 THEN 'format' ELSE 'status' END AS facet,
               CAST(coalesce(year, province, city, unit_type, report_kind, template, format, status) AS VARCHAR) AS value,
               count(*) AS n
        FROM (SELECT CAST(year AS VARCHAR) AS year, province, city, unit_type, report_kind, template, format, status
              FROM report_facts WHERE {w})
        GROUP BY GROUPING SETS ((year), (province), (city), (unit_type), (report_kind), (template), (format), (status))
        ORDER BY facet, n DESC"""),
    "explore_rows": Query("""
        SELECT report_id, office, year, province, city, district, unit_type, report_kind, template, format, status,
               published_on, {m}, {m2}
        FROM report_facts WHERE {w} ORDER BY year DESC, office LIMIT $limit""",
                          sample={"limit": 1000, "m": None, "m2": None}, idents={"m": "measure", "m2": "measure"}),
    "pivot": Query("""
        SELECT CAST({r} AS VARCHAR) AS r, CAST({c} AS VARCHAR) AS c, {agg}({m}) AS value
        FROM report_facts WHERE {w} AND ('{agg}' <> 'sum' OR {sumok}) GROUP BY ALL""",
                   sample={"r": "province", "c": "year", "agg": "sum", "m": None},
                   idents={"r": "dimension", "c": "dimension", "agg": "agg", "m": "measure"}),
    # -- 年报详情 -------------------------------------------------------------------------------------
    # report_facts holds every report but the failed ones, which come from reports when asked for
    "report_list": Query("""
        SELECT * FROM (
            SELECT report_id, office, year, report_kind, template, format, status, published_on
            FROM report_facts WHERE {w}
            UNION ALL
            SELECT report_id, office_name, year, report_kind, template, format, status, published_on
            FROM reports WHERE status = 'failed' AND $include_failed)
        ORDER BY year DESC, office, report_id LIMIT $limit""", requires=("reports", "report_facts"),
                         sample={"limit": 500, "include_failed": False}),
    "report_header": Query("""
        SELECT r.*, f.office AS office, f.province, f.city, f.district, f.unit_type, f.region_path
        FROM reports r LEFT JOIN report_facts f USING (report_id) WHERE r.report_id = $rid""",
                           requires=("reports", "report_facts"), sample={"rid": 1}),
    "report_cells": Query("""
        SELECT key, tbl, row_key, col_key, value, raw, kind, unit, note, flag, prov FROM cells
        WHERE report_id = $rid""", requires=("cells",), sample={"rid": 1}),
    "report_sections": Query("""
        SELECT section_no, section_key, title, text, prov FROM section_texts WHERE report_id = $rid
        ORDER BY section_no""", requires=("section_texts",), sample={"rid": 1}),
    "report_findings": Query("""
        SELECT severity, rule, status, message, evidence FROM findings WHERE report_id = $rid
        ORDER BY status = 'FAIL' DESC, severity, rule""", requires=("findings",), sample={"rid": 1}),
    "report_problems": Query("SELECT code, message, prov FROM parse_problems WHERE report_id = $rid",
                             requires=("parse_problems",), sample={"rid": 1}),
    "report_score": Query("SELECT score, deductions FROM report_scores WHERE report_id = $rid",
                          requires=("report_scores",), sample={"rid": 1}),
    # SELECT *: a warehouse loaded before reports.reading existed has no such column (the page says so)
    "report_reading": Query("SELECT * FROM reports WHERE report_id = $rid",
                            requires=("reports",), sample={"rid": 1}),
    # -- reviews of findings and hand corrections (etl/review.py); pages fall back to the queries above on a
    # warehouse built before them (dashboard/review.py picks)
    "findings_list_rv": Query("""
        SELECT severity, rule, status, office, year, message, evidence, report_id, office_id,
               review_status, review_note, reviewer, reviewed_at FROM mart_findings
        WHERE {wfind} AND (len($rules) = 0 OR list_contains($rules, rule))
          AND (len($reviews) = 0 OR list_contains($reviews, coalesce(review_status, 'unreviewed')))
        ORDER BY severity, rule, year DESC, office LIMIT $limit""",
                              requires=("mart_findings", "finding_reviews"),
                              sample={"limit": 500, "rules": [], "reviews": []}),
    "review_counts": Query("""
        SELECT coalesce(review_status, 'unreviewed') AS review_status, count(*) AS n FROM mart_findings
        WHERE {wfind} GROUP BY ALL""", requires=("mart_findings", "finding_reviews")),
    "serious_findings_rv": Query("""
        SELECT severity, rule, office, year, message, review_status, report_id, office_id
        FROM mart_findings WHERE status = 'FAIL' AND {wfind}
        ORDER BY severity = 'E' DESC, year DESC, rule, office LIMIT $limit""",
                                 requires=("mart_findings", "finding_reviews"), sample={"limit": 20}),
    "report_findings_rv": Query(f"""
        SELECT f.severity, f.rule, f.status, f.message, f.evidence, v.verdict AS review_status,
               v.note AS review_note, v.reviewer, v.reviewed_at
        FROM findings f JOIN reports r USING (report_id)
        LEFT JOIN review_current v ON v.finding_key = {finding_key_sql()}
        WHERE f.report_id = $rid ORDER BY f.status = 'FAIL' DESC, f.severity, f.rule""",
                                requires=("findings", "review_current"), sample={"rid": 1}),
    "report_cells_rv": Query("""
        SELECT key, tbl, row_key, col_key, value, raw, kind, unit, note, flag, prov, parsed_value,
               correction_reason, corrector, corrected_at FROM cells_effective
        WHERE report_id = $rid""", requires=("cells_effective",), sample={"rid": 1}),
    "report_review_log": Query("""
        SELECT reviewed_at AS at, reviewer AS who, '审核' AS what, rule AS item, verdict AS decision, note AS why
        FROM finding_reviews WHERE sha256 = (SELECT sha256 FROM reports WHERE report_id = $rid)
        UNION ALL
        SELECT corrected_at, corrector, '更正', key, CASE WHEN revoked THEN 'revoked' ELSE CAST(value AS VARCHAR) END,
               reason
        FROM cell_corrections WHERE sha256 = (SELECT sha256 FROM reports WHERE report_id = $rid)
        ORDER BY 1 DESC""", requires=("finding_reviews", "cell_corrections", "reports"), sample={"rid": 1}),
}

# -- 单位档案 and copied-text evidence (app_pages/office.py, app_pages/textcompare.py) -----------------------------
_DUP_OTHER = """
        SELECT u.kind, u.similarity, u.report_id, f.office_id, f.office, f.year,
               u.other_report_id, o.office_id AS other_office_id, o.office AS other_office, o.year AS other_year
        FROM u LEFT JOIN report_facts f ON f.report_id = u.report_id
        LEFT JOIN report_facts o ON o.report_id = u.other_report_id"""
QUERIES.update({
    "office_profile": Query("""
        SELECT office_id, office, province, city, district, unit_type, n_reports FROM mart_offices
        WHERE office_id = $office_id""", requires=("mart_offices",), sample={"office_id": 1}),
    # one row per report of the office, and one per year it should have reported but did not (MISSING);
    # all years, whatever the year filter: the page is the office across years
    "office_years": Query(f"""
        WITH rep AS (
            SELECT report_id, any_value(year) AS year, any_value(report_kind) AS report_kind,
                   any_value(status) AS status, any_value(published_on) AS published_on,
                   {M.NEW_RECEIVED.sql()} AS new_received, {M.PROCESSED.sql()} AS total_processed,
                   {M.DISCLOSED.sql()} AS rate_disclosed, {M.CASES.sql()} AS cases,
                   {M.CORRECTED.sql()} AS rate_corrected
            FROM report_facts WHERE office_id = $office_id GROUP BY report_id),
        missing AS (SELECT DISTINCT year FROM findings
                    WHERE office_id = $office_id AND rule = 'MISSING' AND status = 'FAIL' AND year IS NOT NULL),
        os AS (SELECT year, avg(score) AS office_score FROM office_scores WHERE office_id = $office_id GROUP BY year),
        fc AS (SELECT report_id, count(*) FILTER (WHERE status = 'FAIL') AS n_fail,
                      count(*) FILTER (WHERE status = 'UNCERTAIN') AS n_uncertain
               FROM findings WHERE report_id IN (SELECT report_id FROM rep) GROUP BY report_id),
        rows AS (SELECT year, report_id FROM rep
                 UNION ALL SELECT year, NULL FROM missing WHERE year NOT IN (SELECT year FROM rep WHERE year IS NOT NULL))
        SELECT r.year, r.report_id, rep.report_kind, rep.status, rep.published_on, os.office_score,
               rs.score AS report_score,
               CASE WHEN r.report_id IS NULL THEN 'MISSING' ELSE t.status END AS timely, t.message AS timely_message,
               fc.n_fail, fc.n_uncertain, dp.similarity AS dup_prev, dq.similarity AS dup_peer,
               rep.new_received, rep.total_processed, rep.rate_disclosed, rep.cases, rep.rate_corrected
        FROM rows r LEFT JOIN rep ON rep.report_id = r.report_id
        LEFT JOIN os ON os.year = r.year
        LEFT JOIN report_scores rs ON rs.report_id = r.report_id
        LEFT JOIN findings t ON t.report_id = r.report_id AND t.rule = 'TIMELY'
        LEFT JOIN fc ON fc.report_id = r.report_id
        LEFT JOIN duplication dp ON dp.report_id = r.report_id AND dp.kind = 'prev'
        LEFT JOIN duplication dq ON dq.report_id = r.report_id AND dq.kind = 'peer'
        ORDER BY r.year DESC NULLS LAST, r.report_id""",
                          requires=("report_facts", "findings", "office_scores", "report_scores", "duplication"),
                          sample={"office_id": 1}),
    # the same rows without the compliance tables (warehouse not checked yet): reports and key volumes only
    "office_reports": Query(f"""
        SELECT report_id, any_value(year) AS year, any_value(report_kind) AS report_kind,
               any_value(status) AS status, any_value(published_on) AS published_on,
               {M.NEW_RECEIVED.sql()} AS new_received, {M.PROCESSED.sql()} AS total_processed,
               {M.DISCLOSED.sql()} AS rate_disclosed, {M.CASES.sql()} AS cases,
               {M.CORRECTED.sql()} AS rate_corrected
        FROM report_facts WHERE office_id = $office_id GROUP BY report_id ORDER BY year DESC NULLS LAST, report_id""",
                            sample={"office_id": 1}),
    "office_findings": Query("""
        SELECT severity, rule, status, year, message, evidence, report_id FROM findings
        WHERE office_id = $office_id AND status IN ('FAIL', 'UNCERTAIN')
        ORDER BY year DESC NULLS LAST, status = 'FAIL' DESC, severity, rule""",
                             requires=("findings",), sample={"office_id": 1}),
    # the same with the findings' reviews (dashboard/review.py), when the warehouse has them
    "office_findings_rv": Query("""
        SELECT severity, rule, status, year, message, evidence, report_id, review_status, review_note, reviewer,
               reviewed_at FROM mart_findings WHERE office_id = $office_id
        ORDER BY year DESC NULLS LAST, status = 'FAIL' DESC, severity, rule""",
                                requires=("mart_findings", "finding_reviews"), sample={"office_id": 1}),
    # copied text, one row per pair: A~B and B~A (each report's best peer is the other) are one pair, kept
    # once with the higher measure; 'prev' pairs are directed (this year -> the office's previous year).
    # A pair has at most two rows, so the top $limit pairs are among the top 2*$limit rows in pair order
    # (a top-N heap, not a window over every row: tests/test_office.py checks it against the plain window)
    "dup_pairs": Query("""
        WITH d AS (
            SELECT *, least(report_id, other_report_id) AS a, greatest(report_id, other_report_id) AS b
            FROM duplication WHERE kind = $kind AND other_report_id IS NOT NULL
              AND report_id IN (SELECT report_id FROM report_facts WHERE {w})
            ORDER BY similarity DESC, a, b, report_id LIMIT 2 * $limit),
        u AS (
            SELECT * EXCLUDE (a, b) FROM d
            QUALIFY row_number() OVER (PARTITION BY a, b ORDER BY similarity DESC, report_id) = 1
            ORDER BY similarity DESC, a, b LIMIT $limit)""" + _DUP_OTHER + """
        ORDER BY u.similarity DESC, least(u.report_id, u.other_report_id), greatest(u.report_id, u.other_report_id)""",
                       requires=("duplication", "report_facts"), sample={"kind": "peer", "limit": 50}),
    # the pairs a set of reports is part of, on either side: a peer pair seen from those reports (this ->
    # other); a 'prev' pair always later year -> previous year (its measure is the later report's)
    "dup_pairs_of": Query("""
        WITH d AS (
            SELECT kind, similarity,
                   CASE WHEN kind = 'prev' OR list_contains($rids, report_id) THEN report_id
                        ELSE other_report_id END AS report_id,
                   CASE WHEN kind = 'prev' OR list_contains($rids, report_id) THEN other_report_id
                        ELSE report_id END AS other_report_id
            FROM duplication WHERE other_report_id IS NOT NULL
              AND (report_id IN (SELECT unnest($rids)) OR other_report_id IN (SELECT unnest($rids)))),
        u AS (
            SELECT * FROM d QUALIFY row_number() OVER (
                PARTITION BY kind, least(report_id, other_report_id), greatest(report_id, other_report_id)
                ORDER BY similarity DESC, report_id DESC) = 1)""" + _DUP_OTHER + """
        ORDER BY u.kind, u.similarity DESC, u.report_id""",
                          requires=("duplication", "report_facts"), sample={"rids": [1]}),
})


_IDENT_SETS = {"measure": set(MEASURES), "dimension": set(DIMENSIONS), "agg": set(AGGS)}
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class Missing(Exception):
    """A relation the query needs does not exist (e.g. compliance tables not built yet)."""


def build(name: str, filters: Filters | None = None, **args) -> tuple[str, dict]:
    """SQL text and named parameters of a query for a selection."""
    q = QUERIES[name]
    f = filters or Filters()
    sql = q.sql
    params: dict = {}
    use_facts = f.office_id is not None or args.get("level") == "office"

    def w(cols, years, prefix=""):
        cond, p = f.where(cols, years=years, prefix=prefix)
        params.update(p)
        return cond

    subs = {}
    for ph, fn in {
        "w": lambda: w(FACT_COLS, True), "wny": lambda: w(FACT_COLS, False),
        "wm": lambda: w(FACT_COLS if use_facts else MART_COLS, True),
        "wmny": lambda: w(FACT_COLS if use_facts else MART_COLS, False),
        "wc": lambda: w(COVERAGE_COLS, True), "wcny": lambda: w(COVERAGE_COLS, False),
        "wfind": lambda: _wfind(w, True), "wfind_ny": lambda: _wfind(w, False),
        "sumok": lambda: f.sum_ok(), "facts": lambda: FACTS_AS_MART if use_facts else "mart_region_year",
    }.items():
        if "{" + ph + "}" in sql:
            subs[ph] = fn()
    for ph, kind in q.idents.items():
        v = args.pop(ph, None)
        if v is None and kind == "measure":
            v = T3_NEW  # a sensible default measure
        if v not in _IDENT_SETS[kind]:
            raise ValueError(f"不允许的标识符: {v!r}")
        subs[ph] = v
    sql = sql.format(**subs) if subs else sql
    wanted = set(_PARAM.findall(sql))
    if "f_years_or_all" in wanted:
        args["f_years_or_all"] = list(f.years)
    for k, v in args.items():
        if k in wanted:
            params[k] = v
    missing = wanted - set(params)
    if missing:
        raise TypeError(f"query {name}: missing parameters {sorted(missing)}")
    return sql, {k: v for k, v in params.items() if k in wanted}


def _wfind(w, years: bool) -> str:
    """Filters over mart_findings: a report finding by its report's dimensions ({w}); a MISSING finding
    (no report) by its office's, as mart_coverage is filtered ({wc}) — kind/template do not apply to it."""
    return (f"((report_id IS NOT NULL AND {w(FACT_COLS, years)}) OR "
            f"(report_id IS NULL AND {w(COVERAGE_COLS, years)}))")


def available(name: str) -> bool:
    return set(QUERIES[name].requires) <= _relations(db.data_version())


def execute(name: str, filters: Filters | None = None, **args) -> pd.DataFrame:
    """Run a named query without caching (benchmarks, tests). Raises Missing."""
    q = QUERIES[name]
    sql, params = build(name, filters, **args)
    with db.connect() as con:
        rels = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_schema = current_schema()").fetchall()}
        if not set(q.requires) <= rels:
            raise Missing(", ".join(sorted(set(q.requires) - rels)))
        cur = con.cursor()
        try:
            return cur.execute(sql, params).df()
        finally:
            cur.close()


try:  # cache by data version when running under Streamlit
    import streamlit as st

    @st.cache_data(max_entries=2000, show_spinner=False)
    def _cached(version: str, name: str, filters: Filters, args: tuple) -> pd.DataFrame | None:
        try:
            return execute(name, filters, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in args})
        except Missing:
            return None

    @st.cache_data(max_entries=20, show_spinner=False)
    def _relations(version: str) -> set[str]:
        return db.relations()
except ImportError:  # pragma: no cover
    def _cached(version, name, filters, args):
        try:
            return execute(name, filters, **dict(args))
        except Missing:
            return None

    def _relations(version):
        return db.relations()


def run(name: str, filters: Filters | None = None, **args) -> pd.DataFrame | None:
    """Cached result of a named query, or None when the warehouse or a needed table is missing."""
    version = db.data_version()
    if not version:
        return None
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items()))
    return _cached(version, name, filters or Filters(), frozen)
