"""Column names of report_facts and the marts: one column per canonical template key, one per table-3
outcome group. Below the marts and everything that reads them (metrics, rules, dashboard)."""
from __future__ import annotations

from etl import template as T


def col_name(key: str) -> str:
    """Column name of a canonical key in report_facts: dots -> double underscores."""
    return key.replace(".", "__")


def group_col(group: str, col: str) -> str:
    """Column of a table-3 outcome-group sum, e.g. t3g__denied__total."""
    return f"t3g__{group}__{col}"


def key_columns() -> list[str]:
    return [col_name(k) for k in T.all_keys()]


def group_columns() -> list[str]:
    return [group_col(g, c.key) for g in T.T3_OUTCOME_GROUPS for c in T.T3_COLUMNS]
