"""Plotly figure builders: one palette, Chinese labels, compact layout for 1366×768."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from . import fmt, safe

# the names plotly gives wide-form series in hover text ("variable=…", "value=…")
WIDE_LABELS = {"variable": "指标", "value": "数值"}
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _style(fig: go.Figure, title: str | None = None, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=15)) if title else None,
        height=height, margin=dict(l=10, r=10, t=56 if title else 30, b=10),
        font=dict(family=FONT, size=12), colorway=fmt.PALETTE, legend_title_text="",
        separators=".,", hoverlabel=dict(font_family=FONT),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    if title and fig.layout.showlegend is not False and len(fig.data) > 1:
        # legend under the title, never over it: room for the title plus two legend rows
        fig.update_layout(margin_t=96, title=dict(y=0.98, yref="container", yanchor="top"))

    def numbers(ax):  # thousands separators, unless the chart set a format (years, shares) itself
        if ax.tickformat is None and ax.type != "category":
            ax.update(tickformat=",~r")
    fig.for_each_xaxis(numbers)
    fig.for_each_yaxis(numbers)
    fig.update_layout(bargap=0.35)
    return fig


def _series_names(df, y, labels):
    """Several series: rename their columns to Chinese so legends read well."""
    if isinstance(y, (list, tuple)):
        ren = {c: labels.get(c, c) for c in y}
        return df.rename(columns=ren), [ren[c] for c in y]
    return df, y


def bar(df: pd.DataFrame, x: str, y: str | list[str], title: str | None = None, horizontal: bool = False,
        labels: dict | None = None, custom: list[str] | None = None, height: int = 340, barmode: str = "group",
        color: str | None = None, color_map: dict | None = None, category_orders: dict | None = None) -> go.Figure:
    labels = {**WIDE_LABELS, **{c: fmt.label_of(c) for c in df.columns}, **(labels or {})}
    df, y = _series_names(safe.plot_frame(df), y, labels)
    kw = dict(x=y, y=x, orientation="h") if horizontal else dict(x=x, y=y)
    fig = px.bar(df, **kw, color=color, labels=labels, custom_data=custom, barmode=barmode,
                 color_discrete_sequence=fmt.PALETTE, color_discrete_map=color_map or {}, text_auto=False,
                 category_orders=category_orders or {})
    if horizontal:
        fig.update_yaxes(autorange="reversed", title=None)
    else:
        fig.update_xaxes(title=None, type="category" if x == "year" else None)
    return _style(fig, title, height)


def line(df: pd.DataFrame, x: str, y: str | list[str], title: str | None = None, labels: dict | None = None,
         color: str | None = None, custom: list[str] | None = None, height: int = 320,
         marked: dict | None = None) -> go.Figure:
    """Lines with markers; marked {x: note} shades those x values and writes the note above them."""
    labels = {**WIDE_LABELS, **{c: fmt.label_of(c) for c in df.columns}, **(labels or {})}
    df, y = _series_names(safe.plot_frame(df), y, labels)
    fig = px.line(df, x=x, y=y, color=color, markers=True, labels=labels, custom_data=custom,
                  color_discrete_sequence=fmt.PALETTE)
    fig.update_xaxes(title=None, dtick=1 if x == "year" else None, tickformat="d" if x == "year" else None)
    for xv, note in (marked or {}).items():
        fig.add_vrect(x0=xv - 0.45, x1=xv + 0.45, fillcolor="#999999", opacity=0.15, line_width=0,
                      annotation_text=note, annotation_position="top", annotation_font_size=11)
    return _style(fig, title, height)


def stacked_share(df: pd.DataFrame, x: str, parts: dict[str, str], title: str | None = None,
                  height: int = 340) -> go.Figure:
    """100% stacked bars of the parts (column -> label) per x."""
    long = safe.plot_frame(df).melt(id_vars=[x], value_vars=list(parts), var_name="part", value_name="n")
    long["part"] = long["part"].map(parts)
    tot = long.groupby(x)["n"].transform("sum")
    long["share"] = long["n"] / tot.where(tot > 0)
    fig = px.bar(long, x=x, y="share", color="part", labels={"share": "占比", "part": "", x: fmt.label_of(x)},
                 custom_data=["n"], color_discrete_sequence=fmt.PALETTE,
                 category_orders={"part": list(parts.values())})
    fig.update_traces(hovertemplate="%{fullData.name}: %{y:.1%}（%{customdata[0]:,.0f}）<extra></extra>")
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title=None, type="category")
    return _style(fig, title, height)


def heatmap(matrix: pd.DataFrame, title: str | None = None, height: int | None = None) -> go.Figure:
    """Coverage matrix: rows offices, columns years, values coverage codes (fmt.COVERAGE_CODE)."""
    codes = fmt.COVERAGE_CODE
    names = {v: fmt.COVERAGE[k] for k, v in codes.items()}
    colors = fmt.COVERAGE_COLORS
    n = len(codes)
    scale = []
    # band v of n is [v/n, (v+1)/n]; zmin/zmax below put code v at its middle, never on a band edge
    for k, v in sorted(codes.items(), key=lambda kv: kv[1]):
        scale += [(v / n, colors[k]), ((v + 1) / n, colors[k])]
    text = matrix.map(lambda v: "" if pd.isna(v) else names.get(int(v), ""))
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=[str(c) for c in matrix.columns], y=[safe.plot(o) for o in matrix.index],
        zmin=-0.5, zmax=n - 0.5, colorscale=scale, text=text.values, hovertemplate="%{y} · %{x}年：%{text}<extra></extra>",
        showscale=False, xgap=2, ygap=2, showlegend=False))
    # the legend is drawn by the figure itself, from the same colours as the cells
    present = {names[int(v)] for v in pd.unique(matrix.values.ravel()) if not pd.isna(v)}
    for k in ("ok", "late", "missing", "failed", "unknown"):
        if fmt.COVERAGE[k] in present:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=fmt.COVERAGE[k], showlegend=True,
                                     marker=dict(symbol="square", size=12, color=colors[k]), hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(type="category", side="top")
    h = height or max(260, min(900, 22 * len(matrix) + 110))
    fig = _style(fig, title, h)
    # the year axis is on top: the legend goes under the matrix
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0), margin_b=40)
    return fig
