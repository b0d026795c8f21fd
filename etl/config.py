"""Configuration read from the environment, in one place: where the warehouse is, whether OCR runs, which
compliance policy applies. Every module that needs one of these asks here instead of reading os.environ.

- ``GKJB_DB``: the warehouse — a .duckdb file, a Parquet export directory or an s3:// / https:// URL.
  A relative path is relative to the project root (not the working directory), for the dashboard, the
  sandbox and the CLI alike.
- ``GKJB_OCR``: ``0``/``no``/``off``/``false`` turns OCR of scanned PDFs off (default on when tesseract is
  installed).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WAREHOUSE_ENV = "GKJB_DB"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
OCR_ENV = "GKJB_OCR"
POLICY_PATH = Path(__file__).resolve().parent / "rules" / "policy.toml"


def warehouse_setting() -> str:
    """The warehouse as configured, unresolved: GKJB_DB, or the default."""
    return os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE


def warehouse_path() -> Path:
    """The configured warehouse as a local path (GKJB_DB, else the default); relative → under ROOT.
    A path given explicitly (``--db``) is used as given."""
    p = Path(warehouse_setting())
    return p if p.is_absolute() else ROOT / p


def ocr_enabled() -> bool:
    return os.environ.get(OCR_ENV, "1").strip().lower() not in ("0", "no", "off", "false")
