"""Real-browser path (Debian chromium): an office ranking → its 单位档案 → one of its reports → the
side-by-side view of a copied-text pair, with the shared passages highlighted. Harness: tests/browser_fixtures.py."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_browser import click_bar, no_exception, params, settle, shot  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]


def test_ranking_to_office_to_report_to_side_by_side(server, page):
    # 1. 依申请公开: click an office in the ranking chart, then follow the link to its 单位档案
    page.goto(f"{server}/requests")
    settle(page)
    click_bar(page, page.locator(".js-plotly-plot").last)
    settle(page)
    page.get_by_text("的单位档案 →").first.click()
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/office') && location.search.includes('office_id=')",
                           timeout=30000)
    oid = params(page)["office_id"][0]
    assert page.locator("h1").first.inner_text().strip() == "单位档案"
    assert page.get_by_text("平均得分").count() >= 1 and page.get_by_text("逐年情况").count() >= 1
    no_exception(page)
    shot(page, "office_1_scorecard")
    # 2. reload: the URL alone brings the same office back
    page.reload()
    settle(page)
    assert params(page)["office_id"] == [oid]
    assert page.get_by_text("本单位的年报").count() == 1
    # 3. its latest report (the first link of 本单位的年报)
    page.locator("[data-testid=stPageLink]").filter(has_text=re.compile(r"^\D*20\d\d年\s*$")).first.click()
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/report') && location.search.includes('report=')",
                           timeout=30000)
    rid = params(page)["report"][0]
    # 4. 检查结果 tab: the copied-text pairs, split 与上年 / 与其他单位; open the side-by-side view
    page.get_by_role("tab", name="检查结果").click()
    assert page.get_by_text("与上年", exact=True).count() >= 1
    assert page.get_by_text("与其他单位", exact=True).count() >= 1
    shot(page, "office_2_report_pairs")
    page.get_by_text("并排对照正文 →").first.click()
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/textcompare')", timeout=30000)
    p = params(page)
    assert rid in p["report"] + p["other"]
    panels = page.locator(".gkjb-textdiff")
    assert panels.count() == 2
    assert panels.first.locator("mark").count() > 0 and panels.last.locator("mark").count() > 0
    assert page.locator(".gkjb-textdiff script").count() == 0
    no_exception(page)
    shot(page, "office_3_side_by_side")
    assert not page.errors, page.errors
