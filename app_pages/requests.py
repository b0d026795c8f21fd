"""依申请公开: applicants, outcome mix, denial reasons, carry-over, rates, trends and rankings (table 3)."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, office as OV, queries as Q, ui
from etl import template as T

f = ui.current()
if ui.header("依申请公开", f, "表三“收到和处理政府信息公开申请情况”。实质公开率 =（予以公开 + 部分公开）÷ 办理结果总计；"
                            "不掌握占比 = 本机关不掌握相关政府信息 ÷ 办理结果总计。"):
    out = Q.run("t3_outcomes", f)
    if out.empty:
        ui.empty("当前筛选下没有年报。请放宽筛选条件。")
    else:
        sel = out[out["year"].isin(f.years)] if f.years else out
        tot = sel[[Q.T3_NEW, Q.T3_IN, Q.T3_PROC, Q.T3_OUT, Q.T3_NH] + [Q.G(g) for g in T.T3_OUTCOME_GROUPS]].sum()
        c = st.columns(5)
        c[0].metric("新收申请", fmt.num(tot[Q.T3_NEW]))
        c[1].metric("上年结转", fmt.num(tot[Q.T3_IN]))
        c[2].metric("办理总数", fmt.num(tot[Q.T3_PROC]))
        rates = Q.run("t3_rates", f).iloc[0]  # defined once in etl.metrics
        c[3].metric("实质公开率", fmt.pct(rates["rate_disclosed"]))
        c[4].metric("不掌握占比", fmt.pct(rates["rate_not_held"]))
        st.caption(f"以上合计为 {fmt.years_label(f.years)}；趋势图显示全部年度。“其他处理”在2021版拆为三项，此处合并以便跨版本比较。")

        left, right = st.columns(2)
        with left:
            parts = {Q.G(g): fmt.GROUPS[g] for g in T.T3_OUTCOME_GROUPS}
            key = f"t3mix_{abs(hash(f))}"
            ui.chart(charts.stacked_share(out, "year", parts, title="办理结果构成（按年度）"), key, data=out,
                     name="办理结果按年度", select=True, on_select=partial(ui.drill_year, key))
        with right:
            app = Q.run("t3_applicants", f)
            cols = [Q.K(3, Q.T3_FIRST, c.key) for c in T.T3_COLUMNS if c.key != Q.TOT]
            labels = {Q.K(3, Q.T3_FIRST, c.key): c.label for c in T.T3_COLUMNS}
            ui.chart(charts.stacked_share(app, "year", {k: labels[k] for k in cols}, title="新收申请的申请人类型"),
                     "t3app", data=app.rename(columns=labels), name="申请人类型")
        left, right = st.columns(2)
        with left:
            trend = out[["year", Q.T3_NEW, Q.T3_IN, Q.T3_PROC, Q.T3_OUT]]
            names = {Q.T3_NEW: "新收", Q.T3_IN: "上年结转", Q.T3_PROC: "办理总计", Q.T3_OUT: "结转下年"}
            ui.chart(charts.line(trend.rename(columns=names), "year", list(names.values()),
                                 title="申请量与结转趋势", labels={"value": "件数", "variable": ""}), "t3trend")
        with right:
            rs = Q.run("t3_reasons", f)
            long = rs.T.reset_index()
            long.columns = ["col", "n"]
            long["reason"] = long["col"].map(lambda c: fmt.COLUMN_LABELS.get(c, c).split(" · ")[0])
            grp_of = {Q.K(3, r, Q.TOT): fmt.GROUPS[T.TABLES[T.latest()][3].row(r).group] for r in Q.T3_REASON_ROWS}
            long["group"] = long["col"].map(grp_of)
            long = long.sort_values("n", ascending=False)
            ui.chart(charts.bar(long, "reason", "n", horizontal=True, color="group", height=420,
                                labels={"reason": "理由", "n": "件数", "group": ""},
                                title=f"不予公开 / 无法提供 / 不予处理的理由（{fmt.years_label(f.years)}）"),
                     "t3reasons", data=long[["group", "reason", "n"]], name="理由")
        level, fl, reg = ui.breakdown("t3_by_region", f)
        st.subheader(f"按{fmt.LEVELS[level]}")
        if not reg.empty:
            key = f"t3reg_{abs(hash(f))}"
            fig = charts.bar(reg.head(25), "grp", "rate_disclosed", horizontal=True, custom=["office_id"],
                             labels={"grp": fmt.LEVELS[level], "rate_disclosed": "实质公开率"},
                             height=max(260, 24 * min(len(reg), 25) + 70))
            fig.update_xaxes(tickformat=".0%")
            ui.chart(fig, key, select=True, on_select=partial(ui.drill_region, key, level, fl))
            OV.region_table(reg, level, f"按{fmt.LEVELS[level]}", "t3reg_tbl",
                     rename={"grp": fmt.LEVELS[level], "new_received": "新收申请", "total_processed": "办理总数",
                             "rate_disclosed": "实质公开率", "rate_not_held": "不掌握占比",
                             **{Q.G(g): fmt.GROUPS[g] for g in T.T3_OUTCOME_GROUPS}},
                     column_config={"实质公开率": st.column_config.NumberColumn(format="percent"),
                                    "不掌握占比": st.column_config.NumberColumn(format="percent")})
        level, _, ry = ui.breakdown("t3_region_year", f)
        if level != "office" and ry is not None and not ry.empty:
            st.subheader(f"按{fmt.LEVELS[level]}和年度")
            ui.table(ry.drop(columns=["office_id"]), f"按{fmt.LEVELS[level]}和年度", "t3ry_tbl",
                     rename={"grp": fmt.LEVELS[level], "year": "年度", "new_received": "新收申请",
                             "new_received_chg": "新收申请同比增减", "new_received_pct": "新收申请同比",
                             "total_processed": "办理总数", "rate_disclosed": "实质公开率",
                             "rate_not_held": "不掌握占比"},
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in ("新收申请同比", "实质公开率", "不掌握占比")})
            st.caption("同比为与上一年度相比；所选年度中的第一年、或上一年度不在所选年度内时留空。")
        st.subheader("单位排行（按新收申请）")
        rank = Q.run("t3_rank", f, limit=30)
        if not rank.empty:
            key = f"t3rank_{abs(hash(f))}"
            ui.chart(charts.bar(rank.head(15), "office", "new_received", horizontal=True, custom=["office_id"],
                                labels={"office": "单位", "new_received": "新收申请"}, height=420), key,
                     select=True, on_select=partial(ui.drill_office, key))
            st.caption("点击条形进入该单位的年报详情。")
            OV.office_table(rank, "单位排行", "t3rank_tbl",
                     rename={"region": "地区", "new_received": "新收申请", "total_processed": "办理总数",
                             "rate_disclosed": "实质公开率", "rate_not_held": "不掌握占比",
                             "carried_forward": "结转下年"},
                     column_config={"实质公开率": st.column_config.NumberColumn(format="percent"),
                                    "不掌握占比": st.column_config.NumberColumn(format="percent")})
    ui.page_downloads("依申请公开")
