"""Shared page pieces: header, banners, breadcrumbs, tables with CSV/Excel downloads, drill-down."""
from __future__ import annotations

import io
import math
import re
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from . import db, fmt, queries, safe
from .filters import Filters, apply

PAGES: dict[str, st.Page] = {}  # filled by app.py from dashboard.page_registry: key -> Page

HOWTO = ("还没有可用的数据。请先导入年报：在“导入”页面上传文件，或在命令行运行 "
         "`python -m etl ingest 年报目录 --db data/warehouse.duckdb`；"
         "也可以生成演示数据：`python -m etl demo --out data/demo` 后再导入。")


def current() -> Filters:
    return st.session_state.get("_filters_obj") or Filters()


def header(title: str, f: Filters, caption: str | None = None) -> bool:
    """Title, demo banner, breadcrumbs. Returns False (after an empty-state message) when there is no data."""
    st.title(title)
    if not db.exists():
        if db.is_remote():
            why = db.unavailable_reason()
            st.error(f"无法读取对象存储中的数据 `{db.location()}`：" + (f"连接失败（{safe.md(why)}）。" if why else
                     "该位置还没有导出（缺少 _manifest.json）。请先运行 `python -m etl export --parquet 该地址`。"),
                     icon=":material/cloud_off:")
        else:
            st.info(HOWTO, icon=":material/folder_open:")
        return False
    meta = queries.run("meta")
    if meta is not None and not meta.empty:
        m = dict(zip(meta["key"], meta["value"]))
        if m.get("dataset") == "demo":
            st.warning("当前为**演示数据**（合成的示例年报），不代表任何真实机关。", icon=":material/science:")
    counts = queries.run("counts")
    if counts is None or int(counts.iloc[0]["n_reports"] or 0) == 0:
        st.info(HOWTO, icon=":material/folder_open:")
        return False
    breadcrumbs(f)
    if caption:
        st.caption(caption)
    return True


def _name(office_id: int) -> str:
    df = queries.run("office_name", office_id=int(office_id))
    return str(office_id) if df is None or df.empty or df["office"].iloc[0] is None else df["office"].iloc[0]


def breadcrumbs(f: Filters, extra: list[tuple[str, dict]] | None = None) -> None:
    """全部地区 › 省 › 市 › 区县 › 单位 — each step a link that widens the selection (keeps the page)."""
    steps = [("全部地区", replace(f, province=None, city=None, district=None, office_id=None))]
    if f.province:
        steps.append((f.province, replace(f, city=None, district=None, office_id=None)))
    if f.city:
        steps.append((f.city, replace(f, district=None, office_id=None)))
    if f.district:
        steps.append((f.district, replace(f, office_id=None)))
    if f.office_id is not None:
        steps.append((_name(f.office_id), f))
    row = st.container(horizontal=True, gap="small")
    for i, (label, target) in enumerate(steps):
        last = i == len(steps) - 1 and not extra
        if last:
            row.markdown(f"**{safe.md(label)}**")
        else:
            row.button(safe.md(label), key=f"crumb_{i}", type="tertiary", on_click=apply, args=(target,))
            row.markdown("›")
    for j, (label, params) in enumerate(extra or []):
        row.markdown(f"**{safe.md(label)}**")
    row.markdown(f"· {fmt.years_label(f.years)}")


def findings_view(df: pd.DataFrame) -> pd.DataFrame:
    """Findings for a table: rule names, verdicts and evidence in Chinese; a severity only where a check did
    not pass (a passed check is not an 错误)."""
    out = df.copy()
    out.insert(0, "rule_name", out["rule"].map(fmt.rule_name))
    out["verdict"] = out["status"].map(lambda s: fmt.code_label(fmt.FINDING_STATUS, s))
    out["severity"] = [fmt.SEVERITY.get(sev, sev) if st_ in ("FAIL", "UNCERTAIN") else "—"
                       for sev, st_ in zip(out["severity"], out["status"])]
    if "evidence" in out:
        out["evidence"] = out["evidence"].map(fmt.evidence_text)
    cols = ["rule_name", "verdict", "severity"] + [c for c in out.columns
                                                   if c not in ("rule_name", "verdict", "severity", "rule", "status")]
    return out[cols]


def unread_view(df: pd.DataFrame) -> pd.DataFrame:
    """Files received but not read, with the reason and what to do."""
    out = df.copy()
    why, todo = [], []
    for r in out.itertuples():
        if r.status == "needs_ocr":
            pages = "、".join(p for p in str(r.needs_ocr_pages or "").split(",") if p)
            why.append(f"扫描件未读取（第 {pages} 页无文字层）" if pages else "扫描件未读取")
            todo.append(fmt.ADVICE_OCR)
        else:
            why.append(f"解析失败：{fmt.code_label(fmt.ERROR_CODES, r.error_code)}")
            todo.append(fmt.ERROR_ADVICE.get(r.error_code, fmt.ADVICE_DEFAULT))
    out["file"] = out["file"].map(lambda p: Path(str(p)).name)
    out["format"] = out["format"].map(lambda x: fmt.code_label(fmt.FORMATS, x))
    out = out.drop(columns=["needs_ocr_pages", "error_message", "error_code"])
    out.insert(0, "reason", why)
    out["advice"] = todo
    return out.rename(columns={"reason": "原因"})


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def compliance_missing() -> None:
    empty("合规检查结果尚未生成。导入年报后运行 `python -m etl check --db data/warehouse.duckdb` 即可生成"
          "检查结果、评分和重复度。")


# -- tables and downloads ------------------------------------------------------------------------
_run = threading.local()  # each session's script runs in its own thread: per-run scratch, not session state


def reset_run() -> None:
    _run.tables = {}


def _page_tables() -> dict[str, pd.DataFrame]:
    """Tables shown during this run (for the page-wide Excel download). Reset by app.py each run."""
    if not hasattr(_run, "tables"):
        _run.tables = {}
    return _run.tables


def _tidy(col: pd.Series) -> pd.Series:
    """Counts read as counts (28, not 28.00), no float noise (15832.08, not 15832.080000000004), and a
    missing text reads — (not None / nan)."""
    if pd.api.types.is_float_dtype(col):
        vals = col.dropna()
        if len(vals) and (vals == vals.round()).all() and vals.abs().max() < 2 ** 53:
            return col.astype("Int64")
        return col.round(6)
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        vals = col.dropna()
        if vals.map(lambda v: isinstance(v, str)).all():
            return col.map(lambda v: "—" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    return col


# identifiers and dates are read, not computed with: a missing one shows —, not the grid's faded "None"
_TEXT_WHEN_MISSING = {"report_id", "office_id", "other_report_id", "year", "other_year"}


def _as_text(col: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("—")
    return col.map(lambda v: "—" if pd.isna(v) else (str(v)[:10] if hasattr(v, "isoformat")
                                                     else str(int(v)) if float(v).is_integer() else str(v)))


def display(df: pd.DataFrame, rename: dict | None = None) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].isna().any() and (c in _TEXT_WHEN_MISSING or pd.api.types.is_datetime64_any_dtype(df[c])
                                   or (df[c].dtype == object and df[c].dropna().map(
                                       lambda v: hasattr(v, "isoformat")).all())):
            df[c] = _as_text(df[c])
    out = fmt.label_codes(df)
    out = out.rename(columns={c: (rename or {}).get(c) or fmt.label_of(c) for c in df.columns})
    return out.apply(_tidy) if len(out.columns) else out


def scope_label(f: Filters | None = None) -> str:
    """Region and years of the current selection, for file and sheet names: 示例省青川市_2024年."""
    f = f or current()
    region = "".join(x for x in (f.province, f.city, f.district) if x) or "全部地区"
    if f.office_id is not None:
        region += _name(f.office_id)
    return f"{region}_{fmt.years_label(f.years)}"


def file_name(name: str, ext: str, f: Filters | None = None) -> str:
    """A download's file name: the table and the region and years it covers."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{name}_{scope_label(f)}")[:120] + f".{ext}"


def excel_bytes(tables: dict[str, pd.DataFrame], f: Filters | None = None) -> bytes:
    """A workbook: one sheet per table (names say the region and years) and a 筛选条件 sheet."""
    scope = scope_label(f)
    short = scope.split("_")[0][-6:] + " " + scope.split("_")[-1]
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        used = set()
        for name, df in tables.items():
            base = re.sub(r"[\[\]:*?/\\]", "_", name)[: 30 - len(short)] or "表"
            sheet = f"{base} {short}"[:31]
            while sheet in used:
                sheet = sheet[:28] + f"_{len(used)}"
            used.add(sheet)
            df.to_excel(xw, sheet_name=sheet, index=False)
        pd.DataFrame({"项目": ["地区", "年度", "表格"],
                      "内容": [scope.split("_")[0], scope.split("_")[-1], "、".join(tables)]}).to_excel(
            xw, sheet_name="筛选条件", index=False)
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")  # BOM so Excel opens Chinese correctly


def table(df: pd.DataFrame, name: str, key: str, rename: dict | None = None, column_config: dict | None = None,
          height: int | str = "auto", selectable: bool = False, hide: tuple[str, ...] = (), on_select=None):
    """A dataframe with Chinese headers and CSV / Excel downloads. Returns the selection when selectable."""
    shown = display(df.drop(columns=[c for c in hide if c in df.columns]), rename)
    _page_tables()[name] = shown
    # numbers with thousands separators; years and ids stay as printed
    plain = {fmt.label_of(c) for c in ("year", "report_id", "office_id", "other_year", "other_report_id")}
    column_config = {**{c: st.column_config.NumberColumn(format="localized") for c in shown.columns
                        if pd.api.types.is_numeric_dtype(shown[c]) and c not in plain and "年度" not in c},
                     **(column_config or {})}
    if print_mode():
        print_table(shown)
        downloads(shown, name, key)
        return None
    kw = dict(on_select=on_select or "rerun", selection_mode="single-row") if selectable else {}
    ev = st.dataframe(shown, hide_index=True, column_config=column_config, height=height, key=key, **kw)
    downloads(shown, name, key)
    return ev


PRINT_ROWS = 500


def _print_formats(df: pd.DataFrame) -> dict:
    """Number formats of a printed table (by escaped column name): shares as percentages, years and ids as
    printed, other numbers with thousands separators."""
    plain = {fmt.label_of(c) for c in ("year", "report_id", "office_id", "other_year", "other_report_id")}
    out = {}
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]) or c in plain or "年度" in c:
            continue
        share = any(w in c for w in ("率", "占比", "相似度"))
        integral = pd.api.types.is_integer_dtype(df[c])
        out[safe.md(c)] = "{:.1%}" if share else ("{:,}" if integral else "{:,.2f}")
    return out


def print_mode() -> bool:
    """The sidebar's 打印版式: tables laid out in full (a scrolling grid prints only its visible rows)."""
    return bool(st.session_state.get("print_mode"))


def print_table(df, styler_css: pd.DataFrame | None = None) -> None:
    """A static table that prints whole (st.table renders Markdown, so text goes through safe.md_frame)."""
    part = df.head(PRINT_ROWS)
    shown = safe.md_frame(part)
    if styler_css is not None:
        css = styler_css.head(PRINT_ROWS)
        css.index, css.columns = shown.index, shown.columns
        st.table(shown.style.apply(lambda _df: css, axis=None))
    else:
        st.table(shown.style.format(_print_formats(part), na_rep="—").hide(axis="index"))
    if len(df) > PRINT_ROWS:
        st.caption(f"只显示前 {PRINT_ROWS} 行（共 {len(df):,} 行），完整数据请下载。")


def report_table(df: pd.DataFrame, name: str, key: str, hint: str | None = None, **kw) -> None:
    """A selectable table of reports (a `report_id` column): selecting a row shows a link to its 年报详情;
    `hint` is shown while nothing is selected. Rows without a report (e.g. 缺报) give no link."""
    ev = table(df, name, key, selectable=True, **kw)
    rows = ev.selection.rows if ev is not None else []
    rid = df.iloc[rows[0]]["report_id"] if rows else None
    if rid is not None and not pd.isna(rid):
        report_link(int(rid))
    elif hint:
        st.caption(hint)


def downloads(shown: pd.DataFrame, name: str, key: str) -> None:
    c = st.container(horizontal=True, gap="small")
    f = current()
    c.download_button("下载 CSV", data=lambda: csv_bytes(shown), file_name=file_name(name, "csv", f),
                      mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:",
                      type="tertiary")
    c.download_button("下载 Excel", data=lambda: excel_bytes({name: shown}, f), file_name=file_name(name, "xlsx", f),
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                      on_click="ignore", icon=":material/download:", type="tertiary")


def page_downloads(page: str) -> None:
    tables = dict(_page_tables())
    if len(tables) > 1:
        st.divider()
        f = current()
        st.download_button(f"下载本页全部表格（Excel，{len(tables)} 个表格）", data=lambda: excel_bytes(tables, f),
                           file_name=file_name(page, "xlsx", f), key="page_xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table_view:")


def chart(fig, key: str, data: pd.DataFrame | None = None, name: str | None = None, select: bool = False,
          on_select=None):
    """A plotly chart; its data goes to the page-wide download. With select, clicks call on_select."""
    if data is not None and name:
        _page_tables()[name] = display(data)
    if select:
        return st.plotly_chart(fig, key=key, on_select=on_select or "rerun", selection_mode=("points",),
                               config={"displaylogo": False})
    return st.plotly_chart(fig, key=key, config={"displaylogo": False})


# -- drill-down ----------------------------------------------------------------------------------
NEXT_LEVEL = {"province": "city", "city": "district", "district": "office"}


def breakdown(query: str, f: Filters, **kw) -> tuple[str, Filters, pd.DataFrame | None]:
    """(level, selection, rows) of a by-region query, starting at the first level with more than one member:
    one province is not a distribution, so its cities are shown (and so on down). A level's own offices
    (省本级/市本级) come last. The selection names the levels skipped, for drilling from the chart."""
    level, fl = f.level(), f
    while True:
        df = queries.run(query, fl, level=level, **kw)
        groups = [] if df is None else list(dict.fromkeys(df["grp"]))
        nxt = NEXT_LEVEL.get(level)
        if nxt is None or len(groups) != 1 or groups[0] == "未知" or groups[0] in queries.OWN_LEVEL.values():
            break
        fl, level = fl.narrowed(level, groups[0]), nxt
    if df is not None and not df.empty:
        own = df["grp"].isin(queries.OWN_LEVEL.values())
        df = pd.concat([df[~own], df[own]], ignore_index=True)
    return level, fl, df

def selected_point(key: str) -> dict | None:
    state = st.session_state.get(key)
    try:
        pts = state["selection"]["points"]
    except (KeyError, TypeError):
        return None
    return pts[0] if pts else None


def _customdata(pt: dict) -> list:
    """customdata of a selected point as a list (Streamlit may hand it over as a dict or a scalar)."""
    cd = pt.get("customdata")
    if cd is None:
        return []
    if isinstance(cd, dict):
        return [cd[k] for k in sorted(cd, key=lambda k: int(k) if str(k).isdigit() else 0)]
    if isinstance(cd, (list, tuple)):
        return list(cd)
    return [cd]


def drill_region(key: str, level: str, base: Filters | None = None) -> None:
    """on_select callback of a by-region chart: narrow the filters to the clicked bar. `base`: the selection
    the chart was drawn for, when the page skipped levels with a single member (it names the parents)."""
    pt = selected_point(key)
    if not pt:
        return
    f = base or current()
    cd = _customdata(pt)
    if level == "office":
        if cd and cd[-1] is not None and str(cd[-1]) != "nan":
            _goto_office(int(float(cd[-1])))
        return
    value = safe.unplot(pt.get("y") if isinstance(pt.get("y"), str) else pt.get("x"))
    if value and value != "未知" and value not in queries.OWN_LEVEL.values():
        apply(f.narrowed(level, value))


def drill_year(key: str) -> None:
    pt = selected_point(key)
    if pt and pt.get("x") is not None:
        try:
            apply(current().narrowed("year", int(float(pt["x"]))))
        except (TypeError, ValueError):
            pass


def drill_office(key: str) -> None:
    pt = selected_point(key)
    if pt:
        cd = _customdata(pt)
        if cd and cd[0] is not None and str(cd[0]) != "nan":
            _goto_office(int(float(cd[0])))


def _goto_office(office_id: int) -> None:
    """(callback) narrow the filters to one office and go on to its 年报详情 after this run starts."""
    apply(replace(current(), office_id=office_id))
    st.session_state["_goto_report"] = True


def follow_office_drill() -> None:
    """After a click on an office (filters now narrowed to it): link on to its 年报详情."""
    # st.switch_page cannot carry widget-bound URL parameters, so offer the next step as a link
    # (page links keep the bound filters).
    if st.session_state.pop("_goto_report", False) or current().office_id is not None:
        name = _name(current().office_id)
        st.page_link(PAGES["report"], label=f"查看 {safe.md(name)} 的年报详情 →", icon=":material/description:")
        if "office" in PAGES:
            st.page_link(PAGES["office"], label=f"查看 {safe.md(name)} 的单位档案 →", icon=":material/badge:",
                         query_params={"office_id": str(int(current().office_id))})


def report_link(report_id: int, label: str = "打开年报详情") -> None:
    """Link to one report; the filters travel in their bound URL parameters."""
    st.page_link(PAGES["report"], label=label, icon=":material/description:",
                 query_params={"report": str(int(report_id))})
