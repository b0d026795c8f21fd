"""单位档案 pieces: links to an office's page (from every ranking), its year-by-year scorecard, and the
copied-text pairs (与上年 / 与其他单位) with links to the other report and to the side-by-side view."""
from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from . import fmt, queries as Q, safe, ui

PARAM = "office_id"  # the 单位档案's URL state
TIMELY = {"PASS": "按期", "FAIL": "逾期", "UNCERTAIN": "不确定", "NOT_ASSESSABLE": "无法判断", "MISSING": "未发布"}
DUP_KINDS = {"prev": "与上年", "peer": "与其他单位"}
DUP_MEASURE = {"prev": "重复率", "peer": "相似度"}
DUP_HELP = {"prev": "重复率：本年正文的字符5元组（去掉空白和标点、数字记为0）中，也出现在本单位上一年度年报里的比例。",
            "peer": "相似度：与同年度其他单位年报正文的字符5元组相似度（MinHash 估计的 Jaccard 系数）；"
                    "两份年报互为最相似时只列一次。"}


# -- links ------------------------------------------------------------------------------------------
def office_link(office_id: int, name: str | None = None) -> None:
    """Link to one office's 单位档案: ?office_id=ID. (The office filter's own parameter, ?office=, carries the
    name shown in its select box, so the page has a parameter of its own that is always the id.)"""
    label = f"查看 {safe.md(name)} 的单位档案 →" if name else "打开单位档案 →"
    st.page_link(ui.PAGES["office"], label=label, icon=":material/badge:",
                 query_params={PARAM: str(int(office_id))})


def compare_url(report_id: int, other_report_id: int) -> str:
    return "textcompare?" + urlencode({"report": int(report_id), "other": int(other_report_id)})


def compare_link(report_id: int, other_report_id: int, label: str = "并排对照正文 →") -> None:
    st.page_link(ui.PAGES["textcompare"], label=label, icon=":material/difference:",
                 query_params={"report": str(int(report_id)), "other": str(int(other_report_id))})


def office_table(df: pd.DataFrame, name: str, key: str, hint: str = "选中一行可打开该单位的单位档案。",
                 name_col: str = "office", **kw):
    """A ranking of offices (an `office_id` column, hidden): selecting a row links to that office's 单位档案."""
    hide = tuple(dict.fromkeys(("office_id",) + tuple(kw.pop("hide", ()))))
    ev = ui.table(df, name, key, selectable=True, hide=hide, **kw)
    rows = ev.selection.rows if ev is not None else []
    oid = df.iloc[rows[0]]["office_id"] if rows else None
    if oid is not None and not pd.isna(oid):
        name_ = df.iloc[rows[0]][name_col] if name_col in df.columns else None
        office_link(int(oid), name_ if isinstance(name_, str) else None)
    else:
        st.caption(hint)
    return ev


def chosen_office(filter_office: int | None) -> int | None:
    """The office the 单位档案 shows: ?office_id=ID; without one, the sidebar's office filter. Picking another
    office in the sidebar while on the page moves the page (and its URL) to that office."""
    v = st.query_params.get(PARAM)
    oid = int(v) if v and str(v).isdigit() else None
    last = st.session_state.get("_office_page")  # (url office, filter office) of this page's previous run
    if oid is None or (last and last[0] == oid and filter_office is not None and last[1] != filter_office):
        oid = filter_office
        if oid is not None:
            st.query_params[PARAM] = str(oid)
    st.session_state["_office_page"] = (oid, filter_office)
    return oid


def region_table(reg: pd.DataFrame, level: str, name: str, key: str, **kw):
    """A by-region breakdown table (ui.breakdown rows); at the office level it is a ranking of offices, so
    its rows link to their 单位档案."""
    if level == "office":
        return office_table(reg, name, key, name_col="grp", **kw)
    return ui.table(reg.drop(columns=["office_id"]), name, key, **kw)


def findings(office_id: int) -> pd.DataFrame | None:
    """The office's failed and uncertain findings, all years (with their reviews where the warehouse has them)."""
    name = "office_findings_rv" if Q.available("office_findings_rv") else "office_findings"
    return Q.run(name, office_id=int(office_id))


# -- scorecard --------------------------------------------------------------------------------------
def year_view(years: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's year rows for display (codes to Chinese labels)."""
    out = years.copy()
    out["published_on"] = [str(v)[:10] if v is not None and not pd.isna(v) else "—" for v in out["published_on"]]
    # figures as text: a year without a report, a first year without a previous one or a blank cell reads —
    # (not the grid's faded None); rates as percentages, scores with one decimal, counts as integers
    for col, how in _FORMATS.items():
        if col in out:
            out[col] = [how(v) if v is not None and not pd.isna(v) else "—" for v in out[col]]
    if "timely" in out:
        out["timely"] = [("逾期（" + m.split("（逾期")[-1]) if t == "FAIL" and isinstance(m, str) and "（逾期" in m
                         else TIMELY.get(t, "—") for t, m in zip(out["timely"], out["timely_message"])]
        out = out.drop(columns=["timely_message"])
    return out


def _count(v) -> str:
    return f"{int(v)}" if float(v).is_integer() else f"{float(v):g}"


_FORMATS = {"office_score": lambda v: f"{float(v):.1f}", "report_score": lambda v: f"{float(v):.1f}",
            "n_fail": _count, "n_uncertain": _count, "dup_prev": fmt.pct, "dup_peer": fmt.pct,
            "new_received": _count, "total_processed": _count, "rate_disclosed": fmt.pct, "cases": _count,
            "rate_corrected": fmt.pct}
YEAR_COLUMNS = {"office_score": "得分", "report_score": "年报得分", "timely": "按期发布", "n_fail": "不通过检查项",
                "n_uncertain": "不确定检查项", "dup_prev": "与上年重复率", "dup_peer": "与其他单位相似度"}


def summary(years: pd.DataFrame) -> dict:
    """The scorecard's headline figures from its year rows (all years)."""
    rep = years[years["report_id"].notna()]
    timely = years["timely"] if "timely" in years else pd.Series(dtype=object)
    scores = years.drop_duplicates("year")["office_score"].dropna() if "office_score" in years else pd.Series()
    latest = years.dropna(subset=["office_score"]).sort_values("year") if "office_score" in years else years.iloc[:0]
    return {"n_reports": int(len(rep)), "n_years": int(years["year"].nunique()),
            "avg_score": float(scores.mean()) if len(scores) else None,
            "latest_score": float(latest["office_score"].iloc[-1]) if len(latest) else None,
            "latest_year": int(latest["year"].iloc[-1]) if len(latest) else None,
            "on_time": int((timely == "PASS").sum()), "late": int((timely == "FAIL").sum()),
            "missing": int((timely == "MISSING").sum()),
            "max_prev": years["dup_prev"].max() if "dup_prev" in years else None,
            "max_peer": years["dup_peer"].max() if "dup_peer" in years else None}


# -- copied text ------------------------------------------------------------------------------------
def _year(v) -> str:
    return f"{int(v)}年" if v is not None and not pd.isna(v) else "年度不明"


def pairs(df: pd.DataFrame | None, key: str, name: str = "重复文字", as_list: bool = False,
          empty: str = "没有重复度数据。", current: int | None = None, limit: int | None = None) -> None:
    """Copied-text pairs split into 与上年 and 与其他单位, each pair once (the queries dedupe A~B / B~A).
    As a table: the other report and the side-by-side view are links in the row, and selecting a row shows
    the same links below; as_list (a few pairs, one office or report): one line per pair with its links
    (`current`: the report being viewed, not linked to itself)."""
    if df is None:
        ui.compliance_missing()
        return
    for kind in ("prev", "peer"):
        sub = df[df["kind"] == kind].reset_index(drop=True)
        n = f"前 {len(sub)} 对" if limit and len(sub) >= limit else f"{len(sub)} 对"
        st.markdown(f"**{DUP_KINDS[kind]}**（{n}）", help=DUP_HELP[kind])
        if sub.empty:
            st.caption(empty)
            continue
        if as_list:
            for r in sub.itertuples():
                _pair_line(r, kind, current)
            continue
        view = sub.assign(
            other_link=[f"report?report={int(o)}" for o in sub["other_report_id"]],
            compare=[compare_url(a, b) for a, b in zip(sub["report_id"], sub["other_report_id"])])
        cols = (["similarity", "office", "year", "other_year"] if kind == "prev" else
                ["similarity", "office", "year", "other_office", "other_year"])
        measure = DUP_MEASURE[kind]
        links_ = [] if ui.print_mode() else ["other_link", "compare"]  # a printout cannot follow a link
        ev = ui.table(view[cols + links_ + ["report_id", "other_report_id"]],
                      f"{name}（{DUP_KINDS[kind]}）", f"{key}_{kind}", selectable=True,
                      rename={"similarity": measure, "other_office": "对照单位",
                              "other_year": "上年年报年度" if kind == "prev" else "对照年度",
                              "other_link": "对照年报", "compare": "并排对照"},
                      column_config={measure: st.column_config.ProgressColumn(format="percent", min_value=0,
                                                                              max_value=1),
                                     "对照年报": st.column_config.LinkColumn(display_text="打开对照年报"),
                                     "并排对照": st.column_config.LinkColumn(display_text="并排对照正文")})
        rows = ev.selection.rows if ev is not None else []
        if rows:
            r = sub.iloc[rows[0]]
            _pair_line(r, kind, own=True)
            row = st.container(horizontal=True, gap="small")  # a ranking of offices too: on to their 单位档案
            names = {r["other_office_id"]: r["other_office"], r["office_id"]: r["office"]}
            with row:
                for o in dict.fromkeys(x for x in (r["office_id"], r["other_office_id"]) if pd.notna(x)):
                    office_link(int(o), names[o] if isinstance(names[o], str) else None)
        else:
            st.caption("选中一行可打开两份年报和并排对照。")


def _pair_line(r, kind: str, current: int | None = None, own: bool = False) -> None:
    """One pair: who, when, the measure, and links to the report(s) not being viewed (`current`) and to the
    side-by-side view. A 'prev' pair reads later year ↔ previous year."""
    g = r._asdict() if hasattr(r, "_asdict") else dict(r)
    left = f"{safe.md(g.get('office') or '（单位不明）')} · {_year(g.get('year'))}"
    right = (f"{safe.md(g.get('other_office') or '（单位不明）')} · " if kind == "peer" else "") + _year(g.get("other_year"))
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.markdown(f"{left} ↔ {right}：{DUP_MEASURE[kind]} **{fmt.pct(g.get('similarity'))}**")
    rid, oid = int(g["report_id"]), int(g["other_report_id"])
    with row:
        if own or current == oid:
            ui.report_link(rid, label=f"打开年报（{left}）")
        if current != oid:
            ui.report_link(oid, label=f"打开对照年报（{right}）")
        compare_link(rid, oid)
