"""The 导入 page end to end in a real browser (issue 13 items 4 and 5): one or two picked files are imported
(the ingest used to fail in Streamlit's script thread) and the result says what happened."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
CHROMIUM = "/usr/bin/chromium"

from report_fixtures import render_text  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    from etl.ingest import ingest_paths

    seed = tmp_path / "seed" / "seed.txt"
    seed.parent.mkdir()
    seed.write_text(render_text("2021", office="浏览器导入测试种子局"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest_paths([seed], db)
    port = _free_port()
    env = {**os.environ, "GKJB_DB": str(db), "GKJB_UPLOAD_DIR": str(tmp_path / "uploads")}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start")
    yield url, db, tmp_path
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.mark.parametrize("n", [1, 2])
def test_import_one_or_two_files_in_the_browser(served, n):
    from playwright.sync_api import sync_playwright

    url, db, tmp = served
    files = []
    for i in range(n):
        p = tmp / "pick" / f"上传{i}.txt"
        p.parent.mkdir(exist_ok=True)
        p.write_text(render_text("2021", office=f"浏览器导入测试第{i}局"), encoding="utf-8")
        files.append(str(p))
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pg = b.new_page(locale="zh-CN")
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
        b.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM reports WHERE status <> 'failed'").fetchone()[0] == n + 1
    finally:
        con.close()
