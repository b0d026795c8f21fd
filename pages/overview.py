"""总览: KPIs with change vs previous year, breakdown by region and unit type, the most serious findings."""
from functools import partial

import streamlit as st

from dashboard import charts, fmt, queries as Q, ui

ui.ensure_app()

f = ui.current()
if ui.header("总览", f):
    latest = Q.run("latest_year", f)
    year = max(f.years) if f.years else int(latest.iloc[0]["year"])
    cur = Q.run("kpi_year", f, year=year).iloc[0]
    prev = Q.run("kpi_year", f, year=year - 1).iloc[0]
    st.caption(f"关键指标为 **{year}年**（与 {year - 1} 年比较）。区域汇总报告不与其所汇总的单位相加。")

    def rate(r):
        return (r["disclosed"] / r["total_processed"]) if r["total_processed"] else None

    cols = st.columns(6)
    cols[0].metric("年报数", fmt.num(cur["n_reports"]), fmt.delta(cur["n_reports"], prev["n_reports"]))
    cols[1].metric("报告单位数", fmt.num(cur["n_offices"]), fmt.delta(cur["n_offices"], prev["n_offices"]))
    cols[2].metric("新收公开申请", fmt.num(cur["new_received"]), fmt.delta(cur["new_received"], prev["new_received"]))
    cols[3].metric("办理总数", fmt.num(cur["total_processed"]),
                   fmt.delta(cur["total_processed"], prev["total_processed"]))
    r1, r0 = rate(cur), rate(prev)
    cols[4].metric("实质公开率", fmt.pct(r1),
                   None if r1 is None or r0 is None else f"{(r1 - r0) * 100:+.1f} 个百分点",
                   help="（予以公开 + 部分公开）÷ 办理结果总计")
    cols[5].metric("复议诉讼案件", fmt.num(cur["cases"]), fmt.delta(cur["cases"], prev["cases"]),
                   delta_color="inverse")
    kf = Q.run("kpi_findings", f, year=year)
    if kf is not None:
        kfp = Q.run("kpi_findings", f, year=year - 1)
        c = st.columns(6)
        c[0].metric("错误（不通过）", fmt.num(kf.iloc[0]["errors"]),
                    fmt.delta(kf.iloc[0]["errors"], kfp.iloc[0]["errors"]), delta_color="inverse")
        c[1].metric("警告（不通过）", fmt.num(kf.iloc[0]["warnings"]),
                    fmt.delta(kf.iloc[0]["warnings"], kfp.iloc[0]["warnings"]), delta_color="inverse")
        c[2].metric("缺报", fmt.num(kf.iloc[0]["missing"]), delta_color="inverse")
        c[3].metric("推断/存疑数值", fmt.num(cur["n_flagged"]))

    level = f.level()
    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"按{fmt.LEVELS[level]}分布")
        reg = Q.run("by_region", f, level=level)
        if reg.empty:
            ui.empty("当前筛选下没有年报。请放宽筛选条件。")
        else:
            key = f"ov_region_{abs(hash(f))}"
            fig = charts.bar(reg.head(25), "grp", ["new_received", "total_processed"], horizontal=True,
                             labels={"grp": fmt.LEVELS[level], "value": "件数", "new_received": "新收申请",
                                     "total_processed": "办理总数"}, custom=["office_id"],
                             height=max(280, 26 * min(len(reg), 25) + 80))
            fig.for_each_trace(lambda t: t.update(name={"new_received": "新收申请",
                                                         "total_processed": "办理总数"}.get(t.name, t.name)))
            ui.chart(fig, key, select=True, on_select=partial(ui.drill_region, key, level))
            st.caption("点击条形可下钻到下一级地区；在单位一级点击进入该单位的年报详情。")
            ui.table(reg.drop(columns=["office_id"]), f"按{fmt.LEVELS[level]}分布", "ov_region_tbl",
                     rename={"grp": fmt.LEVELS[level], "new_received": "新收申请", "total_processed": "办理总数",
                             "cases": "复议诉讼案件"})
    with right:
        st.subheader("按单位类型")
        ut = Q.run("by_unit_type", f)
        if not ut.empty:
            ut["unit_type"] = ut["unit_type"].map(lambda u: fmt.UNIT_TYPES.get(u, u))
            ui.chart(charts.bar(ut, "unit_type", "n_reports", height=260), "ov_unit")
            ui.table(ut, "按单位类型", "ov_unit_tbl", rename={"new_received": "新收申请", "cases": "复议诉讼案件"})
        st.subheader("各年度年报数")
        ry = Q.run("reports_by_year", f)
        if not ry.empty:
            ry["report_kind"] = ry["report_kind"].map(lambda k: fmt.KINDS.get(k, k or "未知"))
            key = f"ov_years_{abs(hash(f))}"
            ui.chart(charts.bar(ry, "year", "n_reports", color="report_kind", barmode="stack", height=260), key,
                     data=ry, name="各年度年报数", select=True, on_select=partial(ui.drill_year, key))

    st.subheader("最严重的问题")
    sf = Q.run("serious_findings", f, limit=20)
    if sf is None:
        ui.compliance_missing()
    elif sf.empty:
        ui.empty("当前筛选下没有未通过的检查项。")
    else:
        sf["severity"] = sf["severity"].map(lambda s: fmt.SEVERITY.get(s, s))
        ui.report_table(sf, "最严重的问题", "ov_findings", hide=("office_id",), hint="选中一行可打开对应年报的详情。")
    ui.page_downloads("总览")
