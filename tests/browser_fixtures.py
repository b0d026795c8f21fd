"""Browser test fixtures shared by every browser test module (registered in conftest.py as a plugin, so one
Chromium serves the whole session: two sync Playwright instances cannot run in one process).

``server``: `streamlit run app.py` on a free port against the demo warehouse · ``browser``: Debian chromium
through Playwright (never `playwright install`) · ``page``: a fresh 1366×768 page that collects JS errors.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, free_port as _free_port

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def serve(db, env: dict | None = None, stderr=subprocess.DEVNULL, tries: int = 240):
    """`streamlit run app.py` on loopback and a free port against ``db``; yields its URL, stops it after."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env={**os.environ, "GKJB_DB": str(db), **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    for _ in range(tries):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(demo_db):
    with serve(demo_db, tries=120) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()
