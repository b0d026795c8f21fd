"""The filter selection: a hashable value object that renders to SQL and to URL parameters. Below both the
sidebar (dashboard/filters.py) and the query registry (dashboard/queries.py), which import it."""
from __future__ import annotations

from dataclasses import dataclass, replace

# Columns each relation offers to filter on.
FACT_COLS = frozenset({"year", "province", "city", "district", "unit_type", "report_kind", "template", "office_id"})
MART_COLS = FACT_COLS - {"office_id"}
COVERAGE_COLS = frozenset({"year", "province", "city", "district", "unit_type", "office_id"})

URL_KEYS = {"years": "year", "province": "prov", "city": "city", "district": "dist", "unit_types": "unit",
            "kinds": "kind", "templates": "tpl", "office_id": "office"}


@dataclass(frozen=True)
class Filters:
    years: tuple[int, ...] = ()
    province: str | None = None
    city: str | None = None
    district: str | None = None
    unit_types: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    office_id: int | None = None

    # -- SQL ------------------------------------------------------------------------------------
    def where(self, cols=FACT_COLS, years: bool = True, prefix: str = "") -> tuple[str, dict]:
        """Conjunction of the active filters over the given columns, and its named parameters."""
        conds, params = [], {}
        p = prefix

        def add(col, cond, name, value):
            if col in cols:
                conds.append(cond.format(c=p + col, n=name))
                params[name] = value

        if years and self.years:
            add("year", "list_contains(${n}, {c})", "f_years", list(self.years))
        if self.province:
            add("province", "{c} = ${n}", "f_prov", self.province)
        if self.city:
            add("city", "{c} = ${n}", "f_city", self.city)
        if self.district:
            add("district", "{c} = ${n}", "f_dist", self.district)
        if self.unit_types:
            add("unit_type", "list_contains(${n}, {c})", "f_units", list(self.unit_types))
        if self.kinds:
            add("report_kind", "list_contains(${n}, {c})", "f_kinds", list(self.kinds))
        if self.templates:
            add("template", "list_contains(${n}, {c})", "f_tpls", list(self.templates))
        if self.office_id is not None:
            add("office_id", "{c} = ${n}", "f_office", int(self.office_id))
        return (" AND ".join(conds) or "TRUE"), params

    def sum_ok(self, prefix: str = "") -> str:
        """Condition for rows that may be added up: a region summary is never added to its parts,
        unless the user looks at summaries only."""
        if self.kinds and set(self.kinds) == {"region_summary"}:
            return "TRUE"
        return f"{prefix}report_kind IS DISTINCT FROM 'region_summary'"

    # -- levels -----------------------------------------------------------------------------------
    def level(self) -> str:
        """The next region level to break the selection down by."""
        if self.office_id is not None or self.district:
            return "office"
        if self.city:
            return "district"
        if self.province:
            return "city"
        return "province"

    def narrowed(self, level: str, value) -> "Filters":
        return {"province": lambda: replace(self, province=value, city=None, district=None),
                "city": lambda: replace(self, city=value, district=None),
                "district": lambda: replace(self, district=value),
                "office": lambda: replace(self, office_id=int(value)),
                "year": lambda: replace(self, years=(int(value),))}[level]()

    def to_params(self) -> dict:
        """URL query parameters of this selection (defaults omitted)."""
        out: dict = {}
        for attr, key in URL_KEYS.items():
            v = getattr(self, attr)
            if v in (None, (), ""):
                continue
            out[key] = [str(x) for x in v] if isinstance(v, tuple) else str(v)
        return out

    @classmethod
    def from_params(cls, qp) -> "Filters":
        """From a mapping of URL parameters (values str or list of str)."""
        def many(k):
            v = qp.get(k)
            if v is None:
                return ()
            return tuple(v) if isinstance(v, (list, tuple)) else (v,)

        def one(k):
            v = qp.get(k)
            if isinstance(v, (list, tuple)):
                v = v[0] if v else None
            return v or None

        years = tuple(sorted(int(y) for y in many("year") if str(y).isdigit()))
        office = one("office")
        return cls(years=years, province=one("prov"), city=one("city"), district=one("dist"),
                   unit_types=tuple(many("unit")), kinds=tuple(many("kind")), templates=tuple(many("tpl")),
                   office_id=int(office) if office and str(office).isdigit() else None)
