"""政府采购: v2019 table-2 block （九） — projects and amounts (万元) by office and region."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, office as OV, queries as Q, ui

f = ui.current()
if ui.header("政府采购", f, "仅2019版模板（2019、2020年度）含“政府集中采购”项；金额单位为万元。"):
    by_year = Q.run("proc_by_year", f)
    if by_year.empty:
        ui.empty("当前筛选下没有使用2019版模板的年报（政府采购仅见于2019、2020年度）。请选择2019或2020年度。")
    else:
        sel = by_year[by_year["year"].isin(f.years)] if f.years else by_year
        c = st.columns(3)
        c[0].metric("采购项目数", fmt.num(sel["projects"].sum()))
        c[1].metric("采购总金额", fmt.wan(sel["amount_wan"].sum()))
        c[2].metric("涉及年报数", fmt.num(sel["n_reports"].sum()))
        left, right = st.columns(2)
        with left:
            key = f"proc_y_{abs(hash(f))}"
            ui.chart(charts.bar(by_year, "year", "amount_wan", labels={"amount_wan": "采购总金额（万元）"},
                                title="采购总金额（万元）按年度"), key, data=by_year, name="政府采购按年度",
                     select=True, on_select=partial(ui.drill_year, key))
        with right:
            level, fl, reg = ui.breakdown("proc_by_region", f)
            key = f"proc_r_{abs(hash(f))}"
            ui.chart(charts.bar(reg.head(25), "grp", "amount_wan", horizontal=True, custom=["office_id"],
                                labels={"grp": fmt.LEVELS[level], "amount_wan": "采购总金额（万元）"},
                                title=f"按{fmt.LEVELS[level]}（点击下钻）"), key,
                     select=True, on_select=partial(ui.drill_region, key, level, fl))
        OV.region_table(reg, level, f"政府采购按{fmt.LEVELS[level]}", "proc_reg_tbl",
                 rename={"grp": fmt.LEVELS[level], "projects": "采购项目数", "amount_wan": "采购总金额（万元）"},
                 column_config={"采购总金额（万元）": st.column_config.NumberColumn(format="%.2f")})
        st.subheader("单位排行（按采购总金额）")
        top = Q.run("proc_by_office", f, limit=30)
        key = f"proc_o_{abs(hash(f))}"
        ui.chart(charts.bar(top.head(15), "office", "amount_wan", horizontal=True, custom=["office_id"],
                            labels={"office": "单位", "amount_wan": "采购总金额（万元）"}, height=420), key,
                 select=True, on_select=partial(ui.drill_office, key))
        OV.office_table(top, "政府采购单位排行", "proc_top_tbl",
                 rename={"region": "地区", "projects": "采购项目数", "amount_wan": "采购总金额（万元）"},
                 column_config={"采购总金额（万元）": st.column_config.NumberColumn(format="%.2f")})
    ui.page_downloads("政府采购")
