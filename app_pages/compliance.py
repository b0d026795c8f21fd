"""合规监测: findings by rule and severity; coverage matrix (missing / late); duplication and score rankings;
failed parses listed separately (kept out of every statistic)."""
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, notice, office as OV, queries as Q, review as RVW, ui

f = ui.current()
if ui.header("合规监测", f):
    RVW.flash()
    notice.downloads(f)
    tab_rules, tab_cov, tab_dup, tab_score, tab_fail = st.tabs(
        ["检查结果", "报送情况（缺报 / 逾期）", "重复度排行", "评分排行", "未读取的文件"])
    with tab_rules:
        by_rule = Q.run("findings_by_rule", f)
        if by_rule is None:
            ui.compliance_missing()
        elif by_rule.empty:
            ui.empty("当前筛选下所有检查项均通过。")
        else:
            # 不通过 and 不确定 are different answers: side by side, never added up
            agg = by_rule[by_rule["status"].isin(["FAIL", "UNCERTAIN"])].groupby(
                ["rule", "severity", "status"], as_index=False)["n"].sum()
            agg["rule_l"] = [f"{fmt.rule_name(r)}（{fmt.SEVERITY.get(s, s)}）" for r, s in
                             zip(agg["rule"], agg["severity"])]
            agg["status_l"] = agg["status"].map(fmt.FINDING_STATUS)
            order = agg.groupby("rule_l")["n"].sum().sort_values(ascending=False).index.tolist()
            fig = charts.bar(agg, "rule_l", "n", color="status_l", barmode="group", horizontal=True,
                                labels={"rule_l": "检查规则", "n": "年报数", "status_l": "检查结论"},
                                color_map=fmt.FINDING_STATUS_COLORS,
                                category_orders={"rule_l": order, "status_l": ["不通过", "不确定"]},
                                height=max(300, 26 * len(order) + 110), title="各规则的不通过与不确定")
            fig.update_yaxes(autorange=None, categoryorder="array", categoryarray=order[::-1])  # most on top
            if agg["n"].max() <= 10:
                fig.update_xaxes(dtick=1)  # counts: no half reports on the axis
            ui.chart(fig, "cmp_rules", data=agg[["rule_l", "status_l", "n"]].rename(
                         columns={"rule_l": "检查规则", "status_l": "检查结论"}), name="按规则")
            st.caption("不确定：数值未能可靠读取，需人工核实，不计为不通过。括号内为规则的严重程度。")
            rules = sorted(by_rule["rule"].unique(), key=fmt.rule_name)
            left, right = st.columns(2)
            pick = left.multiselect("只看这些规则", rules, key="cmp_rule_pick", placeholder="全部规则",
                                    format_func=fmt.rule_name, select_all=False)
            rv_pick = right.multiselect("审核结论", list(RVW.STATUS), key="cmp_review_filter", placeholder="全部",
                                        format_func=RVW.STATUS.get, select_all=False)
            lst = RVW.findings_list(f, rules=pick, reviews=rv_pick, limit=1000)
            RVW.counts_caption(f)
            ui.report_table(ui.findings_view(RVW.label(lst)), "检查结果明细", "cmp_list", hide=("office_id",),
                            height=360, rename=RVW.RENAME,
                            hint="选中一行可打开对应年报的详情（缺报记录没有年报）。")
            RVW.finding_form(lst, "cmp_review")
    with tab_cov:
        cov = Q.run("coverage", f)
        if cov is None or cov.empty:
            ui.empty("没有报送情况数据。导入年报后会自动生成（单位名录可用 `python -m etl offices import` 导入）。")
        else:
            counts = Q.run("coverage_counts", f)
            counts = dict(zip(counts["coverage"], counts["n"])) if counts is not None else {}
            c = st.columns(4)
            for col, k in zip(c, ("missing", "late", "failed", "ok")):
                col.metric(fmt.COVERAGE[k], fmt.num(counts.get(k, 0)))
            if len(cov) >= Q.COVERAGE_LIMIT:
                st.warning(f"当前范围的单位×年度超过 {Q.COVERAGE_LIMIT:,} 条，矩阵只显示前 {Q.COVERAGE_LIMIT:,} 条；"
                           "请在左侧选择省/市/区县缩小范围。")
            only = st.toggle("只显示有缺报或逾期的单位", value=True, key="cov_only")
            bad_offices = set(cov.loc[cov["coverage"].isin(["missing", "late", "failed"]), "office_id"])
            shown = cov[cov["office_id"].isin(bad_offices)] if only else cov
            if shown.empty:
                ui.empty("没有缺报或逾期的单位。")
            else:
                mat = shown.assign(code=shown["coverage"].map(fmt.COVERAGE_CODE)).pivot_table(
                    index="office", columns="year", values="code", aggfunc="min")
                left, right = st.columns([3, 2])
                with left:
                    ui.chart(charts.heatmap(mat.head(60)), "cov_heat", data=mat.reset_index(), name="报送矩阵")
                    if len(mat) > 60:
                        st.caption(f"热力图显示前 60 个单位（共 {len(mat)} 个），完整数据见右侧表格。")
                with right:
                    view = shown.copy()
                    view["coverage"] = view["coverage"].map(lambda s: fmt.code_label(fmt.COVERAGE, s))
                    view["unit_type"] = view["unit_type"].map(lambda u: fmt.code_label(fmt.UNIT_TYPES, u))
                    states = st.multiselect("报送情况", list(fmt.COVERAGE.values()),
                                            default=[fmt.COVERAGE[k] for k in ("missing", "late", "failed")],
                                            key="cov_states", select_all=False, placeholder="请选择")
                    if states:
                        view = view[view["coverage"].isin(states)]
                    ui.report_table(view, "报送情况明细", "cov_tbl", hide=("office_id",), height=420,
                                    rename={"region": "地区"})
    with tab_dup:
        dups = {k: Q.run("dup_pairs", f, kind=k, limit=100) for k in ("prev", "peer")}
        if any(d is None for d in dups.values()):
            ui.compliance_missing()
        elif all(d.empty for d in dups.values()):
            ui.empty("当前筛选下没有重复度数据。")
        else:
            OV.pairs(pd.concat(dups.values(), ignore_index=True), "dup", "重复度排行", limit=100)
            st.caption(f"与上年重复率超过 50% 通常会被扣分（检查规则“{fmt.rule_name('DUP-PREV')}”）。"
                       "每类按数值从高到低列出前 100 对。")
    with tab_score:
        sc = Q.run("score_rank", f, limit=100)
        if sc is None:
            ui.compliance_missing()
        elif sc.empty:
            ui.empty("当前筛选下没有评分。")
        else:
            ui.chart(charts.bar(sc.head(20), "office", "score", horizontal=True, custom=["office_id"],
                                labels={"office": "单位", "score": "平均得分"}, height=460,
                                title="得分最低的单位"), "score_chart", select=True,
                     on_select=partial(ui.drill_office, "score_chart"))
            OV.office_table(sc, "评分排行", "score_tbl",
                     rename={"region": "地区", "score": "平均得分", "n_years": "年度数", "min_score": "最低得分"},
                     column_config={"平均得分": st.column_config.NumberColumn(format="%.1f")})
    with tab_fail:
        fl = Q.run("failed_parses", f, limit=1000)
        st.caption("这些文件已收到但没有读出数据：不计入任何统计，也不参与评分。按“处理办法”修正后重新导入。")
        if fl is None or fl.empty:
            ui.empty("没有未读取的文件：所有收到的文件都已解析。")
        else:
            ui.report_table(ui.unread_view(fl), "未读取的文件", "fail_tbl", hide=("status",),
                            hint="选中一行可打开对应年报的详情。")
    ui.page_downloads("合规监测")
