"""The printable 通报 (notice) a supervisor sends down for a region and a year: coverage (missing / late
reports), score ranking, main problems per office with evidence, and the change from the year before —
as DOCX (python-docx) or PDF (reportlab), in Chinese, with the demo banner on demo data.

    from etl.notice import generate
    generate("data/warehouse.duckdb", "示例省/青川市", 2024, "通报.docx")
"""
from __future__ import annotations

from pathlib import Path

from etl.warehouse import connect

from .content import blocks
from .data import DEMO_BANNER, Notice, NoticeError, collect  # noqa: F401

FORMATS = ("docx", "pdf")


def render(notice: Notice, fmt: str) -> bytes:
    # lazy: python-docx or reportlab, only the one the format needs
    if fmt == "docx":
        from .render_docx import render as r
    elif fmt == "pdf":
        from .render_pdf import render as r
    else:
        raise NoticeError(f"不支持的格式：{fmt}（可选 docx、pdf）")
    return r(blocks(notice), DEMO_BANNER if notice.demo else None)


def build(con, region: str, year: int, fmt: str) -> tuple[Notice, bytes]:
    """The notice of ``region``/``year`` from an open warehouse connection, rendered as ``fmt``."""
    n = collect(con, region, year)
    return n, render(n, fmt)


def filename(notice: Notice, fmt: str) -> str:
    return f"{notice.region_name}{notice.year}年度政府信息公开工作年度报告通报.{fmt}"


def generate(db: str | Path, region: str, year: int, out: str | Path) -> Notice:
    """Write the notice to ``out`` (format from its suffix). The file appears whole or not at all."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise NoticeError(f"输出文件应以 .docx 或 .pdf 结尾：{out}")
    con = connect(db, read_only=True)
    try:
        n, data = build(con, region, year, fmt)
    finally:
        con.close()
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return n
