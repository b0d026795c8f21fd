"""Make text from reports and file names inert wherever the dashboard shows it.

Streamlit renders titles, captions, metrics, alerts and every widget, button, tab, expander and page-link
label as Markdown: a string from a report can turn into a live image (a request leaves the page when it
opens), a link, KaTeX math (``$\\color{red}…$``), a colour/icon directive (``:red[…]``, ``:material/…:``)
or raw HTML. Plotly reads a subset of HTML in axis labels, legend names and hover text (``<a href>``,
``<span style>``). Each display channel has one function here, and every page goes through it:

- :func:`md` for anything rendered as Markdown;
- :func:`plot` / :func:`plot_frame` for chart labels (and :func:`unplot` to read a clicked label back).

Dataframe cells, ``st.text``, ``st.code`` and select-box options are plain text and need nothing.
"""
from __future__ import annotations

import html
import re

import pandas as pd

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one is always
# the literal character: no link, image, emphasis, code, math, HTML, heading, list or directive can start.
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GFM autolinks bare URLs and e-mail addresses after escapes are resolved (http://… www.… a@b.c): an
# invisible word joiner inside the trigger keeps the text as it reads and stops the link.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|@")
WJ = "\u2060"


def md(text) -> str:
    """Data text for a Markdown channel: shown literally, on one line. None -> ''."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = _AUTOLINK.sub(lambda m: m.group(0) + WJ, _BREAKS.sub(" ", str(text)))
    return _PUNCT.sub(r"\\\1", s)


def plot(text):
    """Data text for a plotly label: HTML-escaped (plotly decodes the entities back for display).
    Non-strings (numbers, None) pass through."""
    if not isinstance(text, str):
        return text
    return html.escape(text, quote=False)


def unplot(text):
    """A label as plotly hands it back from a click: the original data value."""
    return html.unescape(text) if isinstance(text, str) else text


def plot_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a chart's data whose text columns are safe as plotly labels."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(plot)
    return out


def md_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table for a Markdown-rendering table (st.table): text cells, the index and the column
    names escaped with :func:`md`; numbers untouched."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: md(v) if isinstance(v, str) else v)
    out.columns = [md(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = [md(i) if isinstance(i, str) else i for i in out.index]
    return out
