"""The compliance policy (deadlines, thresholds, score weights) from a TOML file; the statutory defaults are
the shipped policy.toml, so the engine works without any file of the user's. Deadlines and score deductions
are also given as SQL (:meth:`Policy.deadline_sql`, :meth:`Policy.deduction_sql`) for the marts and the
synthetic warehouse, so every deadline and score is defined here once."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path

from ..config import POLICY_PATH as DEFAULT_PATH


def _read_defaults() -> dict:
    """The shipped policy.toml is the one definition of the statutory defaults."""
    with open(DEFAULT_PATH, "rb") as f:
        data = tomllib.load(f)
    data["deadlines"].setdefault("overrides", {})
    return data


DEFAULTS: dict = _read_defaults()


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class Policy:
    def __init__(self, data: dict | None = None, path: str | None = None):
        self.data = _merge(DEFAULTS, data or {})
        self.path = path

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Policy":
        p = Path(path) if path else DEFAULT_PATH
        if not p.exists():
            if path:
                raise FileNotFoundError(p)
            return cls()
        with open(p, "rb") as f:
            return cls(tomllib.load(f), str(p))

    @property
    def digest(self) -> str:
        return hashlib.sha1(json.dumps(self.data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]

    def threshold(self, name: str):
        return self.data["thresholds"][name]

    def deadline(self, year: int, report_kind: str | None, unit_type: str | None = None,
                 province: str | None = None, level: str | None = None) -> dt.date | None:
        """Deadline of the report on ``year`` (published in year+1), grace days included: a township's own
        deadline first, then the report kind's; province/level overrides before the national table.
        :meth:`deadline_sql` is the same in SQL (the coverage mart, the synthetic warehouse)."""
        kinds = (["township"] if unit_type == "township" else []) + [_kind_or_default(report_kind, unit_type)]
        for t in self._deadline_tables(province, level):
            for k in kinds:
                if _month_day(t.get(k)):
                    return dt.date.fromisoformat(f"{year + 1}-{_month_day(t[k])}") + dt.timedelta(days=self.grace_days)
        return None

    @property
    def grace_days(self) -> int:
        return int(self.data["deadlines"].get("grace_days") or 0)

    def _deadline_tables(self, province: str | None, level: str | None) -> list[dict]:
        """Tables of month-days to look a kind up in, most specific first."""
        d = self.data["deadlines"]
        ov = (d.get("overrides") or {}).get(province or "", {})
        tables = [ov[level]] if level and isinstance(ov.get(level), dict) else []
        return tables + [{k: v for k, v in ov.items() if not isinstance(v, dict)}, d]

    def deadline_sql(self, year: str, report_kind: str, unit_type: str, province: str, level: str) -> str:
        """SQL expression (a DATE) of :meth:`deadline`; the arguments are SQL expressions."""
        kind = f"coalesce(nullif({report_kind}, ''), CASE WHEN {unit_type} = 'department' THEN 'department' " \
               f"ELSE 'gov_self' END)"

        def first(tables, township: bool) -> str:
            # month-day of the first table holding the township's or the kind's deadline
            parts = []
            for t in tables:
                if township and _month_day(t.get("township")):
                    parts.append(_sql_str(_month_day(t["township"])))
                    break
                whens = " ".join(f"WHEN {_sql_str(k)} THEN {_sql_str(_month_day(v))}"
                                 for k, v in t.items() if _month_day(v))
                if whens:
                    parts.append(f"CASE {kind} {whens} END")
            return f"coalesce({', '.join(parts)})" if parts else "CAST(NULL AS VARCHAR)"

        def month_day(tables) -> str:
            return f"CASE WHEN {unit_type} = 'township' THEN {first(tables, True)} ELSE {first(tables, False)} END"

        overrides = self.data["deadlines"].get("overrides") or {}
        by_province = []
        for prov, ov in overrides.items():
            levels = " ".join(f"WHEN {level} = {_sql_str(lv)} THEN {month_day(self._deadline_tables(prov, lv))}"
                              for lv, t in ov.items() if isinstance(t, dict))
            other = month_day(self._deadline_tables(prov, None))
            by_province.append(f"WHEN {province} = {_sql_str(prov)} THEN "
                               + (f"CASE {levels} ELSE {other} END" if levels else other))
        md = month_day(self._deadline_tables(None, None))
        if by_province:
            md = f"CASE {' '.join(by_province)} ELSE {md} END"
        return f"(CAST(CAST(({year}) + 1 AS VARCHAR) || '-' || ({md}) AS DATE) + {self.grace_days})"

    def effective_status(self, status: str, review: str | None = None) -> str:
        """A finding's status for scoring: an UNCERTAIN finding a reviewer confirmed counts as FAIL when
        the policy says so."""
        if status == "UNCERTAIN" and review == "confirmed" and \
                self.data["scores"]["review"].get("confirmed_uncertain_as_fail"):
            return "FAIL"
        return status

    def deduction(self, rule: str, severity: str, status: str, review: str | None = None) -> float:
        """Points a finding costs; `review` (etl/review.py verdict) scales them by [scores.review]."""
        s = self.data["scores"]
        status = self.effective_status(status, review)
        factor = float(s["review"].get(review, 1.0)) if review else 1.0
        return self._points(s, rule, severity, status) * factor

    def deduction_sql(self, rule: str, severity: str, status: str) -> str:
        """SQL expression of the points an unreviewed finding costs (:meth:`deduction` without reviews)."""
        s = self.data["scores"]
        by_rule = " ".join(f"WHEN {_sql_str(r)} THEN {float(p)}" for r, p in (s.get("rules") or {}).items())
        default = f"CASE WHEN {severity} = 'E' THEN {float(s['error_fail'])} ELSE {float(s['warning_fail'])} END"
        fail = f"CASE {rule} {by_rule} ELSE {default} END" if by_rule else default
        return (f"CASE WHEN {status} = 'FAIL' THEN {fail} "
                f"WHEN {status} = 'UNCERTAIN' THEN {float(s.get('uncertain', 0))} ELSE 0.0 END")

    @staticmethod
    def _points(s: dict, rule: str, severity: str, status: str) -> float:
        if status == "FAIL":
            if rule in s.get("rules", {}):
                return float(s["rules"][rule])
            return float(s["error_fail"] if severity == "E" else s["warning_fail"])
        if status == "UNCERTAIN":
            return float(s.get("uncertain", 0))
        return 0.0


def _kind_or_default(report_kind: str | None, unit_type: str | None) -> str:
    return report_kind or ("department" if unit_type == "department" else "gov_self")


def _month_day(value) -> str | None:
    """'1-31' / '01-31' -> '01-31'; anything else (grace_days, override tables) -> None."""
    if not isinstance(value, str):
        return None
    m, d = map(int, value.split("-"))
    return f"{m:02d}-{d:02d}"


def _sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def timely_kind(report_kind: str | None, office: dict | None) -> str | None:
    """The report kind whose deadline applies: the registry's kind is authoritative, else what the parser
    read from the report, else the office's inferred kind. SQL twin: :func:`timely_kind_sql`."""
    off = office or {}
    return (off.get("report_kind") if off.get("source") == "registry" else None) or report_kind \
        or off.get("report_kind")


def timely_kind_sql(report_kind: str, office_kind: str, office_source: str) -> str:
    return (f"coalesce(CASE WHEN {office_source} = 'registry' THEN nullif({office_kind}, '') END, "
            f"nullif({report_kind}, ''), nullif({office_kind}, ''))")


META_KEY = "rules_policy_data"


def save_to_warehouse(con, policy: "Policy") -> None:
    """Remember the policy the findings were computed with: the marts derive deadlines from the same one."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [META_KEY, json.dumps(policy.data, sort_keys=True, ensure_ascii=False)])


def warehouse_policy(con) -> "Policy":
    """The policy the warehouse's findings were computed with (the default one before any refresh)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchone()
    except Exception:  # no meta table: not a warehouse the rules have run on
        row = None
    return Policy(json.loads(row[0])) if row else default_policy()


_default: Policy | None = None


def default_policy() -> Policy:
    global _default
    if _default is None:
        _default = Policy.load()
    return _default
