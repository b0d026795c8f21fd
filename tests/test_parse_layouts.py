"""The parser reads every text/HTML layout of SPEC §8 to the right numbers, and flags what it cannot know."""
import json
import subprocess
import sys

import pytest

from etl import template as T
from etl.parse import parse_file
from devtools.report_fixtures import render_html, render_markdown, render_text, values

EXACT_LAYOUTS = ["tsv", "spaces", "vertical", "detached", "missing"]


def _parse(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return parse_file(p)


def _wrong(result, version):
    truth = values(version)
    return {k: (truth[k], result["values"].get(k)) for k in truth if (result["values"].get(k) or 0) != truth[k]}


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("layout", EXACT_LAYOUTS)
def test_text_layouts_read_every_cell(tmp_path, version, layout):
    r = _parse(tmp_path, f"{layout}.txt", render_text(version, layout))
    assert r["template"] == version and r["year"] == (2024 if version == "2021" else 2020)
    assert r["office"] == "青禾县农业农村局"
    assert r["published_on"] == f"{r['year'] + 1}-01-20"
    assert _wrong(r, version) == {}
    assert set(r["values"]) == set(T.keys(version))
    assert [s["number"] for s in r["sections"]] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_missing_cell_is_inferred_from_identities_not_shifted(tmp_path, version):
    r = _parse(tmp_path, "missing.txt", render_text(version, "missing"))
    assert _wrong(r, version) == {}
    row = T.TABLES[version][3].rows[5].key
    flagged = {k for k, f in r["flags"].items() if f == "inferred"}
    assert {T.make_key(3, row, c.key) for c in T.T3_COLUMNS} <= flagged


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("detached", [False, True])
def test_markdown_tables(tmp_path, version, detached):
    r = _parse(tmp_path, "r.md", render_markdown(version, detached=detached))
    assert _wrong(r, version) == {}


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_html_spans_nbsp_encodings(tmp_path, version, encoding):
    r = _parse(tmp_path, "r.html", render_html(version, encoding=encoding))
    assert r["encoding"] in ("utf-8", "gb18030")
    assert _wrong(r, version) == {}
    assert r["published_on"] == f"{r['year'] + 1}-01-22"
    # a blank (&nbsp;) cell stays blank: value 0-equivalent but kind empty, never silently 0
    blanks = [c for c in r.get("cells", []) if c["kind"] == "empty"]
    assert blanks and all(c["value"] is None for c in blanks)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_glued_rows_never_guess(tmp_path, version):
    r = _parse(tmp_path, "glued.txt", render_text(version, "glued"))
    truth = values(version)
    for k, want in truth.items():
        got = r["values"][k]
        # every number either right, or withheld and flagged: never a confident wrong value
        assert got == want or (got is None and r["flags"].get(k) == "uncertain") or (got is None and want == 0), k
    # table 3 identities make every glued row unique here
    t3 = [k for k in truth if k.startswith("t3.")]
    assert all(r["values"][k] == truth[k] or (r["values"][k] is None and truth[k] == 0) for k in t3)
    assert all(r["flags"].get(k) == "inferred" for k in t3)


def test_glued_digit_split_example_from_spec():
    from etl.glued import readings, row_shape
    splits, complete = readings(["898989"], row_shape(("count",) * 3))
    assert complete and ["89", "89", "89"] in splits and len(splits) > 1  # table 2 has no identity
    row, _ = readings(["2000002"], row_shape(("count",) * 7, total_of=6))
    assert row == [["2", "0", "0", "0", "0", "0", "2"]]


def test_units_notes_and_na_cells():
    from etl.cells import parse_value
    assert parse_value("251000元").value == 251000 and parse_value("251000元").unit == "元"
    p = parse_value("22（其中修订16件）")
    assert (p.value, p.kind, p.note) == (22, "number", "其中修订16件")
    assert parse_value("／").kind == "na" and parse_value("\xa0").kind == "empty"
    assert parse_value("３，００１").value == 3001
    assert parse_value("-2").value == -2 and parse_value("0").kind == "zero"


def test_amount_in_yuan_is_normalised_to_wan(tmp_path):
    text = render_text("2019", "tsv").replace("政府集中采购\t14\t256.3", "政府集中采购\t14\t2563000元")
    r = _parse(tmp_path, "yuan.txt", text)
    assert r["values"]["t2.procurement.amount_wan"] == pytest.approx(256.3)
    cell = next(c for c in r["cells"] if c["key"] == "t2.procurement.amount_wan")
    assert cell["unit"] == "元" and cell["raw"] == "2563000元"


def test_template_mismatch_reported_not_coerced(tmp_path):
    text = render_text("2019", "tsv", year=2022)
    r = _parse(tmp_path, "old.txt", text)
    assert r["year"] == 2022 and r["template"] == "2019" and r["template_expected"] == "2021"
    assert any(p["code"] == "template_mismatch" for p in r["problems"])
    assert _wrong(r, "2019") == {}


def test_page_footer_inside_table_is_not_a_value(tmp_path):
    text = render_text("2021", "tsv").replace("2.重复申请", "— 7 —\n2.重复申请")
    r = _parse(tmp_path, "footer.txt", text)
    assert _wrong(r, "2021") == {}


def test_parse_cli_contract(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(render_text("2021", "tsv"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "etl", "parse", str(p), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    for field in ("office", "year", "template", "report_kind", "published_on", "values", "flags", "findings", "sections"):
        assert field in r
    assert r["values"]["t3.new_received.total"] == 38
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"\x00\x01garbage" * 50)
    out = subprocess.run([sys.executable, "-m", "etl", "parse", str(bad), "--json"], capture_output=True, text=True)
    assert out.returncode != 0 and "error" in json.loads(out.stdout)


def test_seed_report_every_value_right(shared_corpus):
    truth = json.loads((shared_corpus / "seed-2020-kaifaqu.truth.json").read_text(encoding="utf-8"))
    r = parse_file(shared_corpus / truth["file"])
    assert (r["office"], r["year"], r["template"]) == (truth["office"], truth["year"], truth["template"])
    wrong = {k: (v, r["values"].get(k)) for k, v in truth["values"].items() if (r["values"].get(k) or 0) != v}
    assert wrong == {}
    assert "玉川片区" in r["office_aliases"]
    amount = next(c for c in r["cells"] if c["key"] == "t2.procurement.amount_wan")
    assert amount["unit"] == "unknown" and amount["value"] == 25.67


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_layout_text_with_blank_cells_placed_by_column_position(tmp_path, version):
    from devtools.report_fixtures import render_layout
    r = _parse(tmp_path, "layout.txt", render_layout(version))
    assert _wrong(r, version) == {}
    # the placement came from positions, so it is marked inferred, never silently asserted
    t3 = [k for k in values(version) if k.startswith("t3.") and values(version)[k]]
    assert all(r["flags"].get(k) == "inferred" for k in t3)


def test_layout_text_without_headings_withholds_what_position_cannot_decide(tmp_path):
    from devtools.report_fixtures import render_layout
    text = "\n".join(l for l in render_layout("2021").splitlines() if not l.startswith(" " * 20))
    r = _parse(tmp_path, "layout.txt", text)
    truth = values("2021")
    for k, want in truth.items():
        got = r["values"][k]
        assert got == want or got is None and (want == 0 or r["flags"].get(k) == "uncertain"), k


def test_table4_printed_one_row_per_block(tmp_path):
    lines = render_text("2021", "tsv").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("四、政府"))
    end = next(i for i, l in enumerate(lines) if l.startswith("五、"))
    t4 = ["四、政府信息公开行政复议、行政诉讼情况", "类别\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
          "行政复议\t3\t1\t0\t1\t5", "行政诉讼（未经复议直接起诉）\t1\t0\t1\t0\t2", "行政诉讼（复议后起诉）\t0\t0\t0\t1\t1"]
    r = _parse(tmp_path, "t4.txt", "\n".join(lines[:start] + t4 + lines[end:]))
    assert _wrong(r, "2021") == {}


def test_html_table2_with_block_and_header_rows(tmp_path):
    page = render_html("2021").decode()
    page = page.replace("<tr><td>规章</td>", '<tr><td colspan="4">第二十条第（一）项</td></tr><tr><td>信息内容</td>'
                        "<td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr><tr><td>规章</td>")
    page = page.replace("<tr><td>行政事业性收费</td>", '<tr><td colspan="4">第二十条第（八）项</td></tr><tr><td>信息内容</td>'
                        '<td colspan="3">本年收费金额（单位：万元）</td></tr><tr><td>行政事业性收费</td>')
    r = _parse(tmp_path, "t2.html", page.encode())
    assert _wrong(r, "2021") == {}
    fee = next(c for c in r["cells"] if c["key"] == "t2.fees.amount_wan")
    assert fee["unit"] == "万元" and fee["value"] == 9617.6


def test_layout_text_column_positions_count_cjk_as_two():
    """Where each piece of a layout line starts, in display columns: the reader places values by it."""
    from etl.extractors.text import extract
    from pathlib import Path
    doc = extract(Path("t.txt"), "规章  5   12\n".encode())
    row = next(r for r in doc.blocks if getattr(r, "cells", None))
    assert [(c.text, c.prov["x"]) for c in row.cells] == [("规章", 0), ("5", 6), ("12", 10)]
