"""Table-2 series by year across template versions.

A year belongs to the template the law prescribes for it (etl.template.template_for_year), and its value of
a measure adds up every report of that year: a report on the other template counts wherever the SPEC gives
both versions the same key (e.g. t2.licensing.decisions); where its template has no such measure (e.g.
规章·现行有效件数 in a 2019-template report), the year's sum lacks that report and is marked incomplete.
"""
from __future__ import annotations

import pandas as pd

from etl import template as T
from etl.marts import col_name


def shared_keys() -> set[str]:
    """Table-2 keys every template version has, with the same meaning (SPEC §3)."""
    return set.intersection(*(set(T.TABLES[v][2].keys()) for v in T.VERSIONS))


def by_version(df: pd.DataFrame, version: str, keys, by: str = "year") -> pd.DataFrame:
    """Table-2 sums for the years of `version`, one row per `by` value ("year" or "grp").

    `df` has columns year, template, n_reports, the key columns (col_name) and `by`. Reports on the other
    template count in the keys both versions share; `n_other_template` says how many there were, and for
    every other key the row lacks them (see `incomplete`)."""
    keys = list(keys)
    cols = [col_name(k) for k in keys]
    shared = [col_name(k) for k in keys if k in shared_keys()]
    d = df[df["year"].map(lambda y: pd.notna(y) and T.template_for_year(int(y)) == version)]
    own = d[d["template"] == version]
    other = d[d["template"].notna() & (d["template"] != version)]
    out = d.groupby(by, as_index=False)["n_reports"].sum()
    vals = own.groupby(by)[cols].sum(min_count=1)
    if shared and not other.empty:
        vals = vals.add(other.groupby(by)[shared].sum(min_count=1), fill_value=0).reindex(columns=cols)
    n_other = other.groupby(by)["n_reports"].sum().rename("n_other_template")
    out = out.merge(vals.reset_index(), on=by, how="left").merge(n_other.reset_index(), on=by, how="left")
    out["n_other_template"] = out["n_other_template"].fillna(0).astype(int)
    return out.sort_values(by).reset_index(drop=True) if by == "year" else out


def incomplete(values: pd.DataFrame, keys) -> list[str]:
    """Keys whose sums lack the other-template reports in some row (no counterpart in that template)."""
    if not (values["n_other_template"] > 0).any():
        return []
    return [k for k in keys if k not in shared_keys()]
