"""The 通报 download in a real browser: open 合规监测 for 示例省/青川市 and 2024, click 下载通报 (DOCX and
PDF), and read the downloaded files back. Uses the server and chromium harness of test_browser.py."""
from __future__ import annotations

import pytest

# the server / browser / page fixtures come from conftest
from test_browser import no_exception, settle, shot

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]


def test_download_notice(server, page, tmp_path):
    page.goto(f"{server}/compliance?prov=示例省&city=青川市&year=2024")
    settle(page)
    no_exception(page)
    page.get_by_text("生成通报（DOCX / PDF）").click()
    settle(page)
    shot(page, "notice_expander")
    got = {}
    for fmt in ("DOCX", "PDF"):
        with page.expect_download(timeout=60000) as dl:
            page.get_by_role("button", name=f"下载通报（{fmt}）").click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        got[fmt] = path
    assert got["DOCX"].name == "示例省青川市2024年度政府信息公开工作年度报告通报.docx"
    import docx
    text = "\n".join(p.text for p in docx.Document(str(got["DOCX"])).paragraphs)
    assert "关于示例省青川市2024年度政府信息公开工作年度报告检查情况的通报" in text and "演示数据" in text
    assert got["PDF"].read_bytes()[:5] == b"%PDF-"
    from test_notice import pdf_text
    assert "示例省青川市2024年度" in pdf_text(got["PDF"]).replace("\n", "")
    assert not page.errors, page.errors
