"""A third template version, registered by a fixture through etl.template's API only, is parsed, checked
and loaded into the marts with no change anywhere else (issue 15: the template lives in one place).

The version is the 2021 one plus a table-2 row and an inserted section 五、信息处理费收取情况, as the
2025 reports print them."""
from __future__ import annotations

import dataclasses

import duckdb
import pytest

from etl import template as T
from devtools.report_fixtures import NARRATIVE, table_rows, values

NEW_ROW = "processing_fees"
NEW_KEY = T.make_key(2, NEW_ROW, "amount_wan")
NEW_SECTION = "processing_fees"
NUMERALS = "一二三四五六七八九"


@pytest.fixture
def v2025():
    base = T.version("2021")
    t2 = base.tables[2]
    row = T.Row(NEW_ROW, "依申请公开信息处理费", ("信息处理费",), block=t2.rows[-1].block, mentions=("信息处理费",))
    new_t2 = T.TableSpec(2, "2025", t2.rows + (row,),
                         {**t2.columns, NEW_ROW: (T.Column("amount_wan", "本年收取金额（单位：万元）", "amount", "万元"),)})
    section = T.SectionSpec(7, "五", NEW_SECTION, "信息处理费收取情况", ("信息处理费",), after=4)
    version = dataclasses.replace(
        base, name="2025", first_year=2025, tables={**base.tables, 2: new_t2},
        fingerprint=base.fingerprint + ("依申请公开信息处理费",), document="国办公开办函〔2025〕1号",
        sections=base.sections + (section,), outdated_documents=base.outdated_documents + (base.document,))
    T.register(version)
    yield version
    T.unregister("2025")


def _printed_sections(version: T.Version) -> list[tuple[str, T.SectionSpec]]:
    """Sections in printed order with their printed numerals: an inserted one follows section `after`."""
    order = []
    for s in (s for s in version.sections if s.after is None):
        order.append(s)
        order += [i for i in version.sections if i.after == s.number]
    return [(NUMERALS[i], s) for i, s in enumerate(order)]


def _render(version: T.Version, vals: dict, year: int = 2025) -> str:
    rows = table_rows(version.name, vals)
    lines = [f"青禾县农业农村局{year}年政府信息公开工作年度报告", ""]
    for numeral, s in _printed_sections(version):
        lines.append(f"{numeral}、{s.title}")
        text = NARRATIVE.get(s.number) or ("本年度依申请收取信息处理费共计0.35万元，均按规定标准收取。"
                                           if s.key == NEW_SECTION else "")
        if text:
            lines.append(text)
        if s.number == 4:
            lines.append("\t".join(["行政复议", "行政诉讼"]))
            lines.append("\t".join(c.label for c in T.T4_COLUMNS) + "\t未经复议直接起诉\t复议后起诉")
        if s.number == 3:
            lines.append("\t".join(["申请人情况", "自然人", "法人或其他组织", "总计"]))
            lines.append("\t".join(c.label for c in T.T3_COLUMNS[1:6]))
        if s.number in (2, 3, 4):
            lines += ["\t".join(([label] if label else []) + vs) for label, vs in rows[s.number]]
    lines += ["青禾县农业农村局", f"{year + 1}年1月20日"]
    return "\n".join(lines) + "\n"


def _values() -> dict:
    vals = values("2021")
    vals[NEW_KEY] = 0.35
    return vals


def test_registered_version_is_known_by_year_and_keys(v2025):
    assert T.VERSIONS[-1] == "2025" and T.version_for_year(2025) == "2025" and T.version_for_year(2024) == "2021"
    assert NEW_KEY in T.keys("2025") and NEW_KEY in T.all_keys() and NEW_KEY not in T.keys("2021")
    assert T.splits_other("2025") and T.version("2025").amount_unit_stated


def test_report_in_registered_version_parses_and_is_checked(v2025, tmp_path):
    from etl.parse import parse_file

    path = tmp_path / "r2025.txt"
    path.write_text(_render(v2025, _values()), encoding="utf-8")
    r = parse_file(path)
    assert r["template"] == "2025" and r["template_expected"] == "2025" and r["year"] == 2025
    assert r["values"][NEW_KEY] == 0.35
    assert r["values"][T.make_key(3, T.T3_TOTAL_PROCESSED_ROW, T.T3_TOTAL_COLUMN)] == sum(
        v for k, v in _values().items() if k.startswith("t3.") and k.endswith(".total")
        and T.TABLES["2025"][3].row(k.split(".")[1]).group)
    assert r["status"] == "ok", r["problems"]
    found = {s["key"]: s for s in r["sections"]}
    assert set(found) == {s.key for s in v2025.sections}
    assert "信息处理费共计0.35万元" in found[NEW_SECTION]["text"]
    assert "存在的主要问题" in found["problems"]["title"]  # printed as 六、 after the inserted section
    from etl.rules import check_report

    findings = check_report(r)
    rules = {f["rule"]: f["status"] for f in findings}
    assert rules, "no findings"
    for rule in ("T3-SUM", "T3-ROW", "FMT-SECTIONS", "FMT-TEMPLATE", "FMT-TABLES"):
        assert rules.get(rule) == "PASS", (rule, [f for f in findings if f["rule"] == rule])


def test_2021_report_stays_2021_when_a_later_version_is_registered(v2025, tmp_path):
    from etl.parse import parse_file
    from devtools.report_fixtures import render_text

    path = tmp_path / "r2024.txt"
    path.write_text(render_text("2021"), encoding="utf-8")
    r = parse_file(path)
    assert r["template"] == "2021" and r["status"] == "ok" and NEW_KEY not in r["values"]


def test_report_in_registered_version_reaches_the_marts(v2025, tmp_path):
    """Parsing happens in forkserver workers: the registered version must reach them."""
    from etl.ingest import ingest_paths
    from etl.marts import col_name

    src = tmp_path / "in"
    src.mkdir()
    (src / "r2025.txt").write_text(_render(v2025, _values()), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    s = ingest_paths([src], db, workers=1)
    assert s.loaded == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        template, status, fee = con.execute(
            f"SELECT template, status, {col_name(NEW_KEY)} FROM report_facts").fetchone()
        sections = [r[0] for r in con.execute("SELECT section_key FROM section_texts ORDER BY section_no").fetchall()]
    finally:
        con.close()
    assert (template, status, fee) == ("2025", "ok", 0.35)
    assert NEW_SECTION in sections
