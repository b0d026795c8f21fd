"""导入: upload report files (type and size limits), save them with sanitised names, run the ingest."""
import time

import streamlit as st

from dashboard import db, fmt, uploads, ui

ui.ensure_app()

f = ui.current()
st.title("导入")
st.caption(f"支持的格式：{'、'.join(uploads.ALLOWED)}；单个文件不超过 {uploads.MAX_FILE_BYTES // (1024 * 1024)} MB，"
           f"一次最多 {uploads.MAX_FILES} 个文件。文件保存在 data/uploads/ 下，随后解析并写入数据仓库 "
           f"`{db.db_path().name}`。同一内容的文件不会重复导入。")
files = st.file_uploader("选择年报文件", type=uploads.ALLOWED, accept_multiple_files=True, key="upl_files",
                         max_upload_size=max(1, uploads.MAX_FILE_BYTES // (1024 * 1024)))
if files and len(files) > uploads.MAX_FILES:
    st.error(f"一次最多导入 {uploads.MAX_FILES} 个文件。")
elif files and st.button(f"导入 {len(files)} 个文件", type="primary", key="upl_go"):
    saved, refused = [], []
    for up in files:
        try:
            saved.append(uploads.save(up.name, up.getvalue()))
        except ValueError as e:
            refused.append((up.name, str(e)))
    for name, why in refused:
        st.warning(f"{name}：{why}")
    if saved:
        try:
            from etl.ingest import IngestLocked, ingest_paths
        except ImportError:
            st.error("导入模块（etl.ingest）尚不可用。文件已保存，可稍后在命令行运行 "
                     "`python -m etl ingest data/uploads --db data/warehouse.duckdb`。")
        else:
            bar = st.progress(0.0, text="正在解析…")

            def progress(done, total, summary):
                bar.progress(done / max(total, 1), text=f"已处理 {done}/{total}：成功 {summary.loaded}，"
                                                        f"失败 {summary.failed}，未变化 {summary.skipped}")

            summary = None
            for attempt in range(20):  # a page being read holds the database briefly; retry
                try:
                    summary = ingest_paths([str(p) for p in saved], db.db_path(), progress=progress)
                    break
                except IngestLocked as e:
                    st.error(f"另一个导入正在进行，请稍后再试。（{e}）")
                    break
                except Exception as e:  # duckdb lock conflict with a concurrent reader
                    if "lock" in str(e).lower() or "different configuration" in str(e).lower():
                        time.sleep(0.5)
                        continue
                    st.exception(e)
                    break
            if summary is not None:
                bar.progress(1.0, text="完成")
                st.success(f"导入完成：{summary.loaded} 份成功（其中替换 {summary.replaced} 份），"
                           f"{summary.skipped} 份内容未变化，{summary.failed} 份解析失败；用时 {summary.seconds:.1f} 秒。")
                for path, why in summary.failures:
                    st.warning(f"解析失败：{path} — {why}")
                st.cache_data.clear()
                if summary.report_ids:
                    ui.report_link(summary.report_ids[-1], "查看最新导入的年报")
elif not files:
    ui.empty("选择一个或多个年报文件（HTML、PDF、Word、TXT、Markdown），然后点击“导入”。"
             "导入完成后，所有统计页面会自动更新。")
