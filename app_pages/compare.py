"""对比: 2–6 offices or regions side by side, year by year, on derived measures or template cells.
Defaults to the sidebar's selection: the regions one level below it (or offices in it), its years."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, queries as Q, ui
from etl import metrics as M

# derived measures (etl.metrics; 得分 from the compliance scores) before the template cells
DERIVED = {"rate_disclosed": M.DISCLOSED.label, "rate_not_held": M.NOT_HELD.label,
           "rate_corrected": M.CORRECTED.label, "rate_on_time": M.ON_TIME.label, "score": "得分"}
RATES = {"rate_disclosed", "rate_not_held", "rate_corrected", "rate_on_time"}
PARENTS = {"province": (), "city": ("province",), "district": ("province", "city")}

f = replace(ui.current(), office_id=None)  # the compared offices replace the office filter
if ui.header("对比", f, "选择 2–6 个单位或地区，按年度在相同指标上并排比较；侧边栏的地区和年度等筛选条件同样生效。"
                      f"实质公开率 = {M.DISCLOSED.formula}；不掌握占比 = {M.NOT_HELD.formula}；"
                      f"纠错率 = {M.CORRECTED.formula}；按时率 = {M.ON_TIME.formula}；得分 = 合规得分的单位平均。"):
    mode = st.segmented_control("对比对象", ["地区", "单位"], default="地区", key="cmp_mode") or "地区"
    measures = list(DERIVED) + [m for m in Q.MEASURES if m in fmt.COLUMN_LABELS]
    chosen = st.multiselect("指标", measures, default=list(DERIVED), key="cmp_measures",
                            format_func=lambda m: DERIVED.get(m) or fmt.label_of(m),
                            max_selections=6, select_all=False, placeholder="请选择")
    if mode == "单位":
        offices = Q.run("office_lookup", prov=f.province, city=f.city, dist=f.district)
        names = {} if offices is None else dict(zip(offices["office_id"].astype(int), offices["office"]))
        ids = sorted(names, key=names.get)
        # keyed by the region: another sidebar region starts again from its defaults
        picks = st.multiselect("单位（2–6 个）", ids, format_func=names.get, max_selections=6,
                               key=f"cmp_offices_{f.province}_{f.city}_{f.district}", default=ids[:2] if len(ids) >= 2 else None, select_all=False, placeholder="请选择")
        level, fr, who, n_avail = "office", f, {str(i): names[i] for i in picks}, len(ids)
    else:
        # the first level below the sidebar's region with two or more members (one province is no comparison)
        here = "district" if f.city or f.district else "city" if f.province else "province"
        while here != "district":
            g = Q.run("compare_groups", f, level=here)
            if g is None or len(g) != 1 or g["grp"].iloc[0] in (*Q.OWN_LEVEL.values(), "未知"):
                break
            f, here = f.narrowed(here, g["grp"].iloc[0]), {"province": "city", "city": "district"}[here]
        # only levels whose parents are fixed: districts of two cities would merge their 市本级
        levels = [lv for lv in PARENTS if all(getattr(f, p) for p in PARENTS[lv])]
        level = st.segmented_control("地区级别", levels, format_func=fmt.LEVELS.get, default=here,
                                     key="cmp_level") or here
        # the sidebar's region above the level compared (its siblings at that level are the choices)
        fr = replace(f, **{lv: None for lv in ("province", "city", "district") if lv not in PARENTS[level]})
        groups = Q.run("compare_groups", fr, level=level)
        opts = [] if groups is None else list(groups["grp"])
        mine = getattr(f, level)
        default = ([mine] if mine in opts else []) + [o for o in opts if o != mine]
        picks = st.multiselect(f"{fmt.LEVELS[level]}（2–6 个）", opts, max_selections=6,
                               key=f"cmp_regions_{level}_{fr.province}_{fr.city}", default=default[:6], select_all=False, placeholder="请选择")
        who, n_avail = {p: p for p in picks}, len(opts)
    st.caption(f"年度：{fmt.years_label(f.years)}")
    if len(picks) < 2 or not chosen:
        ui.empty("请选择至少 2 个对比对象和 1 个指标。" if n_avail >= 2 else
                 "当前筛选（地区、年度等）下可对比的对象不足 2 个，请在侧边栏放宽筛选条件。")
    else:
        frames = []
        der = [m for m in chosen if m in DERIVED]
        if der:
            name = "compare_derived_rv" if Q.available("compare_derived_rv") else "compare_derived"
            d = Q.run(name, fr, level=level, names=list(who))
            if d is not None and not d.empty:
                long = d.melt(id_vars=["grp", "year"], value_vars=der, var_name="m", value_name="value")
                frames.append(long.rename(columns={"grp": "who"}))
        for m in chosen:
            if m in DERIVED:
                continue
            if level == "office":
                d = Q.run("compare_offices", fr, ids=[int(i) for i in picks], m=m)
                d = d.assign(who=d["office_id"].astype(int).astype(str)) if d is not None else None
            else:
                d = Q.run("compare_regions", fr, names=list(picks), level=level, m=m)
                d = d.rename(columns={"grp": "who"}) if d is not None else None
            if d is not None and not d.empty:
                frames.append(d.assign(m=m)[["who", "year", "m", "value"]])
        data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["who", "year", "m", "value"])
        data = data.dropna(subset=["value"])
        if data.empty:
            ui.empty(f"所选{fmt.LEVELS[level]}在{fmt.years_label(f.years)}没有这些指标的数据，请换一组对象、指标或年度。")
        else:
            data["who"] = data["who"].map(who)
            data["measure"] = data["m"].map(lambda m: DERIVED.get(m) or fmt.label_of(m))
            cols = st.columns(min(2, len(chosen)))
            for i, m in enumerate(chosen):
                d = data[data["m"] == m]
                label = DERIVED.get(m) or fmt.label_of(m)
                with cols[i % len(cols)]:
                    if d.empty:
                        st.markdown(f"**{label}**")
                        ui.empty(f"{label}：所选对象在{fmt.years_label(f.years)}没有数据。")
                        continue
                    fig = charts.line(d, "year", "value", color="who", title=label,
                                      labels={"value": "数值", "who": ""}, height=300)
                    if m in RATES:
                        fig.update_yaxes(tickformat=".0%")
                    ui.chart(fig, f"cmp_line_{i}")
            wide = data.pivot_table(index=["measure", "year"], columns="who", values="value").reset_index()
            wide.columns.name = None
            ui.table(wide, "对比", "cmp_tbl", rename={"measure": "指标", "year": "年度"})
            st.caption("比率（实质公开率、不掌握占比、纠错率、按时率）以小数表示，如 0.25 即 25%。"
                       "2019版与2021版表二的指标不同，跨 2020→2021 的表二数值不可直接比较。")
    ui.page_downloads("对比")
