"""The 导入 page end to end in a real browser (issue 13 items 4 and 5): one or two picked files are imported
(the ingest used to fail in Streamlit's script thread) and the result says what happened."""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser_fixtures import serve  # noqa: E402

from devtools.report_fixtures import render_text  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.needs_tool("chromium")]


@pytest.fixture
def served(tmp_path):
    from etl.ingest import ingest_paths

    seed = tmp_path / "seed" / "seed.txt"
    seed.parent.mkdir()
    seed.write_text(render_text("2021", office="浏览器导入测试种子局"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest_paths([seed], db)
    with open(tmp_path / "server.log", "w") as log, \
            serve(db, env={"GKJB_UPLOAD_DIR": str(tmp_path / "uploads")}, stderr=log) as url:
        yield url, db, tmp_path


@pytest.mark.parametrize("n", [1, 2])
def test_import_one_or_two_files_in_the_browser(served, browser, n):
    url, db, tmp = served
    files = []
    for i in range(n):
        p = tmp / "pick" / f"上传{i}.txt"
        p.parent.mkdir(exist_ok=True)
        p.write_text(render_text("2021", office=f"浏览器导入测试第{i}局"), encoding="utf-8")
        files.append(str(p))
    ctx = browser.new_context(locale="zh-CN")  # the session's one Chromium (browser_fixtures)
    try:
        pg = ctx.new_page()
        pg.goto(f"{url}/upload")
        pg.wait_for_selector("[data-testid=stFileUploaderDropzoneInput]", state="attached", timeout=60000)
        pg.set_input_files("[data-testid=stFileUploaderDropzoneInput]", files)
        pg.get_by_role("button", name=f"导入 {n} 个文件").click(timeout=60000)
        try:
            pg.wait_for_selector("text=导入完成", timeout=120000)
        except Exception:
            raise AssertionError(pg.inner_text("body")[-800:] + (tmp / "server.log").read_text()[-2000:]) from None
        body = pg.inner_text("body")
        assert f"导入完成：{n} 份成功" in body and "signal only works" not in body
        assert pg.locator("[data-testid=stException]").count() == 0
        saved = sorted((tmp / "uploads").rglob("*.txt"))
        assert len(saved) == n and all("上传" in p.name for p in saved)
    finally:
        ctx.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM reports WHERE status <> 'failed'").fetchone()[0] == n + 1
    finally:
        con.close()
