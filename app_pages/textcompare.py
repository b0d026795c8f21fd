"""正文对照: two reports' narratives side by side, the passages they share highlighted (the duplication rule's
character 5-grams). URL state: ?report=A&other=B. The texts are escaped before any markup is added."""
import pandas as pd
import streamlit as st

from dashboard import auth, fmt, office as OV, queries as Q, safe, textdiff as TD, ui


def _id(name):
    v = st.query_params.get(name)
    return int(v) if v and str(v).isdigit() else None


f = ui.current()
if ui.header("正文对照", f):
    a, b = _id("report"), _id("other")
    if a is None or b is None:
        ui.empty("请从重复度列表（合规监测、单位档案或年报详情）中选择一对年报进行并排对照。")
        st.stop()
    heads = {}
    for rid in (a, b):
        h = Q.run("report_header", f, rid=rid)
        if h is None or h.empty:
            ui.empty(f"没有找到年报 {rid}，它可能已被重新导入。")
            st.stop()
        scope = auth.region_scope()
        if scope and not str(h.iloc[0]["region_path"] or "").startswith(scope):
            st.error("这两份年报不全在您的账号可查看的地区范围内。")
            st.stop()
        heads[rid] = h.iloc[0]

    def who(rid):
        h = heads[rid]
        return (f"{h['office'] or h['office_name'] or '（单位不明）'} · "
                f"{int(h['year']) if pd.notna(h['year']) else '年度不明'}年")

    pairs = Q.run("dup_pairs_of", f, rids=[a])
    pair = None if pairs is None else pairs[pairs["other_report_id"] == b]
    if pair is not None and not pair.empty:
        r = pair.iloc[0]
        st.markdown(f"**{OV.DUP_KINDS[r['kind']]}**：{OV.DUP_MEASURE[r['kind']]} **{fmt.pct(r['similarity'])}**"
                    "（检查规则记录的数值）", help=OV.DUP_HELP[r["kind"]])
    else:
        st.caption("这两份年报之间没有记录重复度（检查规则只比较本单位上一年度和同年度最相似的其他单位）；"
                   "下方仍按同一方法标出共有的文字。")
    texts = {}
    for rid in (a, b):
        secs = Q.run("report_sections", f, rid=rid)
        texts[rid] = "" if secs is None else "\n\n".join(t for t in secs["text"] if isinstance(t, str))
    st.caption("黄色标出两份正文共有的段落：按检查规则的方法，去掉空白和标点、数字记为0后，连续5个字相同即为共有。")
    cols = st.columns(2)
    for col, rid, other in ((cols[0], a, b), (cols[1], b, a)):
        with col:
            st.markdown(f"**{safe.md(who(rid))}**")
            ui.report_link(rid, label=f"打开年报详情（年报编号 {rid}）")
            if not texts[rid].strip():
                ui.empty("这份年报没有识别出正文。")
                continue
            m = TD.mark(texts[rid], texts[other])
            # the rule's own measure, from this side: for the later report of a 与上年 pair it is the 重复率
            st.metric("本文5字片段在另一份中出现的比例", fmt.pct(TD.containment(texts[rid], texts[other])),
                      help="本文去掉空白和标点、数字记为0后，所有不同的连续5字片段中，也出现在另一份正文里的比例"
                           "（与上年重复率即按此计算）。")
            st.html(TD.panel(m))
