"""Reviews of findings (确认 / 误报 / 已整改) and hand corrections of cells in the dashboard: labels, the
queries (with a fallback for warehouses built before reviews existed) and the two forms, shown only to a
reviewer or admin (dashboard/auth.py). Writes go through etl.review (the ingest's lock and atomic swap)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import review as R
from etl import template as T

from . import auth, db, fmt, queries as Q, safe

UNREVIEWED = "unreviewed"
STATUS = {**R.VERDICTS, UNREVIEWED: "未审核"}
RENAME = {"review_status": "审核结论", "review_note": "审核意见", "reviewer": "审核人", "reviewed_at": "审核时间",
          "parsed_value": "解析值", "correction_reason": "更正理由", "corrector": "更正人", "corrected_at": "更正时间"}
CORRECTED = "人工更正"
_FLASH = "_review_flash"


def label(df: pd.DataFrame) -> pd.DataFrame:
    """Review codes as Chinese words (未审核 where none)."""
    if df is not None and "review_status" in df:
        df = df.copy()
        df["review_status"] = df["review_status"].map(lambda s: STATUS.get(s if isinstance(s, str) else UNREVIEWED, s))
    return df


def findings_list(f, rules=(), reviews=(), limit: int = 1000) -> pd.DataFrame | None:
    if Q.available("findings_list_rv"):
        return Q.run("findings_list_rv", f, rules=list(rules), reviews=list(reviews), limit=limit)
    return Q.run("findings_list", f, rules=list(rules), limit=limit)


def counts_caption(f) -> None:
    """How many of the findings in the selection are reviewed, by verdict."""
    rc = Q.run("review_counts", f) if Q.available("review_counts") else None
    if rc is None or rc.empty:
        return
    n = dict(zip(rc["review_status"], rc["n"]))
    st.caption("审核情况：" + "，".join(f"{STATUS[k]} {fmt.num(n.get(k, 0))} 条" for k in STATUS)
               + "。误报不扣分，已整改按评分规则的比例扣分。")


def serious_findings(f, limit: int = 20) -> pd.DataFrame | None:
    return label(Q.run("serious_findings_rv" if Q.available("serious_findings_rv") else "serious_findings",
                       f, limit=limit))


def report_findings(f, rid: int) -> pd.DataFrame | None:
    if Q.available("report_findings_rv"):
        return Q.run("report_findings_rv", f, rid=rid)
    return Q.run("report_findings", f, rid=rid)


def report_cells(f, rid: int) -> pd.DataFrame | None:
    return Q.run("report_cells_rv" if Q.available("report_cells_rv") else "report_cells", f, rid=rid)


def writable() -> bool:
    return auth.can_review() and not db.is_parquet() and db.db_path().exists()


def who() -> str:
    user = auth.current_user()
    if user is None or user.local:
        return R.LOCAL_USER
    return f"{user.name}（{user.email}）" if user.name and user.name != user.email else user.email


def flash() -> None:
    """The outcome of the last write, shown once after the rerun that refreshes the tables."""
    msg = st.session_state.pop(_FLASH, None)
    if msg:
        st.success(msg)


def _write(form: str, fn, clear: tuple[str, ...], ok: str, **kw) -> None:
    """Call an etl.review writer from a button's callback (it runs before the page, so the tables of that
    run already show the new state); on success empty the form (`clear`: its widget keys)."""
    from etl.writer import IngestLocked
    if not writable():  # checked again at write time, not only when the form was drawn
        st.session_state[f"{form}_err"] = "没有审核权限。"
        return
    try:
        fn(db.db_path(), **kw)
    except R.ReviewError as e:
        st.session_state[f"{form}_err"] = str(e)
        return
    except IngestLocked:
        st.session_state[f"{form}_err"] = "数据仓库正在导入或重新计算，请稍后再提交（本次未保存）。"
        return
    st.cache_data.clear()
    for k in clear:
        st.session_state.pop(k, None)
    st.session_state[_FLASH] = ok


def _errors(key: str) -> None:
    err = st.session_state.pop(f"{key}_err", None)
    if err:
        st.error(safe.md(err))


def _refuse_note() -> None:
    if db.is_parquet():
        st.caption("当前数据源是只读的 Parquet 导出，不能在此审核。")
    else:
        st.caption("审核检查结果、更正单元格需要“审核员”或“管理员”权限。")


def finding_form(df: pd.DataFrame | None, key: str) -> None:
    """Mark one of the listed findings (rows with rule, status, office, year, report_id) with a verdict."""
    if df is None or df.empty:
        return
    with st.expander("审核检查结果（确认 / 误报 / 已整改）", icon=":material/fact_check:"):
        if not writable():
            _refuse_note()
            return
        rows = df.reset_index(drop=True)

        def name(i: int) -> str:
            r = rows.iloc[i]
            year = f"{int(r['year'])}年" if "year" in r and pd.notna(r.get("year")) else ""
            office = f"{r['office']} · " if "office" in r and isinstance(r.get("office"), str) else ""
            now = STATUS.get(r.get("review_status") if isinstance(r.get("review_status"), str) else UNREVIEWED)
            return (f"{office}{year} · {fmt.rule_name(r['rule'])} · "
                    f"{fmt.code_label(fmt.FINDING_STATUS, r['status'])} · {now}")

        def save():
            i = st.session_state.get(f"{key}_pick")
            if i is None or int(i) >= len(rows):
                return
            r = rows.iloc[int(i)]
            rid = r.get("report_id")
            has_report = rid is not None and not pd.isna(rid)
            verdict = st.session_state.get(f"{key}_verdict") or "confirmed"
            _write(key, R.review_finding, (f"{key}_note",),
                   f"已保存审核结论：{fmt.rule_name(r['rule'])} → {R.VERDICTS[verdict]}",
                   verdict=verdict, reviewer=who(), note=st.session_state.get(f"{key}_note") or "",
                   rule=str(r["rule"]), report=int(rid) if has_report else None,
                   office=None if has_report else r.get("office"),
                   year=None if has_report or pd.isna(r.get("year")) else int(r["year"]))

        _errors(key)
        st.selectbox("检查结果", range(len(rows)), format_func=name, key=f"{key}_pick")
        st.radio("审核结论", list(R.VERDICTS), format_func=R.VERDICTS.get, horizontal=True, key=f"{key}_verdict")
        st.text_area("审核意见", key=f"{key}_note", max_chars=2000, placeholder="依据、核实情况；标记为误报时必填")
        st.caption(f"审核人：{safe.md(who())}。结论保存在数据仓库中，重新导入或重新检查后仍然有效，"
                   "并按评分规则计入得分（误报不扣分，已整改按比例扣分）。")
        st.button("保存审核结论", type="primary", key=f"{key}_save", on_click=save)


def correction_form(cells: pd.DataFrame | None, version: str, rid: int, key: str) -> None:
    """Correct one cell of a report by hand (value + reason), or withdraw a correction."""
    with st.expander("人工更正单元格（保留解析值）", icon=":material/edit_note:"):
        if not writable():
            _refuse_note()
            return
        keys = list(T.keys(version))
        by_key = {} if cells is None else {c["key"]: c for c in cells.to_dict("records")}

        def name(k: str) -> str:
            c = by_key.get(k) or {}
            now = c.get("value")
            shown = "—" if now is None or pd.isna(now) else fmt.num(now, 2)
            tag = f"（{CORRECTED}）" if c.get("flag") == "corrected" else ""
            return f"表{'二三四'[int(k[1]) - 2]} · {T.label(version, k)} · 现值 {shown}{tag}"

        def save():
            k = st.session_state.get(f"{key}_cell")
            value = st.session_state.get(f"{key}_value")
            revoke = bool(st.session_state.get(f"{key}_revoke"))
            if k is None:
                return
            if value is None and not revoke:
                st.session_state[f"{key}_err"] = "请填写更正后的数值。"
                return
            _write(key, R.correct_cell, (f"{key}_value", f"{key}_reason", f"{key}_revoke"),
                   f"已保存更正：{T.label(version, k)} " + ("恢复解析值" if revoke else f"更正为 {value:g}"),
                   report=int(rid), key=k, value=value, reason=st.session_state.get(f"{key}_reason") or "",
                   corrector=who(), revoke=revoke)

        _errors(key)
        st.selectbox("单元格", keys, format_func=name, key=f"{key}_cell")
        st.number_input("更正后的数值", value=None, step=1.0, format="%g", key=f"{key}_value")
        st.text_area("更正理由", key=f"{key}_reason", max_chars=2000, placeholder="例如：原文数字粘连，核对原件为 12")
        st.checkbox("撤销此单元格的更正，恢复解析值", key=f"{key}_revoke")
        st.caption(f"更正人：{safe.md(who())}。更正值用于统计和合规检查，解析值保留在旁；重新导入同一文件后仍然有效。")
        st.button("保存更正", type="primary", key=f"{key}_save", on_click=save)


def history(f, rid: int, version: str) -> None:
    """Every review and correction ever recorded for this report (newest first), superseded ones included."""
    log = Q.run("report_review_log", f, rid=rid) if Q.available("report_review_log") else None
    if log is None or log.empty:
        return
    out = log.copy()
    out["item"] = [fmt.rule_name(i) if w == "审核" else (T.label(version, i) if i in T.keys(version) else fmt.key_label(i))
                   for w, i in zip(out["what"], out["item"])]
    out["decision"] = [STATUS.get(d, "撤销") if w == "审核" else ("恢复解析值" if d == "revoked" else f"{float(d):g}")
                       for w, d in zip(out["what"], out["decision"])]
    with st.expander(f"审核与更正记录（{len(out)} 条）", icon=":material/history:"):
        from . import ui
        ui.table(out, "审核与更正记录", "rep_review_log",
                 rename={"at": "时间", "who": "人员", "what": "类别", "item": "项目", "decision": "结论或更正值",
                         "why": "意见或理由"})


def corrected_view(cells: pd.DataFrame) -> pd.DataFrame:
    """The corrected cells of a report: label, corrected value, parsed value, reason, who and when."""
    if cells is None or "parsed_value" not in cells:
        return pd.DataFrame()
    c = cells[cells["flag"] == "corrected"]
    return c[["key", "value", "parsed_value", "raw", "correction_reason", "corrector", "corrected_at"]]
