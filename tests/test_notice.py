"""The printable 通报 from the demo warehouse: DOCX (read back with python-docx) and PDF (text extracted with
pypdfium2) name the region and year, list exactly the offices the demo corpus left missing or published
late (from the generator's truth, not from the warehouse), rank by score, carry the demo banner; the CLI."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
REGION, CITY = "示例省/青川市", "青川市"
YEARS = (2021, 2024)  # the small demo corpus has a missing and a late report in 青川市 in both years


def truth(corpus: Path, year: int, region: str = REGION) -> tuple[set[str], set[str]]:
    """Offices of the region with no report for the year, and those whose report was published late."""
    expected = set()
    with open(corpus / "offices.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, _, b = row["expected_years"].partition("-")
            if (row["region_path"] + "/").startswith(region + "/") and int(a) <= year <= int(b or a):
                expected.add(row["name"])
    got, late = set(), set()
    for p in (corpus / "truth").glob(f"{year}-*.json"):
        t = json.loads(p.read_text(encoding="utf-8"))
        if t["office"] in expected:
            got.add(t["office"])
            if t.get("published_on") and t["published_on"] > t["deadline"]:
                late.add(t["office"])
    return expected - got, late


def docx_text(path: Path):
    import docx
    d = docx.Document(str(path))
    paras = [p.text for p in d.paragraphs]
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    header = " ".join(p.text for p in d.sections[0].header.paragraphs)
    return paras, tables, header


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def body_order(path: Path) -> list:
    """Paragraph texts and tables (as row lists) in document order."""
    import docx
    d = docx.Document(str(path))
    out = []
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            out.append("".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")))
        elif el.tag.endswith("}tbl"):
            t = docx.table.Table(el, d)
            out.append([[c.text for c in r.cells] for r in t.rows])
    return out


def table_under(order: list, heading_prefix: str):
    i = next(i for i, x in enumerate(order) if isinstance(x, str) and x.startswith(heading_prefix))
    nxt = order[i + 1]
    return nxt if isinstance(nxt, list) else None


def scores(db: Path, year: int) -> list[tuple[str, float]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""
            SELECT o.name, s.score FROM office_scores s JOIN office_dim o USING (office_id)
            WHERE s.year = ? AND (o.region_path = ? OR o.region_path LIKE ? || '/%')
            ORDER BY s.score DESC, o.name""", [year, REGION, REGION]).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("year", YEARS)
def test_docx_content(demo_db, demo_corpus, tmp_path, year):
    from etl.notice import generate
    missing, late = truth(demo_corpus, year)
    assert missing and late, "the demo corpus should plant both in these years"
    out = tmp_path / "n.docx"
    n = generate(demo_db, REGION, year, out)
    order = body_order(out)
    text = "\n".join(x for x in order if isinstance(x, str))
    _, _, header = docx_text(out)
    assert f"关于示例省青川市{year}年度政府信息公开工作年度报告检查情况的通报" in text
    assert "演示数据" in order[0] and "演示数据" in header  # banner first, and on every page's header

    miss_tbl = table_under(order, "（一）未发布")
    assert {r[1] for r in miss_tbl[1:]} == missing
    late_tbl = table_under(order, "（二）逾期发布")
    assert {r[1] for r in late_tbl[1:]} == late
    for r in late_tbl[1:]:
        assert int(r[5]) > 0 and r[4] > r[3]  # days late; published after the deadline
    assert f"未发布（未收到）年报{len(missing)}家" in text and f"逾期发布{len(late)}家" in text

    rank = table_under(order, "评分以100分为基础")
    want = scores(demo_db, year)
    assert [r[1] for r in rank[1:]] == [w[0] for w in want]
    assert [float(r[4]) for r in rank[1:]] == pytest.approx([w[1] for w in want], abs=0.05)
    ranks = [int(r[0]) for r in rank[1:]]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert {r[1] for r in rank[1:] if float(r[4]) == 0} >= missing  # a missing report scores 0

    # every failing check of the region's reports appears under its office, with its source file
    con = duckdb.connect(str(demo_db), read_only=True)
    fails = con.execute("""
        SELECT o.name, f.message, f.file FROM findings f JOIN office_dim o USING (office_id)
        WHERE f.status = 'FAIL' AND f.year = ? AND f.rule NOT IN ('MISSING', 'TIMELY')
          AND (o.region_path = ? OR o.region_path LIKE ? || '/%')""", [year, REGION, REGION]).fetchall()
    con.close()
    for office, message, file in fails:
        i = next(i for i, x in enumerate(order) if isinstance(x, str) and ". " in x
                 and x.split(". ", 1)[1].split("（得分")[0] == office)
        rows = order[i + 1][1:]
        assert any(r[2] == message and Path(file).name in r[3] for r in rows), (office, message)
    assert n.year == year and n.region == REGION

    yoy = table_under(order, f"五、与{year - 1}年度相比")
    assert yoy[0] == ["指标", f"{year}年度", f"{year - 1}年度", "变化"]
    labels = [r[0] for r in yoy[1:]]
    assert "实质公开率" in labels and "纠错率" in labels


def test_yoy_figures_match_sql(demo_db, tmp_path):
    """The year-over-year table adds up the region's reports (no region summaries) like direct SQL does."""
    from etl.notice import generate
    from etl.marts import col_name
    out = tmp_path / "n.docx"
    generate(demo_db, REGION, 2024, out)
    yoy = {r[0]: r for r in table_under(body_order(out), "五、与2023年度相比")[1:]}
    con = duckdb.connect(str(demo_db), read_only=True)
    new, gr, pa, proc = (col_name(k) for k in ("t3.new_received.total", "t3.granted.total",
                                               "t3.partially_granted.total", "t3.total_processed.total"))
    for y, col in ((2024, 1), (2023, 2)):
        n_new, rate = con.execute(f"""
            SELECT sum({new}), sum(coalesce({gr}, 0) + coalesce({pa}, 0)) / sum({proc}) FROM report_facts
            WHERE year = ? AND city = ? AND report_kind IS DISTINCT FROM 'region_summary'""", [y, CITY]).fetchone()
        assert yoy["本年新收政府信息公开申请数"][col] == f"{n_new:,.0f}"
        assert yoy["实质公开率"][col] == f"{rate:.1%}"
    con.close()


def test_pdf_content(demo_db, demo_corpus, tmp_path):
    from etl.notice import generate
    year = 2024
    missing, late = truth(demo_corpus, year)
    out = tmp_path / "n.pdf"
    generate(demo_db, REGION, year, out)
    assert out.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(out)
    flat = text.replace("\r", "").replace("\n", "")
    assert f"关于示例省青川市{year}年度政府信息公开工作年度报告检查情况的通报" in flat
    assert "演示数据：本通报由合成的示例年报生成" in flat
    for name in missing | late:
        assert name in flat
    # ranking rows in score order
    want = [w[0] for w in scores(demo_db, year)]
    start = flat.index("三、年报质量评分排名")
    pos = []
    for name in want:
        p = flat.index(name, start)
        pos.append(p)
        start = p + len(name)
    assert pos == sorted(pos)


def test_no_banner_on_real_data(demo_db, tmp_path):
    from etl.notice import generate
    db = tmp_path / "real.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM meta WHERE key = 'dataset'")
    con.close()
    generate(db, REGION, 2024, tmp_path / "n.docx")
    generate(db, REGION, 2024, tmp_path / "n.pdf")
    paras, _, header = docx_text(tmp_path / "n.docx")
    assert not any("演示数据" in p for p in paras) and "演示数据" not in header
    assert "演示数据" not in pdf_text(tmp_path / "n.pdf")


def test_district_region(demo_db, demo_corpus, tmp_path):
    """A district: only its offices (the 2024 missing township is in 南林区)."""
    from etl.notice import collect
    from etl.warehouse import connect
    region = REGION + "/南林区"
    missing, late = truth(demo_corpus, 2024, region)
    con = connect(demo_db, read_only=True)
    try:
        n = collect(con, region, 2024)
    finally:
        con.close()
    assert {m["office"] for m in n.missing} == missing
    assert {m["office"] for m in n.late} == late
    assert all(r["place"] in ("南林区",) for r in n.ranking)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "etl", "report", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli(demo_db, demo_corpus, tmp_path):
    missing, late = truth(demo_corpus, 2024)
    for suffix in ("docx", "pdf"):
        out = tmp_path / f"通报.{suffix}"
        r = run_cli("--db", str(demo_db), "--region", REGION, "--year", "2024", "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 1000
        assert f"缺报 {len(missing)}" in r.stdout and f"逾期 {len(late)}" in r.stdout
    _, tables, _ = docx_text(tmp_path / "通报.docx")
    assert any({row[1] for row in t[1:]} == missing for t in tables)

    # bad input: a clear error, exit 2, and no file left behind
    for args, msg in (((REGION, "2024", "x.txt"), "docx 或 .pdf"), (("示例省/无此市", "2024", "x.pdf"), "没有“示例省/无此市”"),
                      ((REGION, "1990", "x.pdf"), "1990年度")):
        out = tmp_path / args[2]
        r = run_cli("--db", str(demo_db), "--region", args[0], "--year", args[1], "--out", str(out))
        assert r.returncode == 2 and msg in r.stderr, r.stderr
        assert not out.exists()
    r = run_cli("--db", str(tmp_path / "none.duckdb"), "--region", REGION, "--year", "2024", "--out",
                str(tmp_path / "y.pdf"))
    assert r.returncode == 2 and "no warehouse" in r.stderr


def test_compliance_page_offers_the_notice(demo_db, monkeypatch):
    monkeypatch.setenv("GKJB_DB", str(demo_db))
    from test_app import app
    at = app("compliance", {"prov": "示例省", "city": "青川市", "year": "2024"})
    assert not at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert "下载通报（DOCX）" in labels and "下载通报（PDF）" in labels
    assert any("关于示例省青川市2024年度" in c.value for c in at.caption)
    at = app("compliance")  # no region chosen: no buttons, a hint
    assert not [d for d in at.get("download_button") if "通报" in d.proto.label]


def test_markup_in_names_is_text(tmp_path):
    """Office names and messages go into the PDF as text: markup characters neither break nor style it."""
    from etl.notice import generate
    from etl.rules import refresh
    from etl.rules.offices import import_registry
    from devtools.factories import load, make_result
    from etl.marts import build as build_marts
    from etl.warehouse import connect
    odd = "青川市<b>测试</b>&amp;局"
    db = tmp_path / "w.duckdb"
    con = connect(db)
    csv_path = tmp_path / "offices.csv"
    csv_path.write_text("name,aliases,parent,region_path,unit_type,report_kind,expected_years\n"
                        f"\"{odd}\",,,示例省/青川市,department,department,2023-2024\n"
                        "青川市教育局,,,示例省/青川市,department,department,2023-2024\n", encoding="utf-8")
    import_registry(con, csv_path)
    load(con, make_result(odd, 2023))
    load(con, make_result("青川市教育局", 2023))
    load(con, make_result("青川市教育局", 2024))
    refresh(con)
    build_marts(con)
    con.close()
    generate(db, REGION, 2024, tmp_path / "n.pdf")
    generate(db, REGION, 2024, tmp_path / "n.docx")
    assert odd in pdf_text(tmp_path / "n.pdf").replace("\n", "")
    order = body_order(tmp_path / "n.docx")
    assert [r[1] for r in table_under(order, "（一）未发布")[1:]] == [odd]  # its 2024 report is missing
