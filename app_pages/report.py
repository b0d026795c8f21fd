"""年报详情: one report laid out like the original template, every cell with raw text, kind, flag and
provenance; its findings; the source file; the narrative as escaped text."""
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, fmt, office as OV, queries as Q, report_view as RV, review as RVW, safe, ui

f = ui.current()


def _pick(key):
    ev = st.session_state.get(key)
    try:
        rows = ev["selection"]["rows"]
    except (KeyError, TypeError):
        return
    lst = st.session_state.get("_report_list_ids") or []
    if rows and rows[0] < len(lst):
        st.query_params["report"] = str(lst[rows[0]])


def _chosen():
    v = st.session_state.get("report_sel")
    if v is None:
        st.query_params.pop("report", None)
    else:
        st.query_params["report"] = str(v)


if ui.header("年报详情", f):
    lst = Q.run("report_list", f, include_failed=False, limit=2000)
    opts = [int(x) for x in lst["report_id"]]
    wanted = st.query_params.get("report")
    wanted = int(wanted) if wanted and str(wanted).isdigit() else None
    if wanted is not None and wanted not in opts:
        opts.append(wanted)  # a link to a report outside the current filters still opens it
    names = {int(r.report_id): f"{r.office or '（单位不明）'} · {r.year if pd.notna(r.year) else '年度不明'}年 · "
                                f"{fmt.code_label(fmt.STATUS, r.status)}" for r in lst.itertuples()}
    st.session_state["report_sel"] = wanted  # the URL (?report=ID) is the source of truth
    rid = st.selectbox("选择年报", [None] + opts, key="report_sel", on_change=_chosen,
                       format_func=lambda i: "（请选择）" if i is None else names.get(i, f"年报 {i}"))
    if rid is None:
        st.caption(f"当前筛选下共 {len(lst)} 份年报。在下表中选中一行，或从其他页面的图表点击进入。")
        st.session_state["_report_list_ids"] = opts[: len(lst)]
        ui.table(lst, "年报列表", "rep_list", selectable=True, height=420, on_select=partial(_pick, "rep_list"))
    else:
        h = Q.run("report_header", f, rid=int(rid))
        scope = auth.region_scope()
        if h is not None and not h.empty and scope and not str(h.iloc[0]["region_path"] or "").startswith(scope):
            st.error("这份年报不在您的账号可查看的地区范围内。")
            st.stop()
        if h is None or h.empty:
            ui.empty("没有找到这份年报，它可能已被重新导入。请从列表重新选择。")
        else:
            h = h.iloc[0]
            version = h["template"] or h["template_expected"] or "2021"
            unread = h["status"] in fmt.UNREAD
            office = h["office"] or h["office_name"] or "（单位不明）"
            st.subheader(f"{safe.md(office)} · {h['year'] if pd.notna(h['year']) else '—'}年")
            if h["title"]:
                st.text(h["title"])
            if pd.notna(h.get("office_id")):
                OV.office_link(int(h["office_id"]), office)
            tpl_note = ("" if h["template"] == h["template_expected"] or not h["template_expected"]
                        else f"（应为{fmt.code_label(fmt.TEMPLATES, h['template_expected'])}）")
            st.markdown(f"**模板** {safe.md(fmt.code_label(fmt.TEMPLATES, h['template'], '未识别'))}{safe.md(tpl_note)}　"
                        f"**报告类型** {safe.md(fmt.code_label(fmt.KINDS, h['report_kind']))}　"
                        f"**发布日期** {str(h['published_on'])[:10] if pd.notna(h['published_on']) else '—'}　"
                        f"**解析状态** {safe.md(fmt.code_label(fmt.STATUS, h['status']))}")
            if unread:
                pages_ = "、".join(p for p in str(h["needs_ocr_pages"] or "").split(",") if p)
                st.warning(f"这份年报是扫描件{f'（第 {safe.md(pages_)} 页没有文字层）' if pages_ else ''}，"
                           "表格和正文都没有读取："
                           "下面的表格为空白，它不参与评分，也不计入任何统计数字。" + fmt.ADVICE_OCR,
                           icon=":material/document_scanner:")
            c = st.columns(3)
            c[0].metric("推断 / 存疑", "—" if unread else f"{int(h['n_inferred'] or 0)} / {int(h['n_uncertain'] or 0)}")
            sc = Q.run("report_score", f, rid=int(rid))
            # an unread scan has no score, also in a warehouse scored before that rule existed
            has_score = not unread and sc is not None and not sc.empty and pd.notna(sc.iloc[0]["score"])
            c[1].metric("得分", fmt.num(sc.iloc[0]["score"], 1) if has_score else "未评分",
                        help="扫描件未读取，无法检查，因此不评分。" if unread else None)
            c[2].metric("表格数值个数", "未读取" if unread else fmt.num(h["n_values"]))
            region = h["region_path"] or "地区不明"
            st.caption(f"{safe.md(region)} · {safe.md(fmt.code_label(fmt.UNIT_TYPES, h['unit_type'], '类型不明'))} · "
                       f"格式 {safe.md(fmt.code_label(fmt.FORMATS, h['format']))} · 年报编号 {rid}")
            src = Path(str(h["source_path"]))
            if src.is_file():
                st.download_button(f"下载原始文件（{safe.md(src.name)}）", data=lambda: src.read_bytes(),
                                   file_name=src.name, on_click="ignore", icon=":material/download:", key="rep_src")
            else:
                st.caption(f"原始文件不在本机：{safe.md(src)}")
            newer = h.get("superseded_by")
            if newer is not None and pd.notna(newer):
                st.warning(f"这是旧版本：同一单位同一年度已导入更新的版本（年报编号 {int(newer)}），本版本保留备查，"
                           "不计入任何统计。")
                ui.report_link(int(newer), "打开更新的版本")
            if h["status"] == "failed":
                st.error(f"解析失败：{safe.md(fmt.code_label(fmt.ERROR_CODES, h['error_code']))}。该文件不计入任何统计。"
                         + safe.md(fmt.ERROR_ADVICE.get(h["error_code"], fmt.ADVICE_DEFAULT)))
            RVW.flash()
            cells = RVW.report_cells(f, int(rid))  # hand corrections in force replace parsed values
            tab_t, tab_r, tab_c, tab_f, tab_s = st.tabs(["表格（按模板）", "识读情况", "单元格明细", "检查结果", "正文"])
            with tab_r:
                rd = Q.run("report_reading", f, rid=int(rid))
                rf = RV.reading_frame(rd.iloc[0].get("reading")) if rd is not None and not rd.empty else None
                if rf is None:
                    ui.empty("这份年报没有记录识读情况（导入时的解析器较旧，重新解析后可见）。")
                else:
                    st.caption("每张表如何找到，以及单元格中直接读取、按勾稽关系推断、无法确定（存疑）和报告未印出的数量。")
                    ui.table(rf, "识读情况", "rep_reading")
                if cells is not None and not cells.empty:
                    uf = RV.uncertain_frame(cells, version)
                    if not uf.empty:
                        st.markdown("**存疑单元格**：原文数字粘连、可有多种读法，解析器未采用任何一种；请对照原文选定。")
                        ui.table(uf, "存疑单元格", "rep_uncertain")
            with tab_t:
                st.markdown(":orange-background[推断值] :red-background[存疑值] :gray-background[空白 / 不适用] "
                            ":violet-background[文字] :blue-background[人工更正]　“—”表示模板中该行没有此列。")
                if unread:
                    ui.empty("扫描件未读取，没有表格数据。")
                elif cells is None or cells.empty:
                    ui.empty("这份年报没有识别出表格数据。")
                else:
                    for title, (text, style) in RV.grids(cells, version).items():
                        st.markdown(f"**{title}**")
                        if ui.print_mode():
                            ui.print_table(text, style)
                        else:
                            styler = text.style.apply(lambda _df, s=style: s, axis=None)
                            st.dataframe(styler, width="stretch", height="content" if len(text) < 30 else 600)
                        ui._page_tables()[title.replace(" · ", "_")[:28]] = text.reset_index(names="项目")
            with tab_c:
                if unread:
                    ui.empty("扫描件未读取，没有单元格。")
                elif cells is not None and not cells.empty:
                    ct = RV.cell_table(cells, version)
                    keys = list(ct["key"])
                    labels = dict(zip(ct["key"], ct["tbl"] + " · " + ct["label"]))
                    k = st.selectbox("查看单元格出处", keys, format_func=labels.get, key="rep_cell")
                    one = cells[cells["key"] == k].iloc[0]
                    cc = st.columns(5)
                    cc[0].metric("原文", safe.md(one["raw"]) if one["raw"] not in (None, "") else "（空白）")
                    cc[1].metric("数值", fmt.num(one["value"], 2) if pd.notna(one["value"]) else "—")
                    cc[2].metric("类型", fmt.code_label(fmt.CELL_KIND, one["kind"], "—"))
                    cc[3].metric("标记", fmt.CELL_FLAG.get(one["flag"], "无") if one["flag"] else "无")
                    cc[4].metric("单位", safe.md(one["unit"]) or "—")
                    if one["flag"] == "corrected":
                        pv = one.get("parsed_value")
                        st.info(f"{RVW.CORRECTED}：解析值 {fmt.num(pv, 2) if pd.notna(pv) else '—'}"
                                f"（原文 {safe.md(one['raw']) if one['raw'] not in (None, '') else '空白'}），"
                                f"更正为 {fmt.num(one['value'], 2)}。理由：{safe.md(one.get('correction_reason'))}；"
                                f"{safe.md(one.get('corrector'))}，{str(one.get('corrected_at'))[:16]}",
                                icon=":material/edit_note:")
                    st.caption(f"出处：{safe.md(RV.prov_text(one['prov'])) or '未记录'}"
                               + (f"；备注：{safe.md(one['note'])}" if one["note"] else ""))
                    ex = RV.excerpt(str(h["source_path"]), h["format"], one["prov"])
                    if ex:
                        st.code(ex, language=None)
                    ui.table(ct, "单元格明细", "rep_cells", height=400, hide=("key",), rename=RVW.RENAME)
                if not unread and h["status"] != "failed":
                    RVW.correction_form(cells, version, int(rid), "rep_correct")
            with tab_f:
                fd = RVW.report_findings(f, int(rid))
                if fd is None or fd.empty:
                    ui.empty("这份年报没有检查结果。")
                else:
                    ui.table(ui.findings_view(RVW.label(fd)), "检查结果", "rep_findings", rename=RVW.RENAME)
                    if "review_status" in fd:  # reviews apply to the compliance engine's findings
                        RVW.finding_form(fd[fd["status"].isin(["FAIL", "UNCERTAIN"])].assign(report_id=int(rid)),
                                         "rep_review")
                RVW.history(f, int(rid), version)
                dp = Q.run("dup_pairs_of", f, rids=[int(rid)])
                if dp is not None and not dp.empty:
                    st.markdown("**重复文字**")
                    OV.pairs(dp, "rep_dup", "重复文字", as_list=True, empty="没有记录。", current=int(rid))
                pr = Q.run("report_problems", f, rid=int(rid))
                if pr is not None and not pr.empty:
                    pr["prov"] = pr["prov"].map(RV.prov_text)
                    pr["code"] = pr["code"].map(lambda c: fmt.code_label(fmt.PROBLEM_CODES, c))
                    pr["message"] = pr["message"].map(fmt.chinese_only)
                    ui.table(pr, "解析问题", "rep_problems", rename={"code": "问题", "message": "详情"})
            with tab_s:
                secs = Q.run("report_sections", f, rid=int(rid))
                if secs is None or secs.empty:
                    ui.empty("没有识别出正文章节。")
                else:
                    for s in secs.itertuples():
                        with st.expander(safe.md(s.title) if s.title else f"第{s.section_no}部分",
                                         expanded=s.section_no == 1):
                            st.text(s.text or "（无内容）")  # escaped text, never HTML
    ui.page_downloads("年报详情")
