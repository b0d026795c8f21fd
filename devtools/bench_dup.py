"""Benchmark of the duplication stage on synthetic narratives:

    python -m devtools.bench_dup --n 100000 --chars 1500

Builds N texts of one year (1% copied from another with small edits), computes MinHash signatures,
indexes them in LSH and finds each report's most similar peer — what refresh does for a full year."""
from __future__ import annotations

import argparse
import random
import time

from etl.rules import dup as D
from devtools.factories import _COMMON


def synth(n: int, chars: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    phrases = ["".join(rng.choice(_COMMON) for _ in range(rng.randint(6, 16))) for _ in range(5000)]
    texts = []
    for i in range(n):
        if i > 10 and rng.random() < 0.01:  # a copy with edits
            src = list(texts[rng.randrange(i)])
            for _ in range(20):
                src[rng.randrange(len(src))] = rng.choice(_COMMON)
            texts.append("".join(src))
            continue
        out, ln = [], 0
        while ln < chars:
            p = rng.choice(phrases)
            out.append(p + "，")
            ln += len(p) + 1
        texts.append("".join(out))
    return texts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--chars", type=int, default=1500)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    texts = synth(a.n, a.chars)
    t1 = time.perf_counter()
    idx = D.YearIndex(threshold=0.4)
    for i, t in enumerate(texts):
        idx.add(i, D.signature(D.shingle_hashes(t)), i)
    t2 = time.perf_counter()
    found = 0
    for i in range(len(texts)):
        b = idx.best_peer(i)
        found += b is not None and b[0] >= 0.5
    t3 = time.perf_counter()
    print(f"cpu {time.process_time():.1f}s total")
    print(f"n={a.n} chars={a.chars}: synth {t1 - t0:.1f}s, signatures+LSH insert {t2 - t1:.1f}s "
          f"({(t2 - t1) / a.n * 1e3:.2f} ms/report), query all {t3 - t2:.1f}s; "
          f"reports with a peer >=50%: {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
