"""The rule registry: every SPEC §7 rule defined once (id, severity, scope, Chinese description, check)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

STATUSES = ("PASS", "FAIL", "UNCERTAIN", "NOT_ASSESSABLE")
# scope: report     — one parse result: check(view, ctx) -> (status, message, evidence)
#        cross_year — a report and the same office's report of the year before: check(view, prev_view, ctx)
#        duplication — computed over texts of many reports (etl/rules/dup.py)
#        coverage   — office × year (etl/rules/coverage.py)
#        anomaly    — a report against its peers and its office's previous year (etl/rules/anomaly.py)
SCOPES = ("report", "cross_year", "duplication", "coverage", "anomaly")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # E | W
    scope: str
    description: str  # Chinese, for people
    check: Callable | None = None


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, scope: str, description: str):
    def deco(fn):
        assert id not in RULES, f"rule {id} defined twice"
        RULES[id] = Rule(id, severity, scope, description, fn)
        return fn
    return deco


def declare(id: str, severity: str, scope: str, description: str) -> None:
    """A rule computed by a stage that is not a per-report function (duplication, coverage)."""
    assert id not in RULES, f"rule {id} defined twice"
    RULES[id] = Rule(id, severity, scope, description, None)


def finding(rule_id: str, status: str, message: str, evidence=None, severity: str | None = None) -> dict:
    r = RULES[rule_id]
    return {"rule": rule_id, "severity": severity or r.severity, "status": status, "message": message,
            "evidence": evidence if evidence is not None else {}}


def combine(statuses) -> str:
    s = list(statuses)
    for st in ("FAIL", "UNCERTAIN", "PASS"):
        if st in s:
            return st
    return "NOT_ASSESSABLE"
