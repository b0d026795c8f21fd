"""Cell semantics (SPEC §6): what a printed cell means — number, zero, empty, not applicable or text —
with its unit and note kept beside the number."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NA_TEXTS = {"/", "／", "-", "—", "——", "--", "－", "–", "无", "不适用", "n/a", "N/A", "\\", "、", "×"}
UNITS = ("万元", "元", "件", "个", "条", "项", "次", "人次")

# A number, optionally signed, with thousands separators, an optional unit and an optional note in brackets.
VALUE_RE = re.compile(
    r"^(?P<sign>[+\-−]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|元|件|个|条|项|次|人次)?\s*(?P<note>[（(\[【].*[)）\]】])?$"
)


@dataclass
class Parsed:
    value: float | int | None
    kind: str  # number | zero | empty | na | text
    unit: str | None = None
    note: str | None = None


def fold(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "").replace("\xa0", " ").strip()
    return s.replace("，", ",")


def parse_value(raw: str) -> Parsed:
    s = fold(raw)
    if s == "":
        return Parsed(None, "empty")
    if s in NA_TEXTS:
        return Parsed(None, "na")
    if len(s) > 64:
        return Parsed(None, "text")  # no table count has 60 digits: a run of digits that long is not a value
    m = VALUE_RE.match(s)
    if not m:
        return Parsed(None, "text")
    num = m.group("num").replace(",", "")
    value: float | int = float(num) if "." in num else int(num)
    if m.group("sign") in ("-", "−"):
        value = -value
    note = m.group("note")
    if note:
        note = note[1:-1].strip() or None
    return Parsed(value, "zero" if value == 0 else "number", m.group("unit"), note)


def is_value_text(raw: str) -> bool:
    """True for anything that occupies a value position in a table: numbers, blanks, n/a marks."""
    return parse_value(raw).kind != "text"
