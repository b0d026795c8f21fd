"""A read-only view of one parse result (SPEC §9 dict) that rules query cell by cell."""
from __future__ import annotations

from etl import template as T

# Cell states used by the rules
OK, FLAGGED, BLANK, UNKNOWN, MISSING = "ok", "flagged", "blank", "unknown", "missing"


def row_key(spec: T.TableSpec, word: str) -> str:
    """The key of the row of ``spec`` whose template keywords include ``word``."""
    return next(r.key for r in spec.rows if word in r.keywords)


# Row/column keys looked up from the template (never spelled here).
T3_TOTAL = T.T3_TOTAL_COLUMN
T4_TOTAL = T.T4_TOTAL_COLUMN
NEW_RECEIVED = row_key(T.T3_2019, "本年新收")
CARRIED_OVER = row_key(T.T3_2019, "上年结转")
TOTAL_PROCESSED = row_key(T.T3_2019, "总计")
CARRIED_FORWARD = row_key(T.T3_2019, "结转下年度")
GRANTED = row_key(T.T3_2019, "予以公开")
PARTIAL = row_key(T.T3_2019, "部分公开")
UNPAID_FEE = row_key(T.T3_2021, "缴纳费用")
REGULATIONS = row_key(T.T2_2019, "规章")
T4_REVIEW = row_key(T.T4, "行政复议")
T4_SUITS = tuple(r.key for r in T.T4.rows if r.key != T4_REVIEW)


class View:
    def __init__(self, result: dict):
        self.r = result
        self.year = result.get("year")
        self.office = result.get("office")
        self.status = result.get("status") or ("failed" if result.get("error") else "ok")
        self.found_template = result.get("template")
        self.expected_template = result.get("template_expected") or T.template_for_year(self.year)
        flags = result.get("flags") or {}
        self.has_cells = bool(result.get("cells"))
        self.cells: dict[str, dict] = {}
        for c in result.get("cells") or []:
            d = dict(c)
            if flags.get(c["key"]):
                d["flag"] = flags[c["key"]]
            self.cells[c["key"]] = d
        if not self.has_cells:
            for k, v in (result.get("values") or {}).items():
                kind = "unknown" if v is None else ("zero" if v == 0 else "number")
                self.cells[k] = {"key": k, "value": v, "raw": None if v is None else str(v), "kind": kind,
                                 "flag": flags.get(k), "unit": None}
        self.version = self.found_template or self.expected_template or self._guess_version()
        self.sections = {s["number"]: s for s in result.get("sections") or [] if s.get("number")}
        # numbers read by OCR from scanned pages are never confident: a mismatch is UNCERTAIN, not FAIL
        self.ocr = bool(result.get("needs_ocr_pages"))

    def _guess_version(self) -> str:
        # the latest version whose own keys (those of no earlier version) the result has cells for
        for i in range(len(T.VERSIONS) - 1, 0, -1):
            own = set(T.keys(T.VERSIONS[i])) - {k for v in T.VERSIONS[:i] for k in T.keys(v)}
            if any(self.cells.get(k, {}).get("kind") not in (None, "missing") for k in own):
                return T.VERSIONS[i]
        return T.VERSIONS[0]

    # -- cells --------------------------------------------------------------------------------
    def cell(self, key: str) -> dict:
        c = self.cells.get(key)
        if c is None:
            return {"key": key, "value": None, "raw": None, "kind": "missing", "flag": None, "unit": None}
        return c

    def state(self, key: str) -> str:
        c = self.cell(key)
        kind, value, flag = c.get("kind"), c.get("value"), c.get("flag")
        if kind == "missing":
            return MISSING
        if flag == "uncertain" or (value is None and kind in ("text", "unknown", None)):
            return UNKNOWN
        if value is None:
            return BLANK if kind in ("empty", "na", "zero") else UNKNOWN
        # an inferred value is one the parser decided (a unique reading of glued digits, a cell placed by
        # its column): it counts; values read by OCR may hide misread digits and do not — unless a person
        # corrected the cell by hand (etl/review.py)
        return FLAGGED if self.ocr and flag != "corrected" else OK

    def num(self, key: str) -> float | None:
        st = self.state(key)
        if st in (OK, FLAGGED):
            return float(self.cell(key)["value"])
        if st == BLANK:
            return 0.0
        return None

    def evidence(self, key: str) -> dict:
        c = self.cell(key)
        try:
            lab = T.label(self.version, key)
        except (StopIteration, KeyError, ValueError):
            lab = key
        ev = {"key": key, "label": lab, "value": c.get("value"), "raw": c.get("raw"), "kind": c.get("kind")}
        if c.get("flag"):
            ev["flag"] = c["flag"]
        if c.get("unit"):
            ev["unit"] = c["unit"]
        return ev

    def table_keys(self, n: int) -> list[str]:
        return T.TABLES[self.version][n].keys()

    def table_present(self, n: int) -> bool:
        return any(self.state(k) != MISSING for k in self.table_keys(n))

    # -- text -----------------------------------------------------------------------------------
    def text(self, n: int) -> str | None:
        s = self.sections.get(n)
        return None if s is None else (s.get("text") or "")

    def narrative(self) -> str:
        return "\n".join((self.sections[n].get("text") or "") for n in sorted(self.sections))

    def values_for(self, keys) -> dict:
        return {k: self.num(k) for k in keys}


def equation(view: View, what: str, lhs: list[str], rhs: list[str], tol: float = 1e-6) -> dict:
    """Check sum(lhs) == sum(rhs). Blanks count as 0 (SPEC §6) and inferred values count as read; an
    unknown cell gives UNCERTAIN; a mismatch that involves blank cells or cells read by OCR is UNCERTAIN,
    not FAIL."""
    keys = lhs + rhs
    states = {k: view.state(k) for k in keys}
    out = {"what": what, "cells": [view.evidence(k) for k in keys]}
    if all(s == MISSING for s in states.values()):
        out["status"] = "NOT_ASSESSABLE"
        return out
    if any(s in (UNKNOWN, MISSING) for s in states.values()):
        out["status"] = "UNCERTAIN"
        return out
    a = sum(view.num(k) for k in lhs)
    b = sum(view.num(k) for k in rhs)
    out["lhs"], out["rhs"] = _clean(a), _clean(b)
    if abs(a - b) <= tol:
        out["status"] = "PASS"
    elif any(s in (FLAGGED, BLANK) for s in states.values()):
        out["status"] = "UNCERTAIN"  # e.g. totals left blank (T3-BLANK warns): not an arithmetic error
    else:
        out["status"] = "FAIL"
    return out


def _clean(x: float):
    return int(x) if float(x).is_integer() else round(x, 4)
