"""单位档案: one office across all years — score, timeliness, findings, copied text, key volumes, with its
reports. The URL is the state: ?office_id=ID (office.PARAM); every ranking links here."""
import pandas as pd
import streamlit as st

from dashboard import auth, charts, fmt, office as OV, queries as Q, review as RVW, safe, ui

f = ui.current()
if ui.header("单位档案", f):
    oid = OV.chosen_office(f.office_id)
    prof = Q.run("office_profile", office_id=int(oid)) if oid is not None else None
    if oid is None or prof is None or prof.empty:
        if oid is not None:
            st.warning("没有找到这个单位，它可能已被重新导入。请重新选择。")
        st.caption("选择一个单位查看它历年的得分、按期发布、检查结果、重复文字和主要数据：在左侧“单位”中选择，"
                   "或在各页的单位排行中选中一行。")
        lst = Q.run("office_lookup", prov=f.province, city=f.city, dist=f.district)
        if lst is not None and not lst.empty:
            OV.office_table(lst, "单位列表", "office_list", height=420,
                            rename={"province": "省", "city": "市", "district": "区县"})
    else:
        p = prof.iloc[0]
        scope = auth.region_scope()
        path = "/".join(x for x in (p["province"], p["city"], p["district"]) if isinstance(x, str))
        if scope and not path.startswith(scope):
            st.error("这个单位不在您的账号可查看的地区范围内。")
            st.stop()
        st.subheader(safe.md(p["office"] or f"单位 {oid}"))
        st.caption(f"{safe.md(path or '地区不明')} · {safe.md(fmt.code_label(fmt.UNIT_TYPES, p['unit_type'], '类型不明'))}"
                   f" · 单位编号 {int(oid)} · 本页为全部年度，不受年度筛选影响。")
        years = Q.run("office_years", office_id=int(oid))
        checked = years is not None
        if not checked:
            years = Q.run("office_reports", office_id=int(oid))
        s = OV.summary(years) if checked else None
        c = st.columns(4)
        c[0].metric("年报数", fmt.num(len(years[years["report_id"].notna()])))
        if s:
            c[1].metric("平均得分", fmt.num(s["avg_score"], 1) if s["avg_score"] is not None else "未评分",
                        help="各年度得分的平均（未发布年报的年度按缺报扣分计入）。")
            c[2].metric(f"最近得分（{s['latest_year']}年）" if s["latest_year"] else "最近得分",
                        fmt.num(s["latest_score"], 1) if s["latest_score"] is not None else "未评分")
            c[3].metric("按期发布", f"{s['on_time']} / {s['on_time'] + s['late']}",
                        f"逾期 {s['late']}，未发布 {s['missing']}" if s["late"] or s["missing"] else None,
                        delta_color="off", delta_arrow="off", help="按期发布的年报数 / 能判断是否按期的年报数。")
            c = st.columns(4)
            fd = OV.findings(oid)
            n_status = fd["status"].value_counts() if fd is not None else {}
            n_fp = int((fd["review_status"] == "false_positive").sum()) \
                if fd is not None and "review_status" in fd else 0
            c[0].metric("不通过检查项", fmt.num(n_status.get("FAIL", 0)),
                        f"其中审核为误报 {n_fp}" if n_fp else None, delta_color="off", delta_arrow="off",
                        help="全部年度合计，含未发布年报。")
            c[1].metric("不确定检查项", fmt.num(n_status.get("UNCERTAIN", 0)), help="需人工核实，不计为不通过。")
            c[2].metric("与上年最高重复率", fmt.pct(s["max_prev"]), help=OV.DUP_HELP["prev"])
            c[3].metric("与其他单位最高相似度", fmt.pct(s["max_peer"]), help=OV.DUP_HELP["peer"])
        else:
            ui.compliance_missing()

        reps = years[years["report_id"].notna()]
        if not reps.empty:
            row = st.container(horizontal=True, gap="small")
            row.markdown("**本单位的年报**")
            twice = set(reps["year"][reps["year"].duplicated()])  # two reports in a year: say which is which
            with row:
                for r in reps.itertuples():
                    label = f"{int(r.year)}年" if pd.notna(r.year) else f"年报 {int(r.report_id)}"
                    if r.year in twice:
                        label += f"（{fmt.code_label(fmt.KINDS, r.report_kind)}，编号 {int(r.report_id)}）"
                    ui.report_link(int(r.report_id), label=label)

        st.markdown("**逐年情况**")
        view = OV.year_view(years)
        vol = {"new_received": "新收申请", "total_processed": "办理总数", "rate_disclosed": "实质公开率",
               "cases": "复议诉讼案件", "rate_corrected": "纠错率"}
        ui.report_table(view, "逐年情况", "office_years", hide=("report_score",) if checked else (),
                        rename={**OV.YEAR_COLUMNS, **vol},
                        hint="选中一行可打开该年度年报的详情（未发布的年度没有年报）。")
        if checked and years["office_score"].notna().sum() > 1:
            sc = years.drop_duplicates("year").dropna(subset=["year", "office_score"]).sort_values("year")
            ui.chart(charts.line(sc, "year", "office_score", labels={"office_score": "得分", "year": "年度"},
                                 height=260, title="历年得分"), "office_score_chart")

        tab_f, tab_d = st.tabs(["检查结果", "重复文字"])
        with tab_f:
            fd = OV.findings(oid)  # cached: the same result as above
            if fd is None:
                ui.compliance_missing()
            elif fd.empty:
                ui.empty("这个单位历年的检查项均通过。")
            else:
                ui.report_table(ui.findings_view(RVW.label(fd)), "单位检查结果", "office_findings", height=320,
                                rename=RVW.RENAME, hint="选中一行可打开对应年报的详情（未发布年报的记录没有年报）。")
        with tab_d:
            rids = [int(x) for x in reps["report_id"]]
            dp = Q.run("dup_pairs_of", rids=rids) if rids else pd.DataFrame({"kind": []})
            OV.pairs(dp, "office_dup", "单位重复文字", as_list=True, empty="没有记录。")
    ui.page_downloads("单位档案")
