"""Hand-made parse results for tests and benchmarks: internally consistent reports of invented offices
that rules can then be broken on purpose. Keys come from etl.template."""
from __future__ import annotations

import hashlib
import random

from etl import template as T

from etl.rules.view import (CARRIED_FORWARD, CARRIED_OVER, NEW_RECEIVED, PARTIAL, REGULATIONS, T3_TOTAL, T4_REVIEW,
                   T4_TOTAL, TOTAL_PROCESSED, row_key)

_COMMON = ("的 一 是 在 了 和 有 大 这 主 中 人 上 为 们 地 个 用 工 时 要 动 国 产 以 我 到 他 会 作 来 分 生 对 于 学 下 级 "
           "就 年 阶 义 发 成 部 民 可 出 能 方 进 同 行 面 说 种 过 命 度 革 而 多 子 后 自 社 加 小 机 也 经 力 线 本 电 高 "
           "量 长 党 得 实 家 定 深 法 表 着 水 理 化 争 现 所 二 起 政 三 好 十 战 无 农 使 性 前 等 反 体 合 斗 路 图 把 结 "
           "第 里 正 新 开 论 之 物 从 当 两 些 还 天 资 事 队 批 点 育 重 其 思 与 间 内 去 因 件 日 利 相 由 压 员 气 业 代 "
           "全 组 数 果 期 导 平 各 基 或 月 毛 然 如 应 形 想 制 心 样 干 都 向 变 关 问 比 展 那 它 最 及 外 没 看 治 提 五 "
           "解 系 林 者 米 群 头 意 只 明 四 道 马 认 次 文 通 但 条 较 克 又 公 孔 领 军 流 入 接 席 位 情 运 器 并 飞 原 油").split()


def filler(seed: str, n: int = 400) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(rng.choice(_COMMON))
        if i % 23 == 22:
            out.append("。")
    return "".join(out)


def sections(seed: str, extra: dict[int, str] | None = None) -> list[dict]:
    extra = extra or {}
    texts = {
        1: "本机关坚持主动公开、依申请公开，加强政府信息管理、政府信息公开平台建设和监督保障。" + filler(seed + "1"),
        2: filler(seed + "2", 60), 3: filler(seed + "3", 60),
        4: filler(seed + "4", 60), 5: filler(seed + "5", 120), 6: "无其他需要报告的事项。",
    }
    texts.update(extra)
    return [{"number": s.number, "key": s.key, "title": f"{s.numeral}、{s.title}", "text": texts[s.number]}
            for s in T.SECTIONS]


def t3_values(version: str, new: list[int], carried: list[int], forward: list[int]) -> dict[str, int]:
    """A consistent table 3 given per-applicant new / carried-over / carried-forward counts (6 columns)."""
    spec = T.TABLES[version][3]
    vals: dict[str, int] = {}
    granted = row_key(spec, "予以公开")
    unable = row_key(spec, "不掌握")
    for i, c in enumerate(T.T3_APPLICANT_COLUMNS):
        processed = new[i] + carried[i] - forward[i]
        part = 1 if processed >= 2 else 0
        unab = 1 if processed >= 3 else 0
        for r in spec.rows:
            vals[T.make_key(3, r.key, c)] = 0
        vals[T.make_key(3, NEW_RECEIVED, c)] = new[i]
        vals[T.make_key(3, CARRIED_OVER, c)] = carried[i]
        vals[T.make_key(3, CARRIED_FORWARD, c)] = forward[i]
        vals[T.make_key(3, PARTIAL, c)] = part
        vals[T.make_key(3, unable, c)] = unab
        vals[T.make_key(3, granted, c)] = processed - part - unab
        vals[T.make_key(3, TOTAL_PROCESSED, c)] = processed
    for r in spec.rows:
        vals[T.make_key(3, r.key, T3_TOTAL)] = sum(vals[T.make_key(3, r.key, c)] for c in T.T3_APPLICANT_COLUMNS)
    return vals


def t2_values(version: str, in_force: dict[str, int] | None = None, seed: int = 0) -> dict[str, float]:
    spec = T.TABLES[version][2]
    rng = random.Random(seed)
    vals: dict[str, float] = {}
    for r in spec.rows:
        for c in spec.columns[r.key]:
            k = T.make_key(2, r.key, c.key)
            if r.key == REGULATIONS:
                vals[k] = 0
            elif c.kind == "amount":
                vals[k] = round(rng.uniform(1, 500), 2)
            elif c.kind == "signed":
                vals[k] = rng.randint(-2, 3)
            else:
                vals[k] = rng.randint(0, 40)
    if T.version(version).document_stock and in_force:  # 现行有效件数 is a 2021-template column
        for row, n in in_force.items():
            for c in spec.columns[row]:
                if "现行有效" in c.label:
                    vals[T.make_key(2, row, c.key)] = n
    return vals


def t4_values(review_upheld: int = 0) -> dict[str, int]:
    vals = {}
    for r in T.T4.rows:
        for c in T.T4_COLUMNS:
            vals[T.make_key(4, r.key, c.key)] = 0
    up = T.T4_COLUMNS[0].key
    vals[T.make_key(4, T4_REVIEW, up)] = review_upheld
    vals[T.make_key(4, T4_REVIEW, T4_TOTAL)] = review_upheld
    return vals


def make_result(office: str, year: int, *, kind: str = "department", published_on: str | None = "auto",
                new=None, carried=None, forward=None, in_force=None, overrides: dict | None = None,
                flags: dict | None = None, blanks=(), units: dict | None = None, template: str | None = None,
                section_extra: dict | None = None, drop_sections=(), drop_rows=(), file: str | None = None,
                aliases=(), text_seed: str | None = None, review_upheld: int = 0) -> dict:
    version = template or T.template_for_year(year)
    new = new if new is not None else [5, 1, 0, 0, 1, 0]
    carried = carried if carried is not None else [1, 0, 0, 0, 0, 0]
    forward = forward if forward is not None else [1, 0, 0, 0, 0, 0]
    vals: dict = {}
    vals.update(t2_values(version, in_force, seed=year))
    vals.update(t3_values(version, new, carried, forward))
    vals.update(t4_values(review_upheld))
    vals.update(overrides or {})
    flags = dict(flags or {})
    cells = []
    for k in T.keys(version):
        t, row, col = T.split_key(k)
        if row in drop_rows:
            continue
        v = vals.get(k)
        if k in blanks:
            cells.append({"key": k, "table": t, "row": row, "col": col, "value": None, "raw": "", "kind": "empty"})
            vals[k] = None
            continue
        unit = (units or {}).get(k)
        raw = "" if v is None else (f"{v}{unit}" if unit else str(v))
        cells.append({"key": k, "table": t, "row": row, "col": col, "value": v, "raw": raw,
                      "kind": "number" if v else ("zero" if v == 0 else "text"), "unit": unit,
                      "flag": flags.get(k)})
        if flags.get(k) == "uncertain":
            cells[-1]["value"] = None
            vals[k] = None
    if published_on == "auto":
        published_on = f"{year + 1}-01-20"
    secs = [s for s in sections(text_seed or f"{office}{year}", section_extra) if s["number"] not in drop_sections]
    file = file or f"{office}-{year}.txt"
    return {
        "file": file, "format": "txt", "sha256": hashlib.sha256(f"{file}{vals}{secs}".encode()).hexdigest(),
        "parser_version": "test", "status": "ok", "office": office, "office_aliases": list(aliases),
        "year": year, "template": version, "template_expected": T.template_for_year(year), "report_kind": kind,
        "published_on": published_on, "title": f"{office}{year}年政府信息公开工作年度报告",
        "values": {k: vals.get(k) for k in T.keys(version)}, "flags": {k: f for k, f in flags.items()},
        "cells": cells, "sections": secs, "findings": [], "problems": [], "needs_ocr_pages": [], "seconds": 0.0,
    }


def load(con, result: dict) -> int:
    from etl.warehouse import load_result
    return load_result(con, result["file"], result["sha256"], 1000, result)
