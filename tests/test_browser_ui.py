"""The interface speaks Chinese and prints cleanly (issue 14 items 7 and 8), in Chromium on the demo warehouse:
no English from Streamlit's own widgets, no "Page not found" on /overview, and the print layout drops the
sidebar and the download buttons and uses the full page width."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_browser import no_exception, settle  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]

# English texts Streamlit writes by itself; they must never be seen, even for a moment
ENGLISH = ["Page not found", "Choose an option", "Choose options", "Select all", "Upload", "per file",
           "Drag and drop", "Sign-in", "Please sign in"]
WATCH = """() => { window.__seen = [];
  const words = %s;
  new MutationObserver(() => { const t = document.body ? document.body.innerText : '';
    for (const w of words) if (t.includes(w) && !window.__seen.includes(w)) window.__seen.push(w); })
  .observe(document, {subtree: true, childList: true, characterData: true}); }""" % ENGLISH


def test_no_english_from_streamlit(server, page):
    page.add_init_script(f"({WATCH})()")
    for path in ("overview", "upload", "compare", "proactive"):
        page.goto(f"{server}/{path}")
        settle(page)
        no_exception(page)
        if path == "overview":
            assert page.locator("h1").first.inner_text().strip() == "总览"
        if path == "upload":
            zone = page.locator("[data-testid=stFileUploaderDropzone]")
            label = zone.evaluate("e => getComputedStyle(e.querySelector('button [data-has-shortcut]'), '::after')"
                                  ".content")
            assert "选择文件" in label
        if path == "compare":  # open a multiselect: its menu offers no English bulk action
            page.locator("[data-testid=stMain] [data-testid=stMultiSelect]").first.click()
            page.wait_for_timeout(500)
            page.keyboard.press("Escape")
        seen = page.evaluate("window.__seen")
        assert not seen, (path, seen)
    assert not page.errors, page.errors


def test_print_layout(server, page):
    page.goto(f"{server}/compliance")
    settle(page)
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert page.locator("[data-testid=stDownloadButton]").count() > 0
    assert not page.locator("[data-testid=stDownloadButton]").first.is_visible()
    main = page.locator("[data-testid=stMain]").bounding_box()
    assert main["x"] < 5 and main["width"] > 1300  # the content takes the whole sheet, not what the sidebar left
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf[:4] == b"%PDF" and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
