"""Saved web pages (.html/.htm): UTF-8, GBK or GB18030; tables with rowspan/colspan; &nbsp; blanks;
<br> inside labels; digits split across <span>s; layout tables wrapping the whole page."""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ..document import Cell, Document, ExtractError
from .encoding import decode

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
               "header", "footer", "blockquote", "pre", "center", "ul", "ol", "dd", "dt", "title",
               "td", "th", "table", "tbody"}  # what remains of tables here is page layout
_PUB_META = ("pubdate", "publishdate", "firstpublishedtime", "articlepubdate", "publishtime", "dc.date",
             "article:published_time", "pdate")
_MARK = "\u0000TABLE{}\u0000"
_MARK_RE = re.compile("\u0000TABLE(\\d+)\u0000")
MAX_SPAN = 64  # larger spans are broken markup; clamp instead of building huge grids
# grid positions (rowspan x colspan summed over every cell) one page may lay out: real reports need a few
# thousand; 200 rows of 2000 cells spanning 64x64 would need 1.6 billion
MAX_GRID_CELLS = 2_000_000
# elements a page may have: real report pages have about a thousand (a heavy portal page tens of thousands);
# BeautifulSoup spends ~30 µs per element, so two million <br> in 8 MB would hold a worker for a minute
MAX_TAGS = 200_000


def extract(path: Path, data: bytes) -> Document:
    m = _META_CHARSET.search(data[:4096])
    repaired: list[dict] = []
    text, encoding = decode(data, m.group(1).decode("ascii", "ignore") if m else None, problems=repaired)
    _check_tags(text)
    _check_spans(text)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as e:  # lxml gives up only on pathological input
        raise ExtractError("html", f"cannot parse HTML: {e}") from e
    doc = Document(str(path), "html", meta={"encoding": encoding}, problems=repaired)
    _read_meta(soup, doc)
    for tag in soup(["script", "style", "noscript", "template", "iframe"]):
        tag.decompose()

    tables: list[list[list[Cell]]] = []
    # innermost tables are data tables; a table that contains tables is page layout
    all_tables = soup.find_all("table")
    outer = set()
    for t in all_tables:  # each table marks only its nearest enclosing table: linear, however deep
        parent = t.find_parent("table")
        if parent is not None:
            outer.add(id(parent))
    innermost = [t for t in all_tables if id(t) not in outer]
    budget = [MAX_GRID_CELLS]
    for table in innermost:
        n = len(tables)
        tables.append(_grid(table, n, budget))
        table.replace_with(soup.new_string(f"\n{_MARK.format(n)}\n"))

    root = soup.body or soup
    for i, line in enumerate(_text_lines(root)):
        line = line.replace("\xa0", " ").replace("\u3000", " ").strip()
        if not line:
            continue
        for part in _MARK_RE.split(line):
            if part.isdigit() and _MARK.format(part) in line:
                for row in tables[int(part)]:
                    if any(c.text for c in row):
                        doc.add_row(row, structured=True, **{k: row[0].prov[k] for k in ("table", "row")})
            elif part.strip():
                doc.add_text(part.strip(), para=i)
    return doc


_CELL_TAG = re.compile(r"<t[dh]\b([^>]*)>", re.I)
_SPAN_ATTR = re.compile(r"""(row|col)span\s*=\s*["']?\s*(\d+)""", re.I)


_TAG_OPEN = re.compile(r"<[A-Za-z]")


def _check_tags(text: str) -> None:
    """Refuse a page with more elements than any report page has, before building its tree."""
    n = 0
    for n, _ in enumerate(_TAG_OPEN.finditer(text), 1):
        if n > MAX_TAGS:
            raise ExtractError("too_complex", f"HTML page has more than {MAX_TAGS:,} elements; refused as malformed")


def _check_spans(text: str) -> None:
    """Refuse a span bomb before building the tree (the tree of a 14 MB bomb alone takes ~800 MB): the
    grid positions all cells of the page would take, counted on the raw markup (an upper bound of what
    :func:`_grid` lays out)."""
    total = 0
    for m in _CELL_TAG.finditer(text):
        rs = cs = 1
        for kind, n in _SPAN_ATTR.findall(m.group(1)):
            n = max(1, min(MAX_SPAN, int(n[:6])))
            if kind.lower() == "row":
                rs = n
            else:
                cs = n
        total += rs * cs
        if total > MAX_GRID_CELLS:
            raise ExtractError("too_complex", f"HTML tables span more than {MAX_GRID_CELLS:,} grid cells "
                                              "(rowspan × colspan); refused as malformed")


def _text_lines(root: Tag) -> list[str]:
    """The page's text with a line break around every block element and at <br> — one walk over the
    tree (editing the tree per block is quadratic in nesting depth)."""
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, (Comment, Doctype, ProcessingInstruction, Declaration, CData)):
                out.append(str(node))
            continue
        name = getattr(node, "name", None)
        block = name in _BLOCK_TAGS or name == "br"
        if closing:
            if block:
                out.append("\n")
            continue
        if block:
            out.append("\n")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return "".join(out).split("\n")


def _cell_text(td: Tag) -> str:
    # <br> and <p> inside a cell break labels, not meaning: join the pieces without a separator
    return re.sub(r"\s+", " ", td.get_text("").replace("\xa0", " ").replace("\u3000", " ")).strip()


def _span(td: Tag, attr: str) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(td.get(attr, "1")).strip() or 1)))
    except ValueError:
        return 1


def _grid(table: Tag, n: int, budget: list[int]) -> list[list[Cell]]:
    """Rows of origin cells in grid-column order. A rowspan occupies grid positions in the rows below
    (so their cells land in the right columns) but is emitted only once, in its first row.

    `budget` holds the grid positions the page may still lay out; a page beyond it is refused
    (ExtractError ``too_complex``) before the occupancy map can grow without bound."""
    rows: list[list[Cell]] = []
    below: dict[int, set[int]] = {}  # row -> columns taken by rowspans from rows above
    trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(trs):
        out: list[Cell] = []
        col = 0
        taken = below.pop(r, set())
        for td in tr.find_all(["td", "th"], recursive=False):
            while col in taken:
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            budget[0] -= rs * cs
            if budget[0] < 0:
                raise ExtractError("too_complex", f"HTML tables span more than {MAX_GRID_CELLS:,} grid cells "
                                                  "(rowspan × colspan); refused as malformed")
            for dr in range(1, rs):
                below.setdefault(r + dr, set()).update(range(col, col + cs))
            prov = {"table": n, "row": r, "col": col}
            if rs > 1 or cs > 1:
                prov["span"] = [rs, cs]
            out.append(Cell(_cell_text(td), prov))
            col += cs
        rows.append(out)
    return rows


def _read_meta(soup: BeautifulSoup, doc: Document) -> None:
    if soup.title and soup.title.string:
        doc.meta["title"] = soup.title.string.strip()
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").lower()
        content = (meta.get("content") or "").strip()
        if name in _PUB_META and content:
            doc.meta["published_meta"] = content
        elif name in ("articletitle", "title") and content and "title" not in doc.meta:
            doc.meta["title"] = content
