"""The three statistical tables as grids of merged cells (the official layout), shared by all renderers.

A grid is a list of rows; a row is a list of :class:`G` cells in HTML order (cells covered by a rowspan
from above are absent). ``matrix(grid)`` expands it to a rectangle for renderers that need positions.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import template as T

GROUP_LABELS = T.T3_GROUP_LABELS
T3_NOTE = T.T3_NOTE
T3_OUTCOME_HEAD = T.T3_OUTCOME_HEAD


@dataclass
class G:
    text: str
    rs: int = 1
    cs: int = 1
    kind: str = "label"  # label | head | value | blank | block
    key: str | None = None  # canonical key of a value cell


def fmt_number(v, amount: bool = False, style: int = 0) -> str:
    if v is None:
        return ""
    if amount:
        s = f"{v:.2f}"
        if style == 0:
            s = s.rstrip("0").rstrip(".")
        return s
    return str(int(v))


def cell_text(key: str, vals: dict, display: dict, amount_style: int) -> str:
    if key in display:
        return display[key]
    version_amount = key.endswith(".amount_wan")
    return fmt_number(vals[key], version_amount, amount_style)


def table2(version: str, vals: dict, display: dict, amount_style: int = 0) -> list[list[G]]:
    spec = T.TABLES[version][2]
    grid: list[list[G]] = []
    blocks: dict[str, list] = {}
    for r in spec.rows:
        blocks.setdefault(r.block, []).append(r)
    for block, rows in blocks.items():
        grid.append([G(block, cs=4, kind="block")])
        cols = spec.columns[rows[0].key]
        head = [G("信息内容", kind="head")]
        if len(cols) == 1:
            head.append(G(cols[0].label, cs=3, kind="head"))
        else:
            head += [G(c.label, kind="head") for c in cols]
            head += [G("", kind="blank")] * (3 - len(cols))
        grid.append(head)
        for r in rows:
            row = [G(r.label)]
            for c in spec.columns[r.key]:
                key = T.make_key(2, r.key, c.key)
                row.append(G(cell_text(key, vals, display, amount_style), cs=3 if len(cols) == 1 else 1,
                             kind="value", key=key))
            if len(cols) not in (1, 3):
                row += [G("", kind="blank")] * (3 - len(cols))
            grid.append(row)
    return grid


def table3(version: str, vals: dict, display: dict, social_label: str = "社会公益组织") -> list[list[G]]:
    spec = T.TABLES[version][3]
    col_labels = [c.label for c in T.T3_COLUMNS]
    col_labels[T.T3_APPLICANT_COLUMNS.index("social_welfare")] = social_label
    grid = [
        [G(T3_NOTE, rs=3, cs=3, kind="head"), G("申请人情况", cs=7, kind="head")],
        [G(col_labels[0], rs=2, kind="head"), G("法人或其他组织", cs=5, kind="head"),
         G(col_labels[6], rs=2, kind="head")],
        [G(x, kind="head") for x in col_labels[1:6]],
    ]
    outcome = [r for r in spec.rows if r.group is not None]
    n_out = len(outcome) + 1  # + （七）总计
    groups: dict[str, int] = {}
    for r in outcome:
        groups[r.group] = groups.get(r.group, 0) + 1

    def values(rkey):
        return [G(str(vals[T.make_key(3, rkey, c.key)]) if T.make_key(3, rkey, c.key) not in display
                  else display[T.make_key(3, rkey, c.key)], kind="value", key=T.make_key(3, rkey, c.key))
                for c in T.T3_COLUMNS]

    seen_group: set[str] = set()
    first_outcome = True
    for r in spec.rows:
        row: list[G] = []
        if r.group is None and r.key != spec.rows[-2].key:
            row.append(G(r.label, cs=3))
        else:
            if first_outcome:
                row.append(G(T3_OUTCOME_HEAD, rs=n_out))
                first_outcome = False
            if r.group is None or groups.get(r.group, 1) == 1:
                row.append(G(r.label, cs=2))
            else:
                if r.group not in seen_group:
                    seen_group.add(r.group)
                    row.append(G(GROUP_LABELS[r.group], rs=groups[r.group]))
                row.append(G(r.label))
        grid.append(row + values(r.key))
    return grid


def table4(vals: dict) -> list[list[G]]:
    parts = [c.label for c in T.T4_COLUMNS]
    grid = [
        [G("行政复议", cs=5, kind="head"), G("行政诉讼", cs=10, kind="head")],
        [G(x, rs=2, kind="head") for x in parts] + [G("未经复议直接起诉", cs=5, kind="head"),
                                                    G("复议后起诉", cs=5, kind="head")],
        [G(x, kind="head") for x in parts] * 2,
        [G(str(vals[T.make_key(4, b.key, c.key)]), kind="value", key=T.make_key(4, b.key, c.key))
         for b in T.T4.rows for c in T.T4_COLUMNS],
    ]
    return grid


def ncols(grid: list[list[G]]) -> int:
    return sum(c.cs for c in grid[0])


def matrix(grid: list[list[G]]) -> list[list[tuple[G | None, bool]]]:
    """Rectangle of (cell, is_origin). Covered positions hold the covering cell with is_origin False."""
    width = max(sum(c.cs for c in row) for row in grid)
    h = len(grid)
    m: list[list] = [[None] * width for _ in range(h)]
    for r, row in enumerate(grid):
        col = 0
        for cell in row:
            while col < width and m[r][col] is not None:
                col += 1
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    if r + dr < h and col + dc < width:
                        m[r + dr][col + dc] = (cell, dr == 0 and dc == 0)
            col += cell.cs
    for r in range(h):
        for c in range(width):
            if m[r][c] is None:
                m[r][c] = (G("", kind="blank"), True)
    return m


def origin_positions(grid: list[list[G]]) -> list[list[tuple[int, int, G]]]:
    """Per row: (row, col, cell) of the cells starting in that row."""
    m = matrix(grid)
    out = []
    for r, row in enumerate(m):
        out.append([(r, c, cell) for c, (cell, origin) in enumerate(row) if origin])
    return out
