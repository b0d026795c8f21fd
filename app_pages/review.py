"""复议诉讼: table 4 cases and outcomes per block, 纠错率, trends, top offices."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, office as OV, queries as Q, ui

f = ui.current()
if ui.header("复议诉讼", f, "表四“政府信息公开行政复议、行政诉讼情况”。纠错率 = 结果纠正 ÷（总计 − 尚未审结）。"):
    by_year = Q.run("t4_by_year", f)
    if by_year.empty:
        ui.empty("当前筛选下没有年报。请放宽筛选条件。")
    else:
        sel = by_year[by_year["year"].isin(f.years)] if f.years else by_year
        blocks = Q.run("t4_block_rates", f).iloc[0]  # 纠错率 of each part: etl.metrics.CORRECTED_BY_BLOCK
        cols = st.columns(len(Q.T4_BLOCKS))
        for c, b in zip(cols, Q.T4_BLOCKS):
            c.metric(fmt.T4_BLOCKS[b], fmt.num(blocks[Q.K(4, b, Q.T4_TOTAL)]),
                     f"纠错率 {fmt.pct(blocks[f'rate_corrected_{b}'])}",
                     delta_color="off", delta_arrow="off")  # a rate beside the count, not a change
        left, right = st.columns(2)
        with left:
            trend = by_year[["year"] + [Q.K(4, b, Q.T4_TOTAL) for b in Q.T4_BLOCKS]]
            trend = trend.rename(columns={Q.K(4, b, Q.T4_TOTAL): fmt.T4_BLOCKS[b] for b in Q.T4_BLOCKS})
            key = f"t4y_{abs(hash(f))}"
            ui.chart(charts.line(trend, "year", [fmt.T4_BLOCKS[b] for b in Q.T4_BLOCKS], title="案件数趋势",
                                 labels={"value": "件数", "variable": ""}), key, data=trend, name="案件数趋势",
                     select=True, on_select=partial(ui.drill_year, key))
        with right:
            rows = []
            for b in Q.T4_BLOCKS:
                for col in Q.T4_COLS[:-1]:
                    rows.append({"block": fmt.T4_BLOCKS[b], "result": fmt.T4_COLS[col],
                                 "n": sel[Q.K(4, b, col)].sum()})
            import pandas as pd
            mix = pd.DataFrame(rows)
            ui.chart(charts.bar(mix, "block", "n", color="result", barmode="stack",
                                labels={"block": "", "n": "件数", "result": ""},
                                title=f"审理结果（{fmt.years_label(f.years)}）"), "t4mix", data=mix, name="审理结果")
        level, fl, reg = ui.breakdown("t4_by_region", f)
        st.subheader(f"按{fmt.LEVELS[level]}")
        key = f"t4r_{abs(hash(f))}"
        ui.chart(charts.bar(reg.head(25), "grp", ["cases", "corrected"], horizontal=True, custom=["office_id"],
                            labels={"grp": fmt.LEVELS[level], "value": "件数"},
                            height=max(260, 24 * min(len(reg), 25) + 70)), key,
                 select=True, on_select=partial(ui.drill_region, key, level, fl))
        OV.region_table(reg, level, f"复议诉讼按{fmt.LEVELS[level]}", "t4reg_tbl",
                 rename={"grp": fmt.LEVELS[level], "cases": "案件数", "corrected": "结果纠正", "rate_corrected": "纠错率"},
                 column_config={"纠错率": st.column_config.NumberColumn(format="percent")})
        level, _, ry = ui.breakdown("t4_region_year", f)
        if level != "office" and ry is not None and not ry.empty:
            st.subheader(f"按{fmt.LEVELS[level]}和年度")
            ui.table(ry.drop(columns=["office_id"]), f"复议诉讼按{fmt.LEVELS[level]}和年度", "t4ry_tbl",
                     rename={"grp": fmt.LEVELS[level], "year": "年度", "review": "行政复议", "suits": "行政诉讼",
                             "cases": "案件合计", "cases_chg": "案件同比增减", "cases_pct": "案件同比",
                             "corrected": "结果纠正", "rate_corrected": "纠错率"},
                     column_config={c: st.column_config.NumberColumn(format="percent") for c in ("案件同比", "纠错率")})
            st.caption("同比为与上一年度相比；所选年度中的第一年、或上一年度不在所选年度内、或上年为0件时留空。")
        st.subheader("案件最多的单位")
        top = Q.run("t4_top", f, limit=30)
        if top.empty:
            ui.empty("当前筛选下没有复议或诉讼案件。")
        else:
            key = f"t4top_{abs(hash(f))}"
            ui.chart(charts.bar(top.head(15), "office", ["review", "suits"], horizontal=True, custom=["office_id"],
                                barmode="stack", labels={"office": "单位", "value": "件数"}, height=420), key,
                     select=True, on_select=partial(ui.drill_office, key))
            OV.office_table(top, "案件最多的单位", "t4top_tbl",
                     rename={"region": "地区", "review": "行政复议", "suits": "行政诉讼", "cases": "案件合计",
                             "corrected": "结果纠正", "rate_corrected": "纠错率"},
                     column_config={"纠错率": st.column_config.NumberColumn(format="percent")})
    ui.page_downloads("复议诉讼")
