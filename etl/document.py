"""The intermediate form every extractor produces and the parser reads.

A document is a sequence of blocks in reading order. A block is either a line of prose (``kind="text"``,
one cell) or a table row (``kind="row"``, one cell per printed cell, blanks kept as empty strings).
Extractors do not interpret the template; they only keep what was printed, where it was printed.

Provenance is a small dict, whatever locates a cell in its source:
  text/markdown: ``{"line": 12}`` (1-based), plus ``"col"`` for the n-th cell of a split line;
  HTML/DOCX:     ``{"table": 0, "row": 3, "col": 2}`` (0-based) or ``{"para": 7}``;
  PDF:           ``{"page": 2, "x0": .., "top": .., "x1": .., "bottom": ..}`` (PDF points, page 1-based).

``structured`` on a row means its cells are real cell boundaries (HTML, DOCX, markdown, tab-separated
text, PDF rebuilt from geometry). When False (text split on single spaces), blanks may have vanished and
the reader treats positions as untrustworthy.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    prov: dict = field(default_factory=dict)


@dataclass
class Block:
    kind: str  # "text" | "row"
    cells: list[Cell]
    structured: bool = True
    prov: dict = field(default_factory=dict)  # where the block as a whole starts

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)


@dataclass
class Document:
    path: str
    format: str  # txt | md | html | docx | doc | pdf
    blocks: list[Block] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # encoding, title, published_on from page metadata, pages …
    problems: list[dict] = field(default_factory=list)  # {"code", "message", "prov"}: non-fatal issues

    def add_text(self, text: str, **prov) -> None:
        self.blocks.append(Block("text", [Cell(text, dict(prov))], prov=dict(prov)))

    def add_row(self, cells: list[Cell], structured: bool = True, **prov) -> None:
        self.blocks.append(Block("row", cells, structured=structured, prov=dict(prov)))

    def problem(self, code: str, message: str, **prov) -> None:
        self.problems.append({"code": code, "message": message, "prov": dict(prov)})

    def plain_text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class ExtractError(Exception):
    """A file that cannot be read at all. ``code`` is a stable machine-readable reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
