"""政府信息公开工作年度报告监测 — Streamlit entry point: navigation, global filters, routing.

    streamlit run app.py            (warehouse: env GKJB_DB, see etl/config.py)
"""
from __future__ import annotations

import streamlit as st

# an emoji favicon is drawn locally; a material-icon one would be fetched from fonts.gstatic.com
st.set_page_config(page_title="政府信息公开年报监测", page_icon="📊", layout="wide", initial_sidebar_state="expanded")

from dashboard import auth, exposure, filters, ui  # noqa: E402
from dashboard.page_registry import GROUPS, OFFICE_DETAIL_PAGES, PAGES, page  # noqa: E402

_refused = exposure.problem(st.get_option("server.address"), auth.auth_configured())
if _refused:  # reachable from the network with nobody signed in: serve nothing
    st.error(_refused)
    st.stop()
user = auth.require_login()

ui.PAGES.update({p.key: st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default,
                                visibility="hidden" if p.hidden else "visible") for p in PAGES})
sections = {group: [ui.PAGES[p.key] for p in PAGES
                    if p.group == group and (p.role is None or auth.has_role(p.role, user))] for group in GROUPS}
# the default page is served at "/" (its own url_path is unreachable): a hidden alias serves /<its key>, which
# otherwise lands on Streamlit's English "Page not found"
home = next(p for p in PAGES if p.default)
sections[home.group].append(st.Page(home.file, title=home.title, url_path=home.key, visibility="hidden"))
nav = st.navigation(sections)
# Static CSS only (data is never rendered as HTML): compact top spacing for 1366×768; Chinese in place of the
# file uploader's built-in English; print the page content only, at full width, without cutting charts.
st.html("<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}"
        "h1{padding-top:0.2rem!important}"
        "[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer]{display:none}"
        "[data-testid=stFileUploaderDropzone] button [data-has-shortcut]::after{content:'选择文件'}"
        "[data-testid=stFileUploaderDropzoneInstructions] span{display:none}"
        "[data-testid=stFileUploaderDropzoneInstructions]>div::after"
        "{content:'或将文件拖放到此处（大小和格式限制见上方说明）';font-size:0.8rem}"
        "@media print{[data-testid=stSidebar],[data-testid=stSidebarCollapsedControl],header,"
        "[data-testid=stToolbar],[data-testid=stDecoration],[data-testid=stDownloadButton],"
        "[data-testid=stElementToolbar],.stDownloadButton{display:none!important}"
        "[data-testid=stMain],.block-container{max-width:100%!important;width:100%!important;"
        "padding:0!important;margin:0!important;overflow:visible!important}"
        "[data-testid=stAppViewContainer],[data-testid=stMain]{position:static!important;"
        "overflow:visible!important;height:auto!important}"
        "[data-testid=stPlotlyChart],[data-testid=stMetric],[data-testid=stDataFrame]"
        "{break-inside:avoid}}"
        "</style>")
ui.reset_run()
st.session_state["_filters_obj"] = filters.sidebar()
if nav.url_path not in {page(k).url_path for k in OFFICE_DETAIL_PAGES}:
    ui.follow_office_drill()
if nav.url_path != page("office").url_path:
    st.session_state.pop("_office_page", None)  # dashboard.office.chosen_office: a new visit starts from its URL
nav.run()
