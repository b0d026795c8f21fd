"""Compliance engine: every SPEC §7 rule once in a registry (:mod:`etl.rules.registry`), single-report
checks (:func:`check_report`, no DB, cheap to import), and :func:`refresh` which recomputes the warehouse
tables findings / duplication / report_scores / office_scores for what a batch of reports affects."""
from __future__ import annotations

from .registry import RULES, Rule  # noqa: F401
from .single import check_report  # noqa: F401
from . import cross as _cross  # noqa: F401  (registers cross-year rules and declarations)
from .cross import check_cross_year  # noqa: F401
from . import anomaly as _anomaly  # noqa: F401  (registers the anomaly rules)


def refresh(con, report_ids: list[int] | None = None, policy=None) -> dict:
    """Recompute findings, duplication and scores affected by ``report_ids`` (all when None)."""
    from .engine import refresh as _refresh
    return _refresh(con, report_ids, policy=policy)


__all__ = ["check_report", "check_cross_year", "refresh", "RULES", "Rule"]
