"""No report text reaches the page as raw HTML: a report whose title, office, narrative, section headings and
cells carry <script> / <img onerror> is loaded into a warehouse, the 年报详情 page is run with AppTest, and
every element that carries the payload must be inert (plain text, escaped markdown, a code block or a
dataframe cell) — never st.html / unsafe_allow_html / components."""
import sys
from pathlib import Path

import pytest

from etl.ingest import ingest_paths
from devtools.report_fixtures import render_text

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
LINK = "[点我](javascript:alert(2))"




def _hostile_report() -> str:
    text = render_text("2021", "tsv", office="青禾县农业农村局")
    lines = text.splitlines()
    out = []
    for ln in lines:
        out.append(ln)
        if ln.startswith("一、"):
            out.append(f"本年度{SCRIPT}坚持公开{IMG}，详见{LINK}。")
        if ln.startswith("五、"):
            out.append(f"问题：{IMG}{SCRIPT}")
    text = "\n".join(out) + "\n"
    text = text.replace("本年度未收取信息处理费。", f"本年度未收取信息处理费。{SCRIPT}")
    # a hostile title line and a text cell in a table row
    text = text.replace("青禾县农业农村局2024年", f"青禾县农业农村局2024年{IMG}", 1)
    return text.replace("\t9617.6", f"\t9617.6{IMG}", 1)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("xss")
    (d / "in").mkdir()
    (d / "in" / "hostile.txt").write_text(_hostile_report(), encoding="utf-8")
    db = d / "w.duckdb"
    s = ingest_paths([d / "in"], db, workers=1)
    assert s.loaded == 1, s.failures
    return db, s.report_ids[0]


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for c in children.values():
            yield from _walk(c)


def test_report_page_shows_payloads_inert(hostile_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db, rid = hostile_db
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    texts = " ".join(str(t) for (t,) in con.execute("SELECT text FROM section_texts").fetchall())
    con.close()
    assert SCRIPT in texts and IMG in texts  # the payload really is in the warehouse

    monkeypatch.setenv("GKJB_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/report.py")
    at.query_params["report"] = str(rid)
    at.run()
    assert not at.exception, [e.message for e in at.exception]

    carriers, unsafe = [], []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        blob = str(proto)
        if "alert" not in blob:
            continue
        kind = getattr(node, "type", type(node).__name__)
        carriers.append(kind)
        if kind in ("html", "iframe", "components", "custom_component") or getattr(proto, "allow_html", False) \
                or getattr(proto, "unsafe_allow_html", False):
            unsafe.append((kind, blob[:200]))
        if kind == "markdown":
            # markdown is fine only when the payload was escaped (no live tag, no live link)
            body = proto.body
            assert "<script" not in body and "<img" not in body and "](javascript:" not in body, body[:300]
    assert not unsafe, unsafe
    # the narrative is on the page, as plain text
    shown = [t.value for t in at.text]
    assert any(SCRIPT in v and IMG in v for v in shown), shown[:3]
    assert "text" in carriers
    # the only st.html on the page is the app's static CSS, with no report data in it
    for n in _walk(at._tree):
        if getattr(n, "type", "") == "html":
            body = n.proto.body
            assert body.lstrip().startswith("<style>") and "<script" not in body and "青禾" not in body, body[:200]
