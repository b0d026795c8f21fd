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
from .model import Column, Row, SectionSpec, TableSpec, Version, norm  # noqa: F401
from .shared import (INSERTED_SECTIONS, OVERVIEW_TOPICS, REPORT_KINDS, SECTION_BY_KEY, SECTIONS,  # noqa: F401
                     T3_APPLICANT_COLUMNS, T3_CARRIED_FORWARD, T3_CARRIED_OVER, T3_COLUMN_VARIANTS, T3_COLUMNS,
                     T3_GRANTED, T3_GROUP_LABELS, T3_NEW_RECEIVED, T3_NOT_HELD, T3_NOTE, T3_OUTCOME_GROUPS,
                     T3_OUTCOME_HEAD, T3_PARTIALLY_GRANTED, T3_REASON_GROUPS, T3_TOTAL_COLUMN,
                     T3_TOTAL_PROCESSED_ROW, T4, T4_COLUMNS, T4_TOTAL_COLUMN)
from .v2019 import SINGLE_OTHER, T2_2019, T3_2019  # noqa: F401
from .v2021 import T2_2021, T3_2021, T3_2021_OLD_OTHER  # noqa: F401

# ---------------------------------------------------------------------------------------------
# The versions (a registry: a test or a deployment may add one, see register())
# ---------------------------------------------------------------------------------------------
BUILT_IN: tuple[Version, ...] = (v2019.VERSION, v2021.VERSION)
VERSION_BY_NAME: dict[str, Version] = {}
VERSIONS: tuple[str, ...] = ()  # names, oldest first
TABLES: dict[str, dict[int, TableSpec]] = {}
# Fingerprints (SPEC §3): normalised fragments that only one version prints.
FINGERPRINTS: dict[str, tuple[str, ...]] = {}
# Which document-number the templates were issued under (a v2021 report citing 60号 is suspicious).
TEMPLATE_DOCS: dict[str, str] = {}

T2_PROCUREMENT = v2019.PROCUREMENT  # 政府集中采购: only in v2019


def register(version: Version) -> None:
    """Add (or replace) a template version. Everything that asks this module (readers, rules, marts,
    dashboard) then knows it; parse workers get it through :func:`registered` / :func:`adopt`."""
    VERSION_BY_NAME[version.name] = version
    _rebuild()


def _rebuild() -> None:
    """The views by version name that consumers read, from the registry."""
    global VERSIONS
    ordered = sorted(VERSION_BY_NAME.values(), key=lambda v: v.first_year)
    VERSIONS = tuple(v.name for v in ordered)
    for d in (TABLES, FINGERPRINTS, TEMPLATE_DOCS):
        d.clear()
    for v in ordered:
        TABLES[v.name] = v.tables
        FINGERPRINTS[v.name] = v.fingerprint
        TEMPLATE_DOCS[v.name] = v.document
    keys.cache_clear()
    all_keys.cache_clear()


def unregister(name: str) -> None:
    """Remove a version added by :func:`register` (the built-in ones stay)."""
    if name in (v.name for v in BUILT_IN):
        raise ValueError(f"template {name} is built in")
    VERSION_BY_NAME.pop(name, None)
    _rebuild()


def registered() -> tuple[Version, ...]:
    """The versions added to the built-in ones: what a worker process must :func:`adopt`."""
    return tuple(v for v in VERSION_BY_NAME.values() if v not in BUILT_IN)


def adopt(versions: tuple[Version, ...]) -> None:
    """Register versions another process registered (a parse worker's initializer)."""
    for v in versions:
        register(v)


def version(name: str) -> Version:
    return VERSION_BY_NAME[name]


def version_for_year(year: int | None) -> str | None:
    """The template a report of this year must use (SPEC §1): the latest one in force that year (the
    first one for years before any)."""
    if year is None:
        return None
    ordered = [VERSION_BY_NAME[n] for n in VERSIONS]
    return next((v.name for v in reversed(ordered) if v.first_year <= year), ordered[0].name)


template_for_year = version_for_year


def latest() -> str:
    """The version assumed when neither the year nor the tables tell."""
    return VERSIONS[-1]


def versions_with_row(table: int, row: str) -> tuple[str, ...]:
    """The versions whose table `table` has row `row` (e.g. v2019 alone prints 政府集中采购)."""
    return tuple(v for v in VERSIONS if any(r.key == row for r in TABLES[v][table].rows))


def version_for_year_sql(year: str) -> str:
    """SQL for :func:`version_for_year` of the expression `year` (synthetic warehouses)."""
    whens = " ".join(f"WHEN {year} <= {VERSION_BY_NAME[nxt].first_year - 1} THEN '{v}'"
                     for v, nxt in zip(VERSIONS, VERSIONS[1:]))
    return f"CASE {whens} ELSE '{VERSIONS[-1]}' END"


def sections(name: str) -> tuple[SectionSpec, ...]:
    return VERSION_BY_NAME[name].sections


def inserted_sections() -> tuple[SectionSpec, ...]:
    """Sections printed between the standard six by some reports: those of the versions first, then the
    known ones no version reads (their heading only ends the section before)."""
    seen: dict[str, SectionSpec] = {}
    for n in VERSIONS:
        for s in VERSION_BY_NAME[n].sections:
            if s.after is not None:
                seen.setdefault(s.key, s)
    for s in INSERTED_SECTIONS:
        seen.setdefault(s.key, s)
    return tuple(seen.values())


def reads_section(key: str) -> bool:
    """Whether some version keeps the text of this section."""
    return any(s.key == key for n in VERSIONS for s in VERSION_BY_NAME[n].sections)


def section_catalogue() -> tuple[SectionSpec, ...]:
    """Every section heading a report may print: the standard six, then the inserted ones."""
    return SECTIONS + inserted_sections()


def splits_other(name: str) -> bool:
    """Table 3 of this version splits （六）其他处理 into three rows."""
    return VERSION_BY_NAME[name].splits_other


def t3_single_other(name: str) -> TableSpec | None:
    """Table 3 of this version as read when a report prints the single （六）其他处理 row instead."""
    return VERSION_BY_NAME[name].t3_single_other


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
    if old_other:  # the rows printed: the split rows are not, the single row stands for them
        split = split_other_rows(version)
        return tuple(r.key for r in t3_single_other(version).rows
                     if r.group in T3_OUTCOME_GROUPS and r.key not in split)
    return tuple(r.key for r in TABLES[version][3].rows if r.group in T3_OUTCOME_GROUPS)


def t3_identities(version: str, old_other: bool = False) -> list[dict[str, int]]:
    """Table 3's identities between rows, per column: {row key: coefficient}, the terms adding up to 0.
    新收 + 上年结转 = 办理结果总计 + 结转下年度, and 办理结果总计 = the sum of the outcome rows (SPEC §4)."""
    balance = {T3_NEW_RECEIVED: 1, T3_CARRIED_OVER: 1, T3_TOTAL_PROCESSED_ROW: -1, T3_CARRIED_FORWARD: -1}
    outcomes = {k: -1 for k in t3_outcome_rows(version, old_other)}
    outcomes[T3_TOTAL_PROCESSED_ROW] = 1
    return [balance, outcomes]


def split_other_rows(version: str = "2021") -> tuple[str, ...]:
    """The rows of a version that together correspond to the single v2019 row ``other`` (SPEC §4)."""
    return tuple(r.key for r in TABLES[version][3].rows if r.group == "other" and r.key != SINGLE_OTHER)


for _v in BUILT_IN:
    register(_v)
