"""Lay out one report's cells like the national template (labels from etl.template)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from etl import template as T

from . import fmt

FLAG_CSS = {"inferred": "background-color:#FFF3C4", "uncertain": "background-color:#F8C9B8",
            "corrected": "background-color:#CFE3F7"}  # 人工更正 (etl/review.py)
KIND_CSS = {"empty": "color:#888;background-color:#F1F1F1", "na": "color:#888;background-color:#F1F1F1",
            "text": "background-color:#EBDDF0", "missing": "background-color:#F1F1F1"}


def shown_text(c: dict | None) -> str:
    if c is None:
        return "（未识别）"
    if c.get("flag") == "corrected":  # a hand correction: the corrected value (the parsed one is in 单元格明细)
        return f"{c['value']:g}"
    raw = c.get("raw")
    if isinstance(raw, str) and raw != "":
        return raw
    if c.get("kind") in ("empty", "na"):
        return {"empty": "（空白）", "na": "／"}[c["kind"]]
    v = c.get("value")
    return "（未识别）" if v is None or pd.isna(v) else f"{v:g}"


def css(c: dict | None) -> str:
    if c is None:
        return KIND_CSS["missing"]
    return FLAG_CSS.get(c.get("flag")) or KIND_CSS.get(c.get("kind")) or ""


def grids(cells: pd.DataFrame, version: str) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """{title: (text grid, css grid)} for tables 2 (one per block), 3 and 4, in template order."""
    by_key = {r["key"]: r for r in cells.to_dict("records")}
    out: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    spec2 = T.TABLES[version][2]
    for block in dict.fromkeys(r.block for r in spec2.rows):
        rows = [r for r in spec2.rows if r.block == block]
        cols = list(dict.fromkeys(c for r in rows for c in spec2.columns[r.key]))
        out[f"表二 · {block}"] = _grid(by_key, 2, rows, lambda r, cols=cols: cols, spec2)
    spec3 = T.TABLES[version][3]
    out["表三 · 收到和处理政府信息公开申请情况"] = _grid(by_key, 3, spec3.rows, lambda r: spec3.columns[r.key], spec3)
    out["表四 · 行政复议、行政诉讼情况"] = _grid(by_key, 4, T.T4.rows, lambda r: T.T4.columns[r.key], T.T4)
    return out


def _grid(by_key, n, rows, cols_of, spec):
    all_cols = list(dict.fromkeys(c for r in rows for c in cols_of(r)))
    text = pd.DataFrame(index=[r.label for r in rows], columns=[c.label for c in all_cols], dtype=object)
    style = pd.DataFrame("", index=text.index, columns=text.columns)
    for r in rows:
        row_cols = {c.key for c in spec.columns[r.key]}
        for c in all_cols:
            if c.key not in row_cols:
                text.loc[r.label, c.label] = "—"
                continue
            cell = by_key.get(T.make_key(n, r.key, c.key))
            text.loc[r.label, c.label] = shown_text(cell)
            style.loc[r.label, c.label] = css(cell)
    return text, style


def prov_text(prov) -> str:
    if isinstance(prov, str):
        try:
            prov = json.loads(prov)
        except ValueError:
            return prov
    if not prov:
        return ""
    parts = []
    if "page" in prov:
        parts.append(f"第{prov['page']}页")
    if "table" in prov:
        parts.append(f"表格{int(prov['table']) + 1}")
    if "row" in prov:
        parts.append(f"第{int(prov['row']) + 1}行")
    if "col" in prov:
        parts.append(f"第{int(prov['col']) + 1}列")
    if "line" in prov:
        parts.append(f"第{prov['line']}行（文本）")
    if "para" in prov:
        parts.append(f"第{int(prov['para']) + 1}段")
    return "，".join(parts) or json.dumps(prov, ensure_ascii=False)


def excerpt(source_path: str | None, fmt_: str | None, prov, context: int = 1, max_chars: int = 600) -> str | None:
    """A few lines around a line-based provenance, read from the source file (text formats only)."""
    if isinstance(prov, str):
        try:
            prov = json.loads(prov)
        except ValueError:
            return None
    if not source_path or not prov or "line" not in prov or fmt_ not in ("txt", "md", "html"):
        return None
    p = Path(source_path)
    try:
        if not p.is_file() or p.stat().st_size > 20 * 1024 * 1024:
            return None
        data = p.read_bytes()
    except OSError:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    lines = text.splitlines()
    i = int(prov["line"]) - 1
    if not 0 <= i < len(lines):
        return None
    lo, hi = max(0, i - context), min(len(lines), i + context + 1)
    return "\n".join(f"{'▶' if j == i else ' '} {j + 1:>5} │ {lines[j]}" for j in range(lo, hi))[:max_chars]


def cell_table(cells: pd.DataFrame, version: str) -> pd.DataFrame:
    order = {k: i for i, k in enumerate(T.keys(version))}
    df = cells.copy()
    df["label"] = df["key"].map(lambda k: T.label(version, k) if k in order else fmt.key_label(k))
    df["kind"] = df["kind"].map(lambda k: fmt.CELL_KIND.get(k, k))
    df["flag"] = df["flag"].map(lambda k: fmt.CELL_FLAG.get(k, k) if k else "")
    df["prov"] = df["prov"].map(prov_text)
    df["o"] = df["key"].map(lambda k: order.get(k, 10_000))
    df["tbl"] = df["tbl"].map(lambda n: f"表{'二三四'[int(n) - 2]}" if n in (2, 3, 4) else n)
    extra = []
    if "parsed_value" in df:  # hand corrections: the parsed value beside the corrected one
        extra = ["parsed_value", "correction_reason", "corrector", "corrected_at"]
        df.loc[df["flag"] != fmt.CELL_FLAG.get("corrected", "corrected"), "parsed_value"] = None
    return df.sort_values("o")[["tbl", "label", "raw", "value", *extra[:1], "kind", "unit", "note", "flag", "prov",
                                *extra[1:], "key"]]


LOCATED = {"heading": "按章节标题找到", "between_sections": "在相邻章节之间找到", "whole_document": "在全文中找到",
           "not_found": "未找到"}
TABLE_NAMES = {"2": "表二 主动公开", "3": "表三 依申请公开", "4": "表四 复议诉讼"}


def reading_frame(reading) -> pd.DataFrame | None:
    """How each table of a report was read (the parse result's ``reading``), one row per table."""
    if isinstance(reading, str):
        try:
            reading = json.loads(reading)
        except ValueError:
            return None
    if not reading or not reading.get("tables"):
        return None
    rows = []
    for n, t in sorted(reading["tables"].items()):
        rows.append({"表格": TABLE_NAMES.get(n, n), "定位": LOCATED.get(t.get("located"), t.get("located")),
                     "单元格": t.get("cells", 0), "直接读取": t.get("read", 0), "推断": t.get("inferred", 0),
                     "存疑": t.get("uncertain", 0), "未印出": t.get("not_printed", 0)})
    return pd.DataFrame(rows)


def uncertain_frame(cells: pd.DataFrame, version: str) -> pd.DataFrame:
    """Uncertain cells with the readings the parser could not choose between and the printed excerpt."""
    out = []
    for c in cells.to_dict("records"):
        if c.get("flag") != "uncertain":
            continue
        prov = c.get("prov")
        if isinstance(prov, str):
            try:
                prov = json.loads(prov)
            except ValueError:
                prov = {}
        prov = prov or {}
        cands = prov.get("candidates") or []
        label = T.label(version, c["key"]) if c["key"] in T.keys(version) else fmt.key_label(c["key"])
        out.append({"单元格": label, "候选读法（整行）": "；".join(cands) or "（无可行读法）",
                    "原文摘录": prov.get("excerpt") or "", "出处": prov_text({k: v for k, v in prov.items()
                                                                       if k in ("line", "page", "table", "row", "col")})})
    return pd.DataFrame(out)
