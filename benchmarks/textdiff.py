"""Time of the 正文对照 highlighting (dashboard/textdiff.py) by narrative length.

    python benchmarks/textdiff.py

Synthetic narratives (sentences drawn from a fixed vocabulary, seeded): for each length, the CPU ms (best of
5) to mark one text against another that shares about half its sentences, build the escaped HTML panel and
compute the 5-gram containment, i.e. what the page does for one side."""
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import textdiff as TD  # noqa: E402

WORDS = list("政务公开信息发布平台建设依申请办理答复规范公众参与解读回应监督保障制度推进落实工作年度")


def sentences(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))) + f"{rng.randint(1, 999)}件。"
            for _ in range(n)]


def main() -> None:
    rng = random.Random(14)
    print(f"{'chars':>7} {'ms':>8}")
    for n_sent in (50, 200, 500, 1000, 2000):
        a = sentences(rng, n_sent)
        b = a[: n_sent // 2] + sentences(rng, n_sent - n_sent // 2)
        ta, tb = "\n".join(a), "\n".join(b)
        best = float("inf")
        for _ in range(5):
            t = time.process_time()
            TD.panel(TD.mark(ta, tb))
            TD.containment(ta, tb)
            best = min(best, time.process_time() - t)
        print(f"{len(ta):>7} {best * 1000:>8.1f}")


if __name__ == "__main__":
    main()
