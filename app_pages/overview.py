"""总览: KPIs with change vs previous year, breakdown by region and unit type, the most serious findings."""
from dataclasses import replace
from functools import partial

import streamlit as st

from dashboard import charts, fmt, office as OV, queries as Q, review as RVW, ui

f = ui.current()
if ui.header("总览", f):
    latest = Q.run("latest_year", f)
    year = max(f.years) if f.years else int(latest.iloc[0]["year"])
    cur = Q.run("kpi_year", f, year=year).iloc[0]
    prev = Q.run("kpi_year", f, year=year - 1).iloc[0]
    has_prev = int(prev["n_reports"] or 0) > 0  # no change against a year without reports
    st.caption(f"本页指标和分布均为 **{year}年**" + (f"（变化与 {year - 1} 年比较）" if has_prev else
                                                   f"（{year - 1} 年没有年报，不显示变化）")
               + "。区域汇总报告不与其所汇总的单位相加。")
    vs = {"delta_description": f"较{year - 1}年"} if has_prev else {}

    def d(key, src=cur, old=prev):
        return fmt.delta(src[key], old[key]) if has_prev else None

    cols = st.columns(6)
    cols[0].metric("年报数", fmt.num(cur["n_reports"]), d("n_reports"), **vs)
    cols[1].metric("报告单位数", fmt.num(cur["n_offices"]), d("n_offices"), **vs)
    cols[2].metric("新收公开申请", fmt.num(cur["new_received"]), d("new_received"), **vs)
    cols[3].metric("办理总数", fmt.num(cur["total_processed"]), d("total_processed"), **vs)
    r1, r0 = cur["rate_disclosed"], prev["rate_disclosed"]  # etl.metrics.DISCLOSED, in SQL
    cols[4].metric("实质公开率", fmt.pct(r1), fmt.delta_points(r1, r0) if has_prev else None, **vs,
                   help="（予以公开 + 部分公开）÷ 办理结果总计")
    cols[5].metric("复议诉讼案件", fmt.num(cur["cases"]), d("cases"), delta_color="inverse", **vs)
    kf = Q.run("kpi_findings", f, year=year)
    if kf is not None:
        kfp = Q.run("kpi_findings", f, year=year - 1)
        k1, k0 = kf.iloc[0], kfp.iloc[0]
        c = st.columns(6)
        c[0].metric("错误（不通过）", fmt.num(k1["errors"]), d("errors", k1, k0), delta_color="inverse", **vs)
        c[1].metric("警告（不通过）", fmt.num(k1["warnings"]), d("warnings", k1, k0), delta_color="inverse", **vs)
        c[2].metric("缺报", fmt.num(k1["missing"]))
        c[3].metric("推断/存疑数值", fmt.num(cur["n_flagged"]))

    fy = replace(f, years=(year,))  # the breakdowns use the KPIs' year
    level, fl, reg = ui.breakdown("by_region", fy)
    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"按{fmt.LEVELS[level]}分布（{year}年）")
        if reg.empty:
            ui.empty("当前筛选下没有年报。请放宽筛选条件。")
        else:
            key = f"ov_region_{abs(hash(fl))}"
            fig = charts.bar(reg.head(25), "grp", ["new_received", "total_processed"], horizontal=True,
                             labels={"grp": fmt.LEVELS[level], "value": "件数", "new_received": "新收申请",
                                     "total_processed": "办理总数"}, custom=["office_id"],
                             height=max(280, 26 * min(len(reg), 25) + 80))
            ui.chart(fig, key, select=True, on_select=partial(ui.drill_region, key, level, replace(fl, years=f.years)))
            st.caption("点击条形可下钻到下一级地区；在单位一级点击进入该单位的年报详情。")
            OV.region_table(reg, level, f"按{fmt.LEVELS[level]}分布", "ov_region_tbl",
                     rename={"grp": fmt.LEVELS[level], "new_received": "新收申请", "total_processed": "办理总数",
                             "cases": "复议诉讼案件"})
    with right:
        st.subheader(f"按单位类型（{year}年）")
        ut = Q.run("by_unit_type", fy)
        if not ut.empty:
            ut["unit_type"] = ut["unit_type"].map(lambda u: fmt.code_label(fmt.UNIT_TYPES, u))
            ui.chart(charts.bar(ut, "unit_type", "n_reports", height=260), "ov_unit")
            ui.table(ut, "按单位类型", "ov_unit_tbl", rename={"new_received": "新收申请", "cases": "复议诉讼案件"})
        st.subheader("各年度年报数")
        st.caption("全部年度（不受年度筛选影响），点击某年可筛选该年度。")
        ry = Q.run("reports_by_year", f)
        if not ry.empty:
            ry["report_kind"] = ry["report_kind"].map(lambda k: fmt.code_label(fmt.KINDS, k))
            key = f"ov_years_{abs(hash(f))}"
            ui.chart(charts.bar(ry, "year", "n_reports", color="report_kind", barmode="stack", height=260), key,
                     data=ry, name="各年度年报数", select=True, on_select=partial(ui.drill_year, key))

    st.subheader("最严重的问题")
    sf = RVW.serious_findings(f, limit=20)
    if sf is None:
        ui.compliance_missing()
    elif sf.empty:
        ui.empty("当前筛选下没有未通过的检查项。")
    else:
        sf["severity"] = sf["severity"].map(lambda s: fmt.SEVERITY.get(s, s))
        sf.insert(1, "rule_name", sf.pop("rule").map(fmt.rule_name))
        ui.report_table(sf, "最严重的问题", "ov_findings", hide=("office_id",), rename=RVW.RENAME,
                        hint="选中一行可打开对应年报的详情。")
    ui.page_downloads("总览")
