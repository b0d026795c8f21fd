"""Peak memory of parsing an HTML span bomb (issue 13 item 2): 200 rows x 2000 <td colspan=64 rowspan=64>
(about 14 MB). Parses it the way `etl parse` and ingest do (a worker process under the parser limits) and
prints the wall time, the result and the peak RSS of the worker.

    python benchmarks/span_bomb.py [ROWS CELLS]
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bomb(rows: int, cells: int) -> bytes:
    row = "<tr>" + "<td colspan=64 rowspan=64>1</td>" * cells + "</tr>"
    return ("<html><body><table>" + row * rows + "</table></body></html>").encode()


def main() -> None:
    import json
    import subprocess

    rows, cells = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (200, 2000)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "bomb.html"
        p.write_bytes(bomb(rows, cells))
        size = p.stat().st_size / 1e6
        # one child process running exactly what a pool worker runs (same limits), so its peak RSS is ours to read
        code = ("import json, sys; from etl.ingest import _parse_guarded; "
                "r = _parse_guarded(sys.argv[1], 120); print(json.dumps(r.get('error') or {'status': r['status']}))")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[1])
        dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"stderr": out.stderr[-300:]}
    print(f"bomb {rows}x{cells} ({size:.1f} MB): {dt:.1f} s, result {res}, peak parser RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
