"""PDF reports through pypdfium2: characters with positions, ruling lines from path objects, tables
rebuilt from geometry.

Pipeline per page:
  glyphs (pdfium loose char boxes, generated spaces dropped) + ruling segments (thin path objects and the
  straight edges of stroked paths)
  → ruled tables: grid of the rulings' x/y positions, grid units merged where no ruling separates them
    (that is how row/col spans appear), every glyph dropped into its cell; each grid row emits its origin
    cells in column order, blanks as '' (the same shape the HTML extractor gives for rowspan/colspan)
  → everything else: lines clustered by y, split into segments at wide gaps; runs of lines carrying
    numbers become unruled tables whose value columns are the clusters of the numbers' x-centres, so every
    number lands in its column and a missing number leaves '' in its place; label lines wrapping around the
    numbers are joined, vertical labels printed one character per line are merged into one label
  → page numbers / footers ("— 4 —", "-3-", "第3页") dropped; a ruled table continued on the next page
    has its split label cells re-joined and repeated header rows dropped.
Pages without a text layer (scans) or whose table is an image are listed in ``meta["needs_ocr_pages"]``
and, when ``tesseract`` with ``chi_sim`` is installed, OCR'd (see :mod:`etl.extractors.ocr`); the word
boxes go through the same unruled-table path.
pdfplumber is not used: pypdfium2 gives characters and path objects ~50x faster.
"""
from __future__ import annotations

import bisect
import ctypes
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from ..document import Block, Cell, Document, ExtractError
from . import ocr
from .glyphs import Box, Glyph

MAX_PAGES = 200            # reports are 3–40 pages; more pages are not read (recorded as a problem)
TIME_LIMIT = 60.0          # seconds per file for geometry work (OCR has its own budget in ocr.py)
MAX_GLYPHS_PER_PAGE = 40000
MAX_SEGMENTS_PER_PAGE = 3000
MAX_PATH_POINTS = 20000    # per page, when walking stroked paths for their edges
RULE_THIN = 2.5            # a path object thinner than this (points) is a ruling line
TOL = 2.0                  # geometric tolerance (points)

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NUM = re.compile(r"^[-+−]?\d[\d,，]*(\.\d+)?\s*(%|％|元|万元|件|个|人次?)?$|^[-+−]?\.\d+$")
_NA = re.compile(r"^(/|／|—+|-|–|无|不适用)$")
_PAGE_NO = re.compile(r"^[-—–－_\s]*(\d{1,4})[-—–－_\s]*$|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$|"
                      r"^\d+\s*/\s*\d+$|^page\s*\d+(\s*of\s*\d+)?$", re.I)
_ENUM = re.compile(r"^\s*([（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]|"
                   r"第[一二三四五六七八九十\d]+)")


class _Timeout(Exception):
    pass


@dataclass(slots=True)
class _Seg(Box):  # a run of glyphs on one line without a wide gap
    pass


@dataclass
class _Line:
    segs: list[_Seg]
    top: float
    bottom: float

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segs)

    @property
    def x0(self) -> float:
        return self.segs[0].x0

    @property
    def x1(self) -> float:
        return self.segs[-1].x1


@dataclass
class _Table:  # a ruled table on one page, kept for joining its continuation on the next page
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    last_row_cells: list[tuple[float, float, Cell]] = field(default_factory=list)  # (x0, x1, cell)
    header_texts: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- entry

def extract(path: Path, data: bytes) -> Document:
    pdf = _open(pdfium, data)
    try:
        return _extract(pdf, path, data)
    finally:
        pdf.close()


def _open(pdfium, data: bytes):
    head = data[:1024]
    if b"%PDF-" not in head:
        raise ExtractError("damaged", "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data[-4096:]:
        raise ExtractError("truncated", "PDF is truncated (no %%EOF marker at the end): download it again")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        raw = pdfium.raw
        if code == raw.FPDF_ERR_PASSWORD:
            raise ExtractError("encrypted", "PDF is password-protected; it cannot be read without the password") from e
        if code == raw.FPDF_ERR_SECURITY:
            raise ExtractError("encrypted", "PDF uses an unsupported security handler") from e
        raise ExtractError("damaged", f"PDF is damaged and cannot be opened ({e})") from e
    if len(pdf) == 0:
        pdf.close()
        raise ExtractError("damaged", "PDF has no pages")
    return pdf


def _extract(pdf, path: Path, data: bytes) -> Document:
    n = len(pdf)
    doc = Document(str(path), "pdf", meta={"pages": n})
    try:
        md = pdf.get_metadata_dict(skip_empty=True)
        if md.get("Title"):
            doc.meta["title"] = md["Title"].strip()
        for k in ("CreationDate", "ModDate"):
            if md.get(k):
                doc.meta[k.lower()] = md[k]
        if md.get("Producer") or md.get("Creator"):
            doc.meta["producer"] = " / ".join(x for x in (md.get("Creator"), md.get("Producer")) if x)
    except Exception:  # metadata is a nicety
        pass
    if n > MAX_PAGES:
        doc.problem("page_cap", f"PDF has {n} pages; only the first {MAX_PAGES} were read")
    deadline = time.monotonic() + TIME_LIMIT
    needs_ocr: list[int] = []
    ocr_regions: dict[int, list[tuple[float, float, float, float] | None]] = {}
    prev_table: _Table | None = None
    for pno in range(1, min(n, MAX_PAGES) + 1):
        if time.monotonic() > deadline:
            doc.problem("time_limit", f"stopped after {TIME_LIMIT:.0f} s at page {pno} of {n}", page=pno)
            break
        try:
            page = pdf[pno - 1]
        except Exception as e:
            doc.problem("page_unreadable", f"page {pno} cannot be loaded: {e}", page=pno)
            continue
        try:
            blocks, prev_table, ocr = _read_page(page, pno, raw, prev_table, deadline, doc)
        except _Timeout:
            doc.problem("time_limit", f"stopped after {TIME_LIMIT:.0f} s inside page {pno}", page=pno)
            break
        finally:
            page.close()
        if ocr is not None:
            needs_ocr.append(pno)
            ocr_regions[pno] = ocr
        doc.blocks.extend(blocks)
    if needs_ocr:
        doc.meta["needs_ocr_pages"] = needs_ocr
        _ocr_pages(pdf, doc, needs_ocr, ocr_regions)
    return doc


def _ocr_pages(pdf, doc: Document, pages: list[int], regions: dict) -> None:
    if not ocr.available():
        doc.problem("needs_ocr", f"pages {pages} have no text layer (or their tables are images); "
                    "install tesseract-ocr and tesseract-ocr-chi-sim to read them", pages=pages)
        return
    done = ocr.ocr_pdf_pages(pdf, pages, regions)
    missing = [p for p in pages if p not in done]
    if missing:
        doc.problem("needs_ocr", f"pages {missing} have no text layer and OCR failed or ran out of time",
                    pages=missing)
    if not done:
        return
    doc.meta["ocr_pages"] = sorted(done)
    doc.problem("ocr", f"pages {sorted(done)} were read by OCR: numbers may be misread", pages=sorted(done))
    # splice the OCR'd blocks into reading order: page by page, after the page's own blocks
    out: list[Block] = []
    by_page: dict[int, list[Block]] = {}
    for p, (words, hs, vs) in done.items():
        by_page[p] = _ocr_blocks(words, hs, vs, p)
    seen = set()
    for b in doc.blocks:
        p = b.prov.get("page")
        for q in sorted(by_page):
            if q < (p or 0) and q not in seen:
                out.extend(by_page[q])
                seen.add(q)
        out.append(b)
    for q in sorted(by_page):
        if q not in seen:
            out.extend(by_page[q])
    doc.blocks = out


def _ocr_blocks(words: list[Glyph], hs, vs, pno: int) -> list[Block]:
    """OCR words + rulings detected in the image → blocks, through the same table code as a text layer."""
    items: list[tuple[float, int, Block]] = []
    rest = words
    for grid in _ruled_tables(hs, vs):
        inside, rest = _split_glyphs(rest, grid)
        rows, _ = _grid_rows(grid, inside, pno)
        for y, row in rows:
            for c in row:
                c.prov["ocr"] = True
            items.append((y, 1, Block("row", row, structured=True, prov={"page": pno, "top": round(y, 1), "ocr": True})))
    for b in _layout_blocks(_lines_from_glyphs(rest), pno, ocr=True):
        items.append((b.prov.get("top", 0.0), 0, b))
    items.sort(key=lambda it: (it[0], it[1]))
    return [it[2] for it in items]


# ---------------------------------------------------------------------------------------------- page

def _read_page(page, pno: int, raw, prev_table: _Table | None, deadline: float, doc: Document):
    left, bottom, right, top = page.get_mediabox()
    height = top - bottom
    tp = page.get_textpage()
    try:
        glyphs = _glyphs(tp, raw, top, pno, doc)
    finally:
        tp.close()
    segs_h, segs_v, images = _page_objects(page, raw, top, pno, doc)
    if time.monotonic() > deadline:
        raise _Timeout

    # pages without a text layer, or whose table is an image
    page_area = max((right - left) * height, 1.0)
    ocr_regions = None
    if len(glyphs) < 20 and any((b[2] - b[0]) * (b[3] - b[1]) > 0.3 * page_area for b in images):
        ocr_regions = [None]  # whole page
    else:
        regions = []
        for b in images:
            if (b[2] - b[0]) * (b[3] - b[1]) < 0.12 * page_area:
                continue
            inside = sum(1 for g in glyphs if b[0] <= g.cx <= b[2] and b[1] <= g.cy <= b[3])
            if inside < 10:
                regions.append(b)
        if regions:
            ocr_regions = regions

    tables = _ruled_tables(segs_h, segs_v)
    items: list[tuple[float, int, Block]] = []
    rest = glyphs
    new_prev: _Table | None = None
    page_tables: list[_Table] = []
    for t_index, grid in enumerate(tables):
        inside, rest = _split_glyphs(rest, grid)
        rows, tinfo = _grid_rows(grid, inside, pno)
        if not rows:
            continue
        page_tables.append(tinfo)
        for k, (y, row) in enumerate(rows):
            items.append((y, 1, Block("row", row, structured=True,
                                      prov={"page": pno, "top": round(y, 1), "table_top": tinfo.top})))

    lines = _lines_from_glyphs(rest)
    # page numbers and running footers/headers
    kept = []
    for ln in lines:
        t = ln.text.strip()
        if (ln.top < 0.12 * height or ln.bottom > 0.88 * height) and _PAGE_NO.match(t):
            continue
        kept.append(ln)
    lines = kept
    for b in _layout_blocks(lines, pno):
        items.append((b.prov.get("top", 0.0), 0, b))
    items.sort(key=lambda it: (it[0], it[1]))

    # a ruled table continued from the previous page: re-join split label cells, drop repeated headers
    if prev_table is not None and page_tables:
        first_table = min(page_tables, key=lambda t: t.top)
        before = [it for it in items if it[0] < first_table.top - TOL]
        if not before and abs(first_table.x0 - prev_table.x0) < 15 and abs(first_table.x1 - prev_table.x1) < 15:
            _join_continuation(items, first_table, prev_table)
    # remember the last table if nothing but footers follows it
    if page_tables:
        last = max(page_tables, key=lambda t: t.bottom)
        after = [it for it in items if it[0] > last.bottom + TOL]
        if not after:
            new_prev = last
    return [it[2] for it in items], new_prev, ocr_regions


def _join_continuation(items, table: _Table, prev: _Table) -> None:
    rows = [it for it in items if it[2].kind == "row" and it[2].prov.get("table_top") == table.top]
    if not rows:
        return
    # repeated header rows
    if prev.header_texts:
        k = 0
        while k < len(rows) and k < len(prev.header_texts) and _norm(rows[k][2].text) == prev.header_texts[k]:
            k += 1
        if k:
            drop = {id(r[2]) for r in rows[:k]}
            items[:] = [it for it in items if id(it[2]) not in drop]
            rows = rows[k:]
            if not rows:
                return
    first = rows[0][2]
    keep: list[Cell] = []
    labels_done = False
    for c in first.cells:
        if labels_done or _is_value(c.text):
            labels_done = True
            keep.append(c)
            continue
        x0, x1 = c.prov.get("x0", 0), c.prov.get("x1", 0)
        match = None
        for px0, px1, pc in prev.last_row_cells:
            ov = min(x1, px1) - max(x0, px0)
            if ov > 0.8 * max(x1 - x0, px1 - px0) and not _is_value(pc.text):
                match = pc
                break
        if match is not None and not c.text:
            continue  # continuation of a cell spanning the page break: emitted once, on the first page
        if match is not None and match.text and not _ENUM.match(c.text):
            match.text += c.text  # "（四）无" + "法提供"
            continue
        keep.append(c)
    first.cells = keep
    if not any(c.text for c in keep):
        items[:] = [it for it in items if it[2] is not first]


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _is_value(s: str) -> bool:
    s = s.strip()
    return bool(s) and bool(_NUM.match(s) or _NA.match(s))


# ---------------------------------------------------------------------------------------------- glyphs

def _glyphs(tp, raw, top: float, pno: int, doc: Document) -> list[Glyph]:
    n = raw.FPDFText_CountChars(tp.raw)
    if n > MAX_GLYPHS_PER_PAGE:
        doc.problem("glyph_cap", f"page {pno} has {n} characters; only {MAX_GLYPHS_PER_PAGE} were read", page=pno)
        n = MAX_GLYPHS_PER_PAGE
    rc = raw.FS_RECTF()
    out: list[Glyph] = []
    get_u, get_box, is_gen = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated
    t = tp.raw
    i = 0
    while i < n:
        u = get_u(t, i)
        if u <= 32 or u in (0xA0, 0x3000, 0xFFFE, 0xFFFF, 0xFEFF) or is_gen(t, i):
            i += 1
            continue
        ch = chr(u) if not 0xD800 <= u < 0xDC00 else None
        if ch is None:  # surrogate pair
            lo = get_u(t, i + 1) if i + 1 < n else 0
            ch = chr(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)) if 0xDC00 <= lo < 0xE000 else "\ufffd"
        if not get_box(t, i, rc):
            i += 1
            continue
        x0, x1 = min(rc.left, rc.right), max(rc.left, rc.right)
        y0, y1 = top - max(rc.top, rc.bottom), top - min(rc.top, rc.bottom)
        if ch == "\u2002" or ch == "\u2003":
            i += 1
            continue
        out.append(Glyph(_fold(ch), x0, y0, x1, y1))
        i += 2 if len(ch) == 1 and 0xD800 <= u < 0xDC00 else 1
    return out


_FOLD = {"\u2f00": "一"}  # Kangxi radicals some producers emit instead of the ideograph
for _a, _b in zip("⼀⼆⼈⼊⼋⼏⼒⼗⼝⼟⼤⼥⼦⼯⼲⼴⼼⼿⽂⽅⽇⽉⽊⽋⽌⽐⽑⽒⽓⽔⽕⽗⽣⽤⽥⽩⽬⽯⽰⽴⽶⽹⾃⾄⾏⾐⾔⾛⾜⾝⾯⾸",
                  "一二人入八几力十口土大女子工干广心手文方日月木欠止比毛氏气水火父生用田白目石示立米网自至行衣言走足身面首"):
    _FOLD[_a] = _b


def _fold(ch: str) -> str:
    return _FOLD.get(ch, ch)


def _page_objects(page, raw, top: float, pno: int, doc: Document):
    """Ruling segments (horizontal: (y, x0, x1); vertical: (x, y0, y1); top-down y) and image boxes."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    images: list[tuple[float, float, float, float]] = []
    points = 0
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    mat = raw.FS_MATRIX()
    px, py = ctypes.c_float(), ctypes.c_float()
    fl, fb, fr, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for obj in _raw_objects(page, raw):
        otype = raw.FPDFPageObj_GetType(obj)
        if otype not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE):
            continue
        if not raw.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
            continue
        l, b, r, t = fl.value, fb.value, fr.value, ft.value
        if otype == raw.FPDF_PAGEOBJ_IMAGE:
            images.append((l, top - t, r, top - b))
            continue
        if len(hs) + len(vs) > MAX_SEGMENTS_PER_PAGE:
            continue
        w, h = r - l, t - b
        if w <= RULE_THIN and h > 3:
            vs.append(((l + r) / 2, top - t, top - b))
            continue
        if h <= RULE_THIN and w > 3:
            hs.append((top - (b + t) / 2, l, r))
            continue
        if w <= RULE_THIN and h <= RULE_THIN:
            continue
        raw.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not stroke.value:
            continue  # filled areas (cell shading) are not rulings
        nseg = raw.FPDFPath_CountSegments(obj)
        if nseg <= 0 or points + nseg > MAX_PATH_POINTS:
            continue
        points += nseg
        if not raw.FPDFPageObj_GetMatrix(obj, mat):
            continue
        a, bb, c, d, e, f = mat.a, mat.b, mat.c, mat.d, mat.e, mat.f
        start = prev = None
        for k in range(nseg):
            sg = raw.FPDFPath_GetPathSegment(obj, k)
            if not raw.FPDFPathSegment_GetPoint(sg, px, py):
                continue
            x = a * px.value + c * py.value + e
            y = bb * px.value + d * py.value + f
            typ = raw.FPDFPathSegment_GetType(sg)
            if typ == raw.FPDF_SEGMENT_MOVETO:
                start = prev = (x, y)
            else:
                if prev is not None and typ == raw.FPDF_SEGMENT_LINETO:
                    _edge(prev, (x, y), top, hs, vs)
                prev = (x, y)
            if raw.FPDFPathSegment_GetClose(sg) and start is not None and prev is not None:
                _edge(prev, start, top, hs, vs)
                prev = start
    return hs, vs, images


def _raw_objects(page, raw):
    """Page objects as raw handles (no Python wrapper per object), one level into form XObjects."""
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        yield obj
        if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_FORM:
            for k in range(min(raw.FPDFFormObj_CountObjects(obj), 20000)):
                yield raw.FPDFFormObj_GetObject(obj, k)


def _edge(p, q, top, hs, vs) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.5 and abs(x1 - x0) > 3:
        hs.append((top - y0, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) < 0.5 and abs(y1 - y0) > 3:
        vs.append((x0, top - max(y0, y1), top - min(y0, y1)))


# ---------------------------------------------------------------------------------------------- ruled tables

@dataclass
class _Grid:
    xs: list[float]
    ys: list[float]
    vsegs: list[tuple[float, float, float]]
    hsegs: list[tuple[float, float, float]]

    @property
    def bbox(self):
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def _merge_segments(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear segments (same position within TOL) with overlapping/touching extents become one."""
    out: list[tuple[float, float, float]] = []
    segs = sorted(segs)
    groups: list[list[tuple[float, float, float]]] = []
    for s in segs:
        if groups and s[0] - groups[-1][0][0] <= TOL * 0.75:
            groups[-1].append(s)
        else:
            groups.append([s])
    for g in groups:
        pos = sum(s[0] for s in g) / len(g)
        spans = sorted((s[1], s[2]) for s in g)
        a, b = spans[0]
        for c, d in spans[1:]:
            if c <= b + TOL:
                b = max(b, d)
            else:
                out.append((pos, a, b))
                a, b = c, d
        out.append((pos, a, b))
    return out


def _ruled_tables(hs, vs) -> list[_Grid]:
    if not hs or not vs:
        return []
    hs = _merge_segments(hs)
    vs = _merge_segments(vs)
    nh = len(hs)
    parent = list(range(nh + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - TOL <= x <= hx1 + TOL and vy0 - TOL <= y <= vy1 + TOL:
                a, b = find(i), find(nh + j)
                if a != b:
                    parent[a] = b
    comps: dict[int, tuple[list, list]] = {}
    for i in range(nh):
        comps.setdefault(find(i), ([], []))[0].append(hs[i])
    for j in range(len(vs)):
        comps.setdefault(find(nh + j), ([], []))[1].append(vs[j])
    grids = []
    for H, V in comps.values():
        if len(H) < 2 or len(V) < 2:
            continue
        xs = _cluster([v[0] for v in V] + [min(h[1] for h in H), max(h[2] for h in H)])
        ys = _cluster([h[0] for h in H] + [min(v[1] for v in V), max(v[2] for v in V)])
        if len(xs) < 2 or len(ys) < 2 or xs[-1] - xs[0] < 20 or ys[-1] - ys[0] < 8:
            continue
        grids.append(_Grid(xs, ys, V, H))
    grids.sort(key=lambda g: g.ys[0])
    return grids


def _cluster(vals: list[float], tol: float = TOL) -> list[float]:
    vals = sorted(vals)
    out: list[list[float]] = []
    for v in vals:
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _split_glyphs(glyphs: list[Glyph], grid: _Grid):
    x0, y0, x1, y1 = grid.bbox
    inside, rest = [], []
    for g in glyphs:
        if x0 - 1 <= g.cx <= x1 + 1 and y0 - 1 <= g.cy <= y1 + 1:
            inside.append(g)
        else:
            rest.append(g)
    return inside, rest


def _covered(segs, pos: float, mid: float) -> bool:
    for p, a, b in segs:
        if abs(p - pos) <= TOL and a - TOL <= mid <= b + TOL:
            return True
    return False


def _grid_rows(grid: _Grid, glyphs: list[Glyph], pno: int):
    xs, ys = grid.xs, grid.ys
    R, C = len(ys) - 1, len(xs) - 1
    parent = list(range(R * C))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)  # the top-left unit stays the root

    for i in range(R):
        ymid = (ys[i] + ys[i + 1]) / 2
        for j in range(1, C):
            if not _covered(grid.vsegs, xs[j], ymid):
                union(i * C + j - 1, i * C + j)
    for i in range(1, R):
        for j in range(C):
            xmid = (xs[j] + xs[j + 1]) / 2
            if not _covered(grid.hsegs, ys[i], xmid):
                union((i - 1) * C + j, i * C + j)
    cells: dict[int, list[int]] = {}  # root -> [r0, c0, r1, c1]
    for i in range(R):
        for j in range(C):
            r = find(i * C + j)
            b = cells.get(r)
            if b is None:
                cells[r] = [i, j, i, j]
            else:
                b[0], b[1], b[2], b[3] = min(b[0], i), min(b[1], j), max(b[2], i), max(b[3], j)
    content: dict[int, list[Glyph]] = {}
    for g in glyphs:
        j = min(max(bisect.bisect_right(xs, g.cx) - 1, 0), C - 1)
        i = min(max(bisect.bisect_right(ys, g.cy) - 1, 0), R - 1)
        content.setdefault(find(i * C + j), []).append(g)
    by_row: dict[int, list[tuple[int, Cell, list[int]]]] = {}
    table_top = round(ys[0], 1)
    for root, (r0, c0, r1, c1) in cells.items():
        text = _cell_text(content.get(root, []))
        prov = {"page": pno, "x0": round(xs[c0], 1), "top": round(ys[r0], 1), "x1": round(xs[c1 + 1], 1),
                "bottom": round(ys[r1 + 1], 1), "row": r0, "col": c0}
        if r1 > r0 or c1 > c0:
            prov["span"] = [r1 - r0 + 1, c1 - c0 + 1]
        by_row.setdefault(r0, []).append((c0, Cell(text, prov), [r0, c0, r1, c1]))
    rows: list[tuple[float, list[Cell]]] = []
    info = _Table(pno, xs[0], xs[-1], table_top, ys[-1])
    first_value_row = None
    for r in sorted(by_row):
        cs = sorted(by_row[r], key=lambda t: t[0])
        row = [c for _, c, _ in cs]
        if not any(c.text for c in row):
            continue
        if first_value_row is None and any(_is_value(c.text) for c in row):
            first_value_row = len(rows)
        rows.append((ys[r], row))
    for _, cell_list in by_row.items():
        for c0, cell, (r0, _, r1, c1) in cell_list:
            if r1 == R - 1:
                info.last_row_cells.append((xs[c0], xs[c1 + 1], cell))
    info.last_row_cells.sort(key=lambda t: t[0])
    header_rows = rows[:first_value_row] if first_value_row is not None else []
    info.header_texts = [_norm(" ".join(c.text for c in row)) for _, row in header_rows]
    return rows, info


def _cell_text(glyphs: list[Glyph]) -> str:
    if not glyphs:
        return ""
    return "".join(_join(line) for line in _group_lines(glyphs)).strip()


# ---------------------------------------------------------------------------------------------- lines

def _group_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs clustered into lines by vertical overlap, each line sorted left to right."""
    lines: list[list] = []  # [top, bottom, glyphs]
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if lines:
            ln = lines[-1]
            ov = min(ln[1], g.bottom) - max(ln[0], g.top)
            if ov > 0.5 * min(ln[1] - ln[0], g.h) or abs(g.cy - (ln[0] + ln[1]) / 2) < 0.25 * g.h:
                ln[0], ln[1] = min(ln[0], g.top), max(ln[1], g.bottom)
                ln[2].append(g)
                continue
        lines.append([g.top, g.bottom, [g]])
    return [sorted(ln[2], key=lambda g: g.x0) for ln in lines]


def _join(glyphs: list[Glyph]) -> str:
    out = [glyphs[0].text]
    for a, b in zip(glyphs, glyphs[1:]):
        gap = b.x0 - a.x1
        h = min(a.h, b.h)
        if gap > 0.25 * h and not (_CJK.match(a.text[-1]) and _CJK.match(b.text[0]) and gap < 2 * h):
            out.append(" ")
        out.append(b.text)
    return "".join(out)


def _lines_from_glyphs(glyphs: list[Glyph]) -> list[_Line]:
    lines = []
    for gl in _group_lines(glyphs):
        segs: list[list[Glyph]] = [[gl[0]]]
        for a, b in zip(gl, gl[1:]):
            h = max(min(a.h, b.h), 4.0)
            if b.x0 - a.x1 > 1.5 * h:
                segs.append([b])
            else:
                segs[-1].append(b)
        out = [_Seg(_join(s), min(g.x0 for g in s), min(g.top for g in s), max(g.x1 for g in s),
                    max(g.bottom for g in s)) for s in segs]
        lines.append(_Line(out, min(s.top for s in out), max(s.bottom for s in out)))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


# ---------------------------------------------------------------------------------------------- unruled layout

def _layout_blocks(lines: list[_Line], pno: int, ocr: bool = False) -> list[Block]:
    """Prose lines → text blocks; runs of lines with numbers in columns → rows with one cell per column."""
    blocks: list[Block] = []
    i = 0
    n = len(lines)
    while i < n:
        if not _is_table_line(lines[i]):
            blocks.append(_text_block(lines[i], pno, ocr))
            i += 1
            continue
        j = i + 1
        label_right = _label_right(lines[i])
        last_table = i
        while j < n:
            ln = lines[j]
            if _is_table_line(ln):
                last_table = j
                label_right = min(label_right, _label_right(ln))
                j += 1
                continue
            # a label-only line inside the table: left of the value columns, close to the previous row
            if ln.x1 <= label_right + TOL and j - last_table <= 4 and ln.top - lines[j - 1].bottom < 3 * (ln.bottom - ln.top) + 6:
                j += 1
                continue
            break
        j = last_table + 1
        blocks.extend(_unruled_table(lines[i:j], pno, ocr))
        i = j
    return blocks


def _text_block(ln: _Line, pno: int, ocr: bool) -> Block:
    prov = {"page": pno, "x0": round(ln.x0, 1), "top": round(ln.top, 1), "x1": round(ln.x1, 1),
            "bottom": round(ln.bottom, 1)}
    if ocr:
        prov["ocr"] = True
    text = "".join(_sep(a, b) for a, b in zip([None] + ln.segs[:-1], ln.segs))
    return Block("text", [Cell(text, prov)], prov=dict(prov))


def _sep(a: _Seg | None, b: _Seg) -> str:
    return b.text if a is None else " " + b.text


def _is_table_line(ln: _Line) -> bool:
    nums = sum(1 for s in ln.segs if _is_value(s.text))
    return len(ln.segs) >= 2 and nums >= 1 and (nums >= 2 or not _is_value(ln.segs[0].text) or len(ln.segs) >= 3)


def _label_right(ln: _Line) -> float:
    for s in ln.segs:
        if _is_value(s.text):
            return s.x0
    return ln.x1


def _unruled_table(lines: list[_Line], pno: int, ocr: bool) -> list[Block]:
    # value columns: clusters of the x-centres of the numbers (right of every row's label)
    vals = [s for ln in lines if _is_table_line(ln) for s in ln.segs if _is_value(s.text)]
    widths = sorted(s.x1 - s.x0 for s in vals)
    tol = max(8.0, 0.9 * widths[len(widths) // 2]) if widths else 8.0
    centres: list[list[float]] = []
    for c in sorted(s.cx for s in vals):
        if centres and c - sum(centres[-1]) / len(centres[-1]) <= tol:
            centres[-1].append(c)
        else:
            centres.append([c])
    cols = [sum(g) / len(g) for g in centres]
    first_col_left = min((s.x0 for s in vals), default=0.0)
    blocks: list[Block] = []
    pending: list[_Seg] = []      # label-only text waiting for its row
    side: list[_Seg] = []         # one-character vertical label fragments
    last_row: Block | None = None
    for ln in lines:
        prov_line = {"page": pno, "top": round(ln.top, 1)}
        if not _is_table_line(ln):
            t = ln.text.replace(" ", "")
            if len(ln.segs) == 1 and len(t) <= 2 and ln.x1 < first_col_left:
                # a vertical label (三、/本/年/度…) or its fragment
                if not side or ln.x0 <= side[0].x1 + TOL:
                    side.append(ln.segs[0])
                    continue
            if last_row is not None and _open_label(last_row) and not _ENUM.match(t):
                _append_label(last_row, ln)
                continue
            pending.extend(ln.segs)
            continue
        label_segs = [s for s in ln.segs if s.x1 <= first_col_left + TOL and not _is_value(s.text)]
        value_segs = [s for s in ln.segs if s not in label_segs]
        cells: list[Cell] = []
        if side:
            cells.append(_cell("".join(s.text for s in side).replace(" ", ""), side, pno, ocr))
            side = []
        if pending and (not label_segs or not _ENUM.match(label_segs[0].text)):
            label_segs = pending + label_segs
        elif pending:
            blocks.append(Block("row", [_cell("".join(s.text for s in pending), pending, pno, ocr)],
                                structured=True, prov=dict(prov_line)))
        pending = []
        if label_segs:
            # label segments that are separate printed cells stay separate ("（三）不予公开" | "1.属于国家秘密")
            merged: list[list[_Seg]] = [[label_segs[0]]]
            for s in label_segs[1:]:
                prev = merged[-1][-1]
                if s.top > prev.bottom - 1 or s.x0 - prev.x1 < 1.5 * (s.bottom - s.top):
                    merged[-1].append(s)
                else:
                    merged.append([s])
            for grp in merged:
                cells.append(_cell("".join(s.text for s in grp), grp, pno, ocr))
        slots: list[_Seg | None] = [None] * len(cols)
        for s in value_segs:
            k = min(range(len(cols)), key=lambda q: abs(cols[q] - s.cx)) if cols else 0
            if slots[k] is None:
                slots[k] = s
            else:  # two numbers claim one column: use the nearest free column
                free = [q for q in range(len(cols)) if slots[q] is None]
                if free:
                    slots[min(free, key=lambda q: abs(cols[q] - s.cx))] = s
        for k, s in enumerate(slots):
            if s is None:
                prov = {"page": pno, "x0": round(cols[k] - 2, 1), "top": round(ln.top, 1),
                        "x1": round(cols[k] + 2, 1), "bottom": round(ln.bottom, 1), "col_centre": round(cols[k], 1)}
                cells.append(Cell("", prov))
            else:
                cells.append(_cell(s.text, [s], pno, ocr))
        last_row = Block("row", cells, structured=True, prov=dict(prov_line))
        blocks.append(last_row)
    if pending:
        blocks.append(Block("text", [_cell("".join(s.text for s in pending), pending, pno, ocr)],
                            prov={"page": pno, "top": round(pending[0].top, 1)}))
    return blocks


def _open_label(row: Block) -> bool:
    labels = [c.text for c in row.cells if c.text and not _is_value(c.text)]
    if not labels:
        return False
    t = labels[-1]
    return t.count("（") + t.count("(") > t.count("）") + t.count(")") or t.endswith(("、", "，", ","))


def _append_label(row: Block, ln: _Line) -> None:
    for c in reversed(row.cells):
        if c.text and not _is_value(c.text):
            c.text += ln.text.replace(" ", "")
            c.prov["bottom"] = round(max(c.prov.get("bottom", 0), ln.bottom), 1)
            return


def _cell(text: str, segs: list[_Seg], pno: int, ocr: bool) -> Cell:
    prov = {"page": pno, "x0": round(min(s.x0 for s in segs), 1), "top": round(min(s.top for s in segs), 1),
            "x1": round(max(s.x1 for s in segs), 1), "bottom": round(max(s.bottom for s in segs), 1)}
    if ocr:
        prov["ocr"] = True
    return Cell(text, prov)


# ---------------------------------------------------------------------------------------------- benchmark

def raw_text_pages(data: bytes | str) -> int:
    """The baseline the extractor is measured against: open a PDF and pull every page's text with
    pypdfium2, nothing else. Returns the page count."""
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def benchmark_pdf(paths, repeat: int = 3) -> dict:
    """Seconds per file for raw pypdfium2 text extraction vs the full extract(); best of ``repeat``."""
    out = {"files": [], "raw_s": 0.0, "full_s": 0.0, "pages": 0}
    for p in map(Path, paths):
        data = p.read_bytes()
        best_raw = best_full = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            npages = raw_text_pages(data)
            best_raw = min(best_raw, time.perf_counter() - t0)
            t0 = time.perf_counter()
            extract(p, data)
            best_full = min(best_full, time.perf_counter() - t0)
        out["files"].append({"file": p.name, "pages": npages, "raw_s": round(best_raw, 4),
                             "full_s": round(best_full, 4), "ratio": round(best_full / best_raw, 2)})
        out["raw_s"] += best_raw
        out["full_s"] += best_full
        out["pages"] += npages
    if out["files"]:
        out["raw_pages_per_s"] = round(out["pages"] / out["raw_s"], 1)
        out["full_pages_per_s"] = round(out["pages"] / out["full_s"], 1)
        out["ratio"] = round(out["full_s"] / out["raw_s"], 2)
    out["raw_s"] = round(out["raw_s"], 4)
    out["full_s"] = round(out["full_s"], 4)
    return out
