"""政府信息公开工作年度报告监测 — Streamlit entry point: navigation, global filters, routing.

    streamlit run app.py            (warehouse: env GKJB_DB, default data/warehouse.duckdb)
"""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="政府信息公开年报监测", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="expanded")

from dashboard import auth, exposure, filters, ui  # noqa: E402

_refused = exposure.problem(st.get_option("server.address"), auth.auth_configured())
if _refused:  # reachable from the network with nobody signed in: serve nothing
    st.error(_refused)
    st.stop()
user = auth.require_login()

PAGES = {
    "overview": st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview",
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
    "upload": st.Page("pages/upload.py", title="导入", icon=":material/upload_file:", url_path="upload"),
}
ui.PAGES.update(PAGES)

nav = st.navigation({
    "统计": [PAGES[k] for k in ("overview", "proactive", "requests", "procurement", "review")],
    "监测": [PAGES[k] for k in ("compliance", "compare")],
    "工具": [PAGES[k] for k in ("explore", "report", "upload")
           if k == "report" or auth.has_role({"explore": "analyst", "upload": "admin"}[k], user)],
})
# compact top spacing for 1366×768 (static CSS only; data is never rendered as HTML)
st.html("<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}"
        "h1{padding-top:0.2rem!important}</style>")
ui.reset_run()
st.session_state["_filters_obj"] = filters.sidebar()
if nav.url_path != "report":
    ui.follow_office_drill()
nav.run()
