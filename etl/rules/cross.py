"""Cross-year rules (a report and the same office's report of the year before) and the declarations of
rules computed by other stages (duplication, coverage). No database access here."""
from __future__ import annotations

from etl import template as T

from .registry import RULES, combine, declare, finding, rule
from .view import BLANK, CARRIED_FORWARD, CARRIED_OVER, FLAGGED, MISSING, OK, UNKNOWN, View, _clean

declare("DUP-PREV", "W", "duplication", "正文与本机关上一年度报告大量重复（超过50%）")
declare("DUP-PEER", "W", "duplication", "正文与同年度其他机关报告大量雷同")
declare("MISSING", "E", "coverage", "应发布年度报告而未发布（未收到报告）")


def _col(spec: T.TableSpec, row: str, word: str) -> str:
    return next(c.key for c in spec.columns[row] if word in c.label)


def _pair(cur: View, ck: str, prev: View, pk: str, what: str, expected_fn=None, tol: float = 1e-6) -> dict:
    states = [cur.state(ck), prev.state(pk)]
    out = {"what": what, "cells": [dict(cur.evidence(ck), year=cur.year), dict(prev.evidence(pk), year=prev.year)]}
    if all(s == MISSING for s in states):
        out["status"] = "NOT_ASSESSABLE"
        return out
    if any(s in (UNKNOWN, MISSING) for s in states):
        out["status"] = "UNCERTAIN"
        return out
    a, b = cur.num(ck), prev.num(pk)
    out["lhs"], out["rhs"] = _clean(a), _clean(b)
    if abs(a - b) <= tol:
        out["status"] = "PASS"
    elif any(s in (FLAGGED, BLANK) for s in states):
        out["status"] = "UNCERTAIN"
    else:
        out["status"] = "FAIL"
    return out


@rule("T3-CARRY", "E", "cross_year", "本年“上年结转”应等于上一年度“结转下年度继续办理”")
def t3_carry(v: View, prev: View | None, ctx):
    if prev is None:
        return "NOT_ASSESSABLE", "无上一年度报告，无法核对结转", {}
    checks = []
    for c in T.T3_COLUMNS:
        checks.append(_pair(v, T.make_key(3, CARRIED_OVER, c.key), prev, T.make_key(3, CARRIED_FORWARD, c.key),
                            c.label + "列"))
    status = combine(x["status"] for x in checks)
    bad = [x for x in checks if x["status"] in ("FAIL", "UNCERTAIN")]
    ev = {"prev_year": prev.year, "prev_file": prev.r.get("file"), "checks": bad or checks[-1:]}
    if status == "FAIL":
        f = [x for x in checks if x["status"] == "FAIL"]
        det = "；".join(f"{x['what']}：本年上年结转{x['lhs']}，{prev.year}年结转下年度{x['rhs']}" for x in f[:3])
        return status, f"上年结转与{prev.year}年度报告的结转下年度不一致（{det}）", ev
    if status == "UNCERTAIN":
        return status, "结转数涉及的单元格存在空白或无法确定", ev
    if status == "PASS":
        return status, f"上年结转与{prev.year}年度结转下年度一致", ev
    return status, "未识别到表三结转数据", ev


@rule("T2-STOCK", "W", "cross_year", "现行有效件数≈上年现行有效+本年制发−本年废止（2021版）")
def t2_stock(v: View, prev: View | None, ctx):
    if not T.version(v.version).document_stock:
        return "NOT_ASSESSABLE", "仅适用于2021版格式", {}
    if prev is None or not T.version(prev.version).document_stock:
        return "NOT_ASSESSABLE", "无可比的上一年度（2021版）报告", {}
    spec = T.TABLES[v.version][2]
    pol = ctx["policy"]
    tol_abs, tol_ratio = pol.threshold("stock_tolerance"), pol.threshold("stock_tolerance_ratio")
    rows = [r.key for r in spec.rows if any("现行有效" in c.label for c in spec.columns[r.key])]
    checks = []
    for row in rows:
        issued, repealed, in_force = (T.make_key(2, row, _col(spec, row, w)) for w in ("制发", "废止", "现行有效"))
        label = spec.row(row).label
        states = [v.state(issued), v.state(repealed), v.state(in_force), prev.state(in_force)]
        cells = [dict(v.evidence(k), year=v.year) for k in (issued, repealed, in_force)] + \
            [dict(prev.evidence(in_force), year=prev.year)]
        c = {"what": label, "cells": cells}
        if any(s in (UNKNOWN, MISSING) for s in states):
            c["status"] = "UNCERTAIN" if not all(s == MISSING for s in states) else "NOT_ASSESSABLE"
        else:
            expect = prev.num(in_force) + v.num(issued) - v.num(repealed)
            got = v.num(in_force)
            c["lhs"], c["rhs"] = _clean(got), _clean(expect)
            ok = abs(got - expect) <= max(tol_abs, tol_ratio * abs(expect))
            c["status"] = "PASS" if ok else ("UNCERTAIN" if any(s in (FLAGGED, BLANK) for s in states) else "FAIL")
        checks.append(c)
    status = combine(x["status"] for x in checks)
    ev = {"prev_year": prev.year, "prev_file": prev.r.get("file"),
          "checks": [x for x in checks if x["status"] != "PASS"] or checks}
    if status == "FAIL":
        det = "；".join(f"{x['what']}现行有效{x['lhs']}，按上年{prev.year}推算应为{x['rhs']}"
                       for x in checks if x["status"] == "FAIL")
        return status, f"现行有效件数与上年存量不衔接（{det}）", ev
    if status == "UNCERTAIN":
        return status, "存量核对涉及的单元格无法确定", ev
    return status, "现行有效件数与上年存量衔接" if status == "PASS" else "无法核对", ev


@rule("DUP-DATA", "W", "cross_year", "表格数据与上一年度完全相同（且非全零）")
def dup_data(v: View, prev: View | None, ctx):
    if prev is None:
        return "NOT_ASSESSABLE", "无上一年度报告", {}
    tables = (2, 3, 4) if v.version == prev.version else (3, 4)
    common = [k for n in tables for k in v.table_keys(n) if k in set(prev.table_keys(n))]
    usable = [k for k in common if v.state(k) in (OK, BLANK, FLAGGED) and prev.state(k) in (OK, BLANK, FLAGGED)]
    if len(usable) < max(10, len(common) // 2):
        return "NOT_ASSESSABLE", "可比较的单元格不足", {"n_compared": len(usable)}
    diff = [k for k in usable if abs(v.num(k) - prev.num(k)) > 1e-9]
    nonzero = [k for k in usable if v.num(k)]
    ev = {"prev_year": prev.year, "prev_file": prev.r.get("file"), "n_compared": len(usable),
          "n_nonzero": len(nonzero)}
    if not diff and nonzero:
        ev["cells"] = [dict(v.evidence(k), prev_value=prev.cell(k).get("value")) for k in nonzero[:20]]
        return "FAIL", f"表格{len(usable)}个数据与{prev.year}年度完全相同（其中{len(nonzero)}个非零）", ev
    return "PASS", f"表格数据与{prev.year}年度有{len(diff)}处不同" if diff else "表格数据均为零", ev


def check_cross_year(result: dict, prev_result: dict | None, policy=None, office: dict | None = None) -> list[dict]:
    from .policy import default_policy
    from .single import office_context
    ctx = {"policy": policy or default_policy(), "office": office_context(result, office)}
    v = View(result)
    pv = View(prev_result) if prev_result is not None else None
    out = []
    for r in RULES.values():
        if r.scope != "cross_year":
            continue
        if v.status == "failed" or (pv is not None and pv.status == "failed"):
            out.append(finding(r.id, "NOT_ASSESSABLE", "报告无法读取，未检查", {}))
            continue
        try:
            status, msg, ev = r.check(v, pv, ctx)
        except Exception as e:
            status, msg, ev = "NOT_ASSESSABLE", f"规则执行出错：{type(e).__name__}: {e}", {}
        out.append(finding(r.id, status, msg, ev))
    return out
