"""对比: 2–6 offices or regions side by side on chosen measures."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, queries as Q, ui
from etl import template as T

ui.ensure_app()

f = replace(ui.current(), office_id=None)  # the compared offices replace the office filter
if ui.header("对比", f, "选择 2–6 个单位或地区，在相同指标上并排比较（年度筛选之外的筛选条件同样生效）。"):
    mode = st.segmented_control("对比对象", ["单位", "地区"], default="单位", key="cmp_mode")
    measures = [m for m in Q.MEASURES if m in fmt.COLUMN_LABELS]
    default_ms = [Q.T3_NEW, Q.T3_PROC, Q.G("granted")]
    chosen = st.multiselect("指标", measures, default=default_ms, format_func=fmt.label_of, key="cmp_measures",
                            max_selections=4, select_all=False, placeholder="请选择")
    offices = Q.run("office_lookup", prov=f.province, city=f.city, dist=f.district)
    if mode == "单位":
        names = dict(zip(offices["office_id"].astype(int), offices["office"]))
        picks = st.multiselect("单位（2–6 个）", sorted(names, key=names.get), format_func=lambda i: names[i],
                               max_selections=6, key="cmp_offices",
                               default=sorted(names, key=names.get)[:2] if len(names) >= 2 else None, select_all=False, placeholder="请选择")
    else:
        level = st.segmented_control("地区级别", ["province", "city", "district"], format_func=fmt.LEVELS.get,
                                     default="city", key="cmp_level") or "city"
        regions = Q.run("filter_regions")
        opts = sorted(regions[level].dropna().unique()) if regions is not None else []
        picks = st.multiselect("地区（2–6 个）", opts, max_selections=6, key="cmp_regions", default=opts[:2], select_all=False, placeholder="请选择")
    if len(picks) < 2 or not chosen:
        ui.empty("请选择至少 2 个对比对象和 1 个指标。")
    else:
        frames = []
        for m in chosen:
            if mode == "单位":
                d = Q.run("compare_offices", f, ids=[int(i) for i in picks], m=m).rename(columns={"office": "who"})
            else:
                d = Q.run("compare_regions", f, names=list(picks), level=level, m=m).rename(columns={"grp": "who"})
            d["measure"] = fmt.label_of(m)
            frames.append(d[["who", "year", "measure", "value"]])
        data = pd.concat(frames)
        cols = st.columns(min(2, len(chosen)))
        for i, m in enumerate(chosen):
            d = data[data["measure"] == fmt.label_of(m)]
            with cols[i % len(cols)]:
                ui.chart(charts.line(d, "year", "value", color="who", title=fmt.label_of(m),
                                     labels={"value": "数值", "who": ""}, height=300), f"cmp_line_{i}")
        wide = data.pivot_table(index=["measure", "year"], columns="who", values="value").reset_index()
        ui.table(wide, "对比", "cmp_tbl", rename={"measure": "指标", "year": "年度"})
        st.caption("2019版与2021版表二的指标不同，跨 2020→2021 的表二数值不可直接比较。")
    ui.page_downloads("对比")
