"""Label-anchored table readers for tables 2, 3 and 4 (both template versions).

Numbers are never filled by position across the table: every group of values is attached to the printed
label that precedes it, and the label is matched to a template row by its keywords. Within a row, values
are placed by column only when the row has exactly as many value cells as the template has columns.
Otherwise (a missing cell, blanks that vanished in extracted text, digits glued together with no
separator, an extra token) every reading consistent with the row is enumerated, and the table's own
accounting identities choose among them. A value the identities fix is marked ``inferred``; one they
leave open is ``None`` and ``uncertain``.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from . import glued as G
from . import template as T
from .cells import parse_value
from .document import Block

# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------
LABEL, VALUE, GLUED = "label", "value", "glued"

_PAGE_NO = re.compile(r"^(?:[-—–－_~]+\s*\d{1,4}\s*[-—–－_~]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_GLUED = re.compile(r"^(?P<label>.*?[^\d.,\s+\-−])(?P<digits>[+\-−]?\d[\d.,+\-−]*)(?P<unit>万元|元)?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUM_TOKEN = re.compile(r"^[+\-−]?\d")


@dataclass
class Tok:
    kind: str
    text: str
    prov: dict
    block: int  # index of the block it came from (row boundaries matter for trimming)
    unit: str | None = None  # a unit printed after glued digits (政府集中采购76450100元)
    loose: bool = False  # from a line of text split on single spaces: cells may be glued, blanks lost


def is_page_marker(text: str) -> bool:
    t = text.strip()
    if not t:
        return False
    if re.fullmatch(r"\d{1,4}", t):  # a bare number is a value, not a footer
        return False
    return bool(_PAGE_NO.match(t))


# Placeholder column headings that converters write (类别 | 数据1 | … | 数据6 | 总计): labels, not values.
_PLACEHOLDER = re.compile(r"^(?:数据|列|栏|字段|指标|项目|Col(?:umn)?|col(?:umn)?)\s*\d{1,2}$")


def _split_glued(text: str) -> tuple[str, str, str | None] | None:
    if _PLACEHOLDER.match(text.strip()):
        return None
    m = _GLUED.match(text)
    if m and _CJK.search(m.group("label")) and not m.group("label").endswith(("第", "（", "(")):
        return m.group("label"), m.group("digits"), m.group("unit")
    return None


def _classify(text: str, prov: dict, bi: int, out: list[Tok], loose: bool = False) -> None:
    """One printed piece of text → tokens: a value, a label, or a label with digits glued to it."""
    if parse_value(text).kind != "text":
        out.append(Tok(VALUE, text, prov, bi, loose=loose))
        return
    g = _split_glued(text)
    if g:
        out.append(Tok(LABEL, g[0], prov, bi))
        out.append(Tok(GLUED, g[1], prov, bi, unit=g[2], loose=loose))
        return
    out.append(Tok(LABEL, text, prov, bi))


# A sentence, not a table row: a number followed by a counting word inside a clause ("同意公开答复 9 件，")
_PROSE_NUMBER = re.compile(r"\d\s*(?:件|条|个|年|%|％|项|次|人次|家|份|万元|元)")
_CLAUSE = re.compile(r"[，；：。！？,;]")


def is_prose(text: str) -> bool:
    """A line of narrative: never read as table cells, whatever labels it mentions."""
    if "。" in text:
        return True
    clause = _CLAUSE.search(text)
    return bool(clause and (len(text) > 120 or _PROSE_NUMBER.search(text)))


def _pieces(text: str, prov: dict) -> list[tuple[str, dict]]:
    """Whitespace-separated pieces; in layout text each keeps its display column ``x``."""
    if "x" not in prov:
        return [(p, prov) for p in text.split()]
    from .extractors.text import display_width
    return [(m.group(), {**prov, "x": prov["x"] + display_width(text[:m.start()]),
                         "w": display_width(m.group())}) for m in re.finditer(r"\S+", text)]


def tokenize(blocks: list[Block]) -> list[Tok | None]:
    """Blocks → token stream. ``None`` marks a break (a prose sentence) that ends any pending label."""
    toks: list[Tok | None] = []
    for bi, b in enumerate(blocks):
        if b.kind == "text":
            text = b.cells[0].text.strip()
            if is_prose(text):
                toks.append(None)
                continue
            if is_page_marker(text):
                continue
            for piece, prov in _pieces(text, b.cells[0].prov):
                _classify(piece, prov, bi, toks, loose=True)
            continue
        seen_label = not b.structured
        has_label = any(parse_value(c.text).kind == "text" and not is_page_marker(c.text) for c in b.cells)
        for c in b.cells:
            text = c.text.strip()
            if is_page_marker(text):
                continue
            if not text:
                # a blank cell is a value position once the row's label is behind us (or the row has none);
                # blanks before the label are spans from the row above
                if b.structured and (seen_label or not has_label):
                    toks.append(Tok(VALUE, "", c.prov, bi))
                continue
            if "。" in text and len(text) > 40:
                toks.append(None)
                seen_label = False
                continue
            pieces = [(text, c.prov)] if b.structured else _pieces(text, c.prov)
            for piece, prov in pieces:
                before = len(toks)
                _classify(piece, prov, bi, toks)
                if any(t is not None and t.kind == LABEL for t in toks[before:]):
                    seen_label = True
    return toks


@dataclass
class Group:
    label: str  # normalised label text accumulated since the previous values
    values: list[Tok] = field(default_factory=list)
    label_prov: dict = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)


def group(toks: list[Tok | None]) -> list[Group]:
    """Attach each run of values to the label text printed before it."""
    groups: list[Group] = []
    cur = Group("")

    def close(g: Group) -> None:
        g.label = "".join(g.parts)[-2000:]  # a label is short; keep the end, where the row's own words are
        groups.append(g)

    for t in toks:
        if t is None:
            if cur.values:
                close(cur)
            cur = Group("")
            continue
        if t.kind == LABEL:
            if cur.values:
                close(cur)
                cur = Group("")
            if not cur.parts:
                cur.label_prov = t.prov
            cur.parts.append(T.norm(t.text))
        else:
            cur.values.append(t)
    if cur.values:
        close(cur)
    return groups


# ---------------------------------------------------------------------------------------------
# Row reading
# ---------------------------------------------------------------------------------------------
@dataclass
class CellRead:
    value: float | int | None
    raw: str | None
    kind: str  # number | zero | empty | na | text | missing
    prov: dict | None
    unit: str | None = None
    note: str | None = None
    flag: str | None = None  # inferred | uncertain


@dataclass
class RowRead:
    key: str
    n: int
    tokens: list[Tok]
    label_prov: dict
    cells: list[CellRead] | None = None  # decided cells
    candidates: list[list[CellRead]] | None = None  # readings consistent with the row alone
    problem: str | None = None
    complete: bool = True  # False when the candidates are not all the readings (search bounded)
    options: list[list[CellRead]] | None = None  # readings left after the table's identities
    note: str | None = None  # how a reading was chosen among several
    label: str = ""  # the printed label the values followed (normalised)


def _cell_from_token(tok: Tok | None, kind_if_none: str = "empty") -> CellRead:
    if tok is None:
        return CellRead(None, None, kind_if_none, None)
    p = parse_value(tok.text)
    return CellRead(p.value, tok.text, p.kind, tok.prov, p.unit, p.note)


def _num(c: CellRead) -> float:
    return c.value if isinstance(c.value, (int, float)) else 0


def _trim(tokens: list[Tok], n: int) -> list[Tok]:
    """Drop blank tokens left by spans at row edges until the count fits (trailing first)."""
    if len(tokens) > n + 40:
        return list(tokens)  # far too many values for a template row: nothing to trim into shape
    toks = list(tokens)
    changed = True
    while len(toks) > n and changed:
        changed = False
        # trailing blank of any source row, then leading blank of any source row
        for i in range(len(toks) - 1, -1, -1):
            t = toks[i]
            last_of_block = i == len(toks) - 1 or toks[i + 1].block != t.block
            if t.text == "" and last_of_block:
                del toks[i]
                changed = True
                break
        if changed or len(toks) <= n:
            continue
        for i, t in enumerate(toks):
            first_of_block = i == 0 or toks[i - 1].block != t.block
            if t.text == "" and first_of_block:
                del toks[i]
                changed = True
                break
    return toks


def _left(t: Tok) -> float:
    return t.prov["x"]


def _centre(t: Tok) -> float:
    return t.prov["x"] + t.prov.get("w", 1) / 2


def _right(t: Tok) -> float:
    return t.prov["x"] + t.prov.get("w", 1)


def _to_num(s: str) -> float | int:
    return float(s.replace("−", "-")) if "." in s else int(s.replace("−", "-"))


_DIGITISH = re.compile(r"[+\-−]?\d[\d.,+\-−]*")


def decode_run(pieces: list[str], shape: G.RowShape, ok=None) -> tuple[list[list[str]], bool, str]:
    """Readings of a glued run, in order of preference: without blank cells; else the one cut the digits
    allow when there is exactly one (the report's own figures break a sum: kept as printed, the rules report
    it); else with blank cells; else, when nothing adds up, the one reading G.unbalanced accepts.
    Returns (readings, complete, problem code)."""
    stats: dict = {}  # one search budget for every attempt on this run
    found, complete = G.readings(pieces, shape, ok=ok, max_blanks=0, stats=stats)
    if found or not complete:
        return found, complete, "glued"
    if G.digit_count(pieces) >= shape.n:
        only, done = G.decode(pieces, G.RowShape(shape.kinds), limit=2, stats=stats)
        if len(only) == 1 and done:
            return only, True, "glued_unbalanced"
    found, complete = G.readings(pieces, shape, ok=ok, min_blanks=1, stats=stats)
    if found or not complete:
        return found, complete, "glued"
    if shape.sums:
        one = G.unbalanced(pieces, shape, stats=stats)
        if one:
            return [one], True, "glued_unbalanced"
    return [], True, "glued_unreadable"


def _glued_reading(parts: list[str], toks: list[Tok]) -> list[CellRead]:
    """Cells of one reading of glued pieces, each with the provenance of the piece it was cut from."""
    bounds, pos = [], 0
    for t in toks:
        pos += len(t.text.replace(",", ""))
        bounds.append(pos)
    cells, pos = [], 0
    for i, p in enumerate(parts):
        k = next((j for j, b in enumerate(bounds) if pos < b), len(toks) - 1)
        tok = toks[k]
        if p == "":
            cells.append(CellRead(None, "", "empty", tok.prov, note="空白单元格（粘连文本中位置推断）"))
            continue
        v = _to_num(p)
        c = CellRead(v, p, "zero" if v == 0 else "number", tok.prov)
        if i == len(parts) - 1 and toks[-1].unit:
            c.unit, c.raw = toks[-1].unit, p + toks[-1].unit
        cells.append(c)
        pos += len(p)
    return cells


class TableReader:
    """Reads one table (2, 3 or 4) of one template version from the blocks of its section."""

    def __init__(self, spec: T.TableSpec):
        self.spec = spec

    # -- matching labels to template rows ------------------------------------------------------
    def _matches(self, label: str, taken: set[str]) -> list[tuple[int, int, str]]:
        """(end position, keyword length, row key) of every not-yet-read row whose keyword is in label."""
        found = []
        for r in self.spec.rows:
            if r.key in taken:
                continue
            best = None
            for kw in r.keywords:
                pos = label.rfind(kw)
                if pos >= 0:
                    cand = (pos + len(kw), len(kw), r.key)
                    best = max(best, cand) if best else cand
            if r.key == "other_misc" and best is None and re.search(r"(?:^|\d[.、]?|）)其他$", label):
                best = (len(label), 2, r.key)
            if best:
                found.append(best)
        return found

    def assign(self, groups: list[Group]) -> tuple[dict[str, RowRead], list[dict]]:
        rows: dict[str, RowRead] = {}
        problems: list[dict] = []
        order = [r.key for r in self.spec.rows]
        ncols = {r.key: len(self.spec.columns[r.key]) for r in self.spec.rows}
        pending: RowRead | None = None
        for g in groups:
            matches = sorted(self._matches(g.label, set(rows)), key=lambda m: (m[0], m[1]))
            if not matches and not any(t.text for t in g.values):
                continue  # blank header cells
            if not matches:
                # values with no recognisable label: the rest of the previous row, wrapped onto a new line
                lone_year = len(g.values) == 1 and re.fullmatch(r"(?:19|20)\d\d", g.values[0].text.strip())
                # a row read from a line of text is complete on its line (its cells may be glued, not wrapped)
                on_its_line = any(t.loose for t in pending.tokens) if pending is not None else False
                if pending is not None and len([t for t in pending.tokens if t.text]) < pending.n and \
                        not lone_year and not on_its_line:
                    pending.tokens.extend(g.values)
                else:
                    problems.append({"code": "unlabelled_values",
                                     "message": f"表{self.spec.number}：无法对应到行标签的数值 " +
                                                " ".join(t.text for t in g.values)[:80],
                                     "prov": g.values[0].prov})
                continue
            # several labels printed before their values: distribute when the counts say so
            chosen = [matches[-1][2]]
            nvals = len(g.values)
            if not any(t.text for t in g.values) and nvals != ncols[chosen[0]]:
                continue  # blank cells under a heading (e.g. the 总计 column title), not a row
            if nvals > ncols[chosen[0]] and len(matches) > 1:
                by_pos = [m[2] for m in matches]
                for k in range(2, len(by_pos) + 1):
                    cand = sorted(by_pos[-k:], key=order.index)
                    idx = [order.index(c) for c in cand]
                    if idx == list(range(idx[0], idx[0] + k)) and sum(ncols[c] for c in cand) == nvals:
                        chosen = cand
                        break
            start = 0
            for key in chosen:
                n = ncols[key]
                take = g.values[start:start + n] if len(chosen) > 1 else g.values
                start += n
                rows[key] = pending = RowRead(key, n, list(take), g.label_prov, label=g.label[-40:])
        return rows, problems

    # -- per-row readings ------------------------------------------------------------------------
    def row_identity(self, key: str):
        """What any reading of a row must satisfy. Table 3: the six applicant columns add up to the total.
        Table 2 has no sum, only facts that hold by definition: counts are whole and not negative (only
        v2019 本年增/减 may be), and the version's own (``Version.t2_row_holds``: e.g. v2021 现行有效 +
        本年废止 ≥ 本年制发)."""
        if self.spec.number == 3:
            return lambda vals: abs(sum(vals[:6]) - vals[6]) < 1e-9 and all(
                v >= 0 and float(v).is_integer() for v in vals)
        if self.spec.number != 2:
            return None
        cols = self.spec.columns[key]
        holds = T.version(self.spec.version).t2_row_holds

        def ok(vals) -> bool:
            named = {c.key: v for c, v in zip(cols, vals)}
            for c, v in zip(cols, vals):
                if c.kind == "count" and (v < 0 or not float(v).is_integer()):
                    return False
                if c.kind == "signed" and not float(v).is_integer():
                    return False
                if c.kind == "amount" and v < 0:
                    return False
            return holds is None or holds(named)
        return ok

    def plausible(self, key: str):
        """What a reading of a row usually satisfies, though the template does not require it: used only
        to choose among readings the digits and identities leave open (the choice is flagged inferred)."""
        if self.spec.number != 2:
            return None
        cols = [c.key for c in self.spec.columns[key]]
        usual = T.version(self.spec.version).t2_row_plausible

        def ok(cells: list[CellRead]) -> bool:
            return usual is None or usual(dict(zip(cols, (_num(c) for c in cells))), {k: c.unit for k, c in zip(cols, cells)})
        return ok

    def prefer(self, rr: RowRead, options: list[list[CellRead]], clauses: list[str]) -> list[list[CellRead]]:
        """Narrow several readings of a row with what the report says elsewhere: numbers stated in a
        narrative clause that names the row ("今年共发布采购信息21条共5419886元"), then plausibility. How
        common values are is no guide: a prior that favours zeros reads "20155" as 2/0/155 where the table
        printed 20/1/55."""
        if len(options) < 2:
            return options
        alts = options
        words = self.spec.row(rr.key).mentions
        if words and clauses:
            stated = set()
            for c in clauses:
                if any(w in c for w in words):
                    stated.update(re.findall(r"\d+(?:\.\d+)?", c.replace(",", "")))
            scored = [(sum(1 for c in o if c.raw and c.value and re.sub(r"[^\d.]", "", c.raw) in stated), o)
                      for o in options]
            best = max(s for s, _ in scored)
            if best > 0:
                top = [o for s, o in scored if s == best]
                if len(top) == 1:
                    rr.note = "依据正文所述数字选定"
                    return top
                alts = top
        soft = self.plausible(rr.key)
        if soft:
            kept = [o for o in alts if soft(o)]
            if len(kept) == 1:
                rr.note = "按常见取值选定"
                return kept
        return options

    def header_centres(self, toks: list[Tok | None]) -> list[float] | None:
        """Table 3 in layout text: the centres of the printed column headings 自然人 … 总计, when all seven
        stand on their own in left-to-right order."""
        if self.spec.number != 3:
            return None
        want = {c.key: {T.norm(v) for v in (c.label, *T.T3_COLUMN_VARIANTS.get(c.key, ()))} for c in T.T3_COLUMNS}
        found: dict[str, float] = {}
        for t in toks:
            if t is None or t.kind != LABEL or "x" not in t.prov:
                continue
            name = T.norm(t.text)
            for key, names in want.items():
                if name in names and key not in found:
                    found[key] = _centre(t)
        xs = [found.get(c.key) for c in T.T3_COLUMNS]
        if None in xs or xs != sorted(xs):
            return None
        return xs

    def column_centres(self, rows: dict[str, "RowRead"], header: list[float] | None = None) -> dict[int, list[float]]:
        """Where each value column sits in layout text: {value count: column centres}. Taken from rows
        that print every cell, else from the values of all rows when they fall into exactly that many
        clearly separated columns."""
        by_n: dict[int, list[Tok]] = {}
        complete: dict[int, list[list[float]]] = {}
        for rr in rows.values():
            toks = _trim(rr.tokens, rr.n)
            if not toks or not all("x" in t.prov and t.kind == VALUE for t in toks):
                continue
            by_n.setdefault(rr.n, []).extend(t for t in toks if t.text)
            if len(toks) == rr.n:
                complete.setdefault(rr.n, []).append([_centre(t) for t in toks])
        out = {}
        for n, toks in by_n.items():
            if n < 2:
                continue
            for edge in (_right, _centre, _left):  # numbers are right-aligned, centred or left-aligned
                xs = sorted(edge(t) for t in toks)
                clusters: list[list[float]] = [[xs[0]]]
                for x in xs[1:]:
                    if x - clusters[-1][-1] > 2:
                        clusters.append([x])
                    else:
                        clusters[-1].append(x)
                if not all(c[-1] - c[0] <= 2 for c in clusters):
                    continue
                means = [sum(c) / len(c) for c in clusters]
                if header and len(header) == n and len(clusters) <= n:
                    # name each column of values by the heading printed above it
                    gaps = [b - a for a, b in zip(header, header[1:])]
                    idx = [min(range(n), key=lambda j: abs(header[j] - m)) for m in means]
                    if idx == sorted(set(idx)) and all(abs(header[j] - m) < min(gaps) / 2 for j, m in zip(idx, means)):
                        centres = list(header)
                        for j, m in zip(idx, means):
                            centres[j] = m
                        out[n] = centres
                        self._edge = edge
                        break
                elif not header and len(clusters) == n and all(len(c) >= 2 for c in clusters):
                    out[n] = means
                    self._edge = edge
                    break
        self._edge = getattr(self, "_edge", _centre)
        return out

    def place_by_position(self, rr: RowRead, toks: list[Tok], centres: list[float]) -> list[CellRead] | None:
        """Put each value under the column it is printed in; None when any value sits between columns."""
        if not toks or not all("x" in t.prov for t in toks):
            return None
        gaps = [b - a for a, b in zip(centres, centres[1:])]
        tol = min(gaps) / 2.5
        placed: list[int] = []
        for t in toks:
            x = self._edge(t)
            i = min(range(len(centres)), key=lambda j: abs(centres[j] - x))
            if abs(centres[i] - x) > tol or (placed and i <= placed[-1]):
                return None
            placed.append(i)
        reading = [CellRead(None, None, "empty", None, flag="inferred") for _ in range(rr.n)]
        for i, t in zip(placed, toks):
            c = _cell_from_token(t)
            c.flag = "inferred"
            reading[i] = c
        ident = self.row_identity(rr.key)
        if ident and not ident([_num(c) for c in reading]):
            return None
        return reading

    def shape(self, key: str) -> G.RowShape:
        kinds = tuple(c.kind for c in self.spec.columns[key])
        if self.spec.number in (3, 4):
            return G.row_shape(kinds, total_of=len(kinds) - 1)
        return G.row_shape(kinds)

    def read_glued(self, rr: RowRead, toks: list[Tok], ident) -> None:
        """Cut digit pieces into the row's cells (etl.glued); identities of the table choose later."""
        found, complete, rr.problem = decode_run([t.text for t in toks], self.shape(rr.key), ident)
        rr.candidates = [_glued_reading(r, toks) for r in found]
        rr.complete = complete

    def read_row(self, rr: RowRead, centres: dict[int, list[float]] | None = None) -> None:
        n = rr.n
        toks = _trim(rr.tokens, n)
        if centres and n in centres and 0 < len(toks) < n and not any(t.kind == GLUED for t in toks):
            placed = self.place_by_position(rr, toks, centres[n])
            if placed is not None:
                rr.cells = placed
                rr.problem = "placed_by_position"
                return
        ident = self.row_identity(rr.key)
        glued = [t for t in toks if t.kind == GLUED]
        if len(toks) == n and not glued:
            rr.cells = [_cell_from_token(t) for t in toks]
            return
        if len(toks) == 1 and glued and n == 1:
            rr.cells = [_cell_from_token(Tok(VALUE, glued[0].text + (glued[0].unit or ""), glued[0].prov,
                                             glued[0].block))]
            return
        if toks and (glued or (len(toks) != n and all(t.loose for t in toks))):
            if all(_DIGITISH.fullmatch(t.text) for t in toks):
                self.read_glued(rr, toks, ident)
            else:
                rr.candidates = []  # a glued run beside text: too irregular to read safely
                rr.problem = "glued_mixed"
            return
        cells = [_cell_from_token(t) for t in toks]
        cands: list[list[CellRead]] = []
        if len(toks) == 1 and n > 1 and re.fullmatch(r"[+\-−]?\d[\d+\-−]*", toks[0].text) and len(toks[0].text) >= n:
            # one printed number where n were expected: the cells may have been glued together
            found, _ = G.readings([toks[0].text], self.shape(rr.key), ok=ident)
            cands.extend(_glued_reading(r, toks) for r in found)
        if len(toks) < n:
            rr.problem = "missing_cells"
            gaps = n - len(toks)
            for pos in itertools.combinations(range(n), len(toks)):
                reading: list[CellRead] = [CellRead(None, None, "missing", None) for _ in range(n)]
                for p, c in zip(pos, cells):
                    reading[p] = c
                if ident is None:
                    cands.append(reading)
                    continue
                vals = [_num(c) for c in reading]
                if ident(vals):
                    cands.append(reading)
                elif gaps == 1 and self.spec.number == 3:
                    # the one missing cell is whatever makes the row add up
                    gap = next(i for i in range(n) if i not in pos)
                    need = sum(vals[:6]) if gap == 6 else vals[6] - sum(vals[:6])
                    if need > 0 and float(need).is_integer():
                        filled = list(reading)
                        filled[gap] = CellRead(int(need), None, "missing", None)
                        cands.append(filled)
        else:
            rr.problem = "extra_cells"
            extra = len(toks) - n
            if extra <= 2:
                for drop in itertools.combinations(range(len(toks)), extra):
                    reading = [c for i, c in enumerate(cells) if i not in drop]
                    if ident is None or ident([_num(c) for c in reading]):
                        cands.append(reading)
        rr.candidates = cands

    # -- whole table -------------------------------------------------------------------------------
    def identities(self) -> list[tuple[dict[str, int], int | None]]:
        """Linear identities over rows as ({row key: coefficient}, column index or None for 'per column')."""
        if self.spec.number != 3:
            return []
        return [(ident, None) for ident in T.t3_identities(self.spec.version, getattr(self, "old_other", False))]

    def resolve(self, rows: dict[str, RowRead], clauses: list[str] | None = None) -> None:
        """Choose among the candidate readings of ambiguous rows with the table's identities, then with
        what the narrative states and plausibility; what stays open is null + uncertain, and the readings
        are kept on the cells so that a person can choose."""
        ambiguous = [r for r in rows.values() if r.cells is None]
        if not ambiguous:
            return
        ids = self.identities()
        solutions: list[dict[str, list[CellRead]]] = []
        complete = True
        if ids and all(r.candidates for r in ambiguous):
            solutions, complete = self._search(rows, ambiguous, ids)
        for r in ambiguous:
            options = [s[r.key] for s in solutions] if solutions and complete else (r.candidates or [])
            options = _distinct(options)
            if len(options) > 1 and r.complete:
                chosen = self.prefer(r, options, clauses or [])
                if len(chosen) == 1:
                    r.note = f"{r.note}；其他读法：" + "；".join(_reading_text(o) for o in options if o is not chosen[0])
                options = chosen if len(chosen) == 1 else options
            r.options = options
            r.cells = self._agree(options, r.n, complete=r.complete)
            kws = self.spec.row(r.key).keywords
            hits = [(r.label.rfind(k) + len(k), len(k), r.label.rfind(k)) for k in kws if k in r.label]
            at = max(hits)[2] if hits else -1
            label = r.label[at:] if at >= 0 else r.label[-24:]  # the row's own label, not the block heading
            excerpt = (label + " " + " ".join(t.text for t in r.tokens))[:120]
            for c in r.cells:
                if c.flag == "uncertain" and c.prov is not None:
                    c.prov["excerpt"] = excerpt  # what was printed, for the person who chooses
            if r.note and len(options) == 1:
                for c in r.cells:
                    c.note = r.note if not c.note else f"{c.note}；{r.note}"

    def _search(self, rows, ambiguous, ids, budget: int = 200_000, cap: int = 64):
        fixed = {k: [_num(c) for c in r.cells] for k, r in rows.items() if r.cells is not None}
        amb = sorted(ambiguous, key=lambda r: len(r.candidates))
        solutions = []
        nodes = 0
        ncol = 7

        def check(assign: dict[str, list[float]], final: bool, only=None) -> bool:
            for ident, _ in (only if only is not None else ids):
                if not all(k in assign for k in ident):
                    continue
                for c in range(ncol):
                    if abs(sum(coef * assign[k][c] for k, coef in ident.items())) > 1e-6:
                        return False
            return True

        broken = [i for i in ids if all(k in fixed for k in i[0]) and not check(fixed, False, [i])]
        ids = [i for i in ids if i not in broken]  # the printed cells break these: the rules report it
        if not ids:
            return [], True

        def rec(i: int, assign: dict[str, list[float]], chosen: dict[str, list[CellRead]]) -> bool:
            nonlocal nodes
            nodes += 1
            if nodes > budget:
                return False
            if i == len(amb):
                solutions.append(dict(chosen))
                return len(solutions) < cap
            r = amb[i]
            for cand in r.candidates:
                assign[r.key] = [_num(c) for c in cand]
                if check(assign, False):
                    chosen[r.key] = cand
                    if not rec(i + 1, assign, chosen):
                        return False
                del assign[r.key]
                chosen.pop(r.key, None)
            return True

        finished = rec(0, dict(fixed), {})
        return solutions, finished and len(solutions) < cap

    @staticmethod
    def _agree(options: list[list[CellRead]], n: int, complete: bool = True) -> list[CellRead]:
        """Cells on which every remaining reading agrees are inferred; the others are null + uncertain and
        keep the readings (``prov["candidates"]``, note) for a person to choose from."""
        if not options:
            return [CellRead(None, None, "missing", None, flag="uncertain") for _ in range(n)]
        out = []
        readings = [_reading_text(o) for o in options[:12]]
        for i in range(n):
            vals = {(_num(o[i])) for o in options}
            base = options[0][i]
            kinds = {o[i].kind for o in options}
            if len(vals) == 1 and complete:
                kind = base.kind
                if base.kind == "missing":
                    kind = "empty" if _num(base) == 0 else "number"
                elif len(kinds) > 1:
                    kind = "zero"  # blank in some readings, 0 in others: which cell was blank is unknown
                value = base.value if base.kind != "missing" else (0 if _num(base) == 0 else base.value)
                if kind == "zero":
                    value = 0
                out.append(CellRead(value, base.raw, kind, base.prov, base.unit, base.note, flag="inferred"))
            else:
                raws = sorted({o[i].raw or "" for o in options})
                units = {o[i].unit for o in options}
                prov = dict(base.prov or {})
                prov["candidates"] = readings + (["…"] if len(options) > 12 or not complete else [])
                out.append(CellRead(None, "|".join(raws)[:60] or None, "missing", prov,
                                    unit=units.pop() if len(units) == 1 else None,
                                    note="无法确定，候选读法：" + "；".join(prov["candidates"]), flag="uncertain"))
        return out


def _reading_text(cells: list[CellRead]) -> str:
    return "/".join(c.raw if c.raw not in (None, "") else "空" for c in cells)


def _distinct(options: list[list[CellRead]]) -> list[list[CellRead]]:
    seen, out = set(), []
    for o in options:
        key = tuple((c.raw, c.value) for c in o)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


def read_table(spec: T.TableSpec, blocks: list[Block], clauses: list[str] | None = None
               ) -> tuple[dict[str, list[CellRead]], list[dict]]:
    """Read one table from its section's blocks → {row key: cells in column order}, problems.
    ``clauses`` are the report's narrative clauses, whose stated numbers may choose between readings."""
    if spec.number == 4:
        return read_table4(spec, blocks)
    single = T.t3_single_other(spec.version) if spec.number == 3 else None
    old_other = single is not None
    reader = TableReader(single or spec)
    toks = tokenize(blocks)
    groups = group(toks)
    rows, problems = reader.assign(groups)
    if old_other:
        if T.SINGLE_OTHER in rows and not any(k in rows for k in T.split_other_rows(spec.version)):
            reader.old_other = True  # a 2021 report printing the 2019 single （六）其他处理 row
            problems.append({"code": "t3_old_other_row",
                             "message": "表3按2019版格式印出“（六）其他处理”单行（未分三项），按原样读取",
                             "prov": rows[T.SINGLE_OTHER].label_prov})
        else:
            rows.pop(T.SINGLE_OTHER, None)
    centres = reader.column_centres(rows, reader.header_centres(toks))
    for rr in rows.values():
        reader.read_row(rr, centres)
    reader.resolve(rows, clauses)
    for rr in rows.values():
        flags = {c.flag for c in rr.cells or []}
        if rr.problem and not (rr.problem == "glued" and "uncertain" not in flags and not rr.note):
            problems.append({"code": rr.problem,
                             "message": f"表{spec.number}「{reader.spec.row(rr.key).label}」行：" +
                                        ("数值按勾稽关系推断" if "uncertain" not in flags else "数值无法确定") +
                                        (f"（{rr.note}）" if rr.note else ""),
                             "prov": rr.label_prov})
    return {k: rr.cells for k, rr in rows.items()}, problems


# ---------------------------------------------------------------------------------------------
# Table 4: fifteen numbers in one printed row, under a header broken into fragments
# ---------------------------------------------------------------------------------------------
def read_table4(spec: T.TableSpec, blocks: list[Block]) -> tuple[dict[str, list[CellRead]], list[dict]]:
    problems: list[dict] = []
    toks = [t for t in tokenize(blocks) if t is not None]
    # label-anchored layout (one printed row per block) when each block label carries five values
    groups = group(tokenize(blocks))
    reader = TableReader(spec)
    rows, _ = reader.assign(groups)
    if len(rows) == 3 and all(len(_trim(r.tokens, 5)) == 5 and all(t.kind == VALUE for t in r.tokens)
                              for r in rows.values()):
        return {k: [_cell_from_token(t) for t in _trim(r.tokens, 5)] for k, r in rows.items()}, problems

    # standard layout: the values in reading order, from rows that carry numbers
    numeric_blocks = {t.block for t in toks if t.kind in (VALUE, GLUED) and t.text}
    vals = [t for t in toks if t.kind in (VALUE, GLUED) and t.block in numeric_blocks]
    vals = _trim(vals, 15)
    keys = [r.key for r in spec.rows]
    if not vals:
        return {}, problems

    def ok(v: list[float]) -> bool:
        return all(abs(sum(v[b * 5:b * 5 + 4]) - v[b * 5 + 4]) < 1e-9 for b in range(3))

    glued = [t for t in vals if t.kind == GLUED]
    if len(vals) == 1 and re.fullmatch(r"\d+", vals[0].text) and len(vals[0].text) >= 15:
        glued = [vals[0]]  # one printed number where fifteen were expected: glued cells
    loose_run = len(vals) != 15 and all(t.loose for t in vals) and all(_DIGITISH.fullmatch(t.text) for t in vals)
    if len(vals) == 15 and not glued:
        cells = [_cell_from_token(t) for t in vals]
    else:
        if (len(vals) == 1 and glued) or loose_run:
            found, complete, code = decode_run([t.text for t in vals], G.row_shape(("count",) * 15, block=5))
            options = [_glued_reading(r, vals) for r in found] if complete or len(found) == 1 else []
        elif not glued and len(vals) < 15:
            code = "missing_cells"
            base = [_cell_from_token(t) for t in vals]
            options = []
            for pos in itertools.combinations(range(15), len(vals)):
                reading = [CellRead(None, None, "missing", None) for _ in range(15)]
                for p, c in zip(pos, base):
                    reading[p] = c
                if ok([_num(c) for c in reading]):
                    options.append(reading)
                if len(options) > 64:
                    break
        else:
            code = "extra_cells" if not glued else "glued_mixed"
            options = []
        cells = TableReader._agree(options, 15)
        problems.append({"code": code, "message": "表4：数值按勾稽关系推断" if options else "表4：数值无法确定",
                         "prov": vals[0].prov})
    return {k: cells[i * 5:(i + 1) * 5] for i, k in enumerate(keys)}, problems
