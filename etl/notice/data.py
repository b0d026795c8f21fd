"""What a 通报 says, read from the warehouse through named queries (one region, one year).

Coverage comes from the compliance engine's findings (MISSING, TIMELY — the policy's deadlines), scores
from ``office_scores``, problems from the FAIL findings with their evidence, and the year-over-year
figures from ``report_facts`` with the measures of :mod:`etl.metrics`. Regions are matched on the office
dimension as the marts resolve it (:func:`etl.marts._office_source`: province / city / district, filled from
the region path), so a region means the same offices here as in the dashboard's filters.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import PurePath

from etl import metrics as M
from etl.marts import _office_source
from etl.review_tables import finding_key_sql

# offices of the region; $prov/$city/$dist are NULL above the region's level
_REGION = ("(o.province = $prov AND ($city IS NULL OR o.city = $city) "
           "AND ($dist IS NULL OR o.district = $dist))")
_PLACE = "coalesce(o.district, o.city, o.province)"
_SUMOK = "report_kind IS DISTINCT FROM 'region_summary'"  # a region summary is never added to its parts

QUERIES: dict[str, str] = {
    "dataset": "SELECT value FROM meta WHERE key = 'dataset'",
    "region_offices": f"SELECT count(*) AS n FROM ({{offices}}) o WHERE {_REGION}",
    # offices of the region that were due a report for the year: one received, or one found missing
    "received": f"""
        SELECT o.office_id, o.office, {_PLACE} AS place, o.unit_type,
               count(*) AS n_reports, count(*) FILTER (WHERE r.status = 'failed') AS n_failed
        FROM reports r JOIN ({{offices}}) o USING (office_id)
        WHERE r.year = $year AND {_REGION} GROUP BY ALL ORDER BY office""",
    "missing": f"""
        SELECT o.office_id, o.office, {_PLACE} AS place, o.unit_type, f.status,
               json_extract_string(f.evidence, '$.deadline') AS deadline, v.verdict AS review
        FROM findings f JOIN ({{offices}}) o USING (office_id) {{reviews}}
        WHERE f.rule = 'MISSING' AND f.status IN ('FAIL', 'UNCERTAIN') AND f.year = $year AND {_REGION}
        ORDER BY f.status, place, office""",
    "late": f"""
        SELECT o.office_id, o.office, {_PLACE} AS place, o.unit_type,
               json_extract_string(f.evidence, '$.deadline') AS deadline,
               json_extract_string(f.evidence, '$.published_on') AS published_on,
               date_diff('day', TRY_CAST(json_extract_string(f.evidence, '$.deadline') AS DATE),
                         TRY_CAST(json_extract_string(f.evidence, '$.published_on') AS DATE)) AS days_late,
               v.verdict AS review
        FROM findings f JOIN ({{offices}}) o USING (office_id) {{reviews}}
        WHERE f.rule = 'TIMELY' AND f.status = 'FAIL' AND f.year = $year AND {_REGION}
        ORDER BY days_late DESC, office""",
    "on_time": f"""
        SELECT count(DISTINCT f.office_id) AS n FROM findings f JOIN ({{offices}}) o USING (office_id)
        WHERE f.rule = 'TIMELY' AND f.status = 'PASS' AND f.year = $year AND {_REGION}
          AND f.office_id NOT IN (SELECT office_id FROM findings WHERE rule = 'TIMELY' AND status = 'FAIL'
                                  AND year = $year AND office_id IS NOT NULL)""",
    "ranking": f"""
        WITH fails AS (
            SELECT office_id, count(*) FILTER (WHERE severity = 'E') AS n_errors,
                   count(*) FILTER (WHERE severity = 'W') AS n_warnings
            FROM findings WHERE status = 'FAIL' AND year = $year GROUP BY office_id)
        SELECT rank() OVER (ORDER BY s.score DESC) AS rank, o.office_id, o.office, {_PLACE} AS place,
               o.unit_type, s.score, coalesce(fails.n_errors, 0) AS n_errors,
               coalesce(fails.n_warnings, 0) AS n_warnings
        FROM office_scores s JOIN ({{offices}}) o USING (office_id) LEFT JOIN fails USING (office_id)
        WHERE s.year = $year AND {_REGION}
        ORDER BY s.score DESC, office, o.office_id""",
    # the problems to correct: every failing check but coverage (listed on its own)
    "problems": f"""
        SELECT o.office_id, o.office, {_PLACE} AS place, f.rule, f.severity, f.message, f.evidence, f.file,
               v.verdict AS review
        FROM findings f JOIN ({{offices}}) o USING (office_id) {{reviews}}
        WHERE f.status = 'FAIL' AND f.rule NOT IN ('MISSING', 'TIMELY') AND f.year = $year AND {_REGION}
        ORDER BY office, o.office_id, f.severity, f.rule, f.file""",
    # region figures of the year and of the year before
    "totals": f"""
        SELECT f.year, {", ".join(f"{v.sql()} AS {v.id}" for v in M.VOLUMES.values())},
               {", ".join(f"{r.sql()} AS rate_{r.id}" for r in M.RATES.values())}
        FROM report_facts f JOIN ({{offices}}) o USING (office_id)
        WHERE f.year IN ($year, $year - 1) AND {_REGION} AND f.{_SUMOK} GROUP BY f.year""",
    "report_counts": f"""
        SELECT f.year, count(*) AS n_reports FROM report_facts f JOIN ({{offices}}) o USING (office_id)
        WHERE f.year IN ($year, $year - 1) AND {_REGION} GROUP BY f.year""",
    "finding_counts": f"""
        SELECT f.year, count(*) FILTER (WHERE f.rule = 'MISSING') AS missing,
               count(*) FILTER (WHERE f.rule = 'TIMELY') AS late,
               count(*) FILTER (WHERE f.severity = 'E' AND f.rule NOT IN ('MISSING', 'TIMELY')) AS errors,
               count(*) FILTER (WHERE f.severity = 'W') AS warnings
        FROM findings f JOIN ({{offices}}) o USING (office_id)
        WHERE f.status = 'FAIL' AND f.year IN ($year, $year - 1) AND {_REGION} GROUP BY f.year""",
    "avg_score": f"""
        SELECT s.year, avg(s.score) AS score FROM office_scores s JOIN ({{offices}}) o USING (office_id)
        WHERE s.year IN ($year, $year - 1) AND {_REGION} GROUP BY s.year""",
}


class NoticeError(ValueError):
    """The region or year cannot produce a 通报 (message in Chinese, for people)."""


@dataclass
class Notice:
    region: str                      # as asked, e.g. 示例省/青川市
    year: int
    demo: bool
    generated_on: dt.date
    due: int = 0                     # offices due a report (received or found missing)
    received: int = 0
    on_time: int = 0                 # offices with a report published by the deadline
    unreadable: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)     # MISSING FAIL
    missing_unsure: list[dict] = field(default_factory=list)  # MISSING UNCERTAIN (no registry)
    late: list[dict] = field(default_factory=list)
    ranking: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)    # per office: {office, place, score, items: [...]}
    yoy: list[dict] = field(default_factory=list)         # {label, this, last, kind}
    false_positives: int = 0         # findings left out: a reviewer marked them 误报

    @property
    def region_name(self) -> str:
        return "".join(self.region.split("/"))

    @property
    def title(self) -> str:
        return f"关于{self.region_name}{self.year}年度政府信息公开工作年度报告检查情况的通报"


DEMO_BANNER = "演示数据：本通报由合成的示例年报生成，不代表任何真实机关。"


def parse_region(region: str) -> tuple[str, str | None, str | None]:
    parts = [p.strip() for p in (region or "").replace("／", "/").split("/") if p.strip()]
    if not 1 <= len(parts) <= 3:
        raise NoticeError(f"地区应写作“省/市/区县”，例如“示例省/青川市”，而不是“{region}”")
    parts += [None] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def _review_join(con) -> str:
    """The current review of each finding `f` as `v` (etl/review.py); none on an older warehouse."""
    if "review_current" not in _tables(con):
        return "LEFT JOIN (SELECT CAST(NULL AS VARCHAR) AS verdict) v ON false"
    return ("LEFT JOIN reports rv_r ON rv_r.report_id = f.report_id LEFT JOIN review_current v "
            f"ON v.finding_key = {finding_key_sql(sha='rv_r.sha256')}")


def _rows(con, name: str, params: dict) -> list[dict]:
    sql = QUERIES[name].replace("{offices}", _office_source(con))
    if "{reviews}" in sql:
        sql = sql.replace("{reviews}", _review_join(con))
    cur = con.cursor()
    try:
        res = cur.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
        cols = [d[0] for d in res.description]
        return [dict(zip(cols, r)) for r in res.fetchall()]
    finally:
        cur.close()


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema()").fetchall()}


def evidence_text(evidence: str | dict | None, file: str | None) -> str:
    """A short, readable account of where a finding comes from (the message already states the numbers)."""
    try:
        ev = json.loads(evidence) if isinstance(evidence, str) else (evidence or {})
    except ValueError:
        ev = {}
    bits = []
    if file:
        bits.append(f"来源：{PurePath(file).name}")
    if ev.get("other_file"):
        bits.append(f"对照：{PurePath(str(ev['other_file'])).name}")
    elif ev.get("prev_file"):
        bits.append(f"对照：{PurePath(str(ev['prev_file'])).name}")
    for c in ev.get("checks") or []:  # anomaly checks: the statistics behind the comparison in the message
        if not isinstance(c, dict):
            continue
        if c.get("mad") is not None and c.get("denominator"):
            z = "—" if c.get("z") is None else f"{c['z']:+.1f}"
            bits.append(f"{c.get('label', '')} {c['numerator']:g}/{c['denominator']:g}，同类{c.get('n_peers')}家中位数"
                        f"{c['peer_median']:.1%}、MAD {c['mad']:.1%}，稳健Z {z}")
        elif c.get("peer_zero_share") is not None and "peer_median" in c and c.get("value") == 0:
            bits.append(f"{c.get('label', '')}：同类{c.get('n_peers')}家中位数{c['peer_median']:g}，"
                        f"其中为0的占{c['peer_zero_share']:.0%}")
    return "；".join(bits)


def collect(con, region: str, year: int, today: dt.date | None = None) -> Notice:
    prov, city, dist = parse_region(region)
    year = int(year)
    have = _tables(con)
    need = {"reports", "findings", "office_scores", "report_facts", "meta"}
    if not need <= have:
        raise NoticeError("数据仓库尚未生成合规检查结果，请先导入年报（python -m etl ingest）或运行 python -m etl check")
    p = {"prov": prov, "city": city, "dist": dist, "year": year}
    if not _rows(con, "region_offices", p)[0]["n"]:
        raise NoticeError(f"数据仓库中没有“{region}”的单位")
    ds = _rows(con, "dataset", p)
    n = Notice(region="/".join(x for x in (prov, city, dist) if x), year=year,
               demo=bool(ds and ds[0]["value"] == "demo"), generated_on=today or dt.date.today())
    received = _rows(con, "received", p)
    # a finding a reviewer marked 误报 is not reported; 已整改 is said next to it (etl/review.py)
    missing = missing_all = _rows(con, "missing", p)
    n.false_positives = sum(m["review"] == "false_positive" for m in missing)
    missing = [m for m in missing if m["review"] != "false_positive"]
    n.missing = [m for m in missing if m["status"] == "FAIL"]
    n.missing_unsure = [m for m in missing if m["status"] != "FAIL"]
    n.received = len(received)
    n.due = len({r["office_id"] for r in received} | {m["office_id"] for m in missing_all})
    if not n.due:
        raise NoticeError(f"数据仓库中没有“{region}”{year}年度的年报，也没有该年度的缺报记录")
    n.unreadable = [r for r in received if r["n_failed"] == r["n_reports"]]
    late = _rows(con, "late", p)
    n.false_positives += sum(m["review"] == "false_positive" for m in late)
    n.late = [m for m in late if m["review"] != "false_positive"]
    n.on_time = _rows(con, "on_time", p)[0]["n"]
    n.ranking = _rows(con, "ranking", p)
    score = {r["office_id"]: r["score"] for r in n.ranking}
    by_office: dict[int, dict] = {}
    for f in _rows(con, "problems", p):
        if f["review"] == "false_positive":
            n.false_positives += 1
            continue
        o = by_office.setdefault(f["office_id"], {"office": f["office"], "place": f["place"],
                                                  "score": score.get(f["office_id"]), "items": []})
        o["items"].append({"rule": f["rule"], "severity": f["severity"], "message": f["message"],
                           "evidence": evidence_text(f["evidence"], f["file"]), "review": f["review"]})
    # worst first: lowest score, most errors
    n.problems = sorted(by_office.values(), key=lambda o: (
        o["score"] if o["score"] is not None else 101, -sum(i["severity"] == "E" for i in o["items"]), o["office"]))
    n.yoy = _yoy(con, p)
    return n


def _yoy(con, p: dict) -> list[dict]:
    y, y0 = p["year"], p["year"] - 1
    tot = {r["year"]: r for r in _rows(con, "totals", p)}
    for r in _rows(con, "report_counts", p):
        tot.setdefault(r["year"], {})["n_reports"] = r["n_reports"]
    cnt = {r["year"]: r for r in _rows(con, "finding_counts", p)}
    sc = {r["year"]: r["score"] for r in _rows(con, "avg_score", p)}

    def get(d, yr, k):
        return (d.get(yr) or {}).get(k)

    out = [
        {"label": "收到年报（份）", "kind": "count", "this": get(tot, y, "n_reports"), "last": get(tot, y0, "n_reports")},
        {"label": "缺报（单位）", "kind": "count", "this": get(cnt, y, "missing") or 0, "last": get(cnt, y0, "missing") or 0},
        {"label": "逾期发布（份）", "kind": "count", "this": get(cnt, y, "late") or 0, "last": get(cnt, y0, "late") or 0},
        {"label": "错误类问题（项）", "kind": "count", "this": get(cnt, y, "errors") or 0,
         "last": get(cnt, y0, "errors") or 0},
        {"label": "警告类问题（项）", "kind": "count", "this": get(cnt, y, "warnings") or 0,
         "last": get(cnt, y0, "warnings") or 0},
        {"label": "平均得分", "kind": "score", "this": sc.get(y), "last": sc.get(y0)},
    ]
    for v in M.VOLUMES.values():
        if v.same_template:
            continue  # table 2 measures change meaning between templates (SPEC §3)
        out.append({"label": v.label, "kind": "count", "this": get(tot, y, v.id), "last": get(tot, y0, v.id)})
    for r in M.RATES.values():
        out.append({"label": r.label, "kind": "rate", "this": get(tot, y, f"rate_{r.id}"),
                    "last": get(tot, y0, f"rate_{r.id}"), "note": r.formula})
    if not tot.get(y0) and not cnt.get(y0) and y0 not in sc:
        for row in out:
            row["last"] = None  # nothing of the year before: say so instead of showing zeros
    return out


# -- formatting shared by the renderers ------------------------------------------------------------
def fmt_value(v, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "rate":
        return f"{v:.1%}"
    if kind == "score":
        return f"{v:.1f}"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def fmt_change(this, last, kind: str) -> str:
    if this is None or last is None:
        return "—"
    if kind == "rate":
        d = (this - last) * 100
        return f"{d:+.1f}个百分点" if abs(d) >= 0.05 else "持平"
    d = this - last
    if abs(d) < 1e-9:
        return "持平"
    s = f"{d:+.1f}" if kind == "score" else f"{d:+,.0f}"
    if last and kind != "score":
        s += f"（{d / last:+.0%}）"
    return s
