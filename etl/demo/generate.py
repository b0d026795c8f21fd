"""Build the demo corpus: offices.csv, docs/<year>/*.{txt,md,html,docx,pdf}, truth/<doc>.json,
truth/_missing.json, truth/_summary.json.

Deterministic: every random decision comes from ``random.Random(<string seed>)`` keyed by seed and
office/year, so the same seed gives the same bytes whatever the worker scheduling.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing as mp
import os
import random
import time
from collections import Counter
from pathlib import Path

from .. import template as T
from . import data as D
from . import narrative as N
from .world import YEARS, Office, build_world, offices_csv_rows

FORMATS = {  # format -> (weight, extension)
    "txt-pdf": (0.14, ".txt"), "txt-pdf-space": (0.14, ".txt"), "html-utf8": (0.19, ".html"),
    "html-gbk": (0.08, ".htm"), "glued": (0.07, ".txt"), "md": (0.145, ".md"), "docx": (0.13, ".docx"),
    "pdf": (0.055, ".pdf"),
    # real-world text layouts (issue 12, etl/demo/realworld.py)
    "archive-oneline": (0.06, ".txt"), "md-split": (0.04, ".md"), "web-lines": (0.03, ".txt"),
    "pdf-scan": (0.0035, ".pdf"),  # keep last: small corpora cycle through the formats before it
}
REALWORLD = ("archive-oneline", "md-split", "web-lines")
PLANT_WEIGHTS = {"T3-IDENT": 1.0, "T3-SUM": 1.0, "T3-ROW": 1.0, "T4-SUM": 0.8, "T3-CARRY": 1.0, "TIMELY": 1.5,
                 "DUP-PREV": 1.2, "DUP-PEER": 1.0, "T2-AUTH": 6.0, "T2-UNIT": 1.0, "FMT-TEMPLATE": 0.8,
                 "TEXT-TABLE": 1.0}
PLANT_RATE = 0.12
OLD_T3_RATE = 0.2  # share of 2021+ real-world-layout reports printing the 2019 table 3
MISSING_RATE = 0.025


def _sections_titles(rng: random.Random) -> dict[int, str]:
    alt = {4: ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
           5: ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况")}
    out = {}
    for s in T.SECTIONS:
        title = rng.choice(alt[s.number]) if s.number in alt else s.title
        out[s.number] = f"{s.numeral}、{title}"
    return out


def _pub_date(rng: random.Random, year: int, office: Office, late: bool) -> dt.date:
    y = year + 1
    if office.report_kind == "department":
        start, end = (dt.date(y, 1, 6), dt.date(y, 1, 31)) if not late else (dt.date(y, 2, 1), dt.date(y, 4, 30))
    else:
        start, end = (dt.date(y, 1, 15), dt.date(y, 3, 31)) if not late else (dt.date(y, 4, 1), dt.date(y, 6, 30))
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def plan(seed: int = 2019, small: bool = False) -> tuple[list[Office], list[dict], list[dict]]:
    """Decide every document: office, year, format, printed values, plants. Returns (offices, docs, missing)."""
    offices = build_world(seed, small)
    by_name = {o.name: o for o in offices}
    latent: dict[str, dict[int, dict]] = {}
    for o in offices:
        if o.report_kind != "region_summary":
            latent[o.name] = D.office_latent(o, seed)
    for o in offices:
        if o.report_kind == "region_summary":
            latent[o.name] = {y: D.sum_latent([latent[p][y] for p in o.parts if y in latent[p]]) for y in o.years}

    fmt_names = list(FORMATS)
    fmt_weights = [FORMATS[f][0] for f in fmt_names]
    docs: list[dict] = []
    missing: list[dict] = []
    present: set[tuple[str, int]] = set()
    for oi, o in enumerate(offices):
        orng = random.Random(f"office-{seed}-{o.name}")
        habit = orng.choices(fmt_names, fmt_weights)[0]
        for year in o.years:
            rng = random.Random(f"doc-{seed}-{o.name}-{year}")
            if rng.random() < MISSING_RATE:
                missing.append({"office": o.name, "year": year})
                continue
            present.add((o.name, year))
            fmt = habit if rng.random() < 0.7 else rng.choices(fmt_names, fmt_weights)[0]
            if small:  # every format appears in a small corpus; scans (slow to OCR) only twice
                cheap = fmt_names[:-1]
                fmt = cheap[(oi * 7 + year) % len(cheap)] if rng.random() < 0.5 else fmt
                fmt = "pdf-scan" if (oi, year) in ((9, 2020), (30, 2023)) else \
                    (fmt if fmt != "pdf-scan" else "pdf")
            docs.append({"office": o, "year": year, "format": fmt, "rng_seed": f"{seed}-{o.name}-{year}",
                         "idx": oi})
    # plants
    for d in docs:
        o, year = d["office"], d["year"]
        rng = random.Random(f"plant-{d['rng_seed']}")
        lat = latent[o.name][year]
        d["planted"] = []
        if rng.random() >= PLANT_RATE:
            if rng.random() < 0.015:
                d["planted"].append("TIMELY")
            continue
        if o.report_kind == "region_summary":
            d["planted"].append("TIMELY")
            continue
        has_prev = (o.name, year - 1) in present
        ok = {
            "T3-IDENT": True, "T3-SUM": True, "T4-SUM": True, "TIMELY": True, "TEXT-TABLE": True,
            "T3-ROW": sum(sum(lat["t3"][k]) for k in D.OUT21) > 0,
            "T3-CARRY": has_prev and max(sum(lat["t3"][D.NEW]), sum(lat["t3"][D.CO])) >= 3,
            "DUP-PREV": has_prev, "DUP-PEER": True,
            "T2-AUTH": o.unit_type == "township" and T.template_for_year(year) == D.V19,
            "T2-UNIT": (T.template_for_year(year) == D.V19 and lat["t2"][D.V19]["procurement"]["amount_wan"] > 0)
            or (T.template_for_year(year) == D.V21 and lat["t2"][D.V21]["fees"]["amount_wan"] > 0),
            "FMT-TEMPLATE": year >= 2021,
        }
        rules = [r for r in PLANT_WEIGHTS if ok[r]]
        d["planted"].append(rng.choices(rules, [PLANT_WEIGHTS[r] for r in rules])[0])
    # real-world layouts of 2021+ reports: some still print the 2019 table 3 (one （六）其他处理 row), which
    # FMT-TABLES reports; only where no numeric problem is planted, so every planted rule keeps breaking
    # exactly its own identity
    for d in docs:
        if d["format"] in REALWORLD and T.template_for_year(d["year"]) == D.V21 \
                and not set(d["planted"]) & (set(D.PLANTERS) | {"FMT-TEMPLATE"}) \
                and random.Random(f"oldt3-{d['rng_seed']}").random() < OLD_T3_RATE:
            d["t3_version"] = D.V19
            d["planted"].append("FMT-TABLES")  # table 3 lacks the template's rows: a finding, not a misread
    # peers for DUP-PEER: same year, same unit type, not itself a copier
    by_year: dict[int, list[dict]] = {}
    for d in docs:
        by_year.setdefault(d["year"], []).append(d)
    for d in docs:
        if "DUP-PEER" in d["planted"]:
            rng = random.Random(f"peer-{d['rng_seed']}")
            cands = [p for p in by_year[d["year"]] if p is not d and p["office"].unit_type == d["office"].unit_type
                     and "DUP-PEER" not in p["planted"] and "DUP-PREV" not in p["planted"]]
            src = rng.choice(cands)
            d["dup_source"] = {"office": src["office"].name, "year": src["year"]}
            src.setdefault("copied_by", []).append({"office": d["office"].name, "year": d["year"]})
    # recipes (fresh first, then copies)
    recipes = {}
    for d in docs:
        recipes[(d["office"].name, d["year"])] = N.draw_recipe(random.Random(f"recipe-{d['rng_seed']}"))
    for d in sorted(docs, key=lambda x: x["year"]):
        key = (d["office"].name, d["year"])
        if "DUP-PREV" in d["planted"]:
            recipes[key] = recipes[(d["office"].name, d["year"] - 1)]
        elif "DUP-PEER" in d["planted"]:
            recipes[key] = recipes[(d["dup_source"]["office"], d["dup_source"]["year"])]
    for d in docs:
        _finish(d, latent[d["office"].name][d["year"]], recipes[(d["office"].name, d["year"])], by_name)
    return offices, docs, missing


def _finish(d: dict, lat: dict, recipe: dict, by_name: dict) -> None:
    """Printed values, display strings, narrative and metadata of one document."""
    o, year = d["office"], d["year"]
    rng = random.Random(f"finish-{d['rng_seed']}")
    expected = T.template_for_year(year)
    version = D.V19 if "FMT-TEMPLATE" in d["planted"] else expected
    vals = D.values_for(lat, version)
    for rule in d["planted"]:
        if rule == "T3-ROW" and d["format"] in REALWORLD:
            assert D.plant_t3_zero_totals(vals, rng, version), (rule, o.name, year)  # 0 in every 总计 cell
        elif rule in D.PLANTERS:
            assert D.PLANTERS[rule](vals, rng, version), (rule, o.name, year)
    if d.get("t3_version") and d["t3_version"] != version:  # table 3 as the other template prints it
        old = D.values_for(lat, d["t3_version"])
        vals = {k: v for k, v in vals.items() if not k.startswith("t3.")}
        vals.update({k: v for k, v in old.items() if k.startswith("t3.")})
    display: dict[str, str] = {}
    amount_keys = [k for k in T.keys(version) if T.column(version, k).kind == "amount"]
    if "T2-AUTH" in d["planted"]:
        for k in T.keys(version):
            table, row, col = T.split_key(k)
            if table == 2 and row == T.TABLES[version][2].rows[0].key:
                vals[k] += 1 if col != "total_published" else rng.randint(1, 3)
    if "T2-UNIT" in d["planted"]:
        k = amount_keys[0]
        display[k] = f"{int(round(vals[k] * 10000))}元"
    elif amount_keys and vals[amount_keys[0]] and rng.random() < 0.06:
        display[amount_keys[0]] = f"{vals[amount_keys[0]]:.2f}万元"
    nd = T.make_key(2, T.TABLES[version][2].rows[1].key, T.TABLES[version][2].columns[
        T.TABLES[version][2].rows[1].key][0].key)
    if vals[nd] >= 3 and rng.random() < 0.03:
        display[nd] = f"{vals[nd]}（其中修订{rng.randint(1, vals[nd] - 1)}件）"

    g = vals[D.k3("granted", D.T3_TOTAL_COLUMN)]
    text_granted = g
    if "TEXT-TABLE" in d["planted"]:
        delta = rng.choice((1, 2, 3, 5, 8, 13, 17))
        text_granted = g + delta if (g < delta or rng.random() < 0.5) else g - delta
    office_title = o.name
    if o.report_kind == "department" and o.aliases and rng.random() < 0.05:
        office_title = o.aliases[0]
    elif d["format"] in REALWORLD and o.unit_type == "township" and o.aliases and rng.random() < 0.3:
        office_title = o.aliases[0]  # web pages of a county site name its towns without the county
    late = "TIMELY" in d["planted"]
    pub = _pub_date(rng, year, o, late)
    ctx = {"Y": year, "org": office_title, "me": N.self_ref(o.name, o.unit_type, o.report_kind), "kind": o.report_kind,
           "n_pro": lat["proactive"], "n_docs": vals[nd], "n_new": vals[D.k3(D.NEW, D.T3_TOTAL_COLUMN)],
           "n_co": vals[D.k3(D.CO, D.T3_TOTAL_COLUMN)], "n_tp": vals[D.k3(D.TP, D.T3_TOTAL_COLUMN)], "n_g": g,
           "n_p": vals[D.k3("partially_granted", D.T3_TOTAL_COLUMN)], "n_cf": vals[D.k3(D.CF, D.T3_TOTAL_COLUMN)],
           "n_rev": vals[D.k4(D.T4_BLOCKS[0], D.T4_TOTAL)],
           "n_suit": vals[D.k4(D.T4_BLOCKS[1], D.T4_TOTAL)] + vals[D.k4(D.T4_BLOCKS[2], D.T4_TOTAL)],
           "fee": lat["fee_yuan"], "text_granted": text_granted, "force_granted": "TEXT-TABLE" in d["planted"]}
    narr = N.render(recipe, ctx)
    d.update({
        "version": version, "expected": expected, "values": vals, "display": display,
        "amount_style": rng.choice((0, 0, 1)), "social_label": rng.choice(("社会公益组织", "社会公益组织", "社会组织")),
        "title": f"{office_title}{year}年政府信息公开工作年度报告", "office_title": office_title,
        "preamble": narr["preamble"], "sections": narr["sections"], "section_titles": _sections_titles(rng),
        "sign_org": office_title if rng.random() < 0.8 else (o.name if o.unit_type != "department" else office_title),
        "published_on": pub.isoformat(), "date_cn": f"{pub.year}年{pub.month}月{pub.day}日",
        "text_granted": text_granted,
    })


# ---------------------------------------------------------------------------------------------
# Rendering (in worker processes)
# ---------------------------------------------------------------------------------------------
def _model(d: dict, display: dict | None = None) -> dict:
    from .tables import table2, table3, table4
    v = d["version"]
    display = d["display"] if display is None else display
    return {
        "year": d["year"], "title": d["title"], "preamble": d["preamble"], "sections": d["sections"],
        "section_titles": d["section_titles"], "sign_org": d["sign_org"], "date_cn": d["date_cn"],
        "published_on": d["published_on"], "office_title": d["office_title"],
        "tables": {2: table2(v, d["values"], display, d["amount_style"]),
                   3: table3(d.get("t3_version") or v, d["values"], display, d["social_label"]),
                   4: table4(d["values"])},
    }


def _realworld_bytes(d: dict, rng: random.Random) -> bytes:
    """A real-world layout: a few printing accidents that change no value (a blank cell in an all-zero row,
    the amount's unit moved into the header or printed as 万元), then the drawn layout accidents."""
    from . import realworld
    from .tables import fmt_number
    v, vals = d["version"], d["values"]
    display = dict(d["display"])
    v3 = d.get("t3_version") or v
    zero_rows = [r.key for r in T.TABLES[v3][3].rows
                 if all(vals[T.make_key(3, r.key, c.key)] == 0 for c in T.T3_COLUMNS)]
    if zero_rows and rng.random() < 0.3:  # a blank cell where the page left an empty <td>
        row = rng.choice(zero_rows[-3:])
        display[T.make_key(3, row, rng.choice(T.T3_APPLICANT_COLUMNS))] = ""
    unit_header = None
    amount = next((k for k in T.keys(v) if T.column(v, k).kind == "amount"), None)
    if amount and vals[amount] and v == D.V19:
        shown = display.get(amount, "")
        if shown.endswith("元") and not shown.endswith("万元") and rng.random() < 0.5:
            display[amount], unit_header = shown[:-1], "（元）"  # the unit only in the header
        elif not shown and rng.random() < 0.3:
            display[amount] = fmt_number(vals[amount], amount=True) + "万元"
            unit_header = "（元）" if rng.random() < 0.3 else None  # header says 元, the cell says 万元
    model = _model(d, display)
    style = realworld.draw_style(rng, model, d["format"], vals, v, v3)
    style.t2_unit_header = unit_header
    if amount and v == D.V19:
        _, row, _ = T.split_key(amount)
        projects = vals[T.make_key(2, row, T.TABLES[v][2].columns[row][0].key)]
        if projects and rng.random() < 0.6:  # the narrative states what the glued procurement row leaves open
            style.beside.setdefault(2, []).append(f"全年实施政府集中采购项目{projects}个。")
    return realworld.render(model, d["format"], style)


def render_bytes(d: dict) -> bytes:
    from . import binary, render
    model = _model(d)
    rng = random.Random(f"render-{d['rng_seed']}")
    fmt = d["format"]
    if fmt in REALWORLD:
        return _realworld_bytes(d, rng)
    if fmt == "txt-pdf":
        return render.txt_pdf_tab(model, rng)
    if fmt == "txt-pdf-space":
        return render.txt_pdf_space(model, rng)
    if fmt == "glued":
        return render.glued(model, rng)
    if fmt == "md":
        return render.markdown(model, rng)
    if fmt == "html-utf8":
        return render.html(model, rng)
    if fmt == "html-gbk":
        return render.html(model, rng, encoding="gbk")
    if fmt == "docx":
        return binary.docx(model, rng)
    if fmt == "pdf":
        return binary.pdf(model, rng)
    if fmt == "pdf-scan":
        return binary.pdf_scan(model, rng)
    raise ValueError(fmt)


def _job(args: tuple[dict, str]) -> tuple[str, int]:
    d, path = args
    data = render_bytes(d)
    Path(path).write_bytes(data)
    return path, len(data)


def doc_id(d: dict) -> str:
    return f"{d['year']}-{d['idx']:03d}-{d['office'].name}"


def doc_keys(d: dict) -> list[str]:
    """The canonical keys a document prints: its template's, with table 3 of ``t3_version`` if set."""
    t3v = d.get("t3_version") or d["version"]
    return [k for k in T.keys(d["version"]) if not k.startswith("t3.")] + \
        [k for k in T.keys(t3v) if k.startswith("t3.")]


def truth_of(d: dict, rel: str) -> dict:
    o = d["office"]
    t = {
        "file": rel, "office": o.name, "title_office": d["office_title"], "year": d["year"],
        "template": d["version"], "template_expected": d["expected"], "report_kind": o.report_kind,
        "unit_type": o.unit_type, "region_path": o.region_path, "published_on": d["published_on"],
        "deadline": f"{d['year'] + 1}-{o.deadline}", "format": d["format"], "layout": d["format"],
        "values": {k: d["values"][k] for k in doc_keys(d)},
        "planted": list(d["planted"]), "needs_ocr": d["format"] == "pdf-scan",
        "text_granted": d["text_granted"], "demo": True,
    }
    if d.get("t3_version"):
        t["t3_template"] = d["t3_version"]
    if "dup_source" in d:
        t["dup_source"] = d["dup_source"]
    if d.get("copied_by"):
        t["copied_by"] = d["copied_by"]
    if o.parts:
        t["parts"] = list(o.parts)
    if d["display"]:
        t["printed_as"] = dict(d["display"])
    return t


def generate(out: str | Path, seed: int = 2019, small: bool = False, workers: int | None = None,
             progress: bool = False) -> dict:
    t0 = time.time()
    out = Path(out)
    offices, docs, missing = plan(seed, small)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    for y in YEARS:
        (out / "docs" / str(y)).mkdir(parents=True, exist_ok=True)
    # offices.csv (the registry format of `python -m etl offices import`)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["name", "aliases", "parent", "region_path", "unit_type", "report_kind",
                                        "expected_years"], lineterminator="\n")
    w.writeheader()
    w.writerows(offices_csv_rows(offices))
    (out / "offices.csv").write_text(buf.getvalue(), encoding="utf-8")

    jobs = []
    for d in docs:
        rel = f"docs/{d['year']}/{doc_id(d)}{FORMATS[d['format']][1]}"
        jobs.append((d, str(out / rel)))
        (out / "truth" / f"{doc_id(d)}.json").write_text(
            json.dumps(truth_of(d, rel), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    (out / "truth" / "_missing.json").write_text(json.dumps(missing, ensure_ascii=False, indent=1), encoding="utf-8")
    # heavy formats first so the pool stays busy
    heavy = {"pdf-scan": 0, "pdf": 1, "docx": 2}
    jobs.sort(key=lambda j: heavy.get(j[0]["format"], 9))
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_job, jobs, chunksize=4):
                pass
    else:
        for j in jobs:
            _job(j)
    summary = {
        "seed": seed, "small": small, "offices": len(offices), "documents": len(docs), "missing": len(missing),
        "formats": dict(sorted(Counter(d["format"] for d in docs).items())),
        "planted": dict(sorted(Counter(r for d in docs for r in d["planted"]).items())),
        "clean_share": round(sum(1 for d in docs if not d["planted"]) / max(1, len(docs)), 4),
    }
    (out / "truth" / "_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    summary["seconds"] = round(time.time() - t0, 2)
    return summary
