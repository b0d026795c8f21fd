"""The 通报 as a sequence of blocks, written once and rendered by both the DOCX and the PDF writer:
("title", text) · ("banner", text) · ("subtitle", text) · ("h1", text) · ("h2", text) · ("p", text) ·
("table", header, rows, relative column widths) · ("note", text)."""
from __future__ import annotations

from etl.labels import SEVERITY, UNIT_TYPES  # the interface's labels, defined once

from .data import DEMO_BANNER, Notice, fmt_change, fmt_value

MAX_ITEMS_PER_OFFICE = 12  # a 通报 lists the main problems; the full list is on the compliance page


def _unit(u) -> str:
    return UNIT_TYPES.get(u or "other", u or "")


def _review(verdict) -> str:
    """A reviewer's verdict after the problem (etl/review.py); 误报 never reaches the 通报."""
    return {"confirmed": "（经审核确认）", "fixed": "（已整改）"}.get(verdict, "")


def _score(s) -> str:
    return "—" if s is None else f"{s:.1f}"


def blocks(n: Notice) -> list[tuple]:
    out: list[tuple] = []
    if n.demo:
        out.append(("banner", DEMO_BANNER))
    out.append(("title", n.title))
    out.append(("subtitle", f"（{n.generated_on.year}年{n.generated_on.month}月{n.generated_on.day}日生成）"))
    undated = n.received - n.on_time - len(n.late) - len(n.unreadable)
    out.append(("p", f"根据《中华人民共和国政府信息公开条例》有关规定，现将{n.region_name}{n.year}年度政府信息公开"
                     "工作年度报告（以下简称“年报”）的发布和检查情况通报如下。"))

    # 一、总体情况 --------------------------------------------------------------------------------
    out.append(("h1", "一、总体情况"))
    summary = (f"{n.year}年度，{n.region_name}应发布年报的单位共{n.due}家，已收到{n.received}家的年报，"
               f"其中按期发布{n.on_time}家、逾期发布{len(n.late)}家")
    if n.unreadable:
        summary += f"、年报无法读取{len(n.unreadable)}家"
    if undated > 0:
        summary += f"、发布日期无法确认{undated}家"
    summary += f"；未发布（未收到）年报{len(n.missing)}家"
    if n.missing_unsure:
        summary += f"，另有{len(n.missing_unsure)}家是否仍应报送有待核实"
    summary += "。"
    scores = [r["score"] for r in n.ranking if r["score"] is not None]
    if scores:
        summary += (f"参与评分的{len(scores)}家单位平均得分{sum(scores) / len(scores):.1f}分，"
                    f"最高{max(scores):.1f}分，最低{min(scores):.1f}分。")
    n_items = sum(len(o["items"]) for o in n.problems)
    if n_items:
        n_e = sum(i["severity"] == "E" for o in n.problems for i in o["items"])
        summary += f"检查发现{len(n.problems)}家单位的年报存在问题{n_items}项，其中错误{n_e}项、警告{n_items - n_e}项。"
    else:
        summary += "已收到的年报未发现不通过的检查项。"
    out.append(("p", summary))

    # 二、报送情况 ------------------------------------------------------------------------------
    out.append(("h1", "二、年报发布情况"))
    out.append(("h2", f"（一）未发布（未收到）年报的单位（{len(n.missing)}家）"))
    if n.missing:
        out.append(("table", ["序号", "单位", "所属地区", "单位类型", "发布期限"],
                    [[str(i), m["office"], m["place"] or "", _unit(m["unit_type"]), m["deadline"] or "—"]
                     for i, m in enumerate(n.missing, 1)], [1, 5, 2.4, 2, 2.2]))
    else:
        out.append(("p", "无。"))
    if n.missing_unsure:
        out.append(("p", "以下单位此后未再收到年报，未导入单位名录时无法确认其是否仍应报送，请核实："
                         + "、".join(m["office"] for m in n.missing_unsure) + "。"))
    out.append(("h2", f"（二）逾期发布年报的单位（{len(n.late)}家）"))
    if n.late:
        out.append(("table", ["序号", "单位", "所属地区", "发布期限", "发布日期", "逾期天数"],
                    [[str(i), m["office"], m["place"] or "", m["deadline"] or "—", m["published_on"] or "—",
                      "—" if m["days_late"] is None else str(m["days_late"])] for i, m in enumerate(n.late, 1)],
                    [1, 5, 2.4, 2.2, 2.2, 1.6]))
    else:
        out.append(("p", "无。"))
    if n.unreadable:
        out.append(("h2", f"（三）年报无法读取的单位（{len(n.unreadable)}家）"))
        out.append(("p", "、".join(r["office"] for r in n.unreadable) + "。请重新提供可读取的年报文件。"))

    # 三、评分排名 ------------------------------------------------------------------------------
    out.append(("h1", "三、年报质量评分排名"))
    out.append(("p", "评分以100分为基础，按检查规则扣分（未发布年报计0分）；同分单位并列。"))
    if n.ranking:
        out.append(("table", ["名次", "单位", "所属地区", "单位类型", "得分", "错误", "警告"],
                    [[str(r["rank"]), r["office"], r["place"] or "", _unit(r["unit_type"]), _score(r["score"]),
                      str(r["n_errors"]), str(r["n_warnings"])] for r in n.ranking],
                    [1.1, 5, 2.4, 2, 1.3, 1.1, 1.1]))
    else:
        out.append(("p", "本年度没有评分结果。"))

    # 四、主要问题 ------------------------------------------------------------------------------
    out.append(("h1", "四、年报存在的主要问题"))
    if not n.problems:
        out.append(("p", "已收到的年报未发现不通过的检查项。"))
    for i, o in enumerate(n.problems, 1):
        head = f"{i}. {o['office']}"
        if o["score"] is not None:
            head += f"（得分{_score(o['score'])}）"
        out.append(("h2", head))
        items = o["items"][:MAX_ITEMS_PER_OFFICE]
        out.append(("table", ["类别", "规则", "问题", "依据"],
                    [[SEVERITY.get(x["severity"], x["severity"]), x["rule"], x["message"] + _review(x.get("review")),
                      x["evidence"]] for x in items], [1.1, 1.8, 6.5, 4]))
        if len(o["items"]) > len(items):
            out.append(("note", f"另有{len(o['items']) - len(items)}项问题，详见合规监测页面。"))

    if n.false_positives:
        out.append(("note", f"经审核认定为误报的{n.false_positives}项检查结果未列入本通报。"))

    # 五、同比变化 ------------------------------------------------------------------------------
    out.append(("h1", f"五、与{n.year - 1}年度相比"))
    out.append(("table", ["指标", f"{n.year}年度", f"{n.year - 1}年度", "变化"],
                [[r["label"], fmt_value(r["this"], r["kind"]), fmt_value(r["last"], r["kind"]),
                  fmt_change(r["this"], r["last"], r["kind"])] for r in n.yoy], [5, 2.6, 2.6, 3.2]))
    notes = [f"{r['label']} = {r['note']}" for r in n.yoy if r.get("note")]
    out.append(("note", "注：申请和案件数为各单位年报之和（不含区域汇总报告）；" + "；".join(notes) + "。"))

    # 六、工作要求 ------------------------------------------------------------------------------
    out.append(("h1", "六、工作要求"))
    out.append(("p", "请未发布年报的单位尽快补发；请逾期发布的单位严格按照规定时限发布年报；请存在问题的单位对照"
                     "问题清单逐项核实、整改，并在下一年度年报中避免同类问题。"))
    if n.demo:
        out.append(("banner", DEMO_BANNER))
    return out
