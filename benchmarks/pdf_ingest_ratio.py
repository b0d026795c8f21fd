"""Full PDF ingest (parse + load + rules + marts) against raw pypdfium2 text extraction of the same files.

    python benchmarks/pdf_ingest_ratio.py DIR_WITH_PDFS [--workers N]

Raw = open each PDF and call get_text_range() on every page, one process. Ingest = `python -m etl ingest`
into a fresh warehouse (OCR off, so only text-layer PDFs are meaningful here)."""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.extractors.pdf import raw_text_pages


def raw_seconds(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        raw_text_pages(str(f))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    files = sorted(Path(a.folder).glob("*.pdf"))
    raw = raw_seconds(files)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "ingest", a.folder, "--db", str(Path(tmp) / "w.duckdb"),
                        "--workers", str(a.workers), "--no-progress"], check=True, capture_output=True,
                       env={**os.environ, "GKJB_OCR": "0"})
        full = time.perf_counter() - t
    print(f"{len(files)} PDFs: raw pypdfium2 text {raw:.2f}s ({len(files) / raw:.1f}/s); full ingest with "
          f"{a.workers} worker(s) {full:.2f}s ({len(files) / full:.1f}/s); ratio {full / raw:.1f}x")


if __name__ == "__main__":
    main()
