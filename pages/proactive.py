"""主动公开: table-2 measures by year and region; v2019 and v2021 series shown separately, never chained."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, queries as Q, ui
from etl import template as T
from etl.marts import col_name

ui.ensure_app()

f = ui.current()
if ui.header("主动公开", f, "表二“主动公开政府信息情况”。2019版与2021版模板的指标不同，两版数据分别展示，不连成一条序列。"):
    by_year = Q.run("t2_by_year", f)
    level = f.level()
    by_region = Q.run("t2_by_region", f, level=level)
    versions = [v for v in T.VERSIONS if v in set(by_year["template"])] or list(T.VERSIONS)
    tabs = st.tabs([f"{fmt.TEMPLATES[v]}（{T.TEMPLATE_DOCS[v]}）" for v in versions])
    for v, tab in zip(versions, tabs):
        with tab:
            spec = T.TABLES[v][2]
            keys = spec.keys()
            yv = by_year[by_year["template"] == v]
            if yv.empty:
                ui.empty(f"当前筛选下没有使用{fmt.TEMPLATES[v]}的年报。")
                continue
            blocks = list(dict.fromkeys(r.block for r in spec.rows))
            c1, c2 = st.columns([2, 3])
            block = c1.selectbox("条款", blocks, key=f"blk_{v}")
            rows_in = [r for r in spec.rows if r.block == block]
            ks = [T.make_key(2, r.key, c.key) for r in rows_in for c in spec.columns[r.key]]
            chosen = c2.multiselect("指标", ks, default=ks[: min(3, len(ks))], format_func=lambda k: T.label(v, k),
                                    key=f"ms_{v}", select_all=False, placeholder="请选择")
            if not chosen:
                ui.empty("请至少选择一个指标。")
                continue
            cols = [col_name(k) for k in chosen]
            data = yv[["year"] + cols].rename(columns={col_name(k): T.label(v, k) for k in chosen})
            key = f"t2y_{v}_{abs(hash(f))}"
            ui.chart(charts.line(data, "year", [T.label(v, k) for k in chosen], labels={"value": "数量", "variable": ""},
                                 title=f"{block} · 按年度（{fmt.TEMPLATES[v]}）"), key, data=data,
                     name=f"表二按年度_{v}", select=True, on_select=partial(ui.drill_year, key))
            rv = by_region[by_region["template"] == v]
            st.markdown(f"**按{fmt.LEVELS[level]}（{fmt.years_label(f.years)}）**")
            if rv.empty:
                ui.empty("没有地区数据。")
            else:
                first = col_name(chosen[0])
                rk = f"t2r_{v}_{abs(hash(f))}"
                fig = charts.bar(rv.sort_values(first, ascending=False).head(25), "grp", first, horizontal=True,
                                 labels={"grp": fmt.LEVELS[level]}, custom=["office_id"],
                                 height=max(260, 24 * min(len(rv), 25) + 70))
                ui.chart(fig, rk, select=True, on_select=partial(ui.drill_region, rk, level))
                tbl = rv[["grp", "n_reports"] + [col_name(k) for k in keys]]
                ui.table(tbl, f"表二按地区_{v}", f"t2r_tbl_{v}",
                         rename={"grp": fmt.LEVELS[level], **{col_name(k): T.label(v, k) for k in keys}})
            ui.table(yv[["year", "n_reports"] + [col_name(k) for k in keys]], f"表二按年度_{v}_全部指标",
                     f"t2y_tbl_{v}", rename={col_name(k): T.label(v, k) for k in keys})
    ui.page_downloads("主动公开")
