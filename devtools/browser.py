"""The dashboard in a real browser, for browser tests and the page-load benchmarks: Debian's chromium through
Playwright (never `playwright install`), a `streamlit run app.py` server on a free loopback port, and
:func:`settle`, which waits until a page has finished rendering."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path):
    """`streamlit run app.py` against `db` on a free loopback port: (process, URL) once it answers."""
    log = tempfile.TemporaryFile()
    port = free_port()
    env = {**os.environ, "GKJB_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.headless", "true", "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    proc.log = log  # a file, not a pipe: an unread full pipe would block the server's logging (and the server)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def settle(pg, timeout: float = 60) -> float:
    """Wait until the script run finished and no skeleton placeholders remain; returns seconds waited."""
    t0 = time.time()
    pg.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout * 1000)
    quiet = 0
    while time.time() - t0 < timeout:
        # every wait bounded by what is left of `timeout`, not by Playwright's 30 s default (a loaded box)
        left_ms = max(1000.0, (timeout - (time.time() - t0)) * 1000)
        state = pg.get_attribute("[data-testid=stApp]", "data-test-script-state", timeout=left_ms)
        busy = pg.locator("[data-testid=stSkeleton]").count()
        quiet = quiet + 1 if state == "notRunning" and busy == 0 else 0
        if quiet >= 3:
            return time.time() - t0
        time.sleep(0.2)
    raise TimeoutError("page did not settle")
