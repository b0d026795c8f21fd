"""CPU seconds to parse every file of a folder (process time, so other load on the machine matters less).

    PYTHONPATH=<project tree> python benchmarks/parse_time.py DIR    # compare two trees on the same files
"""
import sys, time, pathlib, json
from etl.parse import parse_file
from etl.document import ExtractError
files = sorted(p for p in pathlib.Path(sys.argv[1]).rglob("*") if p.is_file() and p.suffix not in (".json",))
by = {}
for f in files:
    data = f.read_bytes()
    t = time.process_time()
    try:
        parse_file(f, data)
    except ExtractError:
        pass
    by.setdefault(f.suffix, []).append(time.process_time() - t)
tot = sum(sum(v) for v in by.values())
print(json.dumps({k: round(sum(v) / len(v) * 1000, 1) for k, v in sorted(by.items())}), "total", round(tot, 2), "files", sum(map(len, by.values())))
