"""The compliance policy (deadlines, thresholds, score weights) from a TOML file; statutory defaults
built in so the engine works without any file."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path

from ..config import POLICY_PATH as DEFAULT_PATH

DEFAULTS: dict = {
    "deadlines": {"department": "01-31", "gov_self": "03-31", "region_summary": "03-31", "township": "03-31",
                  "grace_days": 0, "overrides": {}},
    "thresholds": {"dup_prev": 0.5, "dup_peer": 0.5, "min_text_chars": 200, "stock_tolerance": 1,
                   "stock_tolerance_ratio": 0.0, "amount_wan_max": 1_000_000,
                   "anomaly_jump_ratio": 5, "anomaly_jump_min": 50, "anomaly_zero_peer_median": 20,
                   "anomaly_zero_peer_share": 0.2,
                   "anomaly_min_peers": 5, "anomaly_rate_z": 3.5, "anomaly_rate_min_gap": 0.15,
                   "anomaly_rate_min_den": 10},
    "coverage": {"inferred_when_registry": False},
    "scores": {"base": 100, "error_fail": 10, "warning_fail": 3, "uncertain": 0,
               "rules": {"DUP-PREV": 20, "TIMELY": 15, "DUP-PEER": 10, "MISSING": 100,
                         "ANOM-YOY": 0, "ANOM-ZERO": 0, "ANOM-RATE": 0},
               "review": {"confirmed": 1.0, "false_positive": 0.0, "fixed": 0.5,
                          "confirmed_uncertain_as_fail": True}},
}


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
        """Deadline of the report on ``year`` (published in year+1). Province/level overrides first."""
        d = self.data["deadlines"]
        kinds = []
        if unit_type == "township":
            kinds.append("township")
        kinds.append(report_kind or ("department" if unit_type == "department" else "gov_self"))
        tables = []
        ov = (d.get("overrides") or {}).get(province or "", {})
        if level and isinstance(ov.get(level), dict):
            tables.append(ov[level])
        tables.append({k: v for k, v in ov.items() if not isinstance(v, dict)})
        tables.append(d)
        for t in tables:
            for k in kinds:
                if isinstance(t.get(k), str):
                    m, day = map(int, t[k].split("-"))
                    return dt.date(year + 1, m, day) + dt.timedelta(days=int(d.get("grace_days") or 0))
        return None

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

    @staticmethod
    def _points(s: dict, rule: str, severity: str, status: str) -> float:
        if status == "FAIL":
            if rule in s.get("rules", {}):
                return float(s["rules"][rule])
            return float(s["error_fail"] if severity == "E" else s["warning_fail"])
        if status == "UNCERTAIN":
            return float(s.get("uncertain", 0))
        return 0.0


_default: Policy | None = None


def default_policy() -> Policy:
    global _default
    if _default is None:
        _default = Policy.load()
    return _default
