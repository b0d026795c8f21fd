"""Ingest: recursive, idempotent by content, whole reports per transaction, bad files recorded not fatal."""
import os
import subprocess
import sys

import duckdb
import pytest

from etl.ingest import ingest_paths
from etl.writer import IngestLocked, WriterLock
from devtools.report_fixtures import render_html, render_text


def _counts(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT status, count(*) FROM reports GROUP BY status").fetchall())
    finally:
        con.close()


def _write_corpus(root, n):
    layouts = ["tsv", "spaces", "vertical", "detached", "missing"]
    for i in range(n):
        version = "2021" if i % 2 else "2019"
        office = f"测试县第{i}局"
        sub = root / f"batch{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 3 == 0:
            data = render_html(version, encoding="gbk" if i % 2 else "utf-8").replace(
                "青禾县农业农村局".encode("gbk" if i % 2 else "utf-8"), office.encode("gbk" if i % 2 else "utf-8"))
            (sub / f"r{i}.html").write_bytes(data)
        else:
            (sub / f"r{i}.txt").write_text(render_text(version, layouts[i % 5], office=office), encoding="utf-8")


def _write_bad(root):
    bad = root / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    full = render_html("2021")
    (bad / "truncated.html").write_bytes(full[: len(full) // 3])
    with open(bad / "huge.txt", "wb") as f:  # 50 MB of text: refused by size, quickly
        f.write(("无关文本" * 1000 + "\n").encode() * 4400)
    # GBK bytes in a file that claims UTF-8: decoded by content, not by the claim
    (bad / "wrong-encoding.html").write_bytes(
        render_html("2019", encoding="gbk").replace(b"charset=gbk", b"charset=utf-8"))
    (bad / "not-a-report.txt").write_text("会议通知\n请各单位准时参加。\n", encoding="utf-8")
    return bad


@pytest.mark.slow
def test_thousand_reports_and_bad_files_in_one_run(tmp_path):
    src = tmp_path / "in"
    _write_corpus(src, 1000)
    _write_bad(src)
    db = tmp_path / "w.duckdb"
    calls = []
    s = ingest_paths([src], db, progress=lambda done, total, summ: calls.append((done, total)))
    assert s.seen == 1006 and s.loaded == 1000 + 2 and s.failed == 4
    assert calls[-1] == (1006, 1006)
    con = duckdb.connect(str(db), read_only=True)
    failed = dict(con.execute("SELECT regexp_extract(source_path, '[^/]+$'), error_code FROM reports "
                              "WHERE status = 'failed'").fetchall())
    assert failed == {"empty.txt": "empty", "garbage.txt": "binary", "huge.txt": "too_large",
                      "not-a-report.txt": "not_a_report"}
    # the wrong-encoding page parsed right; the truncated page kept what it had
    wrong = con.execute("SELECT status, office_name, year FROM reports WHERE source_path LIKE '%wrong-encoding%'").fetchone()
    assert wrong == ("ok", "青禾县农业农村局", 2020)
    trunc = con.execute("SELECT status FROM reports WHERE source_path LIKE '%truncated%'").fetchone()
    assert trunc == ("partial",)
    # every loaded report has all its cells; values match a direct check of one report
    assert con.execute("SELECT count(*) FROM reports r WHERE status <> 'failed' AND "
                       "(SELECT count(*) FROM cells c WHERE c.report_id = r.report_id) NOT IN (198, 200)").fetchone()[0] == 0
    v = con.execute("SELECT value FROM cells JOIN reports USING (report_id) WHERE source_path LIKE '%/r1.txt' "
                    "AND key = 't3.new_received.total'").fetchone()[0]
    assert v == 38
    con.close()


def test_idempotent_and_changed_file_replaces(tmp_path):
    src = tmp_path / "in"
    _write_corpus(src, 6)
    db = tmp_path / "w.duckdb"
    first = ingest_paths([src], db)
    assert first.loaded == 6
    again = ingest_paths([src, src / "batch1"], db)
    assert again.loaded == 0 and again.skipped == again.seen
    f = next(src.rglob("r1.txt"))
    f.write_text(render_text("2021", "tsv", office="改名后的局"), encoding="utf-8")
    third = ingest_paths([src], db)
    assert third.loaded == 1 and third.replaced == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 6
    assert con.execute("SELECT office_name FROM reports WHERE source_path = ?", [str(f)]).fetchone()[0] == "改名后的局"
    assert con.execute("SELECT count(DISTINCT report_id) FROM cells").fetchone()[0] == 6
    con.close()


def test_second_concurrent_ingest_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    with WriterLock(db):
        with pytest.raises(IngestLocked):
            ingest_paths([tmp_path], db)


def test_failed_load_leaves_no_half_report(tmp_path, monkeypatch):
    from etl import ingest
    src = tmp_path / "in"
    _write_corpus(src, 3)
    db = tmp_path / "w.duckdb"
    real = ingest._parse_all

    def flaky(*a, **kw):  # the second result violates NOT NULL mid-transaction
        for i, (item, result) in enumerate(real(*a, **kw)):
            yield item, (dict(result, sections=[{"number": None}]) if i == 1 else result)

    monkeypatch.setattr(ingest, "_parse_all", flaky)
    with pytest.raises(Exception):
        ingest_paths([src], db, workers=1, post=False)
    assert not db.exists() and not list(tmp_path.glob("w.duckdb.tmp-*"))  # a failed run swaps nothing in
    ingest_paths([src / "batch1" / "r1.txt"], db, workers=1, post=False)
    before = db.read_bytes()
    with pytest.raises(Exception):
        ingest_paths([src], db, workers=1, post=False)
    assert db.read_bytes() == before  # ... and leaves an existing warehouse exactly as it was


def test_ingest_cli_progress_and_summary(tmp_path):
    src = tmp_path / "in"
    _write_corpus(src, 4)
    _write_bad(src)
    db = tmp_path / "w.duckdb"
    out = subprocess.run([sys.executable, "-m", "etl", "ingest", str(src), "--db", str(db)],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    assert out.returncode == 0, out.stderr
    assert "10 files: 6 loaded" in out.stdout and "4 failed" in out.stdout
    assert "导入年报" in out.stderr and "失败=4" in out.stderr  # tqdm progress bar with counts


def test_batched_load_equals_one_by_one(tmp_path):
    """load_results (the batch loader of every ingest) writes exactly the rows of load_result item by item,
    including replacements of a changed file and a failure record."""
    from etl import warehouse as W
    from etl.ingest import _sha256, find_files, parse_one

    _write_corpus(tmp_path / "in", 12)
    items = []
    for f in find_files([tmp_path / "in"]):
        sha, size = _sha256(f)
        items.append((str(f), sha, size, parse_one(str(f))))
    items.append(("/x/broken.pdf", "f" * 64, 9, {"status": "failed", "error": {"code": "damaged", "message": "坏文件"}}))
    # the first file changed on disk: same path, new content, loaded again later
    changed = (items[0][0], "e" * 64, 5, dict(items[1][3], office="改过的局"))
    q = """SELECT r.source_path, r.sha256, r.status, r.error_code, r.office_name, o.name, r.year, r.published_on,
                  r.n_values, r.n_uncertain, c.key, c.value, c.raw, c.flag, c.prov
           FROM reports r LEFT JOIN offices o USING (office_id) LEFT JOIN cells c USING (report_id) ORDER BY ALL"""
    one = W.connect(tmp_path / "one.duckdb")
    for it in items + [changed]:
        W.load_result(one, *it)
    many = W.connect(tmp_path / "many.duckdb")
    W.load_results(many, items[:5])
    W.load_results(many, items[5:] + [changed])
    assert one.execute(q).fetchall() == many.execute(q).fetchall()
    for t in ("section_texts", "parse_problems"):
        assert (one.execute(f"SELECT count(*) FROM {t}").fetchone() == many.execute(f"SELECT count(*) FROM {t}").fetchone())
    assert many.execute("SELECT count(*) FROM reports").fetchone()[0] == len(items)
    assert many.execute("SELECT office_name FROM reports WHERE source_path = ?", [items[0][0]]).fetchone()[0] == "改过的局"


def test_incremental_marts_equal_a_full_rebuild(tmp_path, monkeypatch):
    """After an ingest that adds reports, replaces a changed file and adds a report to an existing office,
    the marts updated in place equal the marts rebuilt from scratch."""
    from etl import marts
    from devtools.report_fixtures import render_text

    seen = []
    real = marts._same_columns
    monkeypatch.setattr(marts, "_same_columns", lambda con, sql: seen.append(real(con, sql)) or seen[-1])

    src = tmp_path / "in"
    _write_corpus(src, 10)
    db = tmp_path / "w.duckdb"
    ingest_paths([src], db, workers=1)
    more = tmp_path / "more"
    _write_corpus(more, 14)  # r0..r13: r0..r9 same content (skipped), r10..r13 new
    (src / "batch1" / "r1.txt").write_text(render_text("2021", "tsv", office="测试县第1局"), encoding="utf-8")
    (more / "next_year.txt").write_text(render_text("2021", "tsv", office="测试县第2局").replace("2024", "2025"),
                                        encoding="utf-8")
    ingest_paths([src, more], db, workers=1)
    assert seen == [False, True]  # first ingest: built from scratch; second: updated in place
    con = duckdb.connect(str(db))
    tables = ("report_facts", "mart_region_year", "mart_coverage", "mart_offices", "mart_regions", "mart_facets")
    inc = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    assert len(inc["report_facts"]) == con.execute("SELECT count(*) FROM reports WHERE status <> 'failed'").fetchone()[0]
    marts.build(con)
    for t in tables:
        assert con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() == inc[t], t
    con.close()


def test_reparse_replaces_every_report_in_place(tmp_path):
    """--reparse loads the same contents again (same sha256: deleted and inserted in one batch transaction)."""
    src = tmp_path / "in"
    _write_corpus(src, 6)
    db = tmp_path / "w.duckdb"
    ingest_paths([src], db, workers=1)
    q = "SELECT r.source_path, c.key, c.value, c.raw FROM reports r JOIN cells c USING (report_id) ORDER BY ALL"
    con = duckdb.connect(str(db), read_only=True)
    before, ids_before = con.execute(q).fetchall(), {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
    con.close()
    s = ingest_paths([src], db, workers=1, reparse=True)
    assert s.loaded == 6 and s.skipped == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(q).fetchall() == before
    assert not ids_before & {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
    assert con.execute("SELECT count(*) FROM cells WHERE report_id NOT IN (SELECT report_id FROM reports)").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM report_facts").fetchone()[0] == 6
    con.close()
