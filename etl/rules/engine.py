"""Warehouse side of the compliance engine: tables, and ``refresh`` which recomputes only what a batch of
new/changed reports affects, as registered stages (:data:`STAGES`, run in order over one :class:`Batch`):

- single-report rules of the reports themselves (the only place they run for the warehouse);
- cross-year rules (T3-CARRY, T2-STOCK, DUP-DATA) and DUP-PREV of those reports and of the same office's
  report of the following year;
- DUP-PEER of the reports' year (LSH candidates of the new reports, and reports whose best match changed);
- coverage (MISSING, office_expected_years) of their offices (of all offices when a new last year appears
  and no registry is set);
- anomaly checks (etl/rules/anomaly.py) of every report of their peer groups and of their offices' next year;
- report and office-year scores of everything above.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from . import dup as D
from .anomaly import ANOMALY, anomaly_findings, rows as anomaly_rows
from .cross import check_cross_year
from .offices import ensure_views, fill_inferred, office_contexts, parse_years, relink_reports
from .policy import Policy, default_policy, save_to_warehouse as save_policy
from .registry import RULES
from .scoring import score_offices, score_reports
from .single import check_report

RULES_VERSION = "6"  # 6: office_expected_years

DDL = """
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER, office_id INTEGER, office VARCHAR, year INTEGER, file VARCHAR,
    rule VARCHAR NOT NULL, severity VARCHAR, status VARCHAR, message VARCHAR, evidence VARCHAR
);
CREATE TABLE IF NOT EXISTS duplication (
    report_id INTEGER NOT NULL, kind VARCHAR NOT NULL, similarity DOUBLE, other_report_id INTEGER
);
CREATE TABLE IF NOT EXISTS report_scores (
    report_id INTEGER NOT NULL, office_id INTEGER, year INTEGER, score DOUBLE, deductions VARCHAR
);
CREATE TABLE IF NOT EXISTS office_scores (office_id INTEGER NOT NULL, year INTEGER NOT NULL, score DOUBLE);
CREATE TABLE IF NOT EXISTS text_signatures (
    report_id INTEGER NOT NULL, year INTEGER, office_id INTEGER, n_shingles INTEGER, sig BLOB
);
CREATE TABLE IF NOT EXISTS office_expected_years (office_id INTEGER NOT NULL, year INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rules_state (
    report_id INTEGER NOT NULL, rules_version VARCHAR, policy VARCHAR, computed_at TIMESTAMP
);
"""
FINDING_COLS = ["report_id", "office_id", "office", "year", "file", "rule", "severity", "status", "message",
                "evidence"]
SINGLE = [r.id for r in RULES.values() if r.scope == "report"]
CROSS = [r.id for r in RULES.values() if r.scope == "cross_year"]


def ensure_schema(con) -> None:
    from etl.review_tables import ensure_schema as ensure_review_schema
    con.execute(DDL)
    ensure_views(con)
    ensure_review_schema(con)  # reviews and corrections: read by the scores and by load_results


def _meta_get(con, key):
    r = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return r[0] if r else None


def _meta_set(con, key, value):
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])


# ---------------------------------------------------------------------------------------------
# Reading reports back as parse results
# ---------------------------------------------------------------------------------------------
def _ids_df(ids) -> pd.DataFrame:
    return pd.DataFrame({"id": pd.Series(sorted(set(ids)), dtype="int64")})


def load_results(con, ids) -> dict[int, dict]:
    if not ids:
        return {}
    con.register("_rule_ids", _ids_df(ids))
    try:
        out: dict[int, dict] = {}
        cols = ["report_id", "source_path", "format", "status", "office_name", "year", "template",
                "template_expected", "report_kind", "published_on", "title", "needs_ocr_pages", "office_id"]
        for row in con.execute(f"SELECT {', '.join('r.' + c for c in cols)} FROM reports r "
                               "WHERE r.report_id IN (SELECT id FROM _rule_ids)").fetchall():
            d = dict(zip(cols, row))
            out[d["report_id"]] = {
                "report_id": d["report_id"], "file": d["source_path"], "format": d["format"], "status": d["status"],
                "office": d["office_name"], "office_id": d["office_id"], "year": d["year"],
                "template": d["template"], "template_expected": d["template_expected"],
                "report_kind": d["report_kind"],
                "published_on": d["published_on"].isoformat() if d["published_on"] else None,
                "title": d["title"], "cells": [], "sections": [],
                "needs_ocr_pages": [int(x) for x in (d["needs_ocr_pages"] or "").split(",") if x.strip()],
            }
        from etl.review_tables import cells_source  # hand corrections replace parsed values for the rules
        for rid, key, tbl, row_key, col_key, value, raw, kind, unit, note, flag in con.execute(
                "SELECT report_id, key, tbl, row_key, col_key, value, raw, kind, unit, note, flag "
                f"FROM {cells_source(con)} WHERE report_id IN (SELECT id FROM _rule_ids)").fetchall():
            out[rid]["cells"].append({"key": key, "table": tbl, "row": row_key, "col": col_key, "value": value,
                                      "raw": raw, "kind": kind, "unit": unit, "note": note, "flag": flag})
        for rid, no, skey, title, text in con.execute(
                "SELECT report_id, section_no, section_key, title, text FROM section_texts "
                "WHERE report_id IN (SELECT id FROM _rule_ids) ORDER BY report_id, rowid").fetchall():
            out[rid]["sections"].append({"number": no, "key": skey, "title": title, "text": text})
        return out
    finally:
        con.unregister("_rule_ids")


def _text(result: dict) -> str:
    return "\n".join(s.get("text") or "" for s in result.get("sections") or [])


# ---------------------------------------------------------------------------------------------
def refresh(con, report_ids: list[int] | None = None, policy: Policy | None = None) -> dict:
    t0 = time.perf_counter()
    policy = policy or default_policy()
    ensure_schema(con)
    if _meta_get(con, "rules_policy") not in (None, policy.digest) or \
            _meta_get(con, "rules_version") not in (None, RULES_VERSION):
        report_ids = None  # policy or rule code changed: everything is stale
    full = report_ids is None
    own_tx = True
    try:
        con.execute("BEGIN TRANSACTION")
    except Exception:
        own_tx = False
    try:
        stats = _refresh(con, None if full else list(report_ids), policy)
        _meta_set(con, "rules_policy", policy.digest)
        _meta_set(con, "rules_version", RULES_VERSION)
        if own_tx:
            con.execute("COMMIT")
    except BaseException:
        if own_tx:
            from ..warehouse import rollback
            rollback(con)  # keep the real error (a failed write may have ended the transaction)
        raise
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    return stats


# ---------------------------------------------------------------------------------------------
# The refresh as registered stages, run in order over one Batch
# ---------------------------------------------------------------------------------------------
@dataclass
class Batch:
    """What one refresh works on: every report's metadata, the reports to recompute (``reports``, R), those
    plus the following year's report of their offices (``cross``, X), and what each stage adds for the
    scores stage (``scored_reports``, ``scored_offices``)."""
    con: object
    policy: Policy
    full: bool
    meta: dict[int, dict]
    octx: dict[int, dict]
    by_office: dict[int, dict[int, list[int]]]
    reports: list[int]
    cross: list[int]
    prevs: dict[int, int | None]
    results: dict[int, dict]
    dangling_peer: set[int]
    scored_reports: set[int] = field(default_factory=set)
    scored_offices: set[int] = field(default_factory=set)
    stats: dict = field(default_factory=dict)
    _hashes: dict = field(default_factory=dict)

    def office(self, rid: int) -> dict | None:
        oid = self.meta[rid]["office_id"]
        return self.octx.get(oid) if oid is not None else None

    def row(self, rid: int, f: dict) -> tuple:
        m = self.meta[rid]
        return (rid, m["office_id"], m["office"], m["year"], m["file"], f["rule"], f["severity"], f["status"],
                f["message"], json.dumps(f.get("evidence") or {}, ensure_ascii=False, default=str))

    def text_hashes(self, rid: int):
        """Shingle hashes of the report's narrative; None when too short to compare."""
        if rid not in self._hashes:
            t = _text(self.results[rid])
            self._hashes[rid] = D.shingle_hashes(t) if len(D.normalise(t)) >= self.policy.threshold(
                "min_text_chars") else None
        return self._hashes[rid]


STAGES: list[tuple[str, object]] = []


def stage(name: str):
    """Register a refresh stage: ``fn(batch) -> rows written``; stages run in registration order."""
    def deco(fn):
        STAGES.append((name, fn))
        return fn
    return deco


def _refresh(con, report_ids, policy: Policy) -> dict:
    b = _batch(con, report_ids, policy)
    written = {name: fn(b) for name, fn in STAGES}
    _delete_ids(con, "rules_state", b.reports)
    now = dt.datetime.now()
    _insert(con, "rules_state", [(r, RULES_VERSION, policy.digest, now) for r in b.reports],
            ["report_id", "rules_version", "policy", "computed_at"])
    save_policy(con, policy)  # the marts derive deadlines from the policy the findings used
    return {**b.stats, "findings": sum(n for k, n in written.items() if k != "scores"), "full": b.full}


def _batch(con, report_ids, policy: Policy) -> Batch:
    """Relink reports to offices, forget rows of deleted reports, and work out the affected reports."""
    full = report_ids is None
    relink_reports(con, report_ids)
    fill_inferred(con)
    octx = office_contexts(con)
    meta = {r[0]: {"report_id": r[0], "office_id": r[1], "office": r[2], "year": r[3], "file": r[4],
                   "status": r[5], "report_kind": r[6]}
            for r in con.execute("SELECT r.report_id, r.office_id, coalesce(o.name, r.office_name), r.year, "
                                 "r.source_path, r.status, coalesce(r.report_kind, o.report_kind) "
                                 "FROM reports r LEFT JOIN offices o USING (office_id)").fetchall()}
    # forget rows of reports that no longer exist; their neighbours become affected
    dangling_peer = {r[0] for r in con.execute(
        "SELECT report_id FROM duplication WHERE other_report_id IS NOT NULL AND other_report_id NOT IN "
        "(SELECT report_id FROM reports)").fetchall()}
    for t in ("findings", "duplication", "report_scores", "text_signatures", "rules_state"):
        con.execute(f"DELETE FROM {t} WHERE report_id IS NOT NULL AND report_id NOT IN (SELECT report_id FROM reports)")
    con.execute("DELETE FROM findings WHERE report_id IS NULL AND office_id IS NOT NULL AND office_id NOT IN "
                "(SELECT office_id FROM offices)")

    R = sorted(meta) if full else sorted({i for i in report_ids if i in meta})
    by_office: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for m in meta.values():
        if m["office_id"] is not None and m["year"] is not None:
            by_office[m["office_id"]][m["year"]].append(m["report_id"])

    def prev_of(rid: int) -> int | None:
        m = meta[rid]
        if m["office_id"] is None or m["year"] is None:
            return None
        cands = [c for c in by_office[m["office_id"]].get(m["year"] - 1, []) if meta[c]["status"] != "failed"]
        if not cands:
            return None
        cands.sort(key=lambda c: (meta[c]["report_kind"] == m["report_kind"], c), reverse=True)
        return cands[0]

    X = set(R)
    for rid in R:
        m = meta[rid]
        if m["office_id"] is not None and m["year"] is not None:
            X.update(by_office[m["office_id"]].get(m["year"] + 1, []))
    X = sorted(X)
    prevs = {x: prev_of(x) for x in X}
    results = load_results(con, set(X) | {p for p in prevs.values() if p is not None})
    return Batch(con, policy, full, meta, octx, by_office, R, X, prevs, results, dangling_peer,
                 stats={"reports": len(R), "cross_year": len(X)})


@stage("single")
def single_stage(b: Batch) -> int:
    """Single-report rules of the batch's reports — the one place they run for the warehouse."""
    rows = [b.row(rid, f) for rid in b.reports for f in check_report(b.results[rid], b.policy, office=b.office(rid))]
    return _replace_findings(b, b.reports, SINGLE, rows)


@stage("cross_year")
def cross_year_stage(b: Batch) -> int:
    """Rules comparing a report with the office's previous one (T3-CARRY, T2-STOCK, DUP-DATA)."""
    rows = []
    for x in b.cross:
        p = b.prevs[x]
        rows += [b.row(x, f) for f in check_cross_year(b.results[x], b.results.get(p) if p else None, b.policy,
                                                       office=b.office(x))]
    return _replace_findings(b, b.cross, CROSS, rows)


def _replace_findings(b: Batch, ids, rules, rows: list) -> int:
    """The findings of `rules` for reports `ids` become `rows`; those reports are re-scored."""
    _delete_ids(b.con, "findings", ids, rules=rules)
    _insert(b.con, "findings", rows, FINDING_COLS)
    b.scored_reports.update(ids)
    return len(rows)


@stage("duplication")
def duplication_stage(b: Batch) -> int:
    """Text signatures of the batch's reports, DUP-PREV of X and DUP-PEER of the affected years."""
    con, meta, R = b.con, b.meta, b.reports
    sig_rows = []
    for rid in R:
        h = b.text_hashes(rid)
        if h is not None:
            sig_rows.append((rid, meta[rid]["year"], meta[rid]["office_id"], len(h), D.sig_bytes(D.signature(h))))
    _delete_ids(con, "text_signatures", R)
    if sig_rows:
        con.register("_sig_df", pd.DataFrame(sig_rows, columns=["report_id", "year", "office_id", "n_shingles", "sig"]))
        con.execute("INSERT INTO text_signatures SELECT * FROM _sig_df")
        con.unregister("_sig_df")
    rows, dup_rows = _dup_prev(b)
    peer_rows, peer_dups, peer_done = _dup_peer(b)
    _delete_ids(con, "findings", b.cross, rules=["DUP-PREV"])
    _delete_ids(con, "findings", sorted(peer_done), rules=["DUP-PEER"])
    _delete_ids(con, "duplication", b.cross, where="kind = 'prev'")
    _delete_ids(con, "duplication", sorted(peer_done), where="kind = 'peer'")
    _insert(con, "findings", rows + peer_rows, FINDING_COLS)
    _insert(con, "duplication", dup_rows + peer_dups, ["report_id", "kind", "similarity", "other_report_id"])
    b.scored_reports.update(b.cross, peer_done)
    b.stats["peer"] = len(peer_done)
    return len(rows) + len(peer_rows)


def _dup_prev(b: Batch) -> tuple[list, list]:
    meta, rows, dup_rows = b.meta, [], []
    thr_prev = b.policy.threshold("dup_prev")
    for x in b.cross:
        p = b.prevs[x]
        if b.results[x]["status"] == "failed":
            rows.append(b.row(x, _f("DUP-PREV", "NOT_ASSESSABLE", "报告无法读取，未检查", {})))
            continue
        if p is None:
            rows.append(b.row(x, _f("DUP-PREV", "NOT_ASSESSABLE", "无上一年度报告", {})))
            continue
        a, h = b.text_hashes(x), b.text_hashes(p)
        if a is None or h is None:
            rows.append(b.row(x, _f("DUP-PREV", "NOT_ASSESSABLE", "正文过短，未比较", {"prev_file": meta[p]["file"]})))
            continue
        s = D.containment(a, h)
        dup_rows.append((x, "prev", s, p))
        ev = {"similarity": round(s, 4), "other_report_id": p, "other_file": meta[p]["file"],
              "other_year": meta[p]["year"], "measure": "containment of character 5-grams"}
        if s > thr_prev:
            msg = f"正文与{meta[p]['year']}年度报告重复率{s:.0%}（超过{thr_prev:.0%}）"
            rows.append(b.row(x, _f("DUP-PREV", "FAIL", msg, ev)))
        else:
            rows.append(b.row(x, _f("DUP-PREV", "PASS", f"正文与{meta[p]['year']}年度报告重复率{s:.0%}", ev)))
    return rows, dup_rows


def _dup_peer(b: Batch) -> tuple[list, list, set[int]]:
    """DUP-PEER per affected year: the new reports, their LSH candidates and reports whose best match
    was one of them (or a deleted report)."""
    con, meta, R = b.con, b.meta, b.reports
    rows, dup_rows = [], []
    thr_peer = b.policy.threshold("dup_peer")
    years = sorted({meta[r]["year"] for r in R if meta[r]["year"] is not None})
    peer_done: set[int] = set()
    for y in years:
        idx = D.YearIndex(threshold=max(0.2, thr_peer * 0.8))
        for rid, oid, sig in con.execute("SELECT report_id, office_id, sig FROM text_signatures WHERE year = ?",
                                         [y]).fetchall():
            idx.add(rid, D.sig_from_bytes(sig), meta[rid]["office_id"] if rid in meta else oid)
        mine = [r for r in R if meta[r]["year"] == y]
        affected = set(mine)
        if not b.full:
            for r in mine:
                if r in idx.sigs:
                    affected.update(idx.lsh.query(idx.sigs[r]))
            if mine:
                con.register("_rule_ids", _ids_df(mine))
                affected.update(x for (x,) in con.execute(
                    "SELECT report_id FROM duplication WHERE kind = 'peer' AND other_report_id IN "
                    "(SELECT id FROM _rule_ids)").fetchall())
                con.unregister("_rule_ids")
            affected.update(r for r in b.dangling_peer if r in meta and meta[r]["year"] == y)
        for r in sorted(affected):
            peer_done.add(r)
            if r not in idx.sigs:
                rows.append(b.row(r, _f("DUP-PEER", "NOT_ASSESSABLE", "报告无法读取或正文过短，未比较", {})))
                continue
            best = idx.best_peer(r)
            if best is None:
                rows.append(b.row(r, _f("DUP-PEER", "PASS", "未发现与同年度其他机关报告雷同", {})))
                continue
            s, o = best
            dup_rows.append((r, "peer", s, o))
            ev = {"similarity": round(s, 4), "other_report_id": o, "other_file": meta[o]["file"],
                  "other_office": meta[o]["office"], "measure": "MinHash Jaccard of character 5-grams"}
            if s >= thr_peer:
                msg = f"正文与{meta[o]['office'] or '另一机关'}同年度报告相似度{s:.0%}"
                rows.append(b.row(r, _f("DUP-PEER", "FAIL", msg, ev)))
            else:
                msg = f"与同年度最相似报告（{meta[o]['office']}）相似度{s:.0%}"
                rows.append(b.row(r, _f("DUP-PEER", "PASS", msg, ev)))
    for r in R:  # reports without a year
        if r not in peer_done:
            rows.append(b.row(r, _f("DUP-PEER", "NOT_ASSESSABLE", "未识别报告年度，未比较", {})))
            peer_done.add(r)
    return rows, dup_rows, peer_done


@stage("coverage")
def coverage_stage(b: Batch) -> int:
    """MISSING of the batch's offices (of every office when a new last year appears and no registry is set),
    and ``office_expected_years``, the office-years the coverage mart lists."""
    con, meta, octx, by_office = b.con, b.meta, b.octx, b.by_office
    max_year = max((m["year"] for m in meta.values() if m["year"] is not None), default=None)
    registry = any(o.get("source") == "registry" for o in octx.values())
    cov_offices = set(octx) if b.full else {meta[r]["office_id"] for r in b.reports if meta[r]["office_id"] is not None}
    if not registry and str(max_year) != (_meta_get(con, "rules_max_year") or "None"):
        cov_offices = set(octx)
    cov_offices |= {oid for oid in octx if oid not in by_office}  # expected offices with no report at all
    cov_offices |= {r[0] for r in con.execute(
        "SELECT DISTINCT office_id FROM findings WHERE rule = 'MISSING' AND office_id NOT IN "
        "(SELECT office_id FROM offices)").fetchall()}
    today = dt.date.today()
    missing_rows, expected_rows = [], []
    for oid in cov_offices:
        o = octx.get(oid)
        if o is None:
            continue
        years_seen = sorted(by_office[oid]) if oid in by_office else []
        expected = expected_years(o, years_seen, max_year, registry, b.policy)
        expected_rows += [(oid, y) for y in expected]
        for y in expected:
            if y in by_office.get(oid, {}):
                continue
            dl = b.policy.deadline(y, o.get("report_kind"), o.get("unit_type"), o.get("province"), o.get("level"))
            if dl is not None and today <= dl:
                continue  # not due yet
            ev = {"office_id": oid, "year": y, "expected_years": o.get("expected_years") or
                  (f"{years_seen[0]}-{max_year}" if years_seen else None), "received_years": years_seen,
                  "deadline": str(dl) if dl else None, "source": o.get("source")}
            # Without a registry, a year after the office's last report may simply be beyond its life
            # (merged, renamed, not yet collected): say so instead of asserting an error nobody can confirm.
            beyond = not o.get("expected_years") and years_seen and y > years_seen[-1]
            status = "UNCERTAIN" if beyond else "FAIL"
            msg = f"{o['name']}未发布（未收到）{y}年度政府信息公开工作年度报告"
            if beyond:
                msg += "（无名录：该单位此后是否仍应报送无法确认，请导入单位名录）"
            missing_rows.append((None, oid, o["name"], y, None, "MISSING", RULES["MISSING"].severity, status,
                                 msg, json.dumps(ev, ensure_ascii=False)))
    con.execute("DELETE FROM office_expected_years WHERE office_id NOT IN (SELECT office_id FROM offices)")
    if cov_offices:
        con.register("_rule_ids", _ids_df(cov_offices))
        con.execute("DELETE FROM findings WHERE rule = 'MISSING' AND office_id IN (SELECT id FROM _rule_ids)")
        con.execute("DELETE FROM office_expected_years WHERE office_id IN (SELECT id FROM _rule_ids)")
        con.unregister("_rule_ids")
    _meta_set(con, "rules_max_year", max_year)
    _insert(con, "findings", missing_rows, FINDING_COLS)
    _insert(con, "office_expected_years", expected_rows, ["office_id", "year"])
    b.scored_offices.update(cov_offices)
    b.stats.update(coverage_offices=len(cov_offices), missing=len(missing_rows))
    return len(missing_rows)


def expected_years(office: dict, years_seen: list[int], max_year: int | None, registry: bool,
                   policy: Policy) -> list[int]:
    """Years an office must report on: its registry ``expected_years`` (parse_years: "2019-2025", "2019,2021");
    else, for an office known only from its reports, its first report year to the warehouse's last year
    (with a registry loaded only when the policy says so)."""
    if office.get("expected_years"):
        return parse_years(office["expected_years"])
    if office.get("source") != "registry" and years_seen and max_year and \
            (not registry or policy.data["coverage"].get("inferred_when_registry")):
        return list(range(years_seen[0], max_year + 1))
    return []


@stage("anomaly")
def anomaly_stage(b: Batch) -> int:
    """Anomaly checks (peer groups and year over year) of every report of the batch's peer groups."""
    anom, anom_ids = anomaly_findings(b.con, b.meta, None if b.full else b.reports, b.policy, b.octx)
    _delete_ids(b.con, "findings", anom_ids, rules=ANOMALY)
    rows = anomaly_rows(anom, b.meta)
    _insert(b.con, "findings", rows, FINDING_COLS)
    b.scored_reports.update(anom_ids)
    b.stats["anomaly"] = len(anom_ids)
    return len(rows)


@stage("scores")
def scores_stage(b: Batch) -> int:
    """Report and office-year scores of everything the stages before touched."""
    S = sorted(b.scored_reports)
    score_reports(b.con, S, b.policy)   # reviews of findings count as the policy says (scoring.py)
    offices = b.scored_offices | {b.meta[r]["office_id"] for r in S if b.meta[r]["office_id"] is not None}
    score_offices(b.con, offices, b.policy)
    return len(S)


def _f(rule_id, status, message, evidence):
    return {"rule": rule_id, "severity": RULES[rule_id].severity, "status": status, "message": message,
            "evidence": evidence}


def _delete_ids(con, table, ids, rules=None, where=None):
    if not ids:
        return
    con.register("_del_ids", _ids_df(ids))
    sql = f"DELETE FROM {table} WHERE report_id IN (SELECT id FROM _del_ids)"
    params = []
    if rules:
        sql += " AND list_contains(?, rule)"
        params.append(list(rules))
    if where:
        sql += " AND " + where
    con.execute(sql, params)
    con.unregister("_del_ids")


def _insert(con, table, rows, cols):
    if not rows:
        return
    df = pd.DataFrame(rows, columns=cols)
    for c in ("report_id", "office_id", "year", "other_report_id"):
        if c in df:
            df[c] = df[c].astype("Int64")
    con.register("_ins_df", df)
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _ins_df")
    con.unregister("_ins_df")


def stale_report_ids(con, policy: Policy | None = None) -> list[int] | None:
    """Reports whose findings are missing or out of date; None means everything (policy/rules changed)."""
    ensure_schema(con)
    policy = policy or default_policy()
    if _meta_get(con, "rules_policy") not in (None, policy.digest) or \
            _meta_get(con, "rules_version") not in (None, RULES_VERSION):
        return None
    return [r[0] for r in con.execute(
        "SELECT r.report_id FROM reports r LEFT JOIN rules_state s USING (report_id) "
        "WHERE s.report_id IS NULL OR s.rules_version <> ? OR s.policy <> ? OR s.computed_at < r.loaded_at",
        [RULES_VERSION, policy.digest]).fetchall()]
