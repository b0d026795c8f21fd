"""A small synthetic warehouse for dashboard development and tests (no parser needed).

    python -m devtools.dev_warehouse data/dev.duckdb [--no-compliance]

Builds parse-result dicts in the shape of docs/ARCHITECTURE.md, loads them with
etl.warehouse.load_result, registers offices with regions, optionally writes the compliance tables
(findings, report_scores, office_scores, duplication) and builds the marts.
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from etl import marts, template as T, warehouse as W  # noqa: E402

PROVINCE = "示例省"
CITIES = {"青川市": ["玉川区", "石门县"], "白河市": ["东湖区", "西岭县"]}
DEPTS = ["公安局", "教育局", "自然资源局", "市场监督管理局"]
YEARS = list(range(2019, 2025))


def offices():
    """(name, region_path, unit_type, report_kind, expected_years)"""
    out = []
    for city, districts in CITIES.items():
        out.append((f"{city}人民政府", f"{PROVINCE}/{city}", "government", "gov_self", "2019-2024"))
        for d in districts:
            out.append((f"{city}{d}人民政府", f"{PROVINCE}/{city}/{d}", "government", "gov_self", "2019-2024"))
            out.append((f"{city}{d}政府信息公开汇总", f"{PROVINCE}/{city}/{d}", "government", "region_summary",
                        "2019-2024"))
            for dep in DEPTS[:3]:
                out.append((f"{city}{d}{dep}", f"{PROVINCE}/{city}/{d}", "department", "department", "2019-2024"))
            out.append((f"{city}{d}城关镇人民政府", f"{PROVINCE}/{city}/{d}", "township", "department", "2020-2024"))
    return out


def _cell(key, value, rnd, flag=None):
    t, r, c = T.split_key(key)
    if value is None:
        kind, raw = rnd.choice([("empty", ""), ("na", "/")]), None
        kind, raw = kind
    elif value == 0:
        kind, raw = "zero", "0"
    else:
        kind, raw = "number", (f"{value:g}")
    unit = "万元" if key.endswith("amount_wan") and value is not None else None
    return {"key": key, "table": t, "row": r, "col": c, "value": value, "raw": raw, "kind": kind, "unit": unit,
            "note": None, "flag": flag, "prov": {"line": rnd.randint(20, 200)}}


def make_result(name, kind, year, rnd, fail=False, late=False):
    tpl = T.template_for_year(year)
    if fail:
        return {"file": f"{name}{year}.pdf", "format": "pdf", "status": "failed",
                "error": {"code": "pdf_no_text", "message": "PDF 无文本层（扫描件）"}, "year": None}
    vals: dict[str, float | None] = {}
    scale = {"government": 8, "department": 3}.get("government" if "政府" in name else "department", 3)
    if kind == "region_summary":
        scale = 20
    # table 3: applicant columns per outcome row, then identities
    t3 = T.TABLES[tpl][3]
    outcome_rows = T.t3_outcome_rows(tpl)
    per = {r: {c: 0 for c in T.T3_APPLICANT_COLUMNS} for r in (r.key for r in t3.rows)}
    for r in outcome_rows:
        for c in T.T3_APPLICANT_COLUMNS:
            weight = 6 if r in ("granted",) else (3 if r.startswith("partially") or r == "unable_not_held" else 1)
            cmul = 5 if c == "natural_person" else 1
            per[r][c] = rnd.randint(0, weight * cmul * scale // 3) if rnd.random() < 0.7 else 0
    for c in T.T3_APPLICANT_COLUMNS:
        tot = sum(per[r][c] for r in outcome_rows)
        fwd = rnd.randint(0, max(1, tot // 8))
        over = rnd.randint(0, fwd + 1)
        per["total_processed"][c] = tot
        per["carried_forward"][c] = fwd
        per["carried_over"][c] = over
        per["new_received"][c] = tot + fwd - over if tot + fwd - over >= 0 else 0
    for r in per:
        for c in T.T3_APPLICANT_COLUMNS:
            vals[T.make_key(3, r, c)] = float(per[r][c])
        vals[T.make_key(3, r, "total")] = float(sum(per[r].values()))
    # table 2
    for r in T.TABLES[tpl][2].rows:
        for c in T.TABLES[tpl][2].columns[r.key]:
            k = T.make_key(2, r.key, c.key)
            if r.key == "regulations" and "政府" not in name:
                vals[k] = 0.0
            elif c.kind == "amount":
                vals[k] = round(rnd.uniform(5, 800) * scale / 3, 2)
            elif c.kind == "signed":
                vals[k] = float(rnd.randint(-5, 8))
            else:
                vals[k] = float(rnd.randint(0, 40 * scale))
    # table 4
    for b in T.T4.rows:
        parts = [rnd.randint(0, scale // 2 + 1) for _ in range(4)]
        for c, v in zip(("upheld", "corrected", "other", "pending"), parts):
            vals[T.make_key(4, b.key, c)] = float(v)
        vals[T.make_key(4, b.key, "total")] = float(sum(parts))
    flags = {}
    keys = list(vals)
    if rnd.random() < 0.3:
        k = rnd.choice(keys)
        flags[k] = "inferred"
    if rnd.random() < 0.15:
        k = rnd.choice(keys)
        flags[k] = "uncertain"
        vals[k] = None
    if rnd.random() < 0.2:  # a blank cell
        k = rnd.choice([k for k in keys if k.startswith("t3.denied")])
        vals[k] = None
    cells = [_cell(k, v, rnd, flags.get(k)) for k, v in vals.items()]
    deadline_month = 1 if kind == "department" else 3
    pub = f"{year + 1}-{deadline_month:02d}-{rnd.randint(5, 28):02d}"
    if late:
        pub = f"{year + 1}-{deadline_month + 2:02d}-15"
    sections = [{"number": s.number, "key": s.key, "title": f"{s.numeral}、{s.title}",
                 "text": f"{year}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》……<script>alert(1)</script>"
                         if s.number == 1 else f"{s.title}相关内容。", "prov": {"line": s.number * 10}}
                for s in T.SECTIONS]
    findings = [{"rule": "T3-IDENT", "severity": "E", "status": "PASS", "message": "勾稽关系成立", "evidence": {}}]
    return {"file": f"{name}{year}年政府信息公开工作年度报告.html", "format": rnd.choice(["html", "pdf", "docx", "txt"]),
            "sha256": "", "parser_version": "synthetic", "status": "partial" if flags else "ok",
            "office": name, "office_aliases": [], "year": year, "template": tpl, "template_expected": tpl,
            "report_kind": kind, "published_on": pub, "title": f"{name}{year}年政府信息公开工作年度报告",
            "values": vals, "flags": flags, "cells": cells, "sections": sections, "findings": findings,
            "problems": [], "needs_ocr_pages": [], "seconds": 0.01}


def build(db: str | Path, compliance: bool = True, seed: int = 7, dataset: str = "demo") -> Path:
    db = Path(db)
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    rnd = random.Random(seed)
    con = W.connect(db)
    for name, path, unit, kind, years in offices():
        p = path.split("/") + [None, None]
        con.execute("INSERT INTO offices (name, aliases, region_path, province, city, district, unit_type, report_kind,"
                    " expected_years, source) VALUES (?,?,?,?,?,?,?,?,?,'registry')",
                    [name, [], path, p[0], p[1], p[2] if len(path.split("/")) > 2 else None, unit, kind, years])
    src_dir = db.parent / "synthetic_sources"
    src_dir.mkdir(parents=True, exist_ok=True)
    for name, path, unit, kind, years in offices():
        y0, y1 = map(int, years.split("-"))
        for y in range(y0, y1 + 1):
            r = rnd.random()
            if r < 0.06:
                continue  # missing report
            res = make_result(name, kind, y, rnd, fail=r > 0.97, late=0.06 <= r < 0.14)
            if res["status"] == "failed":
                res["file"] = f"{name}{y}.pdf"
            sp = src_dir / res["file"]
            body = (f"<html><body><h1>{res.get('title') or name}</h1><p>合成测试文件</p></body></html>").encode()
            sp.write_bytes(body)
            sha = hashlib.sha256(body + str(y).encode() + name.encode()).hexdigest()
            res["sha256"] = sha
            W.load_result(con, str(sp), sha, len(body), res)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('dataset', ?)", [dataset])
    marts.build(con)
    if compliance:
        _compliance(con, rnd)
        marts.build(con)
    con.close()
    return db


def _compliance(con, rnd):
    con.execute("""CREATE OR REPLACE TABLE findings (report_id INTEGER, office_id INTEGER, office VARCHAR,
        year INTEGER, file VARCHAR, rule VARCHAR, severity VARCHAR, status VARCHAR, message VARCHAR, evidence VARCHAR)""")
    con.execute("CREATE OR REPLACE TABLE report_scores (report_id INTEGER, office_id INTEGER, year INTEGER,"
                " score DOUBLE, deductions VARCHAR)")
    con.execute("CREATE OR REPLACE TABLE office_scores (office_id INTEGER, year INTEGER, score DOUBLE)")
    con.execute("CREATE OR REPLACE TABLE duplication (report_id INTEGER, kind VARCHAR, similarity DOUBLE,"
                " other_report_id INTEGER)")
    reps = con.execute("SELECT report_id, office_id, office_name, year, source_path FROM reports "
                       "WHERE status <> 'failed' ORDER BY report_id").fetchall()
    rules = [("T3-IDENT", "E", "表三勾稽关系不成立：新收+上年结转≠办理总计+结转下年"),
             ("T3-SUM", "E", "表三办理结果合计与总计不符"), ("T3-BLANK", "W", "表三存在空白单元格"),
             ("TIMELY", "E", "晚于法定期限发布"), ("DUP-PREV", "W", "正文与上一年度高度重复"),
             ("T2-AUTH", "W", "无规章制定权的机关填报了规章")]
    rows, scores = [], []
    for rid, oid, office, year, path in reps:
        ded = 0
        for rule, sev, msg in rules:
            st = "FAIL" if rnd.random() < 0.12 else "PASS"
            if st == "FAIL":
                ded += 5 if sev == "E" else 2
            rows.append([rid, oid, office, year, path, rule, sev, st, msg if st == "FAIL" else "通过",
                         json.dumps({"keys": ["t3.granted.total"][:1]}, ensure_ascii=False)])
        scores.append([rid, oid, year, 100.0 - ded, json.dumps({"deducted": ded})])
    con.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("""INSERT INTO findings SELECT NULL, office_id, office, year, NULL, 'MISSING', 'E', 'FAIL',
                   '应报送而未发现年度报告', NULL FROM mart_coverage WHERE coverage = 'missing'""") \
        if _has(con, "mart_coverage") else None
    con.executemany("INSERT INTO report_scores VALUES (?,?,?,?,?)", scores)
    con.execute("INSERT INTO office_scores SELECT office_id, year, avg(score) FROM report_scores GROUP BY ALL")
    dup = []
    by_office: dict = {}
    for rid, oid, office, year, path in reps:
        by_office.setdefault(oid, []).append((year, rid))
    for oid, lst in by_office.items():
        lst.sort()
        for (y0, r0), (y1, r1) in zip(lst, lst[1:]):
            dup.append([r1, "prev", round(rnd.uniform(0.2, 0.95), 3), r0])
    con.executemany("INSERT INTO duplication VALUES (?,?,?,?)", dup)


def _has(con, table):
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0] > 0


if __name__ == "__main__":
    out = build(sys.argv[1] if len(sys.argv) > 1 else "data/dev.duckdb", compliance="--no-compliance" not in sys.argv)
    print(out)


# ------------------------------------------------------------------------------------------------
# Test warehouses, built once per test process
# ------------------------------------------------------------------------------------------------
_BUILT: dict[str, Path] = {}


def dev_warehouse(root: Path, compliance: bool = True) -> Path:
    key = f"syn{compliance}"
    if key not in _BUILT:
        _BUILT[key] = build(root / f"synthetic_{int(compliance)}.duckdb", compliance=compliance)
    return _BUILT[key]
