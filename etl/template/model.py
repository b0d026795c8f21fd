"""The shapes a template is made of (sections, tables, rows, columns) and label normalisation.

Matching of printed labels goes through :func:`norm`, which folds the variations seen in real reports
(full-width/ASCII punctuation, spaces and line breaks inside labels, 社会组织 for 社会公益组织).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

# ---------------------------------------------------------------------------------------------
# Label normalisation
# ---------------------------------------------------------------------------------------------
_PUNCT = str.maketrans({
    "(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "“": "\"", "”": "\"", "‘": "'", "’": "'",
    "．": ".", "、": "、", "—": "-", "–": "-", "－": "-", "〔": "[", "〕": "]", "［": "[", "］": "]",
})
_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Fold a printed label to a comparable form: NFKC digits, CJK parentheses, no whitespace."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits/letters -> ASCII; also ( ) -> ( )
    text = text.translate(_PUNCT)
    return _SPACE.sub("", text)


# ---------------------------------------------------------------------------------------------
# Sections (SPEC §2)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionSpec:
    number: int
    numeral: str
    key: str
    title: str
    keywords: tuple[str, ...]  # at least one must appear in a heading (after norm)
    # The printed titles a heading may carry, as a regular expression (default: the title itself).
    printed: str | None = None
    # A section some versions insert after section `after` (the later ones are then numbered one higher);
    # None for the six standard sections.
    after: int | None = None

    @property
    def title_pattern(self) -> str:
        return self.printed or re.escape(self.title)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | signed | amount
    unit: str | None = None  # canonical unit of the value, e.g. 万元


@dataclass(frozen=True)
class Row:
    key: str
    label: str  # as printed in the national template
    keywords: tuple[str, ...]  # normalised fragments that identify the row; the longest match wins
    group: str | None = None  # table 3 outcome group (granted/partial/denied/unable/rejected/other)
    block: str | None = None  # table 2 block label, e.g. 第二十条第（一）项
    mentions: tuple[str, ...] = ()  # words a narrative clause uses when it states this row's figures


@dataclass(frozen=True)
class TableSpec:
    number: int  # 2, 3 or 4
    version: str
    rows: tuple[Row, ...]
    columns: dict[str, tuple[Column, ...]]  # row key -> its columns (table 2 rows differ)

    def keys(self) -> list[str]:
        return [f"t{self.number}.{r.key}.{c.key}" for r in self.rows for c in self.columns[r.key]]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


def cols(*spec: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Version:
    """One template version: its tables, how to recognise it, and the traits consumers ask about
    instead of comparing version names."""
    name: str  # e.g. "2021"; also the value of reports.template
    first_year: int  # the first report year that must use it (SPEC §1)
    tables: dict[int, TableSpec]  # 2, 3, 4
    fingerprint: tuple[str, ...]  # normalised fragments only this version prints (SPEC §3)
    document: str  # the letter that issued it
    sections: tuple[SectionSpec, ...]
    # table 3 as read when a report of this version still prints the 2019 single （六）其他处理 row;
    # None when the version itself has that single row
    t3_single_other: TableSpec | None = None
    # its table-2 headers state 单位：万元, so an amount printed without a unit is in 万元
    amount_unit_stated: bool = False
    # table 2 counts documents issued / repealed / in force (a stock that carries over between years)
    document_stock: bool = False
    # documents of earlier templates a report of this version must not cite
    outdated_documents: tuple[str, ...] = ()
    # facts a table-2 row holds by definition, over {column key: value}; and what it usually holds, over
    # the values and {column key: printed unit} (used only to choose among readings)
    t2_row_holds: Callable[[dict], bool] | None = None
    t2_row_plausible: Callable[[dict, dict], bool] | None = None

    @property
    def splits_other(self) -> bool:
        """Table 3 splits （六）其他处理 into three rows (v2021 on)."""
        return self.t3_single_other is not None
