"""Real-browser tests: the running app in Debian's chromium via Playwright (never `playwright install`).

Starts `streamlit run app.py` on a free port against a small demo warehouse, changes a filter, follows a
click-to-drill-down path to a report detail, checks the URL carries the state, and checks every page renders
without an exception and shows a chart or table. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from browser_fixtures import serve  # noqa: E402  (the server / browser / page fixtures come from conftest)
from dashboard.page_registry import PAGES, page as page_spec  # noqa: E402
from devtools.browser import settle  # noqa: E402,F401  (also imported from here by other browser tests)
SHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]


def click_bar(pg, plot, index: int = 0):
    """Click the centre of a bar: plotly listens on its drag layer, so click by coordinates."""
    plot.scroll_into_view_if_needed()
    bar = plot.locator("g.point path").nth(index)
    box = bar.bounding_box()
    pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def params(pg) -> dict:
    return {k: v for k, v in parse_qs(urlparse(pg.url).query).items()}


def shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


def no_exception(pg):
    assert pg.locator("[data-testid=stException]").count() == 0, pg.locator("[data-testid=stException]").first.inner_text()


@pytest.mark.parametrize("name", [p.key for p in PAGES])
def test_page_renders_in_browser(server, page, name):
    spec = page_spec(name)
    page.goto(f"{server}/{spec.url}")  # the default page lives at "/"
    settle(page)
    no_exception(page)
    assert "Page not found" not in page.inner_text("body")
    assert page.locator("h1").first.inner_text().strip() == spec.title
    if spec.shows_data:
        assert page.locator(".js-plotly-plot, [data-testid=stDataFrame]").count() > 0
    shot(page, f"page_{name}")
    assert not page.errors, page.errors


def test_first_request_to_a_page_gets_the_app(demo_db, page):
    """A fresh server whose very first request is a page's URL runs app.py's navigation and filters around
    the page (a pages/ folder next to app.py would make Streamlit run the page alone, in its legacy mode)."""
    spec = page_spec("requests")
    with serve(demo_db) as url:
        page.goto(f"{url}/{spec.url}")
        settle(page)
        no_exception(page)
        assert page.locator("h1").first.inner_text().strip() == spec.title
        nav = page.locator("[data-testid=stSidebarNav]")
        for p in PAGES:
            if not p.hidden and p.role is None:
                assert nav.get_by_text(p.title, exact=True).count() == 1, p.title
        assert page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").count() > 0  # the filters
    assert not page.errors, page.errors


def test_filter_and_drill_down_to_report(server, page):
    # 1. overview; click the first bar of the by-region chart: narrows to that province (URL carries it)
    page.goto(f"{server}/")  # 总览 is the default page, served at "/"
    settle(page)
    shot(page, "drill_0_overview")
    click_bar(page, page.locator(".js-plotly-plot").first)
    settle(page)
    page.wait_for_function("() => location.search.includes('prov=')", timeout=30000)
    assert "prov" in params(page)
    shot(page, "drill_1_province")
    # 2. change a filter in the sidebar: pick one year
    sb = page.locator("[data-testid=stSidebar]")
    sb.locator("[data-testid=stMultiSelect]").first.click()
    import re
    page.locator("[role=option]").filter(has_text=re.compile(r"^\s*20\d\d\s*$")).first.click()
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_function("() => location.search.includes('year=')", timeout=30000)
    year = params(page)["year"][0]
    # 3. go to 依申请公开 through the navigation: the filters survive the page change
    sb.get_by_text("依申请公开", exact=True).click()
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/requests')", timeout=30000)
    assert params(page).get("year") == [year] and "prov" in params(page)
    shot(page, "drill_2_requests")
    # 4. click an office in the ranking chart -> 年报详情 of that office
    click_bar(page, page.locator(".js-plotly-plot").last)
    settle(page)
    shot(page, "drill_3a_after_click")
    page.wait_for_function("() => location.search.includes('office=')", timeout=30000)
    page.get_by_text("的年报详情 →").first.click()
    settle(page)
    page.wait_for_function("() => location.pathname.endsWith('/report')", timeout=30000)
    assert "office" in params(page)
    shot(page, "drill_3_office_reports")
    # 5. pick the report; the URL carries it and the template tables render
    page.locator("[data-testid=stMain] [data-testid=stSelectbox]").filter(has_text="选择年报").first.click()
    page.locator("[role=option]").nth(1).click()
    settle(page)
    page.wait_for_function("() => location.search.includes('report=')", timeout=30000)
    assert page.get_by_text("表三 · 收到和处理政府信息公开申请情况").count() >= 1
    no_exception(page)
    shot(page, "drill_4_report_detail")
    # 6. reload: the state survives
    url = page.url
    page.reload()
    settle(page)
    assert page.url == url
    assert page.get_by_text("表三 · 收到和处理政府信息公开申请情况").count() >= 1
    # 7. breadcrumb back to all regions widens the selection
    page.get_by_role("button", name="全部地区").click()
    settle(page)
    page.wait_for_function("() => !location.search.includes('prov=')", timeout=30000)
    assert not page.errors, page.errors
