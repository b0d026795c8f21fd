"""通报 download on the compliance page: the selected region and a year, as DOCX or PDF (etl.notice).
The content is read once per data version; the documents are rendered only when a button is clicked."""
from __future__ import annotations

import streamlit as st

from etl import notice as N

from . import db, queries, safe
from .filters import Filters

MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


@st.cache_data(max_entries=50, show_spinner=False)
def _collect(version: str, region: str, year: int) -> tuple[N.Notice | None, str | None]:
    try:
        with db.connect() as con:
            return N.collect(con, region, year), None
    except N.NoticeError as e:
        return None, str(e)


@st.cache_data(max_entries=20, show_spinner=False)
def _render(version: str, region: str, year: int, fmt: str) -> bytes:
    notice, _ = _collect(version, region, year)
    return N.render(notice, fmt)


def downloads(f: Filters) -> None:
    """A year picker and one download button per format, for the region chosen in the sidebar."""
    with st.expander("生成通报（DOCX / PDF）", icon=":material/description:"):
        if not f.province:
            st.caption("请先在左侧选择地区（省，或省下的市、区县），再生成该地区的通报。")
            return
        region = "/".join(x for x in (f.province, f.city, f.district) if x)
        facets = queries.run("filter_facets")
        years = sorted({int(v) for v in facets.loc[facets["facet"] == "year", "value"]}, reverse=True) \
            if facets is not None else []
        if not years:
            st.caption("没有可生成通报的年度。")
            return
        default = years.index(f.years[0]) if len(f.years) == 1 and f.years[0] in years else 0
        year = st.selectbox("年度", years, index=default, key="notice_year")
        version = db.data_version()
        notice, error = _collect(version, region, int(year))
        if error:
            st.warning(safe.md(error))
            return
        st.caption(f"{safe.md(notice.title)}：应报送{notice.due}家，缺报{len(notice.missing)}家，逾期{len(notice.late)}家，"
                   f"{len(notice.problems)}家单位存在问题。")
        cols = st.columns(len(N.FORMATS))
        for col, fmt in zip(cols, N.FORMATS):
            col.download_button(f"下载通报（{fmt.upper()}）", key=f"notice_{fmt}", on_click="ignore",
                                data=lambda fmt=fmt: _render(version, region, int(year), fmt),
                                file_name=N.filename(notice, fmt), mime=MIME[fmt], icon=":material/download:")
