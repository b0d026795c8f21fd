"""Parse one report file into the result described in docs/ARCHITECTURE.md (SPEC §9 contract + cells)."""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from . import PARSER_VERSION
from . import metadata as M
from . import template as T
from .document import Block, Document, ExtractError
from .extractors import extract
from .reader import CellRead, is_prose, read_table

_HEADING = re.compile(r"^([一二三四五六七])\s*[、.,，：:]\s*(.*)$")


_SUBHEAD = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]|^[一二三四五六七八九十]{1,3}是")


def _is_prose(text: str) -> bool:
    """Sentences and the sub-headings that structure them (（一）主动公开…), not bare table labels."""
    t = text.strip()
    return len(t) >= 40 or any(p in t for p in "。，；！？") or bool(_SUBHEAD.match(t))


def find_sections(doc: Document) -> list[dict]:
    """The six numbered sections, found in order by numeral + keywords (SPEC §2). Reports from 2025 insert
    a section 五、信息处理费收取情况 and number the later ones one higher: a heading whose numeral is one
    past its section's is accepted, and an inserted section (etl.template.inserted_sections) ends the one
    before it; its text is kept when a template version reads it."""
    found: list[dict] = []
    bounds: list[int] = []
    last = 0
    for i, b in enumerate(doc.blocks):
        parts = [c.text.strip() for c in b.cells if c.text.strip()]
        if len(parts) != 1:
            continue
        text = T.norm(parts[0])
        if len(text) > 40 or text.endswith("。"):
            continue
        m = _HEADING.match(text)
        if not m:
            continue
        # an inserted section is taken once section `after` or the one before it (if `after` went
        # unrecognised) has been found
        inserted = next((s for s in T.inserted_sections() if last >= s.after - 1
                         and any(k in m.group(2) for k in s.keywords)), None)
        if inserted is not None:
            if T.reads_section(inserted.key):
                found.append({"number": inserted.number, "key": inserted.key, "title": parts[0], "block": i,
                              "prov": b.prov or b.cells[0].prov})
            bounds.append(i)
            continue
        numeral = "一二三四五六七".index(m.group(1)) + 1
        spec = next((s for s in T.SECTIONS if s.number > last and s.number in (numeral, numeral - 1)
                     and any(k in m.group(2) for k in s.keywords)), None)
        if spec is None or (spec.number != numeral and not bounds):
            continue
        found.append({"number": spec.number, "key": spec.key, "title": parts[0], "block": i,
                      "prov": b.prov or b.cells[0].prov})
        bounds.append(i)
        last = spec.number
    for s in found:
        end = min((x for x in bounds if x > s["block"]), default=len(doc.blocks))
        s["end"] = end
        # the narrative: prose lines only, not table headings and labels that every report prints alike
        s["text"] = "\n".join(b.text for b in doc.blocks[s["block"] + 1:end]
                              if b.kind == "text" and _is_prose(b.text))
    return found


def _region(doc: Document, sections: list[dict], number: int) -> list[Block]:
    """Blocks of section `number`; without that heading, the span between its neighbours."""
    by_no = {s["number"]: s for s in sections}
    if number in by_no:
        s = by_no[number]
        return doc.blocks[s["block"] + 1:s["end"]]
    before = [s for s in sections if s["number"] < number]
    after = [s for s in sections if s["number"] > number]
    start = before[-1]["end"] if before and before[-1]["end"] < len(doc.blocks) else (before[-1]["block"] + 1 if before else 0)
    if before:
        start = before[-1]["block"] + 1
    end = after[0]["block"] if after else len(doc.blocks)
    return doc.blocks[start:end]


def detect_template(doc: Document) -> tuple[str | None, dict]:
    text = T.norm(doc.plain_text())
    hits = {v: [f for f in T.FINGERPRINTS[v] if f in text] for v in T.VERSIONS}
    score = {v: len(h) for v, h in hits.items()}
    best = [v for v in score if score[v] == max(score.values())]
    # a version that prints everything another prints and more did not win by its extra fragments
    best = [v for v in best if not any(set(T.FINGERPRINTS[v]) > set(T.FINGERPRINTS[w]) for w in best)]
    if len(best) != 1:
        return None, hits
    return best[0], hits


def _header_unit(region: list[Block], col: T.Column) -> str | None:
    """A unit printed in a column heading (采购总金额（元）) rather than in the cells."""
    text = T.norm(" ".join(b.text for b in region))
    m = re.search(re.escape(T.norm(col.label)) + r"[（(](?:单位[:：])?(万元|元)[)）]", text)
    return m.group(1) if m else None


def _amount(cell: CellRead, col: T.Column, version: str, problems: list[dict], key: str,
            header_unit: str | None = None) -> CellRead:
    """Normalise money to 万元; keep the printed unit; mark a missing unit as unknown."""
    if col.kind != "amount" or cell.value is None:
        return cell
    if cell.unit is None and header_unit:
        cell.unit = header_unit
    if cell.unit == "元":
        cell.value = round(cell.value / 10000, 6)
    elif cell.unit is None:
        if T.version(version).amount_unit_stated:
            cell.unit = "万元"  # the header states 单位：万元
        else:
            cell.unit = "unknown"
            problems.append({"code": "unit_unknown", "message": f"{T.label(version, key)}：金额未注明单位（按万元读取）",
                             "prov": cell.prov or {}})
    return cell


def _vet_ocr_row(table: int, cells: list[CellRead]) -> list[CellRead]:
    """Numbers read by OCR are machine readings: mark them inferred, and withhold a whole row whose own
    sum does not hold (a misread digit is likelier than an office's arithmetic slip)."""
    nums = [c.value if isinstance(c.value, (int, float)) else 0 for c in cells]
    width = {3: len(T.T3_COLUMNS), 4: len(T.T4_COLUMNS)}.get(table)  # tables whose last column is the total
    adds_up = True
    if len(nums) == width:
        adds_up = abs(sum(nums[:-1]) - nums[-1]) < 1e-9
    out = []
    for c in cells:
        if not adds_up:
            out.append(CellRead(None, c.raw, c.kind, c.prov, c.unit, c.note, flag="uncertain"))
        else:
            out.append(CellRead(c.value, c.raw, c.kind, c.prov, c.unit, c.note, flag=c.flag or "inferred"))
    return out


def _reading_counts(cells: list[dict], missing_rows: list[str], spec: T.TableSpec) -> dict:
    """How the cells of one table were read: printed and read as is, inferred (glued digits decoded,
    a missing cell placed by the identities), uncertain (several readings left), or in rows not printed."""
    not_printed = {T.make_key(spec.number, r, c.key) for r in missing_rows for c in spec.columns[r]}
    out = {"cells": len(cells), "read": 0, "inferred": 0, "uncertain": 0, "not_printed": len(not_printed)}
    for c in cells:
        if c["key"] in not_printed:
            continue
        if c["flag"] == "inferred":
            out["inferred"] += 1
        elif c["flag"] == "uncertain":
            out["uncertain"] += 1
        else:
            out["read"] += 1
    return out


def parse_document(doc: Document) -> dict:
    sections = find_sections(doc)
    info = M.title_info(doc)
    full_text = doc.plain_text()
    year = info["year"] or M.guess_year(full_text)
    expected = T.template_for_year(year)
    found_tpl, hits = detect_template(doc)
    version = found_tpl or expected or T.latest()
    problems = list(doc.problems)
    if found_tpl and expected and found_tpl != expected:
        problems.append({"code": "template_mismatch",
                         "message": f"{year}年报告使用了{found_tpl}版表格（应为{expected}版）", "prov": {}})

    # narrative clauses: numbers a report states in words may decide between readings of glued digits
    clauses = [c for b in doc.blocks if b.kind == "text" and is_prose(b.text)
               for c in re.split(r"[。；，;！？]", b.text) if re.search(r"\d", c)]
    values: dict[str, float | int | None] = {k: None for k in T.keys(version)}
    flags: dict[str, str] = {}
    cells: list[dict] = []
    tables_found = {}
    reading: dict = {"unfolded": any("offset" in b.prov for b in doc.blocks), "tables": {}}
    for number in (2, 3, 4):
        spec = T.TABLES[version][number]
        region = _region(doc, sections, {2: 2, 3: 3, 4: 4}[number])
        rows, probs = read_table(spec, region, clauses)
        problems.extend(probs)
        reading["tables"][str(number)] = {
            "located": ("heading" if any(x["number"] == number for x in sections) else
                        "between_sections" if sections else "whole_document") if rows else "not_found",
            "problems": sorted({p["code"] for p in probs})}
        tables_found[number] = len(rows)
        printed = [r.key for r in spec.rows]
        old_other = number == 3 and T.SINGLE_OTHER in rows and T.SINGLE_OTHER not in printed
        split_other = T.split_other_rows(version) if old_other else ()
        if old_other:
            tables_found[number] += len(split_other) - 1  # the single row stands for the split rows
        for r in (T.t3_single_other(version).rows if old_other else spec.rows):
            if r.key in split_other:
                continue  # not printed: the report uses the 2019 single row instead
            row_cells = rows.get(r.key)
            if row_cells and any((c.prov or {}).get("ocr") for c in row_cells):
                row_cells = _vet_ocr_row(number, row_cells)
            for i, col in enumerate(T.T3_COLUMNS if old_other and r.key == T.SINGLE_OTHER else spec.columns[r.key]):
                key = T.make_key(number, r.key, col.key)
                if row_cells is None:
                    c = CellRead(None, None, "missing", None, flag="uncertain")
                else:
                    c = _amount(row_cells[i], col, version, problems, key,
                                _header_unit(region, col) if col.kind == "amount" else None)
                if c.flag:
                    flags[key] = c.flag
                if c.kind == "text" and c.value is None:
                    pass
                values[key] = c.value if c.flag != "uncertain" else None
                cells.append({"key": key, "table": number, "row": r.key, "col": col.key, "value": values[key],
                              "raw": c.raw, "kind": c.kind, "unit": c.unit, "note": c.note, "flag": c.flag,
                              "prov": c.prov or {}})
        missing_rows = [r.key for r in spec.rows if r.key not in rows and r.key not in split_other]
        mine = [c for c in cells if c["table"] == number]
        reading["tables"][str(number)].update(_reading_counts(mine, missing_rows, spec))
        if rows and missing_rows:
            problems.append({"code": "rows_missing",
                             "message": f"表{number}缺少行：" + "、".join(spec.row(k).label for k in missing_rows),
                             "prov": {}})
        elif not rows:
            problems.append({"code": "table_missing", "message": f"未找到表{number}", "prov": {}})

    office = info["office"]
    n_read = sum(1 for c in cells if c["kind"] != "missing" or c["flag"] == "inferred")
    scanned = bool(doc.meta.get("needs_ocr_pages"))
    if not sections and n_read == 0 and year is None and not scanned:
        raise ExtractError("not_a_report", "no report sections, tables or year found: not an annual report")
    if office is None:
        office = M.from_signature(doc)
        if office:
            problems.append({"code": "office_from_signature", "message": f"单位名称取自落款：{office}", "prov": {}})
    if office is None or year is None:
        named = M.from_filename(doc.path)
        if office is None and named["office"]:
            office = named["office"]
            problems.append({"code": "office_from_filename", "message": f"单位名称取自文件名：{office}", "prov": {}})
        if year is None and named["year"]:
            year = named["year"]
            expected = T.template_for_year(year)
            problems.append({"code": "year_from_filename", "message": f"年度取自文件名：{year}", "prov": {}})
    complete = all(tables_found[n] == len(T.TABLES[version][n].rows) for n in (2, 3, 4))
    all_sections = {s.key for s in T.sections(version)} <= {s["key"] for s in sections}
    status = "ok" if complete and all_sections and "uncertain" not in flags.values() else "partial"
    if scanned and n_read == 0:
        status = "needs_ocr"  # received, but its pages are images: counted as received, not as read
    result = {
        "format": doc.format,
        "office": office,
        "office_aliases": M.aliases(office, full_text),
        "year": year,
        "template": found_tpl or (expected if any(tables_found.values()) else None),
        "template_expected": expected,
        "template_fingerprints": hits,
        "report_kind": M.report_kind(office, full_text),
        "published_on": M.published_on(doc, year),
        "title": info["title"],
        "status": status,
        "values": values,
        "flags": flags,
        "cells": cells,
        "sections": [{k: s[k] for k in ("number", "key", "title", "text", "prov")} for s in sections],
        "problems": problems,
        "needs_ocr_pages": doc.meta.get("needs_ocr_pages", []),
        "encoding": doc.meta.get("encoding"),
        "reading": reading,
    }
    return result


def parse_file(path: str | Path, data: bytes | None = None) -> dict:
    """Parse a report file. Raises ExtractError for a file that cannot be read at all."""
    t0 = time.perf_counter()
    path = Path(path)
    if data is None:
        data = path.read_bytes() if path.is_file() and path.stat().st_size <= 64 * 1024 * 1024 else None
    doc = extract(path, data)
    result = parse_document(doc)
    result["file"] = str(path)
    result["sha256"] = hashlib.sha256(data).hexdigest() if data is not None else None
    result["parser_version"] = PARSER_VERSION
    result["seconds"] = round(time.perf_counter() - t0, 4)
    return result
