"""Server memory while several browser sessions pick large uploads (issue 13 item 4).

Starts `streamlit run app.py` (from --root, default this checkout) on a one-report warehouse, opens
--sessions Chromium sessions on 导入 and picks --files files of --mb MB each in every one (all sessions
upload at once), samples the server's RSS, then optionally clicks 导入 in the first session (small files
only make sense: --import), closes the browsers and samples again after --after seconds.

    python benchmarks/upload_rss.py --sessions 3 --files 13 --mb 38
    python benchmarks/upload_rss.py --root /tmp/before ...      # the same against another checkout
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(HERE))
    ap.add_argument("--sessions", type=int, default=3)
    ap.add_argument("--files", type=int, default=13)
    ap.add_argument("--mb", type=float, default=38)
    ap.add_argument("--settle", type=float, default=240, help="max seconds to wait for the uploads")
    ap.add_argument("--after", type=float, default=150, help="seconds to wait after closing the browsers")
    a = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from devtools.browser import CHROMIUM
    from playwright.sync_api import sync_playwright

    from etl.ingest import ingest_paths
    from devtools.report_fixtures import render_text

    tmp = Path(tempfile.mkdtemp(prefix="gkjb-upload-rss-"))
    seed = tmp / "seed" / "seed.txt"
    seed.parent.mkdir()
    seed.write_text(render_text("2021"), encoding="utf-8")
    ingest_paths([seed], tmp / "w.duckdb")
    files = []
    line = ("政府信息公开工作年度报告 正文 " * 20 + "\n").encode()
    for i in range(a.files):
        p = tmp / "pick" / f"big{i}.txt"
        p.parent.mkdir(exist_ok=True)
        with p.open("wb") as f:
            f.write(line * int(a.mb * 1e6 / len(line)))
        files.append(str(p))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GKJB_DB": str(tmp / "w.duckdb"), "GKJB_UPLOAD_DIR": str(tmp / "uploads"),
           "PYTHONPATH": a.root}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=a.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    t0 = time.time()

    def sample():
        while not stop.is_set():
            samples.append((time.time() - t0, rss_mb(proc.pid)))
            time.sleep(0.25)

    threading.Thread(target=sample, daemon=True).start()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pages = []
        for _ in range(a.sessions):
            ctx = b.new_context(locale="zh-CN")
            pg = ctx.new_page()
            pg.goto(f"{url}/upload")
            pg.wait_for_selector("[data-testid=stFileUploaderDropzoneInput]", state="attached", timeout=120000)
            pages.append((ctx, pg))
        time.sleep(2)
        base = rss_mb(proc.pid)  # app loaded, sessions open, nothing picked yet
        for _, pg in pages:
            pg.set_input_files("[data-testid=stFileUploaderDropzoneInput]", files)
        t_up = time.time()
        last, stable = None, 0
        while time.time() - t_up < a.settle and stable < 20:  # 10 s without RSS change: uploads done
            time.sleep(0.5)
            now = round(rss_mb(proc.pid))
            stable = stable + 1 if last is not None and abs(now - last) < 3 else 0
            last = now
        upload_peak = max(r for _, r in samples)
        held = rss_mb(proc.pid)
        states = [pg.inner_text("[data-testid=stFileUploader]").replace("\n", " ")[-300:] for _, pg in pages]
        for ctx, _ in pages:
            ctx.close()
        b.close()
    closed = time.time()
    time.sleep(a.after)
    after = rss_mb(proc.pid)
    stop.set()
    proc.terminate()
    proc.wait(20)
    print(f"root {a.root}: {a.sessions} sessions x {a.files} files x {a.mb:g} MB "
          f"({a.sessions * a.files * a.mb:.0f} MB picked)")
    print(f"server RSS: start {base:.0f} MB, peak during uploads {upload_peak:.0f} MB, held after uploads {held:.0f} MB, "
          f"{a.after:.0f} s after the browsers closed {after:.0f} MB")
    for st in states:
        print("  picker:", st)
    print(f"(uploads settled {closed - t_up:.0f} s after picking)")


if __name__ == "__main__":
    main()
