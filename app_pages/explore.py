"""数据探索: facets with counts, a pivot builder, and a read-only SQL box (etl/sandbox.py)."""
import streamlit as st

from dashboard import auth, db, fmt, queries as Q, safe, ui
from etl import sandbox
from dashboard.filters import apply

auth.require_role("analyst")

f = ui.current()
FACETS = ["year", "province", "city", "unit_type", "report_kind", "template", "format", "status"]
FILTERABLE = {"year": "years", "province": "province", "city": "city", "unit_type": "unit_types",
              "report_kind": "kinds", "template": "templates"}


def _facet_click(facet, value):
    from dataclasses import replace
    cur = ui.current()
    attr = FILTERABLE[facet]
    if attr == "years":
        apply(replace(cur, years=(int(value),)))
    elif attr in ("province", "city"):
        apply(replace(cur, **{attr: value}) if attr == "city" else replace(cur, province=value, city=None,
                                                                                district=None))
    else:
        apply(replace(cur, **{attr: (value,)}))


if ui.header("数据探索", f):
    tab_facets, tab_pivot, tab_sql = st.tabs(["分面浏览", "透视表", "SQL 查询（只读）"])
    with tab_facets:
        fc = Q.run("facets", f)
        left, right = st.columns([1, 3])
        with left:
            for facet in FACETS:
                name = fmt.label_of(facet)
                sub = fc[fc["facet"] == facet]
                if sub.empty:
                    continue
                with st.expander(f"{name}（{len(sub)}）", expanded=facet in ("year", "unit_type")):
                    for _, r in sub.head(15).iterrows():
                        label = fmt.code_label(fmt.CODE_COLUMNS[facet], r["value"]) if facet in fmt.CODE_COLUMNS \
                            else r["value"]
                        if facet in FILTERABLE:
                            st.button(f"{safe.md(label)} · {fmt.num(r['n'])}", key=f"facet_{facet}_{r['value']}",
                                      type="tertiary", on_click=_facet_click, args=(facet, r["value"]))
                        else:
                            st.markdown(f"{safe.md(label)} · {fmt.num(r['n'])}")
        with right:
            measure = st.selectbox("附加指标列", Q.MEASURES, index=Q.MEASURES.index(Q.T3_NEW), format_func=fmt.label_of,
                                   key="ex_m")
            rows = Q.run("explore_rows", f, m=measure, m2=Q.T3_PROC, limit=1000)
            st.caption(f"{fmt.num(len(rows))} 行（最多显示 1000 行）。点击左侧分面值即可筛选。")
            ui.report_table(rows, "年报列表", "ex_rows", height=420)
    with tab_pivot:
        c = st.columns(4)
        dims = Q.DIMENSIONS
        r = c[0].selectbox("行", dims, index=dims.index("province"), format_func=fmt.label_of, key="pv_r")
        col = c[1].selectbox("列", dims, index=dims.index("year"), format_func=fmt.label_of, key="pv_c")
        m = c[2].selectbox("指标", Q.MEASURES, index=Q.MEASURES.index(Q.T3_NEW), format_func=fmt.label_of,
                           key="pv_m")
        agg = c[3].selectbox("汇总方式", list(Q.AGGS), format_func=Q.AGGS.get, key="pv_agg")
        pv = Q.run("pivot", f, r=r, c=col, m=m, agg=agg)
        if pv.empty:
            ui.empty("当前筛选下没有数据。")
        else:
            for axis, dim in (("r", r), ("c", col)):  # codes (unit types, templates…) by their labels
                pv[axis] = pv[axis].map(lambda v, d=dim: fmt.code_label(fmt.CODE_COLUMNS[d], v)
                                        if d in fmt.CODE_COLUMNS else ("未知" if v is None else v))
            wide = pv.pivot_table(index="r", columns="c", values="value", aggfunc="sum").reset_index()
            wide.columns = [fmt.label_of(r) if x == "r" else str(x) for x in wide.columns]
            st.caption(f"{fmt.label_of(m)} · {Q.AGGS[agg]}（求和时不含区域汇总报告）")
            ui.table(wide, "透视表", "pv_tbl")
    with tab_sql:
        if auth.region_scope():
            st.info("您的账号限定在部分地区，SQL 查询不受地区限制，因此不可用。")
            st.stop()
        st.caption(f"只读、单条 SELECT 语句；最长 {sandbox.DEFAULT_TIMEOUT:g} 秒，最多返回 {sandbox.DEFAULT_MAX_ROWS} 行。"
                   "可用的表：report_facts、mart_region_year、mart_coverage、reports、cells、section_texts、"
                   "findings、report_scores、office_scores、duplication。")
        with st.form("sql_form"):
            sql = st.text_area("SQL", value="SELECT year, count(*) AS n FROM report_facts GROUP BY year ORDER BY year",
                               height=120, key="sql_text")
            go = st.form_submit_button("运行查询", type="primary")
        if go:
            try:
                res = sandbox.run(sql, db.location())
            except sandbox.SandboxError as e:
                st.error(str(e))
            else:
                st.caption(f"{len(res.frame)} 行，用时 {res.seconds:.2f} 秒" + ("（已截断）" if res.truncated else ""))
                st.dataframe(res.frame, hide_index=True)
                ui.downloads(res.frame, "查询结果", "sql_res")
    ui.page_downloads("数据探索")
