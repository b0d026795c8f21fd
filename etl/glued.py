"""Decode a table row whose cells were glued together into one run of digits (web text, archived pages).

A row prints its values as pieces separated by spaces; inside a piece the cells lost their boundaries
(``150 000015`` for 15|0|0|0|0|0|15). Every space is a cell boundary; any point between two characters of
a piece may be one. A reading cuts the pieces into the row's cells so that

- every part is a number its column can hold (counts: no sign, no decimal point; signed changes may carry
  +/-; amounts may carry one decimal point; no leading zeros),
- the row's own sums hold (a table-3 row's total is the sum of its six applicant columns; each table-4
  block's total is the sum of its four results): a total is therefore computed, never guessed,
- a blank cell leaves no digits behind, so readings with blank cells are tried only when none without
  blanks exist (and then with as few blanks as possible).

The search is bounded: totals are checked against what the remaining digits can still hold (a total is at
least as long as any part it sums, and the parts left must fit the digits left), dead states are
remembered, and a node budget stops pathological input (a row of 60 digits decides in milliseconds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MAX_CELL_DIGITS = 12  # no count or amount in a report has more digits than this
NODE_BUDGET = 25_000  # search steps per row (≈0.1 s): a row that needs more is withheld, not guessed


@dataclass(frozen=True)
class RowShape:
    """What a row's cells may hold: a kind per cell (count | signed | amount) and sums
    (target cell, source cells) where each target comes after its sources."""
    kinds: tuple[str, ...]
    sums: tuple[tuple[int, tuple[int, ...]], ...] = ()

    @property
    def n(self) -> int:
        return len(self.kinds)


def row_shape(kinds: tuple[str, ...], total_of: int | None = None, block: int | None = None) -> RowShape:
    """A shape whose last cell (or the last cell of each block of ``block`` cells) sums the others."""
    n = len(kinds)
    sums: list[tuple[int, tuple[int, ...]]] = []
    if block:
        for b in range(0, n, block):
            sums.append((b + block - 1, tuple(range(b, b + block - 1))))
    elif total_of is not None:
        sums.append((n - 1, tuple(range(total_of))))
    return RowShape(tuple(kinds), tuple(sums))


@lru_cache(maxsize=65536)
def _valid(part: str, kind: str) -> bool:
    body = part
    if part[:1] in "+-−":
        if kind != "signed":
            return False
        body = part[1:]
    if not body or not (body[0].isdigit() and body[-1].isdigit()):
        return False
    if "." in body:
        if kind != "amount" or body.count(".") > 1:
            return False
    elif len(body) > MAX_CELL_DIGITS:
        return False
    if any(ch in "+-−" for ch in body):
        return False
    intpart = body.split(".")[0]
    return intpart == "0" or not intpart.startswith("0")


@lru_cache(maxsize=65536)
def _value(part: str) -> float | int:
    p = part.replace("−", "-")
    return float(p) if "." in p else int(p)


class _Budget(Exception):
    pass


def _fmt(v: float | int) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(round(v, 6))
    return str(v)


def decode(pieces: list[str], shape: RowShape, blanks: int = 0, limit: int = 256,
           budget: int = NODE_BUDGET, stats: dict | None = None) -> tuple[list[list[str]], bool]:
    """Readings of ``pieces`` as the cells of ``shape`` with exactly ``blanks`` blank cells ("" in a
    reading). Returns (readings, complete): complete is False when the limit or the budget cut the search.
    ``stats["nodes"]`` accumulates the search steps taken; the budget counts them, so that every call made
    for one row (tiers of blank cells, the unbalanced fallback) shares one budget."""
    if stats is not None:
        budget -= stats.get("nodes", 0)
        if budget <= 0:
            return [], False
    text = "".join(p.replace(",", "") for p in pieces)
    forced: set[int] = set()
    pos = 0
    for p in pieces[:-1]:
        pos += len(p.replace(",", ""))
        forced.add(pos)
    n, D = shape.n, len(text)
    if D == 0 or D > MAX_CELL_DIGITS * n:
        return [], True
    next_cut = [D] * (D + 1)  # the first forced boundary after each position
    for i in range(D - 1, -1, -1):
        next_cut[i] = i + 1 if (i + 1) in forced else next_cut[i + 1]
    target_of = {t: srcs for t, srcs in shape.sums}
    in_block = {s for _, srcs in shape.sums for s in srcs}
    last_block = set(shape.sums[-1][1]) if shape.sums and shape.sums[-1][0] == n - 1 else set()
    # every way the row can end: (digits, value) of the last cell when it is the last block's total
    suffixes = []
    if last_block:
        for L in range(1, min(MAX_CELL_DIGITS, D) + 1):
            start = D - L
            if any(start < f < D for f in forced):
                break  # the total cannot span a space
            part = text[start:]
            if _valid(part, shape.kinds[-1]):
                suffixes.append((L, _value(part)))
    out: list[list[str]] = []
    nodes = 0
    dead: set = set()

    def fits_last_block(i: int, pos: int, acc: float, longest: int, blanks_left: int) -> bool:
        """Can free cells i..n-2 and the total still be cut from text[pos:] so that the sum holds?"""
        k = (n - 1) - i
        min_parts = max(0, k - blanks_left)
        for L, T in suffixes:
            room = D - L - pos
            if room < min_parts or T < acc - 1e-9 or L < longest:
                continue
            if room > k * L:
                continue  # each part is at most as long as the total it adds up to
            if room == 0:
                if abs(T - acc) < 1e-9:
                    return True
                continue
            if T - acc > k * 10 ** (room - max(min_parts, 1) + 1):
                continue
            return True
        return False

    def rec(i: int, pos: int, cells: list[str], acc: float, longest: int, blanks_left: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _Budget
        if len(out) >= limit:
            return
        if i == n:
            if pos == D:
                out.append(list(cells))
            return
        key = (i, pos, blanks_left, acc, longest)
        if key in dead:
            return
        before = len(out)
        if i in target_of:
            s = _fmt(acc)
            end = pos + len(s)
            if text[pos:end] == s and end <= next_cut[pos] and (end == D or end in forced or i + 1 < n):
                cells.append(s)
                rec(i + 1, end, cells, 0, 0, blanks_left)
                cells.pop()
            if blanks_left and acc == 0:
                cells.append("")
                rec(i + 1, pos, cells, 0, 0, blanks_left - 1)
                cells.pop()
        elif not (i in last_block and not fits_last_block(i, pos, acc, longest, blanks_left)):
            if blanks_left:
                cells.append("")
                rec(i + 1, pos, cells, acc, longest, blanks_left - 1)
                cells.pop()
            kind = shape.kinds[i]
            for end in range(pos + 1, min(next_cut[pos], pos + MAX_CELL_DIGITS + 2) + 1):
                part = text[pos:end]
                if not _valid(part, kind):
                    body = part.lstrip("+-−")
                    if body[:1] == "0" and len(body) > 1 and body[1] != ".":
                        break  # a leading zero: no longer part is valid either
                    continue
                v = _value(part)
                digits = len(part.lstrip("+-−").split(".")[0])
                cells.append(part)
                rec(i + 1, end, cells, acc + v if i in in_block else acc, max(longest, digits), blanks_left)
                cells.pop()
        if len(out) == before and len(out) < limit:
            dead.add(key)

    complete = True
    try:
        rec(0, 0, [], 0, 0, blanks)
    except _Budget:
        complete = False
    if stats is not None:
        stats["nodes"] = stats.get("nodes", 0) + nodes
    return out, complete and len(out) < limit


def digit_count(pieces: list[str]) -> int:
    return sum(ch.isdigit() for p in pieces for ch in p)


def readings(pieces: list[str], shape: RowShape, ok=None, max_blanks: int = 2, min_blanks: int = 0,
             limit: int = 256, stats: dict | None = None) -> tuple[list[list[str]], bool]:
    """Readings with as few blank cells as the digits allow (none if possible), filtered by ``ok``
    (a predicate on the numeric values, blanks as 0). Returns (readings, complete)."""
    first = max(min_blanks, shape.n - digit_count(pieces))
    for b in range(first, min(shape.n, first + max_blanks) + 1):
        found, complete = decode(pieces, shape, blanks=b, limit=limit, stats=stats)
        if ok is not None:
            found = [r for r in found if ok([_value(p) if p else 0 for p in r])]
        if found or not complete:
            return found, complete
    return [], True


def values(reading: list[str]) -> list[float | int]:
    return [_value(p) if p else 0 for p in reading]


def unbalanced(pieces: list[str], shape: RowShape, stats: dict | None = None) -> list[str] | None:
    """The one reading of a row whose printed figures do not add up (real reports print 0 in every 总计
    cell, or a block total that misses a case): the only way the digits can be cut at all, or else the
    only reading in which the most sums hold and every total still covers each of its parts. None when
    the digits leave several readings."""
    free = RowShape(shape.kinds)
    found, complete = readings(pieces, free, limit=64, stats=stats)
    if len(found) == 1 and complete:
        return found[0]
    covering = []
    for r in found if complete else []:
        v = values(r)
        if all(v[t] >= max(v[j] for j in srcs) for t, srcs in shape.sums):
            covering.append((sum(abs(v[t] - sum(v[j] for j in srcs)) < 1e-9 for t, srcs in shape.sums), r))
    if not covering:
        return None
    best = max(h for h, _ in covering)
    top = [r for h, r in covering if h == best]
    return top[0] if len(top) == 1 else None
