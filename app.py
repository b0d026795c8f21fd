"""政府信息公开工作年度报告监测 — Streamlit entry point: navigation, global filters, routing.

    streamlit run app.py            (warehouse: env GKJB_DB, see etl/config.py)
"""
from __future__ import annotations

import streamlit as st

# an emoji favicon is drawn locally; a material-icon one would be fetched from fonts.gstatic.com
st.set_page_config(page_title="政府信息公开年报监测", page_icon="📊", layout="wide", initial_sidebar_state="expanded")

from dashboard import auth, exposure, filters, ui  # noqa: E402

_refused = exposure.problem(st.get_option("server.address"), auth.auth_configured())
if _refused:  # reachable from the network with nobody signed in: serve nothing
    st.error(_refused)
    st.stop()
user = auth.require_login()

PAGES = {
    "overview": st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", url_path="home",
                        default=True),
    "proactive": st.Page("pages/proactive.py", title="主动公开", icon=":material/campaign:", url_path="proactive"),
    "requests": st.Page("pages/requests.py", title="依申请公开", icon=":material/inbox:", url_path="requests"),
    "procurement": st.Page("pages/procurement.py", title="政府采购", icon=":material/shopping_cart:",
                           url_path="procurement"),
    "review": st.Page("pages/review.py", title="复议诉讼", icon=":material/gavel:", url_path="review"),
    "compliance": st.Page("pages/compliance.py", title="合规监测", icon=":material/fact_check:",
                          url_path="compliance"),
    "compare": st.Page("pages/compare.py", title="对比", icon=":material/compare_arrows:", url_path="compare"),
    "explore": st.Page("pages/explore.py", title="数据探索", icon=":material/query_stats:", url_path="explore"),
    "report": st.Page("pages/report.py", title="年报详情", icon=":material/description:", url_path="report"),
    "office": st.Page("pages/office.py", title="单位档案", icon=":material/badge:", url_path="office"),
    "textcompare": st.Page("pages/textcompare.py", title="正文对照", icon=":material/difference:",
                           url_path="textcompare", visibility="hidden"),
    "upload": st.Page("pages/upload.py", title="导入", icon=":material/upload_file:", url_path="upload"),
}
ui.PAGES.update(PAGES)

# the default page is served at "/" (its own url_path is unreachable): a hidden alias serves /overview, which
# otherwise lands on Streamlit's English "Page not found"
OVERVIEW_ALIAS = st.Page("pages/overview.py", title="总览", url_path="overview", visibility="hidden")
nav = st.navigation({
    "统计": [PAGES[k] for k in ("overview", "proactive", "requests", "procurement", "review")] + [OVERVIEW_ALIAS],
    "监测": [PAGES[k] for k in ("compliance", "compare", "office")] + [PAGES["textcompare"]],
    "工具": [PAGES[k] for k in ("explore", "report", "upload")
           if k == "report" or auth.has_role({"explore": "analyst", "upload": "admin"}[k], user)],
})
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
if nav.url_path not in ("report", "office", "textcompare"):
    ui.follow_office_drill()
if nav.url_path != "office":
    st.session_state.pop("_office_page", None)  # dashboard.office.chosen_office: a new visit starts from its URL
nav.run()
