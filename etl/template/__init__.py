"""The national report template, as data.

Everything that needs to know what a report contains — parsers, rules, the loader, the dashboard —
reads it from here. Canonical keys follow SPEC §3–§5: ``t2.<row>.<col>``, ``t3.<row>.<col>``,
``t4.<block>.<col>``. No key string is spelled anywhere else.

``model`` holds the shapes (sections, tables, rows, columns) and label normalisation, ``shared`` what
every version has in common, ``v2019`` and ``v2021`` one template version each.
"""
from __future__ import annotations

from functools import lru_cache

from . import v2019, v2021
from .model import Column, Row, SectionSpec, TableSpec, norm  # noqa: F401
from .shared import (OVERVIEW_TOPICS, REPORT_KINDS, SECTION_BY_KEY, SECTIONS, T3_APPLICANT_COLUMNS,  # noqa: F401
                     T3_COLUMN_VARIANTS, T3_COLUMNS, T3_OUTCOME_GROUPS, T4, T4_COLUMNS)
from .v2019 import T2_2019, T3_2019  # noqa: F401
from .v2021 import T2_2021, T3_2021, T3_2021_OLD_OTHER  # noqa: F401

VERSIONS = ("2019", "2021")


def template_for_year(year: int | None) -> str | None:
    """The template a report of this year must use (SPEC §1)."""
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


TABLES: dict[str, dict[int, TableSpec]] = {
    "2019": {2: T2_2019, 3: T3_2019, 4: T4},
    "2021": {2: T2_2021, 3: T3_2021, 4: T4},
}

# Fingerprints (SPEC §3): normalised fragments that only one version prints.
FINGERPRINTS: dict[str, tuple[str, ...]] = {"2019": v2019.FINGERPRINT, "2021": v2021.FINGERPRINT}

# Which document-number the templates were issued under (a v2021 report citing 60号 is suspicious).
TEMPLATE_DOCS = {"2019": v2019.TEMPLATE_DOC, "2021": v2021.TEMPLATE_DOC}


# ---------------------------------------------------------------------------------------------
# Key helpers
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def keys(version: str) -> tuple[str, ...]:
    """Every canonical key of a template version, in printed order."""
    return tuple(k for n in (2, 3, 4) for k in TABLES[version][n].keys())


@lru_cache(maxsize=None)
def all_keys() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in VERSIONS:
        for k in keys(v):
            seen.setdefault(k, None)
    return tuple(seen)


def split_key(key: str) -> tuple[int, str, str]:
    """'t3.granted.total' -> (3, 'granted', 'total')."""
    t, row, col = key.split(".")
    return int(t[1:]), row, col


def make_key(table: int, row: str, col: str) -> str:
    return f"t{table}.{row}.{col}"


def column(version: str, key: str) -> Column:
    table, row, col = split_key(key)
    return next(c for c in TABLES[version][table].columns[row] if c.key == col)


def label(version: str, key: str) -> str:
    """Human label of a key in Chinese, e.g. '予以公开 · 自然人'."""
    table, row, col = split_key(key)
    spec = TABLES[version][table]
    r = spec.row(row)
    c = column(version, key)
    return f"{r.label} · {c.label}"


def t3_outcome_rows(version: str, old_other: bool = False) -> tuple[str, ...]:
    """Outcome rows of table 3; ``old_other``: a 2021 report printing the 2019 single 其他处理 row."""
    if old_other:
        return t3_outcome_rows("2019")
    return tuple(r.key for r in TABLES[version][3].rows if r.group in T3_OUTCOME_GROUPS)


def other_keys_2021() -> tuple[str, ...]:
    """v2021 rows that together correspond to v2019 ``other`` (SPEC §4)."""
    return ("other_overdue_correction", "other_unpaid_fee", "other_misc")
