"""Benchmark of the anomaly stage against the whole rules refresh, on a copy of a warehouse:

    python -m devtools.bench_anomaly DB

Times ``anomaly_findings`` over every report, then a full ``refresh`` (which includes it), on a temporary
copy so DB is left untouched."""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("db")
    args = ap.parse_args()
    from etl.warehouse import connect

    from etl.rules.anomaly import anomaly_findings
    from etl.rules.engine import refresh
    from etl.rules.offices import office_contexts
    from etl.rules.policy import default_policy
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        shutil.copy(args.db, db)
        con = connect(db)
        meta = {r[0]: dict(zip(("report_id", "office_id", "office", "year", "file", "status", "report_kind"), r))
                for r in con.execute(
                    "SELECT r.report_id, r.office_id, coalesce(o.name, r.office_name), r.year, r.source_path, "
                    "r.status, coalesce(r.report_kind, o.report_kind) FROM reports r "
                    "LEFT JOIN offices o USING (office_id)").fetchall()}
        t0 = time.perf_counter()
        found, _ = anomaly_findings(con, meta, None, default_policy(), office_contexts(con))
        t1 = time.perf_counter()
        refresh(con, None)
        t2 = time.perf_counter()
        fails = {}
        for f in found:
            if f["status"] == "FAIL":
                fails[f["rule"]] = fails.get(f["rule"], 0) + 1
        print(f"reports={len(meta)} anomaly stage={t1 - t0:.2f}s findings={len(found)} FAIL={fails}; "
              f"full refresh={t2 - t1:.2f}s")
        con.close()


if __name__ == "__main__":
    main()
