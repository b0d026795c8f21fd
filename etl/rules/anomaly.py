"""Anomaly checks beside the template rules: numbers that are possible but implausible, as warnings whose
evidence holds the comparison that makes them so.

- ``ANOM-YOY``  a key volume (etl.metrics.VOLUMES) grew to ≥5× or fell to ≤1/5 of the same office's
  previous report (only when the larger value is big enough to matter);
- ``ANOM-ZERO`` a volume every office has (applications received / processed) is 0 while the median of the
  peer reports is large and few of them are 0 (penalties or lawsuits depend on an office's function:
  a 教育局 with no 行政处罚 among 公安局 that have thousands is no anomaly);
- ``ANOM-RATE`` 实质公开率 or 纠错率 (etl.metrics.RATES) far from peers: robust z-score
  0.6745·(x − median)/MAD above the threshold and a gap of at least some percentage points.

Peers are the other reports of the same year, province, level, unit type and report kind (the office
dimension of the compliance stage). Values come from the ``cells`` table (blank or uncertain cells are not
zeros: they leave a check NOT_ASSESSABLE). Computed by :func:`anomaly_findings` in the refresh stage for
every report of the peer groups the refreshed reports belong to, and for the next year's reports of their
offices. Thresholds are in policy.toml ``[thresholds] anomaly_*``.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict

import numpy as np
import pandas as pd

from etl import metrics as M

from .registry import RULES, declare

declare("ANOM-YOY", "W", "anomaly", "关键数量与本单位上一年度相比突变（增至5倍以上或降至五分之一以下）")
declare("ANOM-ZERO", "W", "anomaly", "关键数量为0，而同类单位普遍较多")
declare("ANOM-RATE", "W", "anomaly", "实质公开率或纠错率明显偏离同类单位（稳健Z分数）")
ANOMALY = ["ANOM-YOY", "ANOM-ZERO", "ANOM-RATE"]

KIND_LABEL = {"department": "部门", "gov_self": "本级政府", "region_summary": "区域汇总"}
LEVEL_LABEL = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇级"}
UNIT_LABEL = {"government": "人民政府", "general_office": "政府办公室", "department": "政府部门",
              "township": "乡镇/街道", "dev_zone": "开发区", "other": "其他单位"}


def _n(x) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def robust_z(x: float, others: np.ndarray) -> tuple[float, float, float | None]:
    """(median, MAD, z) of ``x`` against ``others``: z = 0.6745·(x − median)/MAD. When MAD is 0 (over half
    the peers share one value) the mean absolute deviation scaled to the same units is used (Iglewicz &
    Hoaglin); z is None when the peers do not vary at all."""
    med = float(np.median(others))
    dev = np.abs(others - med)
    mad = float(np.median(dev))
    return med, mad, _z(x, med, mad, float(np.mean(dev)))


def _z(x, med, mad, mean_ad) -> float | None:
    if mad > 0:
        return 0.6745 * (x - med) / mad
    if mean_ad > 0:
        return (x - med) / (1.253314 * mean_ad)
    return None


def _values(con, ids: list[int]) -> tuple[pd.DataFrame, dict[int, str], set[int]]:
    """One row per report (index report_id), one column per key some measure reads (NaN: blank/absent);
    the reports' templates; the reports whose numbers were read by OCR (never confident, see view.py)."""
    keys = M.needed_keys()
    if not ids:
        return pd.DataFrame(columns=keys, dtype=float), {}, set()
    con.register("_anom_ids", pd.DataFrame({"id": pd.Series(sorted(set(ids)), dtype="int64")}))
    try:
        pivot_in = ", ".join(f"'{k}'" for k in keys)
        from etl.review_tables import cells_source  # hand corrections replace parsed values
        df = con.execute(f"""PIVOT (SELECT report_id, key, value FROM {cells_source(con)}
                                    WHERE report_id IN (SELECT id FROM _anom_ids) AND list_contains(?, key))
                             ON key IN ({pivot_in}) USING max(value) GROUP BY report_id""", [keys]).df()
        rows = con.execute("SELECT report_id, template, coalesce(needs_ocr_pages, '') <> '' FROM reports "
                           "WHERE report_id IN (SELECT id FROM _anom_ids)").fetchall()
    finally:
        con.unregister("_anom_ids")
    templates = {r[0]: r[1] for r in rows}
    ocr = {r[0] for r in rows if r[2]}
    return df.set_index("report_id").reindex(columns=keys).astype(float), templates, ocr


def _measures(df: pd.DataFrame) -> tuple[dict, dict]:
    """{volume id: {report_id: value|None}}, {rate id: {report_id: (num, den)}} — the etl.metrics definitions
    (blank cells add as 0 but an all-blank measure is None), vectorised."""
    def total(keys):
        return df[list(keys)].sum(axis=1, min_count=1)

    def as_dict(s):
        return {int(i): (None if pd.isna(v) else float(v)) for i, v in s.items()}

    vols = {v.id: as_dict(total(v.keys)) for v in M.VOLUMES.values()}
    rates = {}
    for r in M.RATES.values():
        num, den = total(r.num), total(r.den)
        if r.den_minus:
            den = den - total(r.den_minus).fillna(0)
        n, d = as_dict(num), as_dict(den)
        rates[r.id] = {i: (n[i], d[i]) for i in n}
    return vols, rates


class _Group:
    """One measure over a peer group (the values of the group's reports). Compared with one of them, the
    statistics are those of the others; above EXACT_MAX members leaving one out changes nothing that
    matters, so the whole group's statistics, computed once, are used instead (keeps a national refresh
    linear)."""
    EXACT_MAX = 200

    def __init__(self, values: list[float]):
        self.values = np.sort(np.array(values, dtype=float))
        self.n = len(self.values)
        self._whole = None

    def others(self, x: float) -> np.ndarray:
        i = int(np.searchsorted(self.values, x))
        return np.delete(self.values, i) if i < self.n and self.values[i] == x else self.values

    def compare(self, x: float) -> tuple[int, float, float, float | None, float]:
        """(number of others, their median, MAD, robust z of x, share of zeros)."""
        if self.n <= self.EXACT_MAX:
            o = self.others(x)
            if not len(o):
                return 0, math.nan, math.nan, None, math.nan
            med, mad, z = robust_z(x, o)
            return len(o), med, mad, z, float(np.mean(o == 0))
        if self._whole is None:
            v = self.values
            med = float(np.median(v))
            self._whole = (med, float(np.median(np.abs(v - med))), float(np.mean(np.abs(v - med))),
                           float(np.mean(v == 0)))
        med, mad, mean_ad, zeros = self._whole
        return self.n - 1, med, mad, _z(x, med, mad, mean_ad), zeros


def anomaly_findings(con, meta: dict[int, dict], report_ids: list[int] | None, policy, octx: dict[int, dict],
                     ) -> tuple[list[dict], list[int]]:
    """Findings of the anomaly rules for everything ``report_ids`` affects (all reports when None); returns
    (findings, the report ids whose anomaly findings they replace). Each finding carries ``report_id``."""
    th = policy.data["thresholds"]
    ok = {rid: m for rid, m in meta.items() if m["status"] != "failed" and m["year"] is not None}

    def group(m):
        o = octx.get(m["office_id"]) if m["office_id"] is not None else None
        if o is None:
            return None
        return (m["year"], o.get("province"), o.get("level"), o.get("unit_type"), m["report_kind"])

    groups: dict[tuple, list[int]] = defaultdict(list)
    by_office_year: dict[tuple, list[int]] = defaultdict(list)
    for rid, m in ok.items():
        g = group(m)
        if g is not None:
            groups[g].append(rid)
        if m["office_id"] is not None:
            by_office_year[(m["office_id"], m["year"])].append(rid)

    if report_ids is None:
        targets = set(meta)
    else:
        targets = {r for r in report_ids if r in meta}
        for rid in list(targets):
            m = meta[rid]
            g = group(m) if rid in ok else None
            if g is not None:
                targets.update(groups[g])
            if m["office_id"] is not None and m["year"] is not None:
                targets.update(by_office_year.get((m["office_id"], m["year"] + 1), []))

    def prev_of(rid):
        m = ok[rid]
        cands = by_office_year.get((m["office_id"], m["year"] - 1), []) if m["office_id"] is not None else []
        return max(cands, key=lambda c: (ok[c]["report_kind"] == m["report_kind"], c)) if cands else None

    tgroups = {group(ok[r]) for r in targets if r in ok} - {None}
    prevs = {r: prev_of(r) for r in targets if r in ok}
    need = set(targets) | {r for g in tgroups for r in groups[g]} | {p for p in prevs.values() if p is not None}
    values, templates, ocr = _values(con, sorted(need))
    vols, rates = _measures(values)
    den_min = float(th["anomaly_rate_min_den"])

    stats: dict[tuple, _Group] = {}

    def gstat(g, kind, mid, template=None):
        k = (g, kind, mid, template)
        if k not in stats:
            members = [p for p in groups[g] if template is None or templates.get(p) == template]
            if kind == "vol":
                xs = [vols[mid].get(p) for p in members]
            else:
                xs = [n / d for n, d in (rates[mid].get(p, (None, None)) for p in members)
                      if n is not None and d is not None and d >= den_min]
            stats[k] = _Group([x for x in xs if x is not None])
        return stats[k]

    out: list[dict] = []
    for rid in sorted(targets):
        if rid not in ok:
            for r in ANOMALY:
                out.append(_f(rid, r, "NOT_ASSESSABLE", "报告无法读取或未识别年度，未检查", {}))
            continue
        m = ok[rid]
        g = group(m)
        found = [_yoy(rid, m, prevs[rid], ok, templates, vols, th), _zero(rid, g, templates, vols, th, gstat),
                 _rate(rid, g, rates, th, gstat)]
        for f in found:
            # numbers read by OCR may hide misread digits: an anomaly there is a doubt, not a finding
            if f["status"] == "FAIL" and (rid in ocr or (f["rule"] == "ANOM-YOY" and prevs[rid] in ocr)):
                f["status"] = "UNCERTAIN"
                f["message"] += "（涉及OCR识别的数值，无法确认）"
                f["evidence"]["ocr"] = True
        out += found
    return out, sorted(targets)


def _f(rid, rule, status, message, evidence) -> dict:
    return {"report_id": rid, "rule": rule, "severity": RULES[rule].severity, "status": status, "message": message,
            "evidence": evidence}


def _group_text(g) -> str:
    year, province, level, unit, kind = g
    return (f"{year}年{province or ''}{LEVEL_LABEL.get(level, '')}{UNIT_LABEL.get(unit, unit or '')}"
            f"（{KIND_LABEL.get(kind, kind or '')}报告）")


def _yoy(rid, m, prev, ok, templates, vols, th) -> dict:
    if prev is None:
        return _f(rid, "ANOM-YOY", "NOT_ASSESSABLE", "无上一年度报告，未比较", {})
    ratio_max, floor = float(th["anomaly_jump_ratio"]), float(th["anomaly_jump_min"])
    checks, fails = [], []
    for v in M.VOLUMES.values():
        if v.same_template and templates.get(rid) != templates.get(prev):
            continue
        a, b = vols[v.id].get(rid), vols[v.id].get(prev)
        if a is None or b is None:
            continue
        big, small = max(a, b), min(a, b)
        ratio = (a / b) if b else (math.inf if a else 1.0)
        c = {"measure": v.id, "label": v.label, "value": a, "year": m["year"], "prev_value": b,
             "prev_year": ok[prev]["year"], "ratio": None if math.isinf(ratio) else round(ratio, 3)}
        checks.append(c)
        if big >= floor and (small == 0 or big / small >= ratio_max):
            fails.append(c)
    ev = {"prev_report_id": prev, "prev_year": ok[prev]["year"], "prev_file": ok[prev]["file"],
          "threshold": ratio_max, "min_value": floor, "checks": fails or checks}
    if not checks:
        return _f(rid, "ANOM-YOY", "NOT_ASSESSABLE", "与上一年度没有可比较的数量", ev)
    if fails:
        parts = []
        for c in fails:
            times = "（由0增加）" if c["ratio"] is None else (f"（{c['ratio']:.1f}倍）" if c["ratio"] >= 1 else
                                                            f"（降至{c['ratio']:.0%}）")
            parts.append(f"{c['label']}由{c['prev_year']}年的{_n(c['prev_value'])}变为{_n(c['value'])}{times}")
        ev["comparison"] = "；".join(parts)
        return _f(rid, "ANOM-YOY", "FAIL", "与上一年度相比突变，请核实：" + ev["comparison"], ev)
    return _f(rid, "ANOM-YOY", "PASS", f"关键数量与{ok[prev]['year']}年度相比无突变", ev)


def _zero(rid, g, templates, vols, th, gstat) -> dict:
    min_peers, floor = int(th["anomaly_min_peers"]), float(th["anomaly_zero_peer_median"])
    max_zeros = float(th["anomaly_zero_peer_share"])
    gdesc = _group_text(g) if g else ""
    checks, fails = [], []
    for v in M.VOLUMES.values():
        x = vols[v.id].get(rid)
        if x is None or g is None or not v.universal:
            continue
        n, med, _, _, zeros = gstat(g, "vol", v.id, templates.get(rid) if v.same_template else None).compare(x)
        if n < min_peers:
            continue
        c = {"measure": v.id, "label": v.label, "value": x, "peer_median": med, "n_peers": n,
             "peer_zero_share": round(zeros, 3)}
        checks.append(c)
        if x == 0 and med >= floor and zeros <= max_zeros:
            fails.append(c)
    ev = {"peer_group": gdesc, "min_peers": min_peers, "min_peer_median": floor, "max_peer_zero_share": max_zeros,
          "checks": fails or checks}
    if not checks:
        return _f(rid, "ANOM-ZERO", "NOT_ASSESSABLE", f"同类单位不足{min_peers}家或数据缺失，未比较", ev)
    if fails:
        ev["comparison"] = "；".join(f"{c['label']}为0，{gdesc}其他{c['n_peers']}家的中位数为{_n(c['peer_median'])}"
                                     for c in fails)
        return _f(rid, "ANOM-ZERO", "FAIL", "同类单位普遍较多而本单位为0，请核实：" + ev["comparison"], ev)
    return _f(rid, "ANOM-ZERO", "PASS", "关键数量未见同类单位普遍较多而本单位为0的情况", ev)


def _rate(rid, g, rates, th, gstat) -> dict:
    min_peers, zmax = int(th["anomaly_min_peers"]), float(th["anomaly_rate_z"])
    gap_min, den_min = float(th["anomaly_rate_min_gap"]), float(th["anomaly_rate_min_den"])
    gdesc = _group_text(g) if g else ""
    checks, fails = [], []
    for r in M.RATES.values():
        num, den = rates[r.id].get(rid, (None, None))
        if num is None or den is None or den < den_min or g is None:
            continue
        x = num / den
        n, med, mad, z, _ = gstat(g, "rate", r.id).compare(x)
        if n < min_peers:
            continue
        c = {"measure": r.id, "label": r.label, "formula": r.formula, "value": round(x, 4), "numerator": num,
             "denominator": den, "peer_median": round(med, 4), "mad": round(mad, 4),
             "z": None if z is None else round(z, 2), "n_peers": n}
        checks.append(c)
        if abs(x - med) >= gap_min and (z is None or abs(z) > zmax):
            fails.append(c)
    ev = {"peer_group": gdesc, "z_threshold": zmax, "min_gap": gap_min, "min_denominator": den_min,
          "checks": fails or checks}
    if not checks:
        return _f(rid, "ANOM-RATE", "NOT_ASSESSABLE",
                  f"办理或审结件数不足{den_min:.0f}件，或同类单位不足{min_peers}家，未比较", ev)
    if fails:
        ev["comparison"] = "；".join(
            f"{c['label']}{c['value']:.1%}，{gdesc}其他{c['n_peers']}家的中位数{c['peer_median']:.1%}"
            + (f"（稳健Z分数{c['z']:+.1f}）" if c["z"] is not None else "（同类单位数值相同）") for c in fails)
        return _f(rid, "ANOM-RATE", "FAIL", "明显偏离同类单位，请核实：" + ev["comparison"], ev)
    return _f(rid, "ANOM-RATE", "PASS", "实质公开率、纠错率与同类单位相比无明显偏离", ev)


def rows(findings: list[dict], meta: dict[int, dict]) -> list[tuple]:
    """Findings as rows of the findings table (etl.rules.engine.FINDING_COLS)."""
    out = []
    for f in findings:
        m = meta[f["report_id"]]
        out.append((f["report_id"], m["office_id"], m["office"], m["year"], m["file"], f["rule"], f["severity"],
                    f["status"], f["message"], json.dumps(f["evidence"], ensure_ascii=False, default=str)))
    return out
