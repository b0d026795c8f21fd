"""Global filters: the sidebar widgets bound to the URL; the selection they make is a
:class:`dashboard.selection.Filters`.

Every filter widget uses ``bind="query-params"`` with its key as the URL parameter, so any view is a
shareable link that survives reloads and page changes:
``year`` (repeatable) · ``prov`` · ``city`` · ``dist`` · ``unit`` (repeatable) · ``kind`` (repeatable) ·
``tpl`` (repeatable) · ``office``.
"""
from __future__ import annotations

import streamlit as st

from . import auth, fmt, queries
from .selection import Filters  # re-exported: callers import dashboard.filters.Filters


# ------------------------------------------------------------------------------------------------
# Sidebar (Streamlit)
# ------------------------------------------------------------------------------------------------
ALL = "全部"


def _reset_below(*keys):
    for k in keys:
        if k in st.session_state:
            st.session_state[k] = None if k == "office" else ALL


def sidebar() -> Filters:
    """Render the filter widgets and return the current selection."""
    regions = queries.run("filter_regions")
    facets = queries.run("filter_facets")
    if regions is None or facets is None or facets.empty:
        st.sidebar.caption("暂无数据，筛选不可用。")
        return Filters()

    def facet(name: str) -> list[str]:
        return [v for v in facets.loc[facets["facet"] == name, "value"].dropna()]

    years = sorted({int(y) for y in facet("year")}, reverse=True)
    s = st.sidebar
    s.markdown("**筛选条件**")
    sel_years = s.multiselect("年度", years, key="year", bind="query-params", placeholder="全部年度", select_all=False)
    provs = sorted(regions["province"].dropna().unique())
    # a user limited to a region (auth [roles] region = "省/市/区县") sees only that region: pin its levels
    scope = [p for p in (auth.region_scope() or "").split("/") if p]
    for key, value in zip(("prov", "city", "dist"), scope):
        st.session_state[key] = value
    prov = s.selectbox("省", [ALL] + provs, key="prov", bind="query-params", disabled=len(scope) >= 1,
                       on_change=_reset_below, args=("city", "dist", "office"))
    cities = sorted(regions.loc[regions["province"] == prov, "city"].dropna().unique()) if prov != ALL else []
    if st.session_state.get("city") not in (None, ALL, *cities):
        st.session_state["city"] = ALL
    city = s.selectbox("市", [ALL] + cities, key="city", bind="query-params", disabled=prov == ALL or len(scope) >= 2,
                       on_change=_reset_below, args=("dist", "office"))
    dists = (sorted(regions.loc[(regions["province"] == prov) & (regions["city"] == city), "district"]
                    .dropna().unique()) if city != ALL else [])
    if st.session_state.get("dist") not in (None, ALL, *dists):
        st.session_state["dist"] = ALL
    dist = s.selectbox("区县", [ALL] + dists, key="dist", bind="query-params", disabled=city == ALL or len(scope) >= 3,
                       on_change=_reset_below, args=("office",))
    units = sorted(set(facet("unit_type")))
    sel_units = s.multiselect("单位类型", units, format_func=lambda u: fmt.UNIT_TYPES.get(u, u), key="unit",
                              bind="query-params", placeholder="全部类型", select_all=False)
    kinds = [k for k in fmt.KINDS if k in set(facet("report_kind"))]
    sel_kinds = s.multiselect("报告类型", kinds, format_func=lambda k: fmt.KINDS.get(k, k), key="kind",
                              bind="query-params", placeholder="全部报告类型", select_all=False)
    tpls = sorted(set(facet("template")))
    sel_tpls = s.multiselect("模板版本", tpls, format_func=lambda t: fmt.TEMPLATES.get(t, t), key="tpl",
                             bind="query-params", placeholder="全部版本", select_all=False)
    # offices of the selected region (a national list would be far too long for a select box)
    offices = queries.run("office_lookup", prov=None if prov == ALL else prov, city=None if city == ALL else city,
                          dist=None if dist == ALL else dist)
    names = dict(zip(offices["office_id"].astype(int), offices["office"])) if offices is not None else {}
    current = st.session_state.get("office")
    if current is not None and int(current) not in names:
        named = queries.run("office_name", office_id=int(current))
        if named is not None and not named.empty and named["office"].iloc[0]:
            names[int(current)] = named["office"].iloc[0]
    office = s.selectbox("单位", [None] + sorted(names, key=lambda i: names[i]),
                         format_func=lambda i: "全部单位" if i is None else names.get(i, str(i)),
                         key="office", bind="query-params")
    f = Filters(years=tuple(sorted(int(y) for y in sel_years)),
                province=None if prov == ALL else prov, city=None if city == ALL else city,
                district=None if dist == ALL else dist, unit_types=tuple(sel_units), kinds=tuple(sel_kinds),
                templates=tuple(sel_tpls), office_id=None if office is None else int(office))
    if f != Filters():
        s.button("清除全部筛选", on_click=clear_all, width="stretch")
    s.divider()
    s.toggle("打印版式", key="print_mode",
             help="表格完整展开（每个最多 500 行），便于用浏览器打印或另存为 PDF；打印时不含侧栏和下载按钮。")
    return f


def clear_all():
    for k, v in {"year": [], "prov": ALL, "city": ALL, "dist": ALL, "unit": [], "kind": [], "tpl": [],
                 "office": None}.items():
        st.session_state[k] = v


def apply(f: Filters) -> None:
    """Set the filter widgets to a selection (call from a callback, before the widgets render)."""
    st.session_state["year"] = [int(y) for y in f.years]
    st.session_state["prov"] = f.province or ALL
    st.session_state["city"] = f.city or ALL
    st.session_state["dist"] = f.district or ALL
    st.session_state["unit"] = list(f.unit_types)
    st.session_state["kind"] = list(f.kinds)
    st.session_state["tpl"] = list(f.templates)
    st.session_state["office"] = f.office_id
