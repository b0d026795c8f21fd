"""`python -m devtools bench [--reports N] [--json] [--corpus DIR]` — how fast at national scale.

(a) parse throughput per input format on a demo corpus (generated with `etl demo --small` unless
    --corpus is given), in one process and on all cores;
(b) a synthetic warehouse of N reports built in SQL (:func:`devtools.synthetic_warehouse.synthetic_warehouse`), then p50/p95
    latency of every named query of the dashboard's registry (dashboard.queries.QUERIES), run through
    dashboard.queries.execute — the very function the dashboard calls — under several filter selections;
(c) peak memory and warehouse size;
(d) with --ingest: the whole ingest (`python -m etl ingest`, parse + load + rules + marts) of the corpus
    into a fresh warehouse with 1, 2, … worker processes, local and on a Dask LocalCluster — how ingest
    throughput grows with the number of cores.
"""
from __future__ import annotations

import json
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from etl import config

ROOT = Path(__file__).resolve().parents[1]


def register(sub) -> None:
    p = sub.add_parser("bench", help="性能基准 / benchmark parsing and dashboard queries at scale")
    p.add_argument("--reports", type=int, default=100_000, help="reports in the synthetic warehouse")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--corpus", default=None, help="report files to time parsing on (default: a generated demo corpus)")
    p.add_argument("--no-parse", action="store_true", help="skip the parse benchmark")
    p.add_argument("--no-queries", action="store_true", help="skip the warehouse/query benchmark")
    p.add_argument("--parse-limit", type=int, default=240, help="at most this many files per run (spread over formats)")
    p.add_argument("--repeat", type=int, default=5, help="runs of each query per filter selection")
    p.add_argument("--db", default=None, help="where to build the synthetic warehouse (default: a temp dir)")
    p.add_argument("--reuse", action="store_true", help="reuse --db when it already holds N reports")
    p.add_argument("--workers", type=int, default=None, help="processes for the all-cores parse run")
    p.add_argument("--persistent", action="store_true",
                   help="time the SQL on one open connection instead of dashboard.queries.execute "
                        "(which opens the warehouse for every query)")
    p.add_argument("--ingest", action="store_true",
                   help="time the whole ingest of the corpus with 1..N workers (local and Dask executors)")
    p.add_argument("--executors", default="local,dask", help="with --ingest: which executors to time")
    p.add_argument("--marts", choices=["direct", "etl"], default="direct",
                   help="direct: report_facts from the generated values (fast); etl: etl.marts.build over cells")
    p.set_defaults(func=run)


# ---------------------------------------------------------------------------------------------
# (a) parsing
# ---------------------------------------------------------------------------------------------
def _corpus_files(corpus: Path, limit: int) -> list[Path]:
    from etl.ingest import find_files

    docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    files = find_files([docs])
    by_ext: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        by_ext[f.suffix.lower()].append(f)
    out: list[Path] = []
    i = 0
    while len(out) < min(limit, len(files)):  # round-robin over extensions so every format is timed
        for ext in sorted(by_ext):
            if i < len(by_ext[ext]) and len(out) < limit:
                out.append(by_ext[ext][i])
        i += 1
    return out


def bench_parse(corpus: Path, limit: int = 240, workers: int | None = None) -> dict:
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp

    from etl.ingest import parse_one

    files = _corpus_files(corpus, limit)
    fmt_of: dict[str, str] = {}
    per: dict[str, dict] = defaultdict(lambda: {"files": 0, "bytes": 0, "seconds": 0.0, "failed": 0})
    t0 = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        r = parse_one(str(f))
        dt = time.perf_counter() - t
        fmt = r.get("format") or f.suffix.lower().lstrip(".") or "unknown"
        if fmt == "pdf" and r.get("needs_ocr_pages"):
            fmt = "pdf-ocr"
        fmt_of[str(f)] = fmt
        d = per[fmt]
        d["files"] += 1
        d["bytes"] += f.stat().st_size
        d["seconds"] += dt
        d["failed"] += r.get("status") == "failed"
    one_s = time.perf_counter() - t0
    workers = workers or os.cpu_count() or 1
    ctx = mp.get_context("forkserver")
    per_all: dict[str, float] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(parse_one, [str(f) for f in files[:workers]]))  # warm the workers up
        t0 = time.perf_counter()
        for fmt in sorted(per):
            group = [str(f) for f in files if fmt_of[str(f)] == fmt]
            t = time.perf_counter()
            list(pool.map(parse_one, group, chunksize=max(1, len(group) // (4 * workers))))
            per_all[fmt] = time.perf_counter() - t
    all_s = time.perf_counter() - t0
    formats = {}
    for fmt, d in sorted(per.items()):
        formats[fmt] = {
            "files": d["files"], "failed": d["failed"], "mb": round(d["bytes"] / 1e6, 2),
            "ms_per_file": round(1000 * d["seconds"] / d["files"], 1),
            "files_per_s_1proc": round(d["files"] / d["seconds"], 2) if d["seconds"] else None,
            f"files_per_s_{workers}proc": round(d["files"] / per_all[fmt], 2) if per_all.get(fmt) else None,
        }
    return {"corpus": str(corpus), "files": len(files), "workers": workers,
            "files_per_s_1proc": round(len(files) / one_s, 2),
            f"files_per_s_{workers}proc": round(len(files) / all_s, 2), "formats": formats}


# ---------------------------------------------------------------------------------------------
# (d) whole ingest with 1..N workers
# ---------------------------------------------------------------------------------------------
def bench_ingest(corpus: Path, max_workers: int | None = None, executors=("local", "dask")) -> dict:
    """Run `python -m etl ingest` (OCR off) on the corpus into a fresh warehouse for every executor and
    worker count; files/s over the whole command (process start, parse, load, rules, marts)."""
    import re
    import subprocess

    from etl.ingest import find_files

    docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus
    n = len(find_files([docs]))
    max_workers = max_workers or os.cpu_count() or 1
    runs = []
    for ex in executors:
        for w in range(1, max_workers + 1):
            with tempfile.TemporaryDirectory(prefix="gkjb-bench-ingest-") as tmp:
                cmd = [sys.executable, "-m", "etl", "ingest", str(docs), "--db", str(Path(tmp) / "w.duckdb"),
                       "--workers", str(w), "--executor", ex, "--no-progress"]
                t = time.perf_counter()
                r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                   env={**os.environ, "GKJB_OCR": "0", "DASK_TEMPORARY_DIRECTORY": tmp})
                dt = time.perf_counter() - t
                if r.returncode != 0:
                    runs.append({"executor": ex, "workers": w, "error": (r.stderr or r.stdout)[-300:]})
                    continue
                m = re.search(r"(\d+) loaded", r.stdout)
                runs.append({"executor": ex, "workers": w, "files": n, "seconds": round(dt, 1),
                             "files_per_s": round(n / dt, 2), "summary": r.stdout.strip().splitlines()[0][:200]
                             if r.stdout.strip() else "", "loaded": int(m.group(1)) if m else None})
    base = {r["executor"]: r["files_per_s"] for r in runs if r.get("workers") == 1 and "files_per_s" in r}
    for r in runs:
        if "files_per_s" in r and base.get(r["executor"]):
            r["speedup_vs_1"] = round(r["files_per_s"] / base[r["executor"]], 2)
    return {"corpus": str(docs), "files": n, "runs": runs}


# ---------------------------------------------------------------------------------------------
# (b) dashboard queries on a synthetic warehouse
# ---------------------------------------------------------------------------------------------
def _selections(db: Path):
    """Filter selections a user makes: national, one province and year, one city, one office."""
    import duckdb

    from dashboard.filters import Filters

    con = duckdb.connect(str(db), read_only=True)
    try:
        prov, city, year = con.execute(
            "SELECT province, city, max(year) FROM report_facts WHERE province IS NOT NULL "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
        office = con.execute("SELECT office_id FROM report_facts WHERE province = ? AND office_id IS NOT NULL "
                             "LIMIT 1", [prov]).fetchone()[0]
        ids = [r[0] for r in con.execute("SELECT DISTINCT office_id FROM report_facts WHERE office_id IS NOT NULL "
                                         "ORDER BY office_id LIMIT 3").fetchall()]
        rid = con.execute("SELECT max(report_id) // 2 FROM report_facts").fetchone()[0]
        rid = con.execute("SELECT min(report_id) FROM report_facts WHERE report_id >= ?", [rid]).fetchone()[0]
        provs = [r[0] for r in con.execute("SELECT DISTINCT province FROM report_facts WHERE province IS NOT NULL "
                                           "ORDER BY 1 LIMIT 2").fetchall()]
    finally:
        con.close()
    sels = {
        "all": Filters(),
        "province+year": Filters(province=prov, years=(int(year),)),
        "city": Filters(province=prov, city=city),
        "office": Filters(office_id=int(office)),
    }
    return sels, {"rid": int(rid), "ids": ids, "names": provs, "year": int(year)}


def _args_for(q, f, real: dict) -> dict:
    args = {}
    for k, v in q.sample.items():
        if k == "level":
            v = f.level() if f.level() != "province" or v is None else v
        elif k in real:
            v = real[k]
        args[k] = v
    return args


def bench_queries(db: Path, repeat: int = 5, persistent: bool = False) -> dict:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ[config.WAREHOUSE_ENV] = str(db)  # the dashboard's queries read the synthetic warehouse
    from dashboard import queries as Q

    sels, real = _selections(db)
    out: dict = {}
    con = None
    if persistent:
        import duckdb
        from dashboard import db as D
        con = duckdb.connect(str(db), read_only=True, config=dict(D.READ_CONFIG))

    def execute(name, f, **args):
        if con is None:
            return Q.execute(name, f, **args)
        sql, params = Q.build(name, f, **args)
        return con.execute(sql, params).df()

    for name, q in Q.QUERIES.items():
        times: list[float] = []
        by_sel: dict[str, float] = {}
        err = None
        for sname, f in sels.items():
            args = _args_for(q, f, real)
            if name == "compare_regions":
                args["level"] = "province"
            ts = []
            for _ in range(repeat):
                t = time.perf_counter()
                try:
                    execute(name, f, **args)
                except Exception as e:  # record, keep timing the others
                    err = f"{type(e).__name__}: {e}"[:300]
                    break
                ts.append(1000 * (time.perf_counter() - t))
            if ts:
                times += ts
                by_sel[sname] = round(statistics.median(ts), 1)
        if not times:
            out[name] = {"error": err}
            continue
        times.sort()
        out[name] = {"p50_ms": round(statistics.median(times), 1),
                     "p95_ms": round(times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)], 1),
                     "max_ms": round(times[-1], 1), "p50_by_selection": by_sel}
        if err:
            out[name]["error"] = err
    if con is not None:
        con.close()
    return out


def _rss_mb() -> float:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(self_kb, child_kb) / 1024, 1)


def _size_mb(db: Path) -> float:
    return round(sum(p.stat().st_size for p in (db, Path(str(db) + ".wal")) if p.exists()) / 1e6, 1)



def run(args) -> int:
    log = (lambda m: print(m, file=sys.stderr)) if args.json else print
    result: dict = {"reports": args.reports}
    tmp = None
    # (a)
    if not args.no_parse:
        corpus = Path(args.corpus) if args.corpus else None
        if corpus is None:
            tmp = tempfile.TemporaryDirectory(prefix="gkjb-bench-")
            corpus = Path(tmp.name) / "demo"
            log(f"generating a small demo corpus in {corpus} …")
            from etl.demo.generate import generate
            generate(str(corpus), small=True)
        log(f"parsing {corpus} …")
        result["parse"] = bench_parse(corpus, args.parse_limit, args.workers)
    # (d)
    if args.ingest:
        if not args.corpus:
            print("error: --ingest needs --corpus DIR (e.g. the default demo corpus)", file=sys.stderr)
            return 2
        log(f"timing whole ingest of {args.corpus} …")
        result["ingest"] = bench_ingest(Path(args.corpus), args.workers, tuple(args.executors.split(",")))
    # (b)
    if not args.no_queries:
        tdb = None
        if args.db:
            db = Path(args.db)
        else:
            tdb = tempfile.TemporaryDirectory(prefix="gkjb-bench-db-")
            db = Path(tdb.name) / "bench.duckdb"
        reuse = False
        if args.reuse and db.exists():
            import duckdb
            con = duckdb.connect(str(db), read_only=True)
            try:
                reuse = con.execute("SELECT count(*) FROM reports").fetchone()[0] == args.reports
            finally:
                con.close()
        if not reuse:
            log(f"building a synthetic warehouse of {args.reports:,} reports at {db} …")
            t0 = time.perf_counter()
            from devtools.synthetic_warehouse import synthetic_warehouse
            result["build"] = synthetic_warehouse(db, args.reports, log=log,
                                                  marts=True if args.marts == "etl" else "direct")
            result["build_seconds"] = round(time.perf_counter() - t0, 1)
        result["warehouse_mb"] = _size_mb(db)
        log("timing dashboard queries …")
        result["queries"] = bench_queries(db, args.repeat, args.persistent)
        if tdb is not None:
            tdb.cleanup()
    result["peak_rss_mb"] = _rss_mb()
    if tmp is not None:
        tmp.cleanup()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        _print(result)
    return 0


def _print(r: dict) -> None:
    if "parse" in r:
        p = r["parse"]
        print(f"\nparse: {p['files']} files, " + ", ".join(f"{k} = {v}" for k, v in p.items() if k.startswith("files_per")))
        for fmt, d in p["formats"].items():
            print(f"  {fmt:10s} " + "  ".join(f"{k}={v}" for k, v in d.items()))
    if "ingest" in r:
        print(f"\ningest of {r['ingest']['files']} files ({r['ingest']['corpus']}):")
        for d in r["ingest"]["runs"]:
            if "error" in d:
                print(f"  {d['executor']:6s} {d['workers']} workers: error {d['error']}")
            else:
                print(f"  {d['executor']:6s} {d['workers']} workers: {d['seconds']:7.1f} s  {d['files_per_s']:6.2f} files/s"
                      f"  x{d.get('speedup_vs_1', 1.0)}")
    if "queries" in r:
        print(f"\nqueries on {r['reports']:,} reports (warehouse {r.get('warehouse_mb')} MB):")
        slow = 0
        for name, d in r["queries"].items():
            if "p50_ms" in d:
                mark = "  SLOW" if d["p95_ms"] >= 500 else ""
                slow += bool(mark)
                print(f"  {name:22s} p50 {d['p50_ms']:8.1f} ms   p95 {d['p95_ms']:8.1f} ms{mark}")
            else:
                print(f"  {name:22s} error: {d['error']}")
        print(f"  {slow} queries with p95 >= 500 ms")
    print(f"\npeak RSS {r['peak_rss_mb']} MB")
