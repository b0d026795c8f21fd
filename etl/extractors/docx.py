"""Word 2007+ (.docx) through python-docx: paragraphs and tables in document order.

The body XML is walked directly (python-docx's ``Document.paragraphs``/``tables`` lose the interleaving
and repeat a merged cell in every grid position it covers). A horizontally merged cell (``gridSpan``) and
a vertically merged one (``vMerge``) are emitted once, in their first row, with a ``span`` in the
provenance — the same shape the HTML extractor gives for colspan/rowspan. Blank cells stay ''.
A DOCX is a ZIP: the declared uncompressed sizes and compression ratios are checked before anything is
decompressed (zip bombs).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..document import Cell, Document, ExtractError

MAX_UNCOMPRESSED = 120 * 1024 * 1024   # all members together
MAX_MEMBER = 60 * 1024 * 1024          # one member (document.xml of a long report is a few MB)
MAX_RATIO = 150                        # deflate rarely exceeds ~20x on XML; bombs are 1000x+
MAX_MEMBERS = 5000
MAX_ROWS_PER_TABLE = 5000
MAX_GRID_COLS = 200

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError, KeyError) as e:
        # NotImplementedError: a damaged header claiming an unknown zip version or compression method
        raise ExtractError("damaged", f"DOCX is not a readable ZIP archive ({type(e).__name__}: {e})") from e
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ExtractError("zip_bomb", f"DOCX has {len(infos)} archive members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER:
            raise ExtractError("too_large", f"DOCX member {info.filename} is {info.file_size / 1e6:.0f} MB uncompressed")
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ExtractError("zip_bomb", f"DOCX member {info.filename} expands {info.file_size // max(info.compress_size, 1)}x "
                               "(compression bomb)")
        if info.flag_bits & 0x1:
            raise ExtractError("encrypted", "DOCX archive is encrypted")
    if total > MAX_UNCOMPRESSED:
        raise ExtractError("too_large", f"DOCX expands to {total / 1e6:.0f} MB; the limit is {MAX_UNCOMPRESSED / 1e6:.0f} MB")
    names = set(zf.namelist())
    if "word/document.xml" not in names and not any(n.endswith("document.xml") for n in names):
        raise ExtractError("unsupported_format", "ZIP archive has no word/document.xml: not a Word document")
    return zf


def extract(path: Path, data: bytes, fmt: str = "docx") -> Document:
    check_zip(data)
    import docx  # python-docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises assorted errors for broken packages
        raise ExtractError("damaged", f"cannot open DOCX: {e}") from e
    doc = Document(str(path), fmt)
    try:
        cp = d.core_properties
        if cp.title:
            doc.meta["title"] = cp.title.strip()
        if cp.created:
            doc.meta["created"] = cp.created.isoformat()
        if cp.modified:
            doc.meta["modified"] = cp.modified.isoformat()
    except Exception:
        pass
    state = {"para": 0, "table": 0}
    _walk(d.element.body, doc, state)
    return doc


def _walk(parent, doc: Document, state: dict) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == W + "p":
            text = _para_text(child)
            if text:
                doc.add_text(text, para=state["para"])
            state["para"] += 1
        elif tag == W + "tbl":
            _table(child, doc, state)
        elif tag in (W + "sdt", W + "customXml", W + "ins", W + "smartTag"):
            content = child.find(W + "sdtContent") if tag == W + "sdt" else child
            if content is not None:
                _walk(content, doc, state)


def _para_text(p) -> str:
    parts = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen", W + "sym"):
        t = el.tag
        if t == W + "t":
            parts.append(el.text or "")
        elif t == W + "tab":
            parts.append(" ")
        elif t == W + "noBreakHyphen":
            parts.append("-")
    s = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    return re.sub(r"\s+", " ", s).strip()


def _cell_text(tc) -> str:
    # paragraphs inside a cell are line breaks of one label: join without a separator (as HTML <br>)
    texts = [_para_text(p) for p in tc.iter(W + "p")]
    return re.sub(r"\s+", " ", "".join(texts)).strip()


def _int(el, attr: str = W + "val", default: int = 1) -> int:
    if el is None:
        return default
    try:
        return int(el.get(attr))
    except (TypeError, ValueError):
        return default


def _table(tbl, doc: Document, state: dict) -> None:
    n = state["table"]
    state["table"] += 1
    # grid[r] = list of (col, colspan, vmerge, tc); vmerge: None | "restart" | "continue"
    grid: list[list[tuple[int, int, str | None, object]]] = []
    for tr in tbl.iterchildren(W + "tr"):
        if len(grid) >= MAX_ROWS_PER_TABLE:
            doc.problem("table_cap", f"table {n} has more than {MAX_ROWS_PER_TABLE} rows; the rest is ignored", table=n)
            break
        trpr = tr.find(W + "trPr")
        col = _int(trpr.find(W + "gridBefore"), default=0) if trpr is not None else 0
        row = []
        tcs = []
        for el in tr.iterchildren():
            if el.tag == W + "tc":
                tcs.append(el)
            elif el.tag in (W + "sdt", W + "customXml"):  # cells wrapped in content controls
                content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if content is not None:
                    tcs.extend(content.iterchildren(W + "tc"))
        for tc in tcs:
            tcpr = tc.find(W + "tcPr")
            span = max(1, min(MAX_GRID_COLS, _int(tcpr.find(W + "gridSpan") if tcpr is not None else None)))
            vm = tcpr.find(W + "vMerge") if tcpr is not None else None
            vmerge = None if vm is None else ("restart" if vm.get(W + "val") == "restart" else "continue")
            hm = tcpr.find(W + "hMerge") if tcpr is not None else None  # legacy horizontal merge
            if hm is not None and hm.get(W + "val") != "restart" and row:
                c0, s0, v0, t0 = row[-1]
                row[-1] = (c0, s0 + span, v0, t0)
                col += span
                continue
            row.append((col, span, vmerge, tc))
            col += span
            if col > MAX_GRID_COLS:
                break
        grid.append(row)

    # rowspans: a "restart" cell covers the "continue" cells below it in the same grid column
    starts: dict[int, tuple[int, Cell]] = {}  # grid column -> (first row, its cell)
    for r, row in enumerate(grid):
        out: list[Cell] = []
        for col, span, vmerge, tc in row:
            if vmerge == "continue" and col in starts:
                r0, cell = starts[col]
                rs = r - r0 + 1
                cell.prov["span"] = [rs, span]
                # text typed into a continuation cell (rare, but Word keeps it) belongs to the merged cell
                extra = _cell_text(tc)
                if extra:
                    cell.text += extra
                continue
            prov = {"table": n, "row": r, "col": col}
            if span > 1:
                prov["span"] = [1, span]
            cell = Cell(_cell_text(tc), prov)
            if vmerge == "restart":
                starts[col] = (r, cell)
            else:
                starts.pop(col, None)
            out.append(cell)
        if any(c.text for c in out):
            doc.add_row(out, structured=True, table=n, row=r)
