"""Measure the compliance engine on a demo corpus (`python -m etl demo --out DIR`, then ingest into DB):

    python -m devtools.measure DIR --db DB [--json]

- recall: share of planted (file, rule) problems reported as FAIL for that file and rule;
- clean error rate: share of clean reports (nothing planted) with any error-severity FAIL;
- MISSING: findings compared with DIR/truth/_missing.json (must match exactly).
Scanned documents (truth needs_ocr) are reported separately: without OCR their tables cannot be checked.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def measure(demo_dir: str | Path, con) -> dict:
    root = Path(demo_dir)
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "truth").glob("*.json"))
              if not p.name.startswith("_")]
    missing_truth = {(m["office"], m["year"]) for m in json.loads((root / "truth" / "_missing.json").read_text("utf-8"))}
    rows = con.execute("SELECT r.source_path, f.rule, f.severity, f.status, f.message FROM findings f "
                       "JOIN reports r USING (report_id)").fetchall()
    by_file: dict[str, list] = defaultdict(list)
    for path, rule, sev, st, msg in rows:
        by_file[Path(path).resolve().as_posix()].append((rule, sev, st, msg))
    loaded = {Path(p).resolve().as_posix() for (p,) in con.execute("SELECT source_path FROM reports").fetchall()}

    planted = hit = 0
    planted_scan = hit_scan = 0
    per_rule = defaultdict(lambda: [0, 0])
    misses, false_errors = [], []
    clean = clean_err = 0
    err_rules = Counter()
    for t in truths:
        f = (root / t["file"]).resolve().as_posix()
        fs = by_file.get(f, [])
        fails = {(r, s) for r, s, st, _ in fs if st == "FAIL"}
        fail_rules = {r for r, _ in fails}
        scan = t.get("needs_ocr", False)
        for rule in t.get("planted") or []:
            ok = rule in fail_rules
            if scan:
                planted_scan += 1
                hit_scan += ok
                continue
            planted += 1
            hit += ok
            per_rule[rule][0] += 1
            per_rule[rule][1] += ok
            if not ok:
                st = [(r, st, m) for r, s, st, m in fs if r == rule]
                misses.append({"file": t["file"], "rule": rule, "got": st[:1], "loaded": f in loaded})
        if not t.get("planted"):
            clean += 1
            errs = sorted({r for r, s in fails if s == "E"})
            if errs:
                clean_err += 1
                err_rules.update(errs)
                false_errors.append({"file": t["file"], "rules": errs, "scan": scan,
                                     "messages": [m for r, s, st, m in fs if st == "FAIL" and s == "E"][:3]})
    miss_found = {(o, y) for o, y in con.execute(
        "SELECT office, year FROM findings WHERE rule = 'MISSING' AND status = 'FAIL'").fetchall()}
    return {
        "documents": len(truths), "loaded": len(loaded),
        "planted": planted, "detected": hit, "recall": round(hit / planted, 4) if planted else None,
        "per_rule": {r: {"planted": n, "detected": k} for r, (n, k) in sorted(per_rule.items())},
        "planted_in_scans": planted_scan, "detected_in_scans": hit_scan,
        "clean_reports": clean, "clean_with_error_fail": clean_err,
        "clean_error_rate": round(clean_err / clean, 4) if clean else None,
        "clean_error_rules": dict(err_rules),
        "missing_expected": len(missing_truth), "missing_found": len(miss_found),
        "missing_exact": miss_found == missing_truth,
        "missing_not_found": sorted(missing_truth - miss_found), "missing_extra": sorted(miss_found - missing_truth),
        "misses": misses, "false_errors": false_errors,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devtools.measure")
    ap.add_argument("dir")
    ap.add_argument("--db", required=True)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    from etl.warehouse import connect
    from etl.rules.engine import refresh, stale_report_ids
    con = connect(a.db)
    stale = stale_report_ids(con)
    if stale is None or stale:
        refresh(con, stale)
    m = measure(a.dir, con)
    if a.json:
        print(json.dumps(m, ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"documents {m['documents']}  loaded {m['loaded']}")
    print(f"planted problems detected: {m['detected']}/{m['planted']} = {m['recall']}"
          f"   (in scans: {m['detected_in_scans']}/{m['planted_in_scans']})")
    for r, d in m["per_rule"].items():
        print(f"  {r:14s} {d['detected']}/{d['planted']}")
    print(f"clean reports with an error-severity FAIL: {m['clean_with_error_fail']}/{m['clean_reports']} = "
          f"{m['clean_error_rate']}  {m['clean_error_rules']}")
    print(f"MISSING: expected {m['missing_expected']}, found {m['missing_found']}, exact={m['missing_exact']}")
    if a.verbose:
        for x in m["misses"]:
            print("MISS", x)
        for x in m["false_errors"]:
            print("FALSE", x)
        print("missing not found", m["missing_not_found"], "extra", m["missing_extra"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
