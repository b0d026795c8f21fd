"""Worst-case time of the glued-digit decoder (issue 13 item 3) and of parsing a report that prints such a row.

    python benchmarks/glued_rows.py            # random rows of 20..84 digits, table-3 and table-4 shapes

Prints, per row length, the slowest decode in CPU ms and its search steps, then the parse time of a one-line
page whose table-3 row 一、 is a 60-digit run."""
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl import glued as G  # noqa: E402
from etl.parse import parse_file  # noqa: E402

T3 = G.row_shape(("count",) * 7, total_of=6)
T4 = G.row_shape(("count",) * 15, block=5)


def main() -> None:
    rng = random.Random(13)
    print(f"{'digits':>6} {'worst ms':>9} {'steps':>7}")
    for n in (20, 30, 40, 50, 60, 70, 84):
        worst = (0.0, 0)
        for _ in range(20):
            digits = "".join(rng.choice("0123456789") for _ in range(n))
            for shape in (T3, T4):
                stats: dict = {}
                t = time.process_time()
                G.decode([digits], shape, stats=stats)
                worst = max(worst, ((time.process_time() - t) * 1000, stats["nodes"]))
        print(f"{n:>6} {worst[0]:>9.1f} {worst[1]:>7}")
    row = "".join(rng.choice("123456789") for _ in range(60))
    page = ("标题: 示例局2024年政府信息公开工作年度报告 一、总体情况 本年度工作。二、主动公开政府信息情况 第二十条第（一）项 "
            "信息内容 本年制发件数 本年废止件数 现行有效件数 规章000行政规范性文件123 三、收到和处理政府信息公开申请情况 "
            f"申请人情况 自然人 总计 一、本年新收政府信息公开申请数量{row}二、上年结转政府信息公开申请数量0000000"
            "（七）总计0000000四、结转下年度继续办理0000000 四、政府信息公开行政复议、行政诉讼情况 行政复议 总计 "
            "000000000000000 五、存在的主要问题及改进情况 无。六、其他需要报告的事项 无。")
    path = Path("/tmp/glued_bench.txt")
    path.write_text(page, encoding="utf-8")
    t = time.process_time()
    r = parse_file(path)
    print(f"parse of a one-line page with a 60-digit table-3 row: {(time.process_time() - t) * 1000:.0f} ms, "
          f"row new_received flags: {sorted({r['flags'].get(k) for k in r['flags'] if 'new_received' in k})}")


if __name__ == "__main__":
    main()
