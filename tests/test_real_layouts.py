"""Issue 12: the layouts real published reports arrive in (archivers, crawlers, converters), as a spec for the
parser. Each test renders one small report from stated values with etl/demo/realworld.py, parses it with
``parse_file`` and checks office/year/template, every cell against the values the report prints, and that no
cell is wrong without a flag.

A cell may be withheld (value None, flag "uncertain") only where the test states that the printed text has
several valid readings and nothing in the report decides; the cell must then keep the readings in
``candidates`` (on the cell or in its ``prov``): the values this cell takes across the remaining readings.
Office names come from the demo world; numbers are invented here (no real report text or numbers).
"""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from etl import template as T
from etl.demo import realworld as RW
from etl.demo.tables import table2, table3, table4
from etl.demo.world import build_world
from etl.cells import parse_value
from etl.parse import parse_file

V19, V21 = T.VERSIONS
APPL = T.T3_APPLICANT_COLUMNS
T3_TOTAL = T.T3_COLUMNS[-1].key
T4_PARTS = tuple(c.key for c in T.T4_COLUMNS[:-1])
T4_TOTAL = T.T4_COLUMNS[-1].key
YEAR = {V19: 2019, V21: 2024}
# A sentence printed beside a table whose numbers appear nowhere in the tables of these reports.
PROSE_NUMBERS = (14, 2024, 37)
LAYOUTS = ("web-lines", "archive-oneline", "md-split")
PROSE = "2024年，申请中同意公开答复 14 件，部分公开答复 37 件，办结率37%，其他处理 14 件。"


# ---------------------------------------------------------------------------------------------
# Building a report from values (canonical keys; rows and columns from etl/template/)
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _world() -> dict:
    return {o.name: o for o in build_world(2019, small=True)}


def office(name: str):
    o = _world().get(name)
    assert o is not None, f"{name} is not an office of the demo world"
    return o


def first_row(version: str, table: int, group: str | None = None) -> str:
    """Key of a template row by position (no key spelled by hand): the first row, or the first of a group."""
    rows = T.TABLES[version][table].rows
    return next(r.key for r in rows if group is None or r.group == group)


def values(version: str, t2: dict[str, list] | None = None, t3: dict[str, list[int]] | None = None,
           t4: dict[str, list[int]] | None = None, t3_version: str | None = None,
           totals: str = "sum") -> dict[str, float | int]:
    """Every key a report of ``version`` prints (table 3 of ``t3_version``), from row -> column values.

    t2: row -> values in template column order. t3: row -> the six applicant counts of new_received,
    carried_over and the outcome rows; total_processed and carried_forward follow from them. t4: block -> the
    four parts. ``totals="zero"`` prints 0 in every 总计 cell (a real report's habit), else sums.
    """
    v3 = t3_version or version
    out: dict[str, float | int] = {}
    spec2 = T.TABLES[version][2]
    for given, table, ver in ((t2, 2, version), (t3, 3, v3), (t4, 4, version)):
        unknown = set(given or {}) - {r.key for r in T.TABLES[ver][table].rows}
        assert not unknown, f"rows not in the {ver} table {table}: {unknown}"
    for r in spec2.rows:
        got = (t2 or {}).get(r.key, [0] * len(spec2.columns[r.key]))
        for c, v in zip(spec2.columns[r.key], got, strict=True):
            out[T.make_key(2, r.key, c.key)] = v
    spec3 = T.TABLES[v3][3]
    outcomes = T.t3_outcome_rows(v3)
    rows = {r.key: list((t3 or {}).get(r.key, [0] * 6)) for r in spec3.rows}
    new, co, tp, cf = spec3.rows[0].key, spec3.rows[1].key, spec3.rows[-2].key, spec3.rows[-1].key
    if tp not in (t3 or {}):
        rows[tp] = [sum(rows[k][i] for k in outcomes) for i in range(6)]
    if cf not in (t3 or {}):
        rows[cf] = [rows[new][i] + rows[co][i] - rows[tp][i] for i in range(6)]
    for r in spec3.rows:
        for i, c in enumerate(APPL):
            out[T.make_key(3, r.key, c)] = rows[r.key][i]
        out[T.make_key(3, r.key, T3_TOTAL)] = 0 if totals == "zero" else sum(rows[r.key])
    for b in T.T4.rows:
        parts = (t4 or {}).get(b.key, [0] * 4)
        for c, v in zip(T4_PARTS, parts):
            out[T.make_key(4, b.key, c)] = v
        out[T.make_key(4, b.key, T4_TOTAL)] = 0 if totals == "zero" else sum(parts)
    return out


def model(version: str, year: int, org: str, vals: dict, *, t3_version: str | None = None,
          display: dict | None = None, paras: dict[int, list[str]] | None = None, title_org: str | None = None,
          published_on: str | None = None) -> dict:
    """The document model the demo renderers take (see etl/demo/generate.py::_model)."""
    title_org = title_org or org
    pub = published_on or f"{year + 1}-01-20"
    sections = {n: [] for n in range(1, 7)}
    sections[1] = [f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作平稳有序。",
                   "（一）主动公开情况", "通过门户网站及时发布工作动态。"]
    sections[5] = ["存在的主要问题：一是公开形式不够丰富。下一步将加强业务培训。"]
    sections[6] = ["本年度未收取信息处理费。"]
    for n, ps in (paras or {}).items():
        sections[n] = list(ps) + sections[n]
    display = display or {}
    y, m, d = (int(x) for x in pub.split("-"))
    return {
        "year": year, "title": f"{title_org}{year}年政府信息公开工作年度报告", "preamble": "",
        "sections": sections, "section_titles": {s.number: f"{s.numeral}、{s.title}" for s in T.SECTIONS},
        "sign_org": title_org, "date_cn": f"{y}年{m}月{d}日", "published_on": pub, "office_title": title_org,
        "tables": {2: table2(version, vals, display), 3: table3(t3_version or version, vals, display),
                   4: table4(vals)},
    }


def parse(tmp_path, doc: dict, layout: str, style: RW.Style) -> tuple[dict, str]:
    data = RW.render(doc, layout, style)
    path = tmp_path / ("report.md" if layout == "md-split" else "report.txt")
    path.write_bytes(data)
    res = parse_file(str(path))
    # what the printed text leaves open, for check() to hold the test's own statements against
    res["__fixture_ambiguous__"] = printed_ambiguity(doc, style) if layout != "md-split" else {}
    return res, data.decode("utf-8")


# ---------------------------------------------------------------------------------------------
# Readings of glued text (to state which cells are genuinely ambiguous)
# ---------------------------------------------------------------------------------------------
def readings(text: str, n: int, signed: tuple[int, ...] = (), unit: str = "") -> list[tuple]:
    """Every way to cut a printed run into n numbers: no leading zeros, a sign only where the column is
    signed and only at the start of a cell, spaces always separate. Returns tuples of numbers."""
    text = text.removesuffix(unit)
    pieces = text.split(" ") if " " in text else [text]
    out = []

    def cuts(s: str, k: int):
        if k == 0:
            if not s:
                yield ()
            return
        for i in range(1, len(s) + 1):
            head = s[:i]
            if re.fullmatch(r"[+\-]?(0|[1-9]\d*)(\.\d+)?", head):
                for rest in cuts(s[i:], k - 1):
                    yield (head,) + rest

    def spread(ps: list[str], k: int):
        if not ps:
            if k == 0:
                yield ()
            return
        for j in range(1, k + 1):
            for a in cuts(ps[0], j):
                for b in spread(ps[1:], k - j):
                    yield a + b

    for r in spread([p for p in pieces if p], n):
        if all((x[0] not in "+-") or i in signed for i, x in enumerate(r)):
            out.append(tuple(float(x) if "." in x else int(x) for x in r))
    return out


def t3_row_readings(text: str) -> list[tuple]:
    return [r for r in readings(text, 7) if sum(r[:6]) == r[6]]


def printed_ambiguity(doc: dict, style: RW.Style) -> dict[str, set]:
    """Cells whose printed row has several readings (row sums applied where the printed row holds them):
    key -> the values its readings allow. Rows with a blank cell are all-zero rows here (not checked)."""
    out: dict[str, set] = {}
    for n in (2, 3, 4):
        for row in doc["tables"][n]:
            cells = [c for c in row if c.kind == "value"]
            addr = RW._addr(row)
            if len(cells) < 2 or addr in style.drop_rows or any(c.text == "" for c in cells):
                continue
            texts = [RW._value_text(c, style) for c in cells]
            seps = style.seps.get(addr) or [style.default_sep] * (len(cells) - 1)
            run = texts[0] + "".join(sp + t for sp, t in zip(seps, texts[1:]))
            unit = next((u for u in ("万元", "元") if run.endswith(u)), "")
            cols = [T.column(res_version(doc, n), c.key) for c in cells]
            signed = tuple(i for i, c in enumerate(cols) if c.kind == "signed")
            rs = [r for r in readings(run, len(cells), signed, unit)
                  if all(isinstance(x, int) for x, c in zip(r, cols) if c.kind != "amount")]
            truth = tuple(parse_value(t).value for t in texts)
            if n == 3:
                ok = [r for r in rs if sum(r[:6]) == r[6]]
                rs = ok if sum(truth[:6]) == truth[6] else rs
            elif n == 4:
                def holds(r):
                    return all(sum(r[b * 5:b * 5 + 4]) == r[b * 5 + 4] for b in range(3))
                rs = [r for r in rs if holds(r)] if holds(truth) else rs
            assert any(all(same(a, b) for a, b in zip(r, truth)) for r in rs), (run, truth)
            for i, c in enumerate(cells):
                vals = {r[i] / 10000 if unit == "元" and cols[i].kind == "amount" else r[i] for r in rs}
                if len(vals) > 1:
                    out[c.key] = vals
    return out


def res_version(doc: dict, table: int) -> str:
    """The template a printed table follows (table 3 may follow the other one)."""
    keys = [c.key for row in doc["tables"][table] for c in row if c.kind == "value"]
    return next(v for v in T.VERSIONS if set(keys) <= set(T.keys(v)))


# ---------------------------------------------------------------------------------------------
# Checking a parse result
# ---------------------------------------------------------------------------------------------
def cell(res: dict, key: str) -> dict:
    return next((c for c in res.get("cells") or [] if c["key"] == key), {})


def candidates(res: dict, key: str) -> list[float]:
    """The values a withheld cell takes across the readings the parser kept (``candidates`` on the cell or
    in its ``prov``): numbers for this cell, whole-row readings as lists, or as text "88/-72/0" (a printed
    amount with 元 counts in 万元)."""
    c = cell(res, key)
    cand = c.get("candidates")
    if cand is None:
        cand = (c.get("prov") or {}).get("candidates")
    table, row, col = T.split_key(key)
    version = res.get("template") or V21
    spec = T.TABLES[version][table]
    cols = spec.columns.get(row) or T.TABLES[V19 if version == V21 else V21][table].columns.get(row) or ()
    i = next((j for j, x in enumerate(cols) if x.key == col), None)
    out = []
    for x in cand or []:
        if isinstance(x, str) and i is not None and "/" in x:
            parts = x.split("/")
            x = parts[i] if i < len(parts) else None
        elif isinstance(x, (list, tuple)) and i is not None:
            x = x[i] if i < len(x) else None
        if isinstance(x, str):
            p = parse_value(x)
            x = p.value / 10000 if p.value is not None and p.unit == "元" else p.value
        if isinstance(x, (int, float)):
            out.append(x)
    return out


def same(a, b) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6


def check(res: dict, expected: dict, *, ambiguous: dict[str, set] | None = None, blank: set = frozenset(),
          absent: set = frozenset(), decided: set = frozenset()) -> None:
    """Every expected cell is read exactly. ``ambiguous`` (key -> the values its readings allow): the value
    or None+uncertain with the candidates kept. ``blank``: printed empty, read 0 or None but not withheld.
    ``absent``: rows the report does not print: None (or 0), never an invented number. ``decided``: cells
    whose printed row has several readings that the rest of the report decides (column sums, narrative)."""
    ambiguous = ambiguous or {}
    open_rows = res.get("__fixture_ambiguous__") or {}
    undeclared = set(open_rows) - set(ambiguous) - set(decided)
    assert not undeclared, f"fixture: ambiguous cells not stated by the test: { {k: open_rows[k] for k in undeclared} }"
    for k, allowed in ambiguous.items():
        assert k not in open_rows or set(open_rows[k]) <= {*allowed}, (k, open_rows[k], allowed)
    got, flags = res.get("values") or {}, res.get("flags") or {}
    bad = []
    for k, want in expected.items():
        v, flag = got.get(k), flags.get(k)
        if k in absent:
            if v not in (None, 0):
                bad.append(f"{k}: not printed, read {v!r}")
        elif k in blank:
            if not (v is None or same(v, 0)) or flag == "uncertain":
                bad.append(f"{k}: blank cell read {v!r} ({flag})")
        elif k in ambiguous:
            if v is None and flag == "uncertain":
                cands = candidates(res, k)
                if not any(same(x, want) for x in cands) or not cands:
                    bad.append(f"{k}: withheld without the true reading {want!r} in candidates {cands!r}")
            elif not same(v, want) or flag == "uncertain":
                bad.append(f"{k}: expected {want!r} or withheld, got {v!r} ({flag})")
        elif not same(v, want) or flag == "uncertain":
            bad.append(f"{k}: expected {want!r}, got {v!r} ({flag})")
    assert not bad, f"{len(bad)} cell(s) wrong:\n" + "\n".join(bad[:40])


def check_meta(res: dict, org: str, year: int, version: str) -> None:
    assert (res.get("office"), res.get("year"), res.get("template")) == (org, year, version)


def nonzero(vals: dict) -> dict:
    return {k: v for k, v in vals.items() if v}


def amount_row_keys(version: str) -> list[str]:
    """Keys of the table-2 row that carries an amount (v2019 政府集中采购, v2021 行政事业性收费)."""
    amount = next(k for k in T.keys(version) if T.column(version, k).kind == "amount")
    _, row, _ = T.split_key(amount)
    return [k2(version, row, i) for i in range(len(T.TABLES[version][2].columns[row]))]


def k2(version: str, row: str, i: int) -> str:
    return T.make_key(2, row, T.TABLES[version][2].columns[row][i].key)


def k3(row: str, col: str = T3_TOTAL) -> str:
    return T.make_key(3, row, col)


def t2_row(version: str, i: int) -> str:
    return T.TABLES[version][2].rows[i].key


def no_prose_numbers(res: dict) -> None:
    hits = {k: v for k, v in (res.get("values") or {}).items() if v is not None and v in PROSE_NUMBERS}
    assert not hits, f"numbers from a sentence read as cells: {hits}"


def spaced(layout: str) -> RW.Style:
    """Line-per-row web text with cells separated by spaces and no page furniture (isolates a class from the
    glue and metadata traps); the other layouts as they come."""
    if layout == "web-lines":
        return RW.Style(default_sep=" ", default_gap=" ", archive_header=False)
    return RW.Style()


def glue(style: RW.Style, row_key: str, table: int, seps: list[str]) -> None:
    style.seps[f"t{table}.{row_key}"] = seps


# ---------------------------------------------------------------------------------------------
# Class 1 — the whole page on one line (archive file with a metadata header)
# ---------------------------------------------------------------------------------------------
ORG1 = "青川市生态环境局"


def _class1(version: str):
    """Values, style, expectations of an archived page on one line (traps of the issue, invented numbers)."""
    year = YEAR[version]
    granted, partial = first_row(version, 3, "granted"), first_row(version, 3, "partial")
    unclear = "unable_unclear"
    repeat = "rejected_repeat"
    other = first_row(version, 3, "other")
    t3 = {"new_received": [12, 0, 0, 0, 0, 0], granted: [4, 0, 0, 0, 0, 0], partial: [1, 0, 0, 0, 0, 0],
          unclear: [3, 0, 0, 0, 0, 0], repeat: [2, 0, 0, 0, 0, 0], other: [2, 0, 0, 0, 0, 0]}
    if version == V19:
        t2 = {"regulations": [0, 0, 0], "normative_docs": [3, 3, 5], "licensing": [0, 1, 1],
              "other_services": [88, -72, 0], "penalty": [0, 0, 0], "coercion": [0, 0, 0], "fees": [15, -15],
              "procurement": [21, 541.9886]}
    else:
        t2 = {"regulations": [0, 0, 0], "normative_docs": [20, 1, 55], "licensing": [7], "penalty": [159],
              "coercion": [58], "fees": [0]}
    vals = values(version, t2, t3)
    cf = T.TABLES[version][3].rows[-1].key
    blank_key = k3(cf, APPL[1])  # the page left the 商业企业 cell of 四、结转 empty: 6 digits for 7 cells
    display = {blank_key: ""}
    amount = next(k for k in T.keys(version) if T.column(version, k).kind == "amount")
    if version == V19:
        display[amount] = "5419886元"  # 元 after the number
    paras = {3: ["全年共收到政府信息公开申请12件。"]}
    if version == V19:
        paras[1] = ["全年实施政府集中采购项目21个。"]  # the narrative decides the glued procurement row
    doc = model(version, year, ORG1, vals, display=display, paras=paras)
    st = RW.Style(publisher="", breadcrumb=RW.BREADCRUMBS[1], page_tools=RW.PAGE_TOOLS[0], signed_plus=True)
    tp = T.TABLES[version][3].rows[-2].key
    glue(st, tp, 3, [" ", " ", "", " ", " ", ""])  # （七）总计12 0 00 0 012: spaces between some cells only
    glue(st, unclear, 3, [" "] * 5 + [""])  # 3 0 0 0 0 03
    if version == V21:
        glue(st, "normative_docs", 2, [" ", ""])  # "20 155" = 20 | 1 | 55
        glue(st, partial, 3, [""] * 5 + [" "])  # 100000 1
    ambiguous: dict[str, set] = {}
    if version == V19:
        # 88-720: 88|-72|0 or 88|-7|20 — nothing in the report decides
        text = "88-720"
        rs = readings(text, 3, signed=(1,))
        assert {r[1:] for r in rs} == {(-72, 0), (-7, 20)}
        ambiguous.update({k2(version, "other_services", 1): {-72, -7}, k2(version, "other_services", 2): {0, 20}})
    else:
        rs = readings("20 155", 3)
        assert (20, 1, 55) in rs and len(rs) > 1
        for i in range(3):
            ambiguous[k2(version, "normative_docs", i)] = {r[i] for r in rs}
    # every glued table-3 row of this report has exactly one reading that adds up
    for row, want in (("new_received", 12), (unclear, 3)):
        txt = f"{want}00000{want}" if row == "new_received" else f"{want}0000 0{want}"
        assert t3_row_readings(txt.replace(" ", "")) == [(want, 0, 0, 0, 0, 0, want)]
    # v2019: the narrative states the project count, which decides the glued procurement row
    decided = set(amount_row_keys(version)) if version == V19 else set()
    return vals, doc, st, ambiguous, {blank_key}, decided


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class1_page_on_one_line(tmp_path, version):
    vals, doc, st, ambiguous, blank, decided = _class1(version)
    res, text = parse(tmp_path, doc, "archive-oneline", st)
    body = text.split("正文 =", 1)[1].strip("= \n")
    assert "\n" not in body and "全年共收到政府信息公开申请12件" in body  # fixture: one line, narrative total
    if version == V19:
        assert "政府集中采购215419886元" in body and "其他对外管理服务事项88-720" in body and "0+11" in body
    else:
        assert "行政规范性文件20 155" in body
    assert re.search(r"（七）总计12 0 00 0 012", body)
    check_meta(res, ORG1, YEAR[version], version)
    assert res.get("published_on") == doc["published_on"]
    assert nonzero(vals)  # the report prints these non-zero cells; all cells checked below
    check(res, vals, ambiguous=ambiguous, blank=blank, decided=decided)


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class1_procurement_without_narrative_keeps_candidates(tmp_path, version):
    """Glued "215419886元" with nothing stating the project count: 2|15419886, 21|5419886, 215|419886 …
    all valid — read exactly or withhold with the candidates (v2019); v2021 has no procurement: 元-free fee
    amount "18651.06" in a glued page reads exactly."""
    vals, doc, st, ambiguous, blank, _ = _class1(version)
    doc["sections"][1] = [p for p in doc["sections"][1] if "采购项目" not in p]
    amount = next(k for k in T.keys(version) if T.column(version, k).kind == "amount")
    if version == V19:
        rs = readings("215419886元", 2, unit="元")
        projects = k2(version, "procurement", 0)
        ambiguous[projects] = {r[0] for r in rs}
        ambiguous[amount] = {r[1] / 10000 for r in rs}
    else:
        vals[amount] = 18651.06
        doc = model(version, YEAR[version], ORG1, vals, display={k: "" for k in blank},
                    paras={3: ["全年共收到政府信息公开申请12件。"]})
    res, _ = parse(tmp_path, doc, "archive-oneline", st)
    check_meta(res, ORG1, YEAR[version], version)
    check(res, vals, ambiguous=ambiguous, blank=blank)


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class1_column_sums_decide_a_row_with_two_splits(tmp_path, version):
    """"110000011" has two splits passing the row sum (11|0|…|11 and 1|10|0|…|11); the column sums of
    table 3 decide: the outcome rows and 四、结转 are all in the 自然人 column."""
    granted = first_row(version, 3, "granted")
    not_held = "unable_not_held"
    vals = values(version, {}, {"new_received": [11, 0, 0, 0, 0, 0], granted: [4, 0, 0, 0, 0, 0],
                                not_held: [7, 0, 0, 0, 0, 0]})
    assert sorted(t3_row_readings("110000011")) == [(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)]
    doc = model(version, YEAR[version], ORG1, vals)
    res, text = parse(tmp_path, doc, "archive-oneline", RW.Style())
    assert "一、本年新收政府信息公开申请数量110000011" in text
    check_meta(res, ORG1, YEAR[version], version)
    tp = T.TABLES[version][3].rows[-2].key
    by_columns = {k3(r, c) for r in ("new_received", tp) for c in APPL[:2]}
    check(res, vals, decided=by_columns)


# ---------------------------------------------------------------------------------------------
# Class 2 — metadata noise
# ---------------------------------------------------------------------------------------------
TOWN = "柳城区清湖镇人民政府"  # printed under its short name 清湖镇人民政府 (a registry alias)
ZONE = "青川市经济技术开发区管理委员会"


def _class2(version: str, org: str, title_org: str):
    granted = first_row(version, 3, "granted")
    vals = values(version, {t2_row(version, 1): [2, 0, 9] if version == V19 else [2, 1, 9]},
                  {"new_received": [3, 0, 0, 0, 0, 0], granted: [2, 0, 0, 0, 0, 0],
                   "unable_not_held": [1, 0, 0, 0, 0, 0]})
    doc = model(version, YEAR[version], org, vals, title_org=title_org)
    st = RW.Style(header_colon="：", breadcrumb=RW.BREADCRUMBS[0], page_tools=RW.PAGE_TOOLS[1],
                  title_wrap_year_first=True, default_sep=" ", default_gap=" ")
    return vals, doc, st


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class2_metadata_noise_short_name(tmp_path, version):
    from etl.rules.offices import resolve
    o = office(TOWN)
    short = o.aliases[0]
    vals, doc, st = _class2(version, TOWN, short)
    res, text = parse(tmp_path, doc, "web-lines", st)
    year = YEAR[version]
    lines = text.splitlines()
    assert lines[0] == f"标题：{short}{year}年政府信息公开工作年度报告" and lines[1].startswith("当前位置")
    assert f"{year} 年{short}政府信息公开工作" in lines and "年度报告" in lines
    # the office is the printed name — not 标题：, a breadcrumb, 来源, nor a fragment of the wrapped title
    check_meta(res, short, year, version)
    assert res.get("published_on") == doc["published_on"]
    reg = {}
    for x in _world().values():
        for n in [x.name, *x.aliases]:
            reg.setdefault(n, x.name)
    assert resolve(res["office"], reg, reg) == TOWN
    assert res.get("report_kind") == "gov_self"
    check(res, vals)


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class2_wrong_publisher_and_area_wide_zone(tmp_path, version):
    """发布机构 names another body; the report is the 管委会's own, area-wide: not a department report."""
    vals, doc, st = _class2(version, ZONE, ZONE)
    doc["sections"][1].insert(0, "本报告汇总了全区各部门政府信息公开工作情况，全区共主动公开政府信息。")
    st.archive_header, st.title_wrap_year_first, st.publisher = True, False, "示例省学生资助中心"
    res, _ = parse(tmp_path, doc, "archive-oneline", st)
    check_meta(res, ZONE, YEAR[version], version)
    assert res.get("report_kind") in ("gov_self", "region_summary")
    check(res, vals)


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class2_zone_office_is_a_department(tmp_path, version):
    org = ZONE + "办公室"
    vals, doc, st = _class2(version, org, org)
    st.title_wrap_year_first = False
    res, _ = parse(tmp_path, doc, "web-lines", st)
    check_meta(res, org, YEAR[version], version)
    assert res.get("report_kind") == "department"
    check(res, vals)


# ---------------------------------------------------------------------------------------------
# Class 3 — converter markdown with a split table 3
# ---------------------------------------------------------------------------------------------
ORG3 = "云岭市住房和城乡建设局"


def _class3_values(version: str) -> dict:
    t3 = {"new_received": [19, 2, 0, 0, 1, 0], "carried_over": [3, 0, 0, 0, 0, 0],
          first_row(version, 3, "granted"): [8, 1, 0, 0, 1, 0], first_row(version, 3, "partial"): [2, 0, 0, 0, 0, 0],
          first_row(version, 3, "denied"): [1, 0, 0, 0, 0, 0], "denied_third_party": [2, 0, 0, 0, 0, 0],
          first_row(version, 3, "unable"): [5, 1, 0, 0, 0, 0], first_row(version, 3, "rejected"): [1, 0, 0, 0, 0, 0],
          first_row(version, 3, "other"): [1, 0, 0, 0, 0, 0]}
    t2 = {t2_row(version, 1): [4, 4, 40] if version == V19 else [4, 2, 40]}
    return values(version, t2, t3, {"review": [1, 0, 0, 1]})


@pytest.mark.parametrize("summary_header", ("promoted", "own"))
@pytest.mark.parametrize("version", T.VERSIONS)
def test_class3_markdown_split_table3(tmp_path, version, summary_header):
    vals = _class3_values(version)
    groups = ("（三）不予公开", "（四）无法提供", "（五）不予处理") + (("（六）其他处理",) if version == V21 else ())
    st = RW.Style(md_carry_first_row=groups, md_summary_header=summary_header)
    doc = model(version, YEAR[version], ORG3, vals)
    res, text = parse(tmp_path, doc, "md-split", st)
    assert text.count("| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |") >= 5
    # fixture: 1.属于国家秘密 sits under the previous block's header, （七）总计 in the summary table
    head, after = text.split("**（三）不予公开**", 1)
    assert "| 1.属于国家秘密 |" in head.rsplit("| 类别 |", 1)[1]
    promoted = re.search(r"^\| （七）总计 \|.*\n\|---\|", text, re.M) is not None
    assert promoted == (summary_header == "promoted")
    check_meta(res, ORG3, YEAR[version], version)
    check(res, vals)


# ---------------------------------------------------------------------------------------------
# Class 4 — narrative numbers beside tables
# ---------------------------------------------------------------------------------------------
ORG4 = "南林区教育局"


def _class4_values(version: str) -> dict:
    t3 = {"new_received": [23, 0, 0, 0, 0, 0], first_row(version, 3, "granted"): [9, 0, 0, 0, 0, 0],
          "unable_not_held": [5, 0, 0, 0, 0, 0], first_row(version, 3, "other"): [3, 0, 0, 0, 0, 0]}
    t3["carried_forward"] = [6, 0, 0, 0, 0, 0]
    return values(version, {t2_row(version, 1): [1, 1, 9] if version == V19 else [1, 0, 9]}, t3)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("version", T.VERSIONS)
def test_class4_narrative_numbers_beside_tables(tmp_path, version, layout):
    """The report's own totals in sentences right before and after table 3 (and a year): prose, never cells."""
    vals = _class4_values(version)
    year = YEAR[version]
    doc = model(version, year, ORG4, vals)
    st = spaced(layout)
    st.beside, st.after = RW.beside_sentences(vals, version, year), {
        3: [f"{year}年，申请中同意公开答复 9 件，其他处理 3 件，结转下年度 6 件。"],
        2: [f"截至{year}年底，现行有效规范性文件9件。"]}
    res, text = parse(tmp_path, doc, layout, st)
    assert "申请中同意公开答复 9 件" in text and f"{year}年" in text
    check_meta(res, ORG4, year, version)
    check(res, vals)


# ---------------------------------------------------------------------------------------------
# Class 5 — old table 3 in new reports
# ---------------------------------------------------------------------------------------------
ORG5 = "竹原县档案馆"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("year", (2021, 2024))
def test_class5_old_table3_in_new_report(tmp_path, year, layout):
    """Table 2 of the 2021 template, table 3 still the 2019 one with a single （六）其他处理 row: read what is
    printed (the single row under its own key), do not force the 25-row layout, do not withhold the block."""
    other19 = first_row(V19, 3, "other")
    t3 = {"new_received": [6, 1, 0, 0, 0, 0], first_row(V19, 3, "granted"): [3, 1, 0, 0, 0, 0],
          "unable_not_held": [1, 0, 0, 0, 0, 0], other19: [2, 0, 0, 0, 0, 0]}
    vals = values(V21, {t2_row(V21, 1): [1, 0, 4], "licensing": [3]}, t3, t3_version=V19)
    doc = model(V21, year, ORG5, vals, t3_version=V19)
    res, text = parse(tmp_path, doc, layout, spaced(layout))
    assert "（六）其他处理" in text and "逾期不补正" not in text and "本年制发件数" in text
    check_meta(res, ORG5, year, V21)
    check(res, vals)
    assert _findings(res).get("FMT-TABLES") == "FAIL"  # the rules report the table that lacks the template's rows
    for k in T.split_other_rows():
        for c in T.T3_COLUMNS:
            key = k3(k, c.key)
            assert (res.get("values") or {}).get(key) is None, f"{key}: not printed, read {res['values'][key]!r}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_class5_2019_template_in_2021_report(tmp_path, layout):
    """The 2019 template through and through in a 2021 report: template 2019, values read, mismatch noted."""
    other19 = first_row(V19, 3, "other")
    vals = values(V19, {t2_row(V19, 1): [1, 1, 4], "procurement": [2, 31.5]},
                  {"new_received": [4, 0, 0, 0, 0, 0], first_row(V19, 3, "granted"): [2, 0, 0, 0, 0, 0],
                   other19: [2, 0, 0, 0, 0, 0]})
    doc = model(V19, 2021, ORG5, vals, paras={1: ["全年实施政府集中采购项目2个。"]})
    res, _ = parse(tmp_path, doc, layout, spaced(layout))
    check_meta(res, ORG5, 2021, V19)
    assert res.get("template_expected") == V21
    check(res, vals, decided=set(amount_row_keys(V19)))  # the narrative decides


# ---------------------------------------------------------------------------------------------
# Class 6 — label damage
# ---------------------------------------------------------------------------------------------
ORG6 = "青川市公安局柳城区分局"


def _class6(version: str):
    law = "denied_law_prohibited"
    t3 = {"new_received": [9, 0, 0, 0, 1, 0], first_row(version, 3, "granted"): [3, 0, 0, 0, 0, 0],
          law: [2, 0, 0, 0, 0, 0], first_row(version, 3, "unable"): [3, 0, 0, 0, 1, 0],
          first_row(version, 3, "other"): [1, 0, 0, 0, 0, 0]}
    if version == V19:
        t2 = {"normative_docs": [2, 2, 6], "licensing": [4, 0, 7], "penalty": [6, 1, 9], "procurement": [3, 72.5]}
    else:
        t2 = {"normative_docs": [2, 1, 6], "licensing": [7], "penalty": [9], "coercion": [2], "fees": [1.2]}
    vals = values(version, t2, t3, {"suit_direct": [1, 1, 0, 0]})
    display = {}
    if version == V19:
        amount = next(k for k in T.keys(version) if T.column(version, k).kind == "amount")
        display[amount] = "72.5万元"  # the header says 元, the cell says 万元
    st = RW.Style(drop_rows=(f"t2.{t2_row(version, 0)}",), relabel=dict(RW.MISSPELLINGS), split_heads=RW.SPLIT_HEADS,
                  break_groups=("（三）不予公开", "（四）无法提供"), t2_unit_header="（元）" if version == V19 else None,
                  default_sep=" ", default_gap=" ")
    absent = {k for k in vals if k.startswith(f"t2.{t2_row(version, 0)}.")}
    return vals, model(version, YEAR[version], ORG6, vals, display=display), st, absent


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class6_label_damage(tmp_path, version):
    vals, doc, st, absent = _class6(version)
    res, text = parse(tmp_path, doc, "web-lines", st)
    lines = text.splitlines()
    assert "（三）不" in lines and any(s.startswith("予公开1.属于国家秘密") for s in lines)
    assert "2.其他法律行政止公开 2 0 0 0 0 0 2" in lines and "结果 纠正" in text and "商业 企业" in text
    assert not any(s.startswith("规章") for s in lines)
    if version == V21:
        assert "先行有效件数" in text and "本年废纸件数" in text
    else:
        assert "采购总金额（元）" in text and "72.5万元" in text
    check_meta(res, ORG6, YEAR[version], version)
    check(res, vals, absent=absent)


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class6_truncated_header(tmp_path, version):
    """Truncated "本年废止件" (v2021) / "处理决定数" (v2019), glued rows, no 规章 row."""
    vals, doc, st, absent = _class6(version)
    st.relabel = dict(RW.TRUNCATIONS)
    st.default_sep = st.default_gap = ""
    st.break_groups = ()
    res, text = parse(tmp_path, doc, "archive-oneline", st)
    flat = text.replace(" ", "")
    if version == V21:
        assert "本年废止件现行有效件数" in flat
        ambiguous = {}
    else:
        assert "处理决定数行政许可407" in flat and "政府集中采购372.5万元" in flat
        # "372.5万元": 3 projects and 72.5万元, or 37 and 2.5万元 — nothing in the report decides
        rs = [r for r in readings("372.5万元", 2, unit="万元") if isinstance(r[0], int)]
        assert sorted(rs) == [(3, 72.5), (37, 2.5)]
        amount = next(k for k in T.keys(version) if T.column(version, k).kind == "amount")
        ambiguous = {k2(version, "procurement", 0): {3, 37}, amount: {72.5, 2.5}}
    check_meta(res, ORG6, YEAR[version], version)
    assert "2.其他法律行政法规禁止公开2000002" in flat
    check(res, vals, absent=absent, ambiguous=ambiguous)


# ---------------------------------------------------------------------------------------------
# Class 7 — reports that do not add up
# ---------------------------------------------------------------------------------------------
ORG7 = "源湖市档案馆"


def _findings(res: dict) -> dict[str, str]:
    """The single-report rules on a parse result (as `etl parse --json` and the warehouse run them)."""
    from etl.rules import check_report
    return {f["rule"]: f["status"] for f in check_report(res)}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("version", T.VERSIONS)
def test_class7_zero_totals_kept_as_printed(tmp_path, version, layout):
    """0 in every 总计 cell (table 3 and table 4): the printed numbers are kept and the rules fail."""
    t3 = {"new_received": [4, 1, 0, 0, 0, 0], first_row(version, 3, "granted"): [2, 1, 0, 0, 0, 0],
          "unable_not_held": [2, 0, 0, 0, 0, 0]}
    vals = values(version, {t2_row(version, 1): [1, 1, 3] if version == V19 else [1, 0, 3]}, t3,
                  {"review": [1, 0, 0, 1]}, totals="zero")
    doc = model(version, YEAR[version], ORG7, vals)
    res, text = parse(tmp_path, doc, layout, spaced(layout))
    if layout == "archive-oneline":
        assert "一、本年新收政府信息公开申请数量4100000" in text
    check_meta(res, ORG7, YEAR[version], version)
    check(res, vals)
    f = _findings(res)
    assert f.get("T3-ROW") == "FAIL" and f.get("T4-SUM") == "FAIL", f


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class7_request_counted_twice(tmp_path, version):
    """One request counted under two outcomes: the outcome rows add up to 6, （七）总计 prints 5."""
    granted, unable = first_row(version, 3, "granted"), "unable_not_held"
    tp = T.TABLES[version][3].rows[-2].key
    cf = T.TABLES[version][3].rows[-1].key
    t3 = {"new_received": [5, 0, 0, 0, 0, 0], granted: [3, 0, 0, 0, 0, 0], unable: [3, 0, 0, 0, 0, 0],
          tp: [5, 0, 0, 0, 0, 0], cf: [0] * 6}
    vals = values(version, {}, t3, {"review": [0, 0, 0, 0]})
    doc = model(version, YEAR[version], ORG7, vals)
    res, text = parse(tmp_path, doc, "archive-oneline", RW.Style())
    assert "（七）总计5000005" in text
    check_meta(res, ORG7, YEAR[version], version)
    check(res, vals)
    f = _findings(res)
    assert f.get("T3-SUM") == "FAIL" and f.get("T3-IDENT") == "PASS", f


@pytest.mark.parametrize("version", T.VERSIONS)
def test_class7_block_totals_zero_in_table4(tmp_path, version):
    t4 = {"review": [2, 1, 0, 0], "suit_direct": [0, 0, 1, 0]}
    vals = values(version, {}, {"new_received": [1, 0, 0, 0, 0, 0], "unable_not_held": [1, 0, 0, 0, 0, 0]}, t4)
    for b in T.T4.rows:
        vals[T.make_key(4, b.key, T4_TOTAL)] = 0
    doc = model(version, YEAR[version], ORG7, vals)
    res, text = parse(tmp_path, doc, "archive-oneline", RW.Style())
    assert "总计210000010000000" in text  # 15 digits, one per cell: a unique reading
    check_meta(res, ORG7, YEAR[version], version)
    check(res, vals)
    assert _findings(res).get("T4-SUM") == "FAIL"


# ---------------------------------------------------------------------------------------------
# Every class: a number in a sentence ("其他处理 14 件", "2024年", "37%") is never a cell
# ---------------------------------------------------------------------------------------------
def _case(cls: int, version: str):
    """(values, doc, layout, style, check kwargs) of one class's report."""
    if cls == 1:
        vals, doc, st, amb, blank, decided = _class1(version)
        return vals, doc, "archive-oneline", st, {"ambiguous": amb, "blank": blank, "decided": decided}
    if cls == 2:
        vals, doc, st = _class2(version, TOWN, office(TOWN).aliases[0])
        return vals, doc, "web-lines", st, {}
    if cls == 3:
        vals = _class3_values(version)
        return vals, model(version, YEAR[version], ORG3, vals), "md-split", RW.Style(
            md_carry_first_row=("（四）无法提供",)), {}
    if cls == 4:
        vals = _class4_values(version)
        return vals, model(version, YEAR[version], ORG4, vals), "web-lines", spaced("web-lines"), {}
    if cls == 5:
        t3 = {"new_received": [2, 0, 0, 0, 0, 0], first_row(V19, 3, "other"): [2, 0, 0, 0, 0, 0]}
        v2 = V21 if version == V21 else V19
        vals = values(v2, {}, t3, t3_version=V19)
        return vals, model(v2, 2022, ORG5, vals, t3_version=V19), "web-lines", spaced("web-lines"), {}
    if cls == 6:
        vals, doc, st, absent = _class6(version)
        return vals, doc, "web-lines", st, {"absent": absent}
    vals = values(version, {}, {"new_received": [3, 0, 0, 0, 0, 0], "unable_not_held": [3, 0, 0, 0, 0, 0]},
                  totals="zero")
    return vals, model(version, YEAR[version], ORG7, vals), "web-lines", spaced("web-lines"), {}


@pytest.mark.parametrize("version", T.VERSIONS)
@pytest.mark.parametrize("cls", range(1, 8))
def test_sentence_numbers_are_never_cells(tmp_path, cls, version):
    vals, doc, layout, st, kw = _case(cls, version)
    assert not set(PROSE_NUMBERS) & {v for v in vals.values()}  # fixture: no table cell holds these numbers
    for n in (2, 3, 4):
        st.beside.setdefault(n, []).append(PROSE)
    st.after.setdefault(3, []).append("其他处理 14 件。2024年")
    doc["sections"][3] = [PROSE]
    res, text = parse(tmp_path, doc, layout, st)
    assert text.count("其他处理 14 件") >= 4
    no_prose_numbers(res)
    check(res, vals, **kw)
