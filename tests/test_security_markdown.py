"""Markdown injection from report content (issue 13 item 7), checked in a real browser.

Reports whose office names, region names, a cell note and a file name carry Markdown and plotly/HTML payloads
— a remote image, links, KaTeX colour/size commands, a colour directive, <b>/<i> tags — are loaded into a
warehouse through the CLI. The dashboard is served and every page that shows those strings is opened in
Chromium: no request may leave the page for the payload hosts, no image/link/math/colour may be rendered
from them, plotly labels carry no markup, and the payloads read as literal text.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_fixtures import serve  # noqa: E402
from test_browser import no_exception, settle  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]

HOST = "http://127.0.0.9:9"  # nothing listens there; a request to it is the failure we look for
OFFICES = [f"![]({HOST}/office.png)青禾县农业局",
           "[点此核验](https://evil.example/v)青禾县水利局",
           "$\\color{red}\\Huge{大字}$青禾县林业局",
           ":red[红字]青禾县交通局",
           "<b>粗</b><i>斜</i>青禾县卫健局"]
CITY = ":red[青]$\\Huge{禾}$市"
DISTRICT = "[核验](javascript:alert(1))县"
NOTE = f"![]({HOST}/note.png):red[注]$x^2$"
FILE = ":red[文件]$\\Huge{大}$[链接](https:evil.example).txt"


@pytest.fixture(scope="module")
def hostile_wh(tmp_path_factory):
    from devtools.report_fixtures import render_text

    d = tmp_path_factory.mktemp("md_inject")
    (d / "in").mkdir()
    for i, office in enumerate(OFFICES):
        text = render_text("2021", "tsv", office=office)
        if i == 0:
            text = text.replace("\t9617.6", f"\t9617.6（{NOTE}）", 1)
        (d / "in" / (FILE if i == 1 else f"r{i}.txt")).write_text(text, encoding="utf-8")
    with open(d / "offices.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "aliases", "parent", "region_path", "unit_type", "report_kind", "expected_years"])
        for office in OFFICES:
            w.writerow([office, "", "", f"示例省/{CITY}/{DISTRICT}", "department", "department", "2023-2024"])
    db = d / "w.duckdb"
    env = {**os.environ, "GKJB_OCR": "0"}
    for cmd in (["offices", "import", str(d / "offices.csv"), "--db", str(db)],
                ["ingest", str(d / "in"), "--db", str(db), "--no-progress"]):
        out = subprocess.run([sys.executable, "-m", "etl", *cmd], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        facts = con.execute("SELECT report_id, office, city, district FROM report_facts ORDER BY report_id").fetchall()
        note = con.execute("SELECT note FROM cells WHERE note IS NOT NULL").fetchall()
    finally:
        con.close()
    # the payloads really are in the warehouse, exactly
    assert sorted(o for _, o, _, _ in facts) == sorted(OFFICES)
    assert {(c, dist) for _, _, c, dist in facts} == {(CITY, DISTRICT)}
    assert note == [(NOTE,)]
    return db, {office: rid for rid, office, _, _ in facts}


@pytest.fixture(scope="module")
def hostile_server(hostile_wh):
    db, rids = hostile_wh
    with serve(db) as url:
        yield url, rids


# what must never exist in the DOM, whatever page: anything rendered from a payload
LIVE = """() => {
  const bad = [];
  for (const img of document.querySelectorAll('img')) {
    const s = img.getAttribute('src') || '';
    if (s.includes('127.0.0.9') || s.includes('.png') && !s.startsWith('data:') && !s.includes('/static/')) bad.push('img ' + s);
  }
  for (const a of document.querySelectorAll('a')) {
    const h = a.getAttribute('href') || '';
    if (h.startsWith('#')) continue;  // a heading's own anchor
    if (h.includes('evil') || h.startsWith('javascript') || h.includes('127.0.0.9')) bad.push('a ' + h);
  }
  if (document.querySelector('.katex, .katex-display, math')) bad.push('katex ' + document.querySelector('.katex, math').outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('[data-testid=stMain] span[style*="color"], [data-testid=stSidebar] span[style*="color"]')) {
    if (/红字|^青$|^注$|文件/.test(el.textContent)) bad.push('coloured ' + el.outerHTML.slice(0, 160));
  }
  for (const el of document.querySelectorAll('.stMarkdownColoredText, [class*="ColoredText"]')) {
    if (/红字|^青$|^注$|文件/.test(el.textContent)) bad.push('directive ' + el.outerHTML.slice(0, 160));
  }
  for (const svg of document.querySelectorAll('.js-plotly-plot svg')) {
    for (const a of svg.querySelectorAll('a')) bad.push('plotly link ' + a.outerHTML.slice(0, 120));
    for (const t of svg.querySelectorAll('tspan, text')) {
      const st = t.getAttribute('style') || '';
      if ((st.includes('bold') || st.includes('italic')) && /[粗斜]/.test(t.textContent)) bad.push('plotly markup ' + t.outerHTML.slice(0, 160));
    }
  }
  return bad;
}"""


def _visit(pg, url, requests):
    pg.goto(url)
    settle(pg, timeout=90)
    no_exception(pg)
    bad = pg.evaluate(LIVE)
    assert not bad, (url, bad)
    leaving = [r for r in requests if urlparse(r).hostname not in ("127.0.0.1", None)
               or "127.0.0.9" in r or "evil" in r or "office.png" in r or "note.png" in r]
    assert not leaving, (url, leaving)
    return _text(pg)


def _text(pg) -> str:
    """The page's text as a reader sees it (safe.md's invisible word joiners dropped)."""
    return pg.inner_text("body").replace("\u2060", "")


def _svg_text(pg) -> str:
    return " ".join(pg.locator(".js-plotly-plot svg").all_text_contents())


def test_report_payloads_stay_text_in_browser(hostile_server, browser):
    url, rids = hostile_server
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # overview: one province, one city, one district -> the breakdown starts at the offices (chart labels)
        body = _visit(pg, f"{url}/?year=2024", requests)
        assert "![](http://127.0.0.9:9/office.png)青禾县农业局" in _svg_text(pg) + body
        assert "<b>粗</b><i>斜</i>青禾县卫健局" in _svg_text(pg)
        # the region named by the payload, in breadcrumbs and the sidebar
        body = _visit(pg, f"{url}/requests?prov={quote('示例省')}&city={quote(CITY)}&dist={quote(DISTRICT)}", requests)
        assert CITY in body and DISTRICT in body
        assert ":red[红字]青禾县交通局" in _svg_text(pg)
        # the 通报 expander names the region chosen
        _visit(pg, f"{url}/compliance?prov={quote('示例省')}&city={quote(CITY)}&dist={quote(DISTRICT)}", requests)
        pg.get_by_text("生成通报（DOCX / PDF）").click()
        settle(pg)
        assert not pg.evaluate(LIVE)
        _visit(pg, f"{url}/compliance", requests)
        pg.get_by_role("tab", name="报送情况（缺报 / 逾期）").click()
        settle(pg)
        assert "$\\color{red}\\Huge{大字}$青禾县林业局" in _svg_text(pg)
        assert not pg.evaluate(LIVE)
        _visit(pg, f"{url}/compare", requests)
        # every report's detail page: title, captions, metrics, the cell note and the file name
        for office, rid in rids.items():
            body = _visit(pg, f"{url}/report?report={rid}", requests)
            assert f"{office} · 2024年" in body, body[:600]
        body = _visit(pg, f"{url}/report?report={rids[OFFICES[0]]}", requests)
        pg.get_by_role("tab", name="单元格明细").click()
        settle(pg)
        pg.get_by_label("查看单元格出处").click()
        pg.keyboard.type("收费金额")
        pg.keyboard.press("Enter")
        settle(pg)
        body = _text(pg)
        assert f"备注：{NOTE}" in body, body[-800:]
        assert not pg.evaluate(LIVE)
        body = _visit(pg, f"{url}/report?report={rids[OFFICES[1]]}", requests)
        assert FILE in body  # 下载原始文件（…） shows the name literally
        _visit(pg, f"{url}/explore", requests)
        # 打印版式: tables become st.table, which renders Markdown in cells and headers
        pg.goto(f"{url}/report?report={rids[OFFICES[0]]}")
        settle(pg)
        pg.locator("[data-testid=stSidebar]").get_by_text("打印版式").click()
        settle(pg)
        assert pg.locator("[data-testid=stTable]").count() > 0
        pg.get_by_role("tab", name="单元格明细").click()
        settle(pg)
        assert not pg.evaluate(LIVE)
        assert NOTE in " ".join(pg.locator("[data-testid=stTable]").all_inner_texts()).replace("\u2060", "")
        # in-app navigation keeps the session (and 打印版式): office names in the region table
        pg.locator("[data-testid=stSidebarNav]").get_by_text("总览", exact=True).click()
        settle(pg)
        assert not pg.evaluate(LIVE)
        tables = " ".join(pg.locator("[data-testid=stTable]").all_inner_texts()).replace("\u2060", "")
        assert all(o in tables for o in OFFICES), tables[:500]
        leaving = [r for r in requests if "127.0.0.9" in r or "evil" in r or "png" in r and "127.0.0.1" not in r]
        assert not leaving, leaving
        assert not errors, errors
    finally:
        ctx.close()
