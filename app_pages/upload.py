"""导入: upload report files (type detected by content, size and count limits, sanitised names), run the ingest."""
import os
import time
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import auth, db, safe, ui, upload_budget
from etl import uploads
from etl.extractors import MAX_FILE_BYTES, MB

UPLOAD_DIR = Path(os.environ.get("GKJB_UPLOAD_DIR") or db.ROOT / "data" / "uploads")

auth.require_role("admin")

f = ui.current()
st.title("导入")
if db.is_parquet():
    st.info(f"当前数据源是只读的 Parquet 导出（`{db.location()}`），不能在此导入。请在数据仓库上运行 "
            "`python -m etl ingest`，再用 `python -m etl export` 重新导出。")
    st.stop()
st.caption(f"支持的格式：HTML、PDF、Word（DOCX/DOC）、TXT、Markdown（按文件内容识别，不看扩展名）；单个文件不超过 "
           f"{MAX_FILE_BYTES // MB} MB，一次最多 {uploads.MAX_FILES} 个、合计 "
           f"{uploads.MAX_TOTAL_BYTES // MB} MB（1 MB = 1,000,000 字节）。文件保存在 data/uploads/ 下，随后解析并写入数据仓库 "
           f"`{db.db_path().name}`。同一内容的文件不会重复导入。")
upload_budget.install()
gen = st.session_state.setdefault("upl_gen", 0)  # a new key after each import: the picker starts empty
files = st.file_uploader("选择年报文件", type=list(uploads.ACCEPTED_EXTENSIONS), accept_multiple_files=True,
                         key=f"upl_files_{gen}", max_upload_size=max(1, MAX_FILE_BYTES // MB))
if files and st.button(f"导入 {len(files)} 个文件", type="primary", key="upl_go"):
    try:
        res = uploads.save_uploads([(u.name, u) for u in files], UPLOAD_DIR / time.strftime("%Y%m%d"))
    except uploads.UploadRefused as e:
        st.error(safe.md(e))
        res = None
    upload_budget.release(files)  # saved (or refused): the server's in-memory copies go now
    st.session_state["upl_gen"] = gen + 1
    if res is not None:
        for r in res.refused:
            st.warning(f"{safe.md(r.name)}：{safe.md(r.reason)}")
    if res is not None and res.paths:
        from etl.ingest import ingest_paths
        from etl.writer import IngestLocked

        bar = st.progress(0.0, text="正在解析…")

        def progress(done, total, summary):
            bar.progress(done / max(total, 1), text=f"已处理 {done}/{total}：成功 {summary.loaded}，"
                                                    f"失败 {summary.failed}，未变化 {summary.skipped}")

        summary = None
        try:
            summary = ingest_paths([str(p) for p in res.paths], db.db_path(), progress=progress)
        except IngestLocked as e:
            st.error(f"另一个导入正在进行，请稍后再试。（{safe.md(e)}）")
        except (OSError, RuntimeError, duckdb.Error) as e:  # e.g. disk full: the run swapped nothing in
            st.error(f"导入失败，数据仓库保持不变：{safe.md(f'{type(e).__name__}: {e}')}")
        if summary is not None:
            bar.progress(1.0, text="完成")
            st.success(f"导入完成：{summary.loaded} 份成功（其中替换 {summary.replaced + len(summary.superseded)} 份），"
                       f"{summary.skipped} 份内容未变化，{summary.failed} 份解析失败；用时 {summary.seconds:.1f} 秒。")
            for path, why in summary.failures:
                st.warning(f"解析失败：{safe.md(path)} — {safe.md(why)}")
            for old, new in summary.superseded:
                st.info(f"更正版本：{safe.md(new)} 替换了同一单位同一年度的 {safe.md(old)}（旧版本保留为历史，不再计入统计）")
            for d in summary.duplicates:
                st.warning(f"{safe.md(d['office'])} {d['year']} 年有 {len(d['paths'])} 份同时有效的年报（将被重复计数），"
                           f"请删除多余的一份：{safe.md('、'.join(d['paths']))}")
            st.cache_data.clear()
            if summary.report_ids:
                ui.report_link(summary.report_ids[-1], "查看最新导入的年报")
elif not files:
    ui.empty("选择一个或多个年报文件（HTML、PDF、Word、TXT、Markdown），然后点击“导入”。"
             "导入完成后，所有统计页面会自动更新。")
