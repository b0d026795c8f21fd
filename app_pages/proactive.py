"""主动公开: table-2 measures by year and region. Each year belongs to the template the law prescribes for it;
reports on the other template count where both versions share a measure, and years that mix templates say so.
The two versions' series are never chained."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, queries as Q, t2, ui
from etl import template as T
from etl.marts import col_name

f = ui.current()
if ui.header("主动公开", f, "表二“主动公开政府信息情况”。2019、2020年度用2019版模板，2021年度起用2021版模板；"
                          "两版指标不同，分别展示，不连成一条序列。"):
    by_year = Q.run("t2_by_year", f)
    level, fl, by_region = ui.breakdown("t2_by_region", f)
    year_versions = {T.template_for_year(int(y)) for y in by_year["year"].dropna()}
    versions = [v for v in T.VERSIONS if v in year_versions] or list(T.VERSIONS)
    tabs = st.tabs([f"{fmt.TEMPLATES[v]}（{T.TEMPLATE_DOCS[v]}）" for v in versions])
    for v, tab in zip(versions, tabs):
        with tab:
            spec = T.TABLES[v][2]
            keys = spec.keys()
            yv = t2.by_version(by_year, v, keys)
            if yv.empty:
                ui.empty(f"当前筛选下没有{fmt.TEMPLATES[v]}适用年度（"
                         f"{'2019、2020' if v == '2019' else '2021年起'}）的年报。")
                continue
            partial_keys = set(t2.incomplete(yv, keys))
            mixed = yv[yv["n_other_template"] > 0]
            if not mixed.empty:
                other = "2021" if v == "2019" else "2019"
                st.info(f"模板混用：{'、'.join(f'{int(r.year)}年有 {r.n_other_template} 份' for r in mixed.itertuples())}"
                        f"年报使用了{fmt.TEMPLATES[other]}。两版共有的指标（行政许可、行政处罚、行政强制的处理决定数量）"
                        f"已计入这些年报；本版独有的指标缺少这些年报，在图中这些年度留空（灰色标出），表中注明“不完整”。",
                        icon=":material/merge_type:")
            blocks = list(dict.fromkeys(r.block for r in spec.rows))
            c1, c2 = st.columns([2, 3])
            block = c1.selectbox("条款", blocks, key=f"blk_{v}")
            rows_in = [r for r in spec.rows if r.block == block]
            ks = [T.make_key(2, r.key, c.key) for r in rows_in for c in spec.columns[r.key]]
            chosen = c2.multiselect("指标", ks, default=ks[: min(3, len(ks))], format_func=lambda k: T.label(v, k),
                                    key=f"ms_{v}", select_all=False, placeholder="请选择指标")
            if not chosen:
                ui.empty("请至少选择一个指标。")
                continue
            names = {col_name(k): T.label(v, k) for k in chosen}
            data = yv[["year"] + list(names)].copy()
            for k in chosen:  # a sum that lacks some reports is not drawn as if it were the year's total
                if k in partial_keys:
                    data.loc[data["year"].isin(mixed["year"]), col_name(k)] = None
            data = data.rename(columns=names)
            key = f"t2y_{v}_{abs(hash(f))}"
            ui.chart(charts.line(data, "year", list(names.values()), labels={"value": "数量", "variable": ""},
                                 title=f"{block} · 按年度（{fmt.TEMPLATES[v]}）",
                                 marked={int(y): "模板混用" for y in mixed["year"]}
                                 if any(k in partial_keys for k in chosen) else None), key,
                     data=data, name=f"表二按年度_{v}", select=True, on_select=partial(ui.drill_year, key))
            st.markdown(f"**按{fmt.LEVELS[level]}（{fmt.years_label(f.years) if f.years else fmt.TEMPLATES[v] + '适用年度'}）**")
            rv = t2.by_version(by_region, v, keys, by="grp") if by_region is not None else None
            if rv is None or rv.empty:
                ui.empty("没有地区数据。")
            else:
                rv = rv.merge(by_region.groupby("grp", as_index=False)["office_id"].first(), on="grp", how="left")
                first = col_name(chosen[0])
                rk = f"t2r_{v}_{abs(hash(f))}"
                fig = charts.bar(rv.sort_values(first, ascending=False).head(25), "grp", first, horizontal=True,
                                 labels={"grp": fmt.LEVELS[level]}, custom=["office_id"],
                                 height=max(260, 24 * min(len(rv), 25) + 70))
                ui.chart(fig, rk, select=True, on_select=partial(ui.drill_region, rk, level, fl))
                tbl = rv[["grp", "n_reports", "n_other_template"] + [col_name(k) for k in keys]]
                ui.table(tbl, f"表二按地区_{v}", f"t2r_tbl_{v}",
                         rename={"grp": fmt.LEVELS[level], "n_other_template": "其中使用另一版模板",
                                 **{col_name(k): T.label(v, k) + ("（不完整）" if k in partial_keys and
                                                                 (rv["n_other_template"] > 0).any() else "")
                                    for k in keys}})
            ui.table(yv[["year", "n_reports", "n_other_template"] + [col_name(k) for k in keys]],
                     f"表二按年度_{v}_全部指标", f"t2y_tbl_{v}",
                     rename={"n_other_template": "其中使用另一版模板",
                             **{col_name(k): T.label(v, k) + ("（混用年度不完整）" if k in partial_keys else "")
                                for k in keys}})
    ui.page_downloads("主动公开")
