"""End-to-end measurement of the compliance engine on the small demo corpus (generator + parser + ingest).
Slow: it renders and parses a few hundred documents."""
import subprocess
import sys

import pytest

pytest.importorskip("etl.demo.generate")


@pytest.mark.slow
def test_demo_small_measurement(tmp_path):
    out, db = tmp_path / "demo", tmp_path / "demo.duckdb"
    py = sys.executable
    subprocess.run([py, "-m", "etl", "demo", "--out", str(out), "--small"], check=True, capture_output=True)
    subprocess.run([py, "-m", "etl", "offices", "import", str(out / "offices.csv"), "--db", str(db)], check=True,
                   capture_output=True)
    subprocess.run([py, "-m", "etl", "ingest", str(out / "docs"), "--db", str(db), "--no-progress"], check=True,
                   capture_output=True)
    from etl.rules.measure import measure
    from etl.warehouse import connect
    con = connect(db)
    m = measure(out, con)
    print({k: m[k] for k in ("recall", "per_rule", "clean_error_rate", "clean_error_rules", "missing_exact")})
    assert m["missing_exact"], (m["missing_not_found"], m["missing_extra"])
    assert m["recall"] >= 0.95, m["misses"]
    assert m["clean_error_rate"] <= 0.01, m["false_errors"]
