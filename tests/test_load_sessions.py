"""Load: N concurrent browser sessions (Debian chromium through Playwright; loopback only) click through the
dashboard pages; no page shows an exception or a JS error, the server survives, and the RSS of the streamlit
process stays flat after warm-up.

The test makes a fixed number of page loads per session and takes the time they take: how many loads a machine
completes per minute is a benchmark figure (BENCHMARKS.md), measured by the command-line mode for a duration:

    .venv/bin/python tests/test_load_sessions.py --sessions 20 --seconds 150     # the BENCHMARKS.md figure
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # also run as a script
from dashboard.page_registry import PAGES as ALL_PAGES  # noqa: E402
from devtools.browser import CHROMIUM, start_server  # noqa: E402

PAGES = [p for p in ALL_PAGES if not p.hidden and p.shows_data]  # the sidebar's pages that show data


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0





# generous per-load limits: a page that has not settled after this long hangs, whatever the machine
LOAD_TIMEOUT_S = 300


async def _settle(pg, timeout: float = LOAD_TIMEOUT_S) -> None:
    t0 = time.monotonic()
    await pg.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout * 1000)
    quiet = 0
    while time.monotonic() - t0 < timeout:
        state = await pg.get_attribute("[data-testid=stApp]", "data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
        if quiet >= 2:
            return
        await asyncio.sleep(0.25)
    raise TimeoutError("page did not settle")


async def _session(browser, url: str, i: int, loads: int | None, until: float | None, out: dict) -> None:
    """Open a page, then make ``loads`` more page loads (or as many as fit before ``until``)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    ctx.set_default_timeout(LOAD_TIMEOUT_S * 1000)  # every wait, not only goto and settle (Playwright's is 30 s)
    pg = await ctx.new_page()
    pg.on("pageerror", lambda e: out["errors"].append(f"session {i}: JS error {e}"))
    k = i
    goto_ms = LOAD_TIMEOUT_S * 1000
    try:
        await pg.goto(f"{url}/{PAGES[k % len(PAGES)].url}", wait_until="domcontentloaded", timeout=goto_ms)
        await _settle(pg)
        done = 0
        while (loads is None or done < loads) and (until is None or time.monotonic() < until):
            k += 1
            done += 1
            spec = PAGES[k % len(PAGES)]
            name = spec.key
            t0 = time.monotonic()
            if k % 6 == 0 or spec.default:  # a full reload (new server-side session); the default page
                await pg.goto(f"{url}/{spec.url}", wait_until="domcontentloaded", timeout=goto_ms)
            else:           # otherwise in-app navigation through the sidebar
                link = pg.locator(f'[data-testid=stSidebarNav] a[href$="/{spec.url_path}"]').first
                try:
                    await link.click(timeout=goto_ms, force=True)  # no actionability wait: the app may be re-rendering
                except Exception as e:  # the sidebar was mid-re-render (link detached/hidden): go by URL instead
                    if "not visible" not in str(e) and "detached" not in str(e):
                        raise
                    out["fallbacks"] = out.get("fallbacks", 0) + 1
                    await pg.goto(f"{url}/{spec.url}", wait_until="domcontentloaded", timeout=goto_ms)
            await _settle(pg)
            n_exc = await pg.locator("[data-testid=stException]").count()
            if n_exc:
                text = await pg.locator("[data-testid=stException]").first.inner_text()
                out["errors"].append(f"session {i} page {name}: {text[:300]}")
            out["loads"].append(time.monotonic() - t0)
        out["sessions_done"] += 1
    except Exception as e:  # a timeout or a crash counts as an error
        out["errors"].append(f"session {i}: {type(e).__name__}: {str(e)[:300]}")
    finally:
        await ctx.close()


async def _drive(url: str, sessions: int, loads: int | None, seconds: float | None, out: dict) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        until = time.monotonic() + seconds if seconds is not None else None
        await asyncio.gather(*(_session(browser, url, i, loads, until, out) for i in range(sessions)))
        await browser.close()


def run_load(db: Path, sessions: int = 20, loads: int | None = None, seconds: float | None = None,
             sample_every: float = 2.0) -> dict:
    """``sessions`` concurrent sessions, each making ``loads`` page loads after its first page, or loading pages
    for ``seconds`` (the benchmark mode)."""
    assert loads is not None or seconds is not None
    proc, url = start_server(db)
    out = {"errors": [], "loads": [], "rss": [], "url": url, "sessions_done": 0}
    stop = threading.Event()
    t_start = time.monotonic()

    def sampler():
        while not stop.is_set():
            try:
                out["rss"].append((time.monotonic() - t_start, rss_mb(proc.pid)))
            except OSError:
                pass
            stop.wait(sample_every)

    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    try:
        # its own thread: a sync Playwright session of another test may own this thread's event loop
        driver = threading.Thread(target=lambda: asyncio.run(_drive(url, sessions, loads, seconds, out)))
        driver.start()
        driver.join()
        out["duration"] = time.monotonic() - t_start
        time.sleep(3)  # let the server release the sessions
    finally:
        stop.set()
        th.join()
        alive = proc.poll() is None
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.log.seek(0)
        err = proc.log.read()
    out["server_alive"] = alive
    out["server_log_errors"] = [ln for ln in err.decode("utf-8", "replace").splitlines()
                                if "Traceback" in ln or "Error" in ln][:20]
    out["summary"] = summarise(out)
    return out


def summarise(out: dict) -> dict:
    rss = out["rss"]
    warm = [r for t, r in rss if t > out["duration"] * 0.3]  # the first 30% of the run is warm-up
    third = max(1, len(warm) // 3)
    early, late = warm[:third], warm[-third:]
    loads = sorted(out["loads"])
    return {
        "duration_s": round(out["duration"]),
        "page_loads": len(loads),
        "sessions_done": out["sessions_done"],
        "load_p50_s": round(statistics.median(loads), 2) if loads else None,
        "load_p95_s": round(loads[int(len(loads) * 0.95) - 1], 2) if loads else None,
        "rss_start_mb": round(rss[0][1]) if rss else None,
        "rss_after_warmup_mb": round(statistics.median(early)) if early else None,
        "rss_end_mb": round(statistics.median(late)) if late else None,
        "rss_max_mb": round(max(r for _, r in rss)) if rss else None,
        "rss_samples_after_warmup": len(warm),
        "errors": len(out["errors"]),
        "sidebar_fallbacks": out.get("fallbacks", 0),
    }


SESSIONS = 20
LOADS_PER_SESSION = 6  # page switches after each session's first page: 120 in all, about a minute on a quiet box


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.needs_tool("chromium")
@pytest.mark.timeout(3600)  # however slow the machine: every load is bounded by LOAD_TIMEOUT_S
def test_twenty_sessions_memory_flat(tmp_path):
    from devtools.synthetic_warehouse import small_warehouse

    db = small_warehouse(tmp_path)
    res = run_load(db, sessions=SESSIONS, loads=LOADS_PER_SESSION, sample_every=1.0)
    s = res["summary"]
    print(s)
    assert res["server_alive"]
    assert not res["errors"], res["errors"][:5]
    # every session made every page load (each one settled, without an exception element)
    assert s["sessions_done"] == SESSIONS and s["page_loads"] == SESSIONS * LOADS_PER_SESSION, s
    assert s["rss_samples_after_warmup"] >= 9, s  # enough samples to compare early and late (one per second)
    # flat: the median RSS over the last third of the run is within 15% (or 60 MB) of the first third after warm-up
    assert s["rss_end_mb"] - s["rss_after_warmup_mb"] <= max(60, 0.15 * s["rss_after_warmup_mb"]), s


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    from devtools.synthetic_warehouse import small_warehouse

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=150)
    ap.add_argument("--db", default=None, help="warehouse (default: a synthetic one)")
    a = ap.parse_args()
    db = Path(a.db) if a.db else small_warehouse(Path(tempfile.mkdtemp()))
    res = run_load(db, a.sessions, seconds=a.seconds)
    print(json.dumps(res["summary"], ensure_ascii=False))
    print("rss samples (s, MB):", [(round(t), round(r)) for t, r in res["rss"]][:: max(1, len(res["rss"]) // 25)])
    for e in res["errors"][:10]:
        print("ERROR", e)
    print("server alive:", res["server_alive"], "log:", res["server_log_errors"][:5])
