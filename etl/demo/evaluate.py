"""`python -m etl eval DIR`: parse every document of a demo corpus with etl.parse.parse_file (in parallel)
and compare with its truth. Prints accuracy per layout (the truth's ``layout``, else its ``format``), silent errors (wrong and unflagged) and a final
``cell accuracy X`` line. Scans (truth needs_ocr) are scored separately: the parser should report them as
needing OCR rather than return numbers."""
from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import time
from collections import defaultdict
from pathlib import Path


def same(a, b) -> bool:
    """Blank/None and 0 count as the same value (as shared/tools/score_corpus.py)."""
    if a is None or b is None:
        return (a or 0) == (b or 0)
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def _one(args: tuple[str, str]) -> dict:
    root, tpath = args
    truth = json.loads(Path(tpath).read_text(encoding="utf-8"))
    src = Path(root) / truth["file"]
    t0 = time.time()
    try:
        from etl.parse import parse_file
        res = parse_file(str(src))
        err = None
    except Exception as e:  # a crash is a result too: every cell wrong
        res, err = {}, f"{type(e).__name__}: {e}"
    dt = time.time() - t0
    got, flags = res.get("values") or {}, res.get("flags") or {}
    misses, silent = [], 0
    nonzero = sum(1 for x in truth["values"].values() if x)
    nonzero_right = nonzero
    for k, x in truth["values"].items():
        y = got.get(k)
        if not same(x, y):
            flagged = k in flags
            silent += (y is not None and not flagged)
            misses.append((k, x, y, flags.get(k)))
            nonzero_right -= bool(x)
    return {
        "file": truth["file"], "format": truth["format"], "layout": truth.get("layout") or truth["format"],
        "needs_ocr": truth.get("needs_ocr", False),
        "cells": len(truth["values"]), "nonzero": nonzero, "nonzero_right": nonzero_right, "misses": misses, "silent": silent, "seconds": dt, "error": err,
        "status": res.get("status"), "ocr_reported": bool(res.get("needs_ocr_pages")),
        "meta_ok": {"year": res.get("year") == truth["year"], "template": res.get("template") == truth["template"],
                    "published_on": res.get("published_on") == truth["published_on"]},
    }


def evaluate(root: str | Path, workers: int | None = None, verbose: int = 0, out=print, scans: bool = True,
             formats: set[str] | None = None) -> dict:
    root = Path(root)
    tfiles = []
    for p in sorted((root / "truth").glob("*.json")):
        if p.name.startswith("_"):
            continue
        t = json.loads(p.read_text(encoding="utf-8"))
        if (not scans and t.get("needs_ocr")) or (formats and t["format"] not in formats):
            continue
        tfiles.append(str(p))
    t0 = time.time()
    workers = workers or os.cpu_count() or 1
    jobs = [(str(root), t) for t in tfiles]
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            results = list(pool.imap_unordered(_one, jobs, chunksize=4))
    else:
        results = [_one(j) for j in jobs]
    wall = time.time() - t0
    results.sort(key=lambda r: r["file"])
    per = defaultdict(lambda: {"docs": 0, "cells": 0, "right": 0, "nonzero": 0, "nonzero_right": 0, "silent": 0,
                               "errors": 0, "seconds": 0.0})
    meta = defaultdict(lambda: [0, 0])
    scans = {"docs": 0, "reported": 0, "cells": 0, "right": 0, "silent": 0}
    for r in results:
        if r["needs_ocr"]:
            scans["docs"] += 1
            scans["reported"] += r["ocr_reported"]
            scans["cells"] += r["cells"]
            scans["right"] += r["cells"] - len(r["misses"])
            scans["silent"] += r["silent"]
            continue
        p = per[r["layout"]]
        p["docs"] += 1
        p["cells"] += r["cells"]
        p["right"] += r["cells"] - len(r["misses"])
        p["nonzero"] += r["nonzero"]
        p["nonzero_right"] += r["nonzero_right"]
        p["silent"] += r["silent"]
        p["errors"] += r["error"] is not None
        p["seconds"] += r["seconds"]
        for k, ok in r["meta_ok"].items():
            meta[k][0] += ok
            meta[k][1] += 1
    # "accuracy" counts a blank/None read of a printed 0 as right (as the shared scorer); "nonzero" is the
    # share of non-zero printed cells read exactly, which withholding cannot inflate
    out(f"{'layout':16s} {'docs':>5s} {'cells':>7s} {'accuracy':>9s} {'nonzero':>8s} {'silent':>7s} {'crashes':>7s} "
        f"{'s/doc':>6s}")
    for fmt in sorted(per):
        p = per[fmt]
        out(f"{fmt:16s} {p['docs']:5d} {p['cells']:7d} {p['right'] / max(1, p['cells']):9.4f} "
            f"{p['nonzero_right'] / max(1, p['nonzero']):8.4f} {p['silent']:7d} "
            f"{p['errors']:7d} {p['seconds'] / max(1, p['docs']):6.3f}")
    if scans["docs"]:
        out(f"{'pdf-scan':16s} {scans['docs']:5d} {scans['cells']:7d} {scans['right'] / max(1, scans['cells']):9.4f} "
            f"{scans['silent']:7d}  (scans, not in the overall figure; reported as needing OCR: "
            f"{scans['reported']}/{scans['docs']})")
    for k, (ok, n) in sorted(meta.items()):
        out(f"{k} correct: {ok}/{n}")
    if verbose:
        shown = 0
        for r in results:
            if r["needs_ocr"]:
                continue
            if r["error"]:
                out(f"  CRASH {r['file']}: {r['error']}")
            for k, x, y, flag in r["misses"]:
                if shown >= verbose:
                    break
                out(f"  {r['file']}  {k}  expected={x!r} got={y!r}{' (' + flag + ')' if flag else ''}")
                shown += 1
    cells = sum(p["cells"] for p in per.values())
    right = sum(p["right"] for p in per.values())
    silent = sum(p["silent"] for p in per.values())
    acc = right / cells if cells else 0.0
    out(f"documents {len(results)}, wall {wall:.1f}s on {workers} processes, silent errors {silent}")
    out(f"cell accuracy {acc:.4f}")
    return {"accuracy": acc, "per_format": {k: dict(v, accuracy=v["right"] / max(1, v["cells"]))
                                            for k, v in per.items()},
            "scans": scans, "silent": silent, "wall": wall, "results": results}
