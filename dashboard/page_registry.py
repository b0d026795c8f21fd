"""The dashboard's pages, once, as data: app.py builds the navigation from this list; the AppTest smoke test,
the browser tests, the load test and benchmarks/page_loads.py import it, so a new page is added here only.

No Streamlit import: tests and benchmarks read the list without starting a script run.
"""
from __future__ import annotations

from dataclasses import dataclass

PAGE_DIR = "app_pages"  # the page scripts, relative to app.py


@dataclass(frozen=True)
class PageSpec:
    key: str           # short name: ui.PAGES[key], the script PAGE_DIR/<key>.py
    title: str         # sidebar and browser-tab title
    icon: str
    group: str         # sidebar section
    url_path: str      # the page's own URL path (the default page is served at "/" instead)
    role: str | None = None   # the role a signed-in user needs to see it in the sidebar (auth.has_role)
    hidden: bool = False      # reached by links only (needs URL parameters), not listed in the sidebar
    default: bool = False     # the start page
    shows_data: bool = True   # opened without URL parameters, it shows a chart or a table

    @property
    def file(self) -> str:
        return f"{PAGE_DIR}/{self.key}.py"

    @property
    def url(self) -> str:
        """The address path a browser opens: "" for the default page (its own url_path is not served)."""
        return "" if self.default else self.url_path


GROUPS = ("统计", "监测", "工具")  # sidebar sections, in order

PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "总览", ":material/dashboard:", "统计", "home", default=True),
    PageSpec("proactive", "主动公开", ":material/campaign:", "统计", "proactive"),
    PageSpec("requests", "依申请公开", ":material/inbox:", "统计", "requests"),
    PageSpec("procurement", "政府采购", ":material/shopping_cart:", "统计", "procurement"),
    PageSpec("review", "复议诉讼", ":material/gavel:", "统计", "review"),
    PageSpec("compliance", "合规监测", ":material/fact_check:", "监测", "compliance"),
    PageSpec("compare", "对比", ":material/compare_arrows:", "监测", "compare"),
    PageSpec("office", "单位档案", ":material/badge:", "监测", "office"),
    PageSpec("textcompare", "正文对照", ":material/difference:", "监测", "textcompare", hidden=True,
             shows_data=False),
    PageSpec("explore", "数据探索", ":material/query_stats:", "工具", "explore", role="analyst"),
    PageSpec("report", "年报详情", ":material/description:", "工具", "report"),
    PageSpec("upload", "导入", ":material/upload_file:", "工具", "upload", role="admin", shows_data=False),
)
BY_KEY = {p.key: p for p in PAGES}


# pages that show the office drill-down links themselves (app.py shows them above every other page)
OFFICE_DETAIL_PAGES = ("report", "office", "textcompare")


def page(key: str) -> PageSpec:
    return BY_KEY[key]


def in_sidebar() -> list[PageSpec]:
    return [p for p in PAGES if not p.hidden]
