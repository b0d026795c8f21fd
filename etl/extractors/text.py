"""Plain text (as extracted from PDFs or copied from web pages) and converter markdown."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..document import Cell, Document
from .encoding import decode
from .unfold import needs_unfold, unfold

_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_PREFIX = re.compile(r"^\s*(#{1,6}\s+|>\s*|[*-]\s+(?=\S))")
_GAP = re.compile(r" {2,}|\u3000{1,}")
_PIECE = re.compile(r"\S+(?: \S+)*")  # runs of text separated by two or more spaces


def display_width(s: str) -> int:
    """Columns a string takes in a monospace rendering (CJK characters are two wide)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def extract(path: Path, data: bytes) -> Document:
    repaired: list[dict] = []
    text, encoding = decode(data, problems=repaired)
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    doc = Document(str(path), fmt, meta={"encoding": encoding}, problems=repaired)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("\xa0", " ").rstrip()
        if not line.strip():
            continue
        stripped = line.strip()
        if needs_unfold(stripped):
            # a whole page saved on one line: back into the lines it was printed on
            for offset, piece in unfold(stripped):
                doc.add_text(piece, line=lineno, offset=offset, x=0)
            continue
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _MD_RULE.match(stripped):
                continue
            parts = stripped.strip("|").split("|")
            cells = [Cell(_unmark(p.strip()), {"line": lineno, "col": i}) for i, p in enumerate(parts)]
            doc.add_row(cells, structured=True, line=lineno)
        elif "\t" in line:
            parts = line.strip("\n").split("\t")
            # leading tabs mark cells spanned from the row above: keep them, the reader trims spans
            cells = [Cell(p.strip(), {"line": lineno, "col": i}) for i, p in enumerate(parts)]
            doc.add_row(cells, structured=True, line=lineno)
        elif _GAP.search(stripped):
            # layout text: keep where each piece starts (display columns) so that values can be put in
            # their columns when blank cells left no trace
            cells, x, done = [], 0, 0
            for i, m in enumerate(_PIECE.finditer(line)):
                x += display_width(line[done:m.start()])  # widths add up: linear even on a huge line
                done = m.start()
                cells.append(Cell(m.group().strip(), {"line": lineno, "col": i, "x": x}))
            doc.add_row(cells, structured=False, line=lineno)
        else:
            x = display_width(line[:len(line) - len(line.lstrip())])
            doc.add_text(_unmark(_MD_PREFIX.sub("", stripped)) if fmt == "md" else stripped, line=lineno, x=x)
    return doc


def _unmark(s: str) -> str:
    """Drop markdown emphasis and inline HTML line breaks that converters leave in cells."""
    s = re.sub(r"<br\s*/?>", "", s, flags=re.I)
    return s.replace("**", "").replace("__", "").strip()
