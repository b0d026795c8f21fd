"""Page load times a user sees, in a real browser, on a given warehouse.

    python benchmarks/page_loads.py --db /tmp/b35/b35m.duckdb [--rounds 3]

Starts the dashboard (streamlit) on the warehouse, opens every page in Debian's chromium through
Playwright, and times from navigation until the script run has finished and no placeholder is left
(devtools.browser.settle). Round 1 is cold (nothing cached: every query runs); later rounds open the
same URLs again in new browser contexts (Streamlit's cache by data version answers). Prints a table and JSON.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.page_registry import PAGES as ALL_PAGES  # noqa: E402
from devtools.browser import CHROMIUM, settle, start_server  # noqa: E402

PAGES = [p for p in ALL_PAGES if not p.hidden and p.shows_data]  # the sidebar's pages that show data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = start_server(Path(a.db))
    times: dict[str, list[float]] = {p.key: [] for p in PAGES}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for _ in range(a.rounds):
                for page in PAGES:
                    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
                    pg = ctx.new_page()
                    pg.goto(f"{url}/{page.url}", wait_until="domcontentloaded", timeout=180_000)
                    times[page.key].append(round(settle(pg, timeout=180), 2))
                    print(f"  {page.key}: {times[page.key][-1]} s", file=sys.stderr, flush=True)
                    assert pg.locator("[data-testid=stException]").count() == 0, page.key
                    ctx.close()
            browser.close()
    finally:
        proc.kill()
    print("| page | cold (s) | warm median (s) |\n|---|---|---|")
    for k, v in times.items():
        print(f"| {k} | {v[0]} | {statistics.median(v[1:]) if len(v) > 1 else '-'} |")
    print(json.dumps(times))


if __name__ == "__main__":
    main()
