"""End-to-end measurement of the compliance engine on the small demo corpus (generator + parser + ingest).
Slow: it renders and parses a few hundred documents."""
import pytest


@pytest.mark.slow
def test_demo_small_measurement(demo_corpus, demo_db):
    from devtools.measure import measure
    from etl.warehouse import connect
    con = connect(demo_db, read_only=True)  # a dashboard test server may hold the file open read-only
    m = measure(demo_corpus, con)
    print({k: m[k] for k in ("recall", "per_rule", "clean_error_rate", "clean_error_rules", "missing_exact")})
    assert m["missing_exact"], (m["missing_not_found"], m["missing_extra"])
    assert m["recall"] >= 0.95, m["misses"]
    assert m["clean_error_rate"] <= 0.01, m["false_errors"]
