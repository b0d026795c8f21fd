"""Real published reports (../shared/corpus, hand-checked truth): archived one-line pages with glued cells,
their HTML, a PDF and the seed text. Every number is right or flagged; nothing wrong is shown with confidence."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]


def _same(a, b) -> bool:
    return abs((a or 0) - (b or 0)) < 1e-6


@pytest.fixture(scope="module")
def parsed(shared_corpus):
    out = {}
    for tf in sorted(shared_corpus.glob("*.truth.json")):
        truth = json.loads(tf.read_text(encoding="utf-8"))
        out[tf.name] = (truth, parse_file(shared_corpus / truth["file"]))
    return out


def _ingest(files: list[Path], db: Path, tmp: Path) -> None:
    """`etl ingest` of copies of these shared-corpus files, in one run."""
    src = tmp / f"in-{len(list(tmp.glob('in-*')))}"
    src.mkdir()
    for f in files:
        (src / f.name).write_bytes(f.read_bytes())
    subprocess.run([sys.executable, "-m", "etl", "ingest", str(src), "--db", str(db)], check=True, cwd=ROOT,
                   env={**os.environ, "GKJB_OCR": "0"}, capture_output=True, timeout=600)


def _report_page(db: Path, rid: int):
    """年报详情 of one report, run through AppTest on warehouse ``db``."""
    from streamlit.testing.v1 import AppTest
    os.environ["GKJB_DB"] = str(db)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page("app_pages/report.py")
        at.query_params["report"] = str(rid)
        at.run()
    finally:
        os.environ.pop("GKJB_DB", None)
    assert not at.exception
    return at


def test_no_wrong_number_without_a_flag_and_metadata_right(parsed):
    total = right = 0
    for name, (truth, r) in parsed.items():
        assert (r["office"], r["year"], r["template"]) == (truth["office"], truth["year"], truth["template"]), name
        for k, want in truth["values"].items():
            got = r["values"].get(k)
            total += 1
            if _same(got, want):
                right += 1
            else:
                # withheld (null + uncertain), never a confident wrong number
                assert got is None and r["flags"].get(k) == "uncertain", (name, k, want, got)
    assert right / total >= 0.997, (right, total)


def test_every_nonzero_cell_of_the_one_line_2021_pages_is_read(parsed):
    """Whole pages on one line, cells glued (table 3 rows decided by their sums and the column identities)."""
    for name, (truth, r) in parsed.items():
        if truth["template"] != "2021" or not truth["file"].endswith(".txt"):
            continue
        for k, want in truth["values"].items():
            if want:
                assert _same(r["values"].get(k), want), (name, k, want, r["values"].get(k))


def test_text_and_html_of_one_page_give_the_same_numbers(parsed):
    for name, (truth, r) in parsed.items():
        if not name.endswith("-html.truth.json"):
            continue
        text = parsed[name.replace("-html.truth.json", ".truth.json")][1]
        for k, v in r["values"].items():
            if text["values"].get(k) is not None:
                assert _same(text["values"][k], v), (name, k)


def test_uncertain_cells_keep_their_candidate_readings_and_excerpt(parsed):
    _, r = parsed["pingtan-203-2020.truth.json"]
    cell = next(c for c in r["cells"] if c["key"] == "t2.licensing.change")
    assert cell["value"] is None and cell["flag"] == "uncertain"
    assert set(cell["prov"]["candidates"]) == {"88/-72/0", "88/-7/20"}
    assert "88-720" in cell["prov"]["excerpt"] and "88/-72/0" in cell["note"]
    # the narrative states the figures: "今年共发布采购信息21条共5419886元"
    _, r = parsed["pingtan-201-2019.truth.json"]
    assert r["values"]["t2.procurement.projects"] == 21 and r["flags"]["t2.procurement.projects"] == "inferred"
    assert r["values"]["t2.procurement.amount_wan"] == pytest.approx(541.9886)


def test_reading_summary(parsed):
    _, r = parsed["pingtan-215-2024.truth.json"]
    rd = r["reading"]
    assert rd["unfolded"] is True
    t2, t3 = rd["tables"]["2"], rd["tables"]["3"]
    assert t3["located"] == "heading" and t3["inferred"] == 175 and t3["uncertain"] == 0
    assert t2["not_printed"] == 3  # the report prints no 规章 row
    _, h = parsed["pingtan-215-2024-html.truth.json"]
    assert h["reading"]["unfolded"] is False and h["reading"]["tables"]["3"]["read"] == 175


def test_parse_cli_prints_the_office_without_page_labels(shared_corpus):
    out = subprocess.run([sys.executable, "-m", "etl", "parse", str(shared_corpus / "pingtan-209-2024.txt"), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    r = json.loads(out.stdout)
    assert r["office"] == "平潭综合实验区市场监督管理局" and r["title"].startswith("平潭综合实验区市场监督管理局2024")


def test_report_page_shows_reading_and_candidates(shared_corpus, tmp_path):
    """年报详情 › 识读情况 on a warehouse loaded from real archived pages."""
    db = tmp_path / "w.duckdb"
    _ingest([shared_corpus / f for f in ("pingtan-203-2020.txt", "pingtan-215-2024.txt")], db, tmp_path)
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    rid = con.execute("SELECT report_id FROM reports WHERE source_path LIKE '%203-2020%'").fetchone()[0]
    con.close()
    at = _report_page(db, rid)
    frames = [d.value for d in at.dataframe]
    reading = next(d for d in frames if "直接读取" in d.columns)
    assert list(reading["表格"]) == ["表二 主动公开", "表三 依申请公开", "表四 复议诉讼"]
    t3 = reading[reading["表格"] == "表三 依申请公开"].iloc[0]
    assert (int(t3["推断"]), int(t3["直接读取"]), int(t3["存疑"])) == (154, 7, 0)  # one row printed with spaces
    unc = next(d for d in frames if "候选读法（整行）" in d.columns)
    row = unc[unc["单元格"] == "行政许可 · 本年增/减"].iloc[0]
    assert "88/-72/0" in row["候选读法（整行）"] and "88-720" in row["原文摘录"]


def test_report_page_on_a_warehouse_loaded_before_the_reading_summary(shared_corpus, tmp_path):
    """A warehouse from before reports.reading existed: 年报详情 says the summary is missing, no error."""
    import duckdb
    db = tmp_path / "old.duckdb"
    _ingest([shared_corpus / "pingtan-215-2024.txt"], db, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE reports DROP COLUMN reading")
    rid = con.execute("SELECT report_id FROM reports").fetchone()[0]
    con.close()
    at = _report_page(db, rid)
    assert any("没有记录识读情况" in i.value for i in at.info)


def test_report_page_says_a_report_was_replaced_by_a_later_version(shared_corpus, tmp_path):
    """The archived text of a page loaded first, its HTML later: the text is kept as history, marked replaced."""
    import duckdb
    db = tmp_path / "w.duckdb"
    for f in ("pingtan-215-2024.txt", "pingtan-215-2024.html"):
        _ingest([shared_corpus / f], db, tmp_path)
    con = duckdb.connect(str(db), read_only=True)
    old, new = con.execute("SELECT report_id, superseded_by FROM reports WHERE source_path LIKE '%.txt'").fetchone()
    con.close()
    assert new is not None
    at = _report_page(db, old)
    assert any("这是旧版本" in w.value and str(new) in w.value for w in at.warning)
