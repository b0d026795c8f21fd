"""The numbers: latent yearly activity of every office (chained across years), region summaries as real
sums of their parts, conversion to the canonical keys of a printed template, and planted problems.

Latent state per office-year (all ints; money in 分 so that sums are exact):
  t3[row] = [six applicant-column counts]  (v2021 outcome rows; the v2019 ``other`` row is their sum)
  t2[version][row][col] = value            (both versions every year: a report may print the wrong one)
  t4[block] = [upheld, corrected, other, pending]
"""
from __future__ import annotations

import math
import random

from .. import template as T
from .world import Office

V19, V21 = (v.name for v in T.BUILT_IN)  # the demo world draws reports of the built-in versions
APPL = T.T3_APPLICANT_COLUMNS
T3_21 = T.TABLES[V21][3]
T3_19 = T.TABLES[V19][3]
NEW, CO = T3_21.rows[0].key, T3_21.rows[1].key
TP, CF = T3_21.rows[-2].key, T3_21.rows[-1].key
OUT21 = T.t3_outcome_rows(V21)
OUT19 = T.t3_outcome_rows(V19)
OTHER19 = next(r.key for r in T3_19.rows if r.group == "other")
OTHER21 = T.split_other_rows(V21)
GROUP = {r.key: r.group for r in T3_21.rows}
T4_BLOCKS = tuple(r.key for r in T.T4.rows)
T4_PARTS = tuple(c.key for c in T.T4_COLUMNS[:-1])
T4_TOTAL = T.T4_TOTAL_COLUMN
T3_TOTAL_COLUMN = T.T3_TOTAL_COLUMN

YEAR_FACTOR = {2019: 0.8, 2020: 0.88, 2021: 1.0, 2022: 1.08, 2023: 1.15, 2024: 1.2, 2025: 1.25}
APPL_WEIGHTS = (0.87, 0.06, 0.004, 0.006, 0.045, 0.015)
# base outcome mix by row (v2021 rows); perturbed per office
BASE_MIX = {
    "granted": 40, "partially_granted": 6, "denied_state_secret": 0.3, "denied_law_prohibited": 1.2,
    "denied_safety_stability": 0.4, "denied_third_party": 1.5, "denied_internal_affairs": 1.5,
    "denied_process_info": 2, "denied_enforcement_file": 1, "denied_admin_query": 2.5,
    "unable_not_held": 22, "unable_needs_creation": 3, "unable_unclear": 2, "rejected_petition": 4,
    "rejected_repeat": 2.5, "rejected_publication": 0.5, "rejected_excessive": 0.4,
    "rejected_confirmation": 0.6, "other_overdue_correction": 3, "other_unpaid_fee": 0.4, "other_misc": 3,
}
DEPT_MIX = {  # department kind -> multipliers of BASE_MIX
    "公安局": {"denied_enforcement_file": 6, "denied_admin_query": 4, "rejected_petition": 2, "granted": 0.7},
    "公安厅": {"denied_enforcement_file": 6, "denied_admin_query": 3},
    "自然资源局": {"unable_not_held": 1.4, "denied_process_info": 2, "rejected_petition": 1.5},
    "自然资源和规划局": {"unable_not_held": 1.4, "denied_process_info": 2},
    "自然资源厅": {"unable_not_held": 1.3, "denied_process_info": 2},
    "档案馆": {"granted": 1.8, "unable_not_held": 0.5},
    "乡镇": {"granted": 1.2, "rejected_petition": 2},
}


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def _binom(rng: random.Random, n: int, p: float) -> int:
    if n > 200:
        return max(0, min(n, int(round(rng.gauss(n * p, math.sqrt(n * p * (1 - p)) + 1e-9)))))
    return sum(1 for _ in range(n) if rng.random() < p)


def _split(rng: random.Random, n: int, weights) -> list[int]:
    """Multinomial split of n into len(weights) parts."""
    out = [0] * len(weights)
    if n <= 0:
        return out
    if n > 400:  # proportional + multinomial remainder (fast for big offices)
        tot = sum(weights)
        for i, w in enumerate(weights):
            out[i] = int(n * w / tot * rng.uniform(0.9, 1.1))
        while sum(out) > n:
            i = max(range(len(out)), key=lambda j: out[j])
            out[i] -= sum(out) - n
        n -= sum(out)
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        out[i] += 1
    return out


# ---------------------------------------------------------------------------------------------
# Latent generation
# ---------------------------------------------------------------------------------------------
_LICENSING = {"教育局", "自然资源局", "自然资源和规划局", "住房和城乡建设局", "市场监督管理局", "人力资源和社会保障局",
              "卫生健康委员会", "卫生健康局", "交通运输局", "生态环境局", "公安局", "教育厅", "公安厅", "自然资源厅",
              "生态环境厅", "住房和城乡建设厅", "交通运输厅", "人力资源和社会保障厅", "市场监督管理局", "开发区"}
_PENALTY = {"公安局": 600, "公安厅": 300, "市场监督管理局": 30, "生态环境局": 8, "生态环境厅": 5,
            "自然资源局": 6, "自然资源和规划局": 6, "自然资源厅": 3, "住房和城乡建设局": 5, "交通运输局": 20,
            "交通运输厅": 10, "卫生健康委员会": 4, "卫生健康局": 4, "人力资源和社会保障局": 3, "乡镇": 0.5,
            "开发区": 1}


def office_latent(o: Office, seed: int) -> dict[int, dict]:
    """Latent values of one (non-summary) office for each of its years, chained across years."""
    rng = random.Random(f"latent-{seed}-{o.name}")
    mult = dict.fromkeys(BASE_MIX, 1.0)
    for k, v in DEPT_MIX.get(o.dept, {}).items():
        mult[k] = v
    mix = [BASE_MIX[k] * mult[k] * rng.lognormvariate(0, 0.45) for k in OUT21]
    stay = rng.choice((0.0, 0.0, 0.02, 0.04, 0.07, 0.1))
    level_mult = {"province": 1.0, "city": 1.0, "county": 1.0, "township": 1.0}[o.level]
    scale = o.scale * level_mult * rng.lognormvariate(0, 0.3)
    gov = o.unit_type in ("government", "general_office")
    has_lic = o.dept in _LICENSING or o.unit_type in ("township", "dev_zone")
    pen = _PENALTY.get(o.dept, 0) * (4 if o.level == "city" else 1) * (0.3 if o.level == "province" else 1)

    # stocks carried from year to year
    cf = [0] * 6
    if o.years[0] == 2019:
        cf = _split(rng, _poisson(rng, scale * stay * 0.8), APPL_WEIGHTS)
    reg_stock = {"province": rng.randint(60, 110), "city": rng.randint(8, 40)}.get(o.level, 0) \
        if o.unit_type == "government" and o.report_kind == "gov_self" else 0
    doc_rate = (12 if o.unit_type == "government" else 3 if o.unit_type in ("general_office", "dev_zone")
                else 4 if o.unit_type == "department" else 0.8)
    if o.level in ("province", "city"):
        doc_rate *= 1.6
    doc_stock = int(doc_rate * rng.uniform(5, 12))
    items = {}
    for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
        base = {"licensing": 25 if has_lic else 0, "other_services": 12 if not gov else 4,
                "penalty": 40 if pen else 0, "coercion": 8 if pen >= 5 else 0,
                "fees": 4 if o.unit_type == "department" and rng.random() < 0.5 else 0}[row]
        items[row] = int(base * rng.uniform(0.5, 1.6))
    out: dict[int, dict] = {}
    for year in o.years:
        yf = YEAR_FACTOR[year]
        lam = scale * yf * rng.lognormvariate(0, 0.25)
        new = _split(rng, _poisson(rng, lam), APPL_WEIGHTS)
        co = list(cf)
        pool = [a + b for a, b in zip(new, co)]
        cf = [_binom(rng, n, stay) for n in pool]
        proc = [a - b for a, b in zip(pool, cf)]
        t3 = {NEW: new, CO: co, CF: cf, TP: proc}
        for k in OUT21:
            t3[k] = [0] * 6
        ymix = [w * rng.uniform(0.7, 1.3) for w in mix]
        for c in range(6):
            for k, n in zip(OUT21, _split(rng, proc[c], ymix)):
                t3[k][c] = n

        # table 2, v2019 measures
        regs_made = _poisson(rng, {"province": 4, "city": 1.2}.get(o.level, 0)) if reg_stock else 0
        docs_made = _poisson(rng, doc_rate * yf)
        t19 = {
            "regulations": {"new_made": regs_made, "new_published": regs_made,
                            "total_published": reg_stock + regs_made},
            "normative_docs": {"new_made": docs_made, "new_published": docs_made,
                               "total_published": doc_stock + docs_made},
        }
        for row in ("licensing", "other_services", "penalty", "coercion"):
            prev = items[row]
            change = rng.choice((0, 0, 0, 1, -1, 2, -2)) if prev else 0
            change = max(change, -prev)
            if row == "licensing":
                dec = _poisson(rng, (prev * 8 + (600 if o.dept == "市场监督管理局" else 0)) * yf) if prev else 0
            elif row == "other_services":
                dec = _poisson(rng, prev * 5 * yf) if prev else 0
            elif row == "penalty":
                dec = _poisson(rng, pen * 30 * yf) if prev else 0
            else:
                dec = _poisson(rng, pen * 2 * yf) if prev else 0
            t19[row] = {"prev_items": prev, "change": change, "decisions": dec}
            items[row] = prev + change
        fprev = items["fees"]
        fchange = max(-fprev, rng.choice((0, 0, 0, -1, 1))) if fprev else 0
        t19["fees"] = {"prev_items": fprev, "change": fchange}
        items["fees"] = fprev + fchange
        projects = _poisson(rng, 1.5 if o.unit_type == "township" else 5) if rng.random() < 0.8 else 0
        t19["procurement"] = {"projects": projects,
                              "amount_wan": sum(int(rng.lognormvariate(math.log(30), 1.0) * 100)
                                                for _ in range(projects))}
        # table 2, v2021 measures
        repealed_r = min(reg_stock + regs_made, _poisson(rng, 1.0)) if reg_stock else 0
        repealed_d = min(doc_stock + docs_made, _poisson(rng, doc_rate * 0.4))
        fee_amount = 0
        if items["fees"] or rng.random() < 0.1:
            fee_amount = int(rng.lognormvariate(math.log(40 if o.level != "province" else 300), 1.2) * 100)
        t21 = {
            "regulations": {"issued": regs_made, "repealed": repealed_r,
                            "in_force": reg_stock + regs_made - repealed_r},
            "normative_docs": {"issued": docs_made, "repealed": repealed_d,
                               "in_force": doc_stock + docs_made - repealed_d},
            "licensing": {"decisions": t19["licensing"]["decisions"] + t19["other_services"]["decisions"] // 3},
            "penalty": {"decisions": t19["penalty"]["decisions"]},
            "coercion": {"decisions": t19["coercion"]["decisions"]},
            "fees": {"amount_wan": fee_amount},
        }
        if year >= 2021:  # v2021 counts stocks net of repeals
            reg_stock += regs_made - repealed_r
            doc_stock += docs_made - repealed_d
        else:
            reg_stock += regs_made
            doc_stock += docs_made
        # table 4
        t4 = {}
        for b, f in zip(T4_BLOCKS, (0.03, 0.008, 0.005)):
            n = _poisson(rng, scale * f * yf)
            t4[b] = _split(rng, n, (0.55, 0.12, 0.2, 0.13))
        out[year] = {"t3": t3, "t2": {V19: t19, V21: t21}, "t4": t4,
                     "proactive": int(scale * rng.uniform(6, 20) + rng.randint(15, 80)) * (3 if gov else 1),
                     "fee_yuan": rng.choice((0, 0, 0, 60, 120, 300, 910)) if lam > 10 else 0}
    return out


def sum_latent(parts: list[dict]) -> dict:
    """Element-wise sum of latent year records (a region summary)."""
    res = {"t3": {k: [0] * 6 for k in (NEW, CO, CF, TP) + OUT21},
           "t2": {V19: {}, V21: {}}, "t4": {b: [0] * 4 for b in T4_BLOCKS}, "proactive": 0, "fee_yuan": 0}
    for p in parts:
        for k, v in p["t3"].items():
            res["t3"][k] = [a + b for a, b in zip(res["t3"][k], v)]
        for ver in (V19, V21):
            for row, cols in p["t2"][ver].items():
                dst = res["t2"][ver].setdefault(row, dict.fromkeys(cols, 0))
                for c, v in cols.items():
                    dst[c] += v
        for b, v in p["t4"].items():
            res["t4"][b] = [a + c for a, c in zip(res["t4"][b], v)]
        res["proactive"] += p["proactive"]
        res["fee_yuan"] += p["fee_yuan"]
    if not parts:
        raise ValueError("summary without parts")
    return res


# ---------------------------------------------------------------------------------------------
# Latent -> canonical values of a printed template
# ---------------------------------------------------------------------------------------------
def values_for(lat: dict, version: str) -> dict[str, float | int]:
    """Every canonical key of ``version`` -> the number a correct parser returns (amounts in 万元)."""
    t3 = dict(lat["t3"])
    if version == V19:
        t3[OTHER19] = [sum(t3[k][c] for k in OTHER21) for c in range(6)]
    vals: dict[str, float | int] = {}
    for key in T.keys(version):
        table, row, col = T.split_key(key)
        if table == 3:
            cells = t3[row]
            vals[key] = sum(cells) if col == T3_TOTAL_COLUMN else cells[APPL.index(col)]
        elif table == 4:
            cells = lat["t4"][row]
            vals[key] = sum(cells) if col == T4_TOTAL else cells[T4_PARTS.index(col)]
        else:
            v = lat["t2"][version][row][col]
            vals[key] = round(v / 100, 2) if T.column(version, key).kind == "amount" else v
    return vals


# ---------------------------------------------------------------------------------------------
# Identities (used by planting and by tests)
# ---------------------------------------------------------------------------------------------
def k3(row: str, col: str) -> str:
    return T.make_key(3, row, col)


def k4(block: str, col: str) -> str:
    return T.make_key(4, block, col)


def t3_cols() -> tuple[str, ...]:
    return APPL + (T3_TOTAL_COLUMN,)


def broken_rules(vals: dict, version: str, t3_version: str | None = None) -> set[str]:
    """Which single-report table rules the printed values break (SPEC §7); ``t3_version`` when table 3
    follows the other template."""
    out = set()
    version = t3_version or version  # only table 3 depends on the version here
    outcomes = T.t3_outcome_rows(version)
    for c in t3_cols():
        if vals[k3(NEW, c)] + vals[k3(CO, c)] != vals[k3(TP, c)] + vals[k3(CF, c)]:
            out.add("T3-IDENT")
        if vals[k3(TP, c)] != sum(vals[k3(r, c)] for r in outcomes):
            out.add("T3-SUM")
    for r in T.TABLES[version][3].rows:
        if vals[k3(r.key, T3_TOTAL_COLUMN)] != sum(vals[k3(r.key, c)] for c in APPL):
            out.add("T3-ROW")
    for b in T4_BLOCKS:
        if vals[k4(b, T4_TOTAL)] != sum(vals[k4(b, c)] for c in T4_PARTS):
            out.add("T4-SUM")
    return out


# ---------------------------------------------------------------------------------------------
# Planting: each edit breaks exactly its own rule
# ---------------------------------------------------------------------------------------------
def plant_t3_ident(vals: dict, rng: random.Random, version: str) -> bool:
    c = rng.choice(APPL[:2])
    d = rng.choice((1, 2, 3, 5, 10))
    vals[k3(NEW, c)] += d
    vals[k3(NEW, T3_TOTAL_COLUMN)] += d
    return True


def plant_t3_sum(vals: dict, rng: random.Random, version: str) -> bool:
    row = rng.choice(T.t3_outcome_rows(version)[:2] + (T.T3_NOT_HELD,))
    c = APPL[0]
    d = rng.choice((1, 2, 4, 6))
    vals[k3(row, c)] += d
    vals[k3(row, T3_TOTAL_COLUMN)] += d
    return True


def plant_t3_row(vals: dict, rng: random.Random, version: str) -> bool:
    outcomes = T.t3_outcome_rows(version)
    for c in APPL:
        donors = [r for r in outcomes if vals[k3(r, c)] > 0]
        if donors:
            src = rng.choice(donors)
            dst = rng.choice([r for r in outcomes if r != src])
            d = rng.randint(1, vals[k3(src, c)])
            vals[k3(src, c)] -= d
            vals[k3(dst, c)] += d  # column sums unchanged; both row totals now disagree
            return True
    return False


def plant_t3_zero_totals(vals: dict, rng: random.Random, version: str) -> bool:
    """0 printed in every 总计 (total column) cell of table 3, as some real reports do: the rows no longer add
    up (T3-ROW); the identities per column still hold (the total column is all zeros)."""
    keys = [k3(r.key, T3_TOTAL_COLUMN) for r in T.TABLES[version][3].rows]
    if not any(vals[k] for k in keys):
        return False
    for k in keys:
        vals[k] = 0
    return True


def plant_t4_sum(vals: dict, rng: random.Random, version: str) -> bool:
    b = rng.choice(T4_BLOCKS)
    vals[k4(b, T4_TOTAL)] += rng.choice((1, 1, 2, 3))
    return True


def plant_t3_carry(vals: dict, rng: random.Random, version: str) -> bool:
    """Change carried_over (and new_received to keep the report's own identity): only the cross-year
    chain breaks."""
    for c in APPL:
        d = rng.choice((1, 2, 3))
        if vals[k3(NEW, c)] >= d:
            pass
        elif vals[k3(CO, c)] >= d:
            d = -d
        else:
            continue
        for col in (c, T3_TOTAL_COLUMN):
            vals[k3(CO, col)] += d
            vals[k3(NEW, col)] -= d
        return True
    return False


PLANTERS = {"T3-IDENT": plant_t3_ident, "T3-SUM": plant_t3_sum, "T3-ROW": plant_t3_row,
            "T4-SUM": plant_t4_sum, "T3-CARRY": plant_t3_carry}
