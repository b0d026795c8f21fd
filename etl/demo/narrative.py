"""Narrative text of a report, from many sentence templates × random phrases × the report's own numbers.

A narrative is drawn as a *recipe* (which templates and phrases, in which order) and rendered with one
report's numbers. Copying a recipe from another report (DUP-PEER) or from last year (DUP-PREV) reproduces
the copied wording with the copier's own numbers — the way real offices copy text.
"""
from __future__ import annotations

import random

INTRO = (
    "{Y}年，{me}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，{a1}，{a2}，政府信息公开工作取得新进展。",
    "{Y}年，在上级政务公开主管部门的指导下，{me}{a1}，{a2}，全年政府信息公开工作总体平稳有序。",
    "{Y}年，{me}把政务公开作为{a3}的重要抓手，{a1}，{a2}，较好完成了年度各项任务。",
    "{Y}年以来，{me}紧紧围绕中心工作，{a2}，{a1}，不断提升政府信息公开的质量和实效。",
    "{Y}年，{me}严格落实政务公开各项要求，{a1}；同时{a2}，切实保障人民群众的知情权、参与权和监督权。",
    "{Y}年度，{me}高度重视政府信息公开工作，{a2}，{a1}，推动政务公开工作提质增效。",
    "{Y}年，{me}以人民为中心，{a1}，{a2}，以公开促落实、促规范、促服务。",
    "{Y}年，{me}持续深化政务公开，{a1}，{a2}，各项工作按计划推进。",
    "过去一年，{me}坚持“公开为常态、不公开为例外”原则，{a1}，{a2}，政务公开水平稳步提高。",
    "{Y}年，{me}对照年度政务公开工作要点逐项抓好落实，{a2}，{a1}。",
)
A1 = ("健全了主要领导负总责、分管领导具体抓的工作机制", "调整充实了政务公开工作领导小组", "明确专人负责信息公开日常工作",
      "完善了信息发布协调机制", "把政务公开纳入年度目标考核", "建立了政务公开工作台账", "强化了公开前保密审查",
      "规范了依申请公开办理流程", "细化了主动公开基本目录", "落实了政务公开工作责任清单")
A2 = ("围绕重点领域加大信息公开力度", "聚焦群众关切及时回应社会热点", "持续推进决策、执行、管理、服务、结果公开",
      "深化基层政务公开标准化规范化建设", "加强政策解读和舆情回应", "拓展政务新媒体等公开渠道", "提升政府网站信息发布质量",
      "着力优化营商环境相关信息公开", "推动民生领域信息公开", "做好重大项目信息公开")
A3 = ("建设法治政府", "转变政府职能", "提升治理能力", "优化营商环境", "服务人民群众", "推进依法行政")

H1 = (("（一）主动公开情况", "（一）主动公开政府信息情况", "（一）主动公开方面"),
      ("（二）依申请公开情况", "（二）依申请公开政府信息情况", "（二）依申请公开方面"),
      ("（三）政府信息管理情况", "（三）政府信息管理方面", "（三）加强政府信息管理"),
      ("（四）政府信息公开平台建设情况", "（四）政府信息公开平台建设方面", "（四）加强政府信息公开平台建设"),
      ("（五）政府信息公开监督保障情况", "（五）监督保障方面", "（五）强化监督保障"))

PRO = (
    "全年通过政府门户网站主动公开各类政府信息{n_pro}条，其中政策文件{n_docs}件。",
    "{Y}年共主动公开政府信息{n_pro}条，涵盖机构职能、政策法规、规划计划、财政预决算等内容。",
    "围绕{topic}等重点领域，及时发布工作动态和公告公示，全年主动公开信息{n_pro}条。",
    "制发规范性文件{n_docs}件，均按规定在政府网站公开，做到应公开尽公开。",
    "发布政策解读材料{n_jd}篇，采用图片、图表、视频等多种形式，增强解读的可读性。",
    "通过政务新媒体发布信息{n_wx}条，及时回应群众关切{n_hy}次。",
    "组织召开新闻发布会{n_fb}场，主要负责同志出席并解读政策{n_jd2}次。",
    "认真落实财政预决算公开要求，按时公开部门预算、决算和“三公”经费。",
    "对{topic}相关信息实行专栏发布，方便公众集中查阅。",
    "主动公开政府信息{n_pro}条，较上年{trend}，信息公开的及时性和准确性进一步提高。",
    "持续做好{topic}信息公开，做到公开内容全面、发布时间及时。",
    "邀请利益相关方、群众代表列席会议{n_fb}次，扩大公众参与。",
)
TOPIC = ("义务教育招生", "征地拆迁", "生态环境保护", "公共资源配置", "重大建设项目", "社会救助", "就业创业",
         "食品药品安全", "安全生产", "乡村振兴", "城市更新", "医疗卫生", "行政执法", "减税降费")
TREND = ("有所增长", "基本持平", "稳中有升", "明显增加", "略有下降")

REQ = (
    "全年共收到政府信息公开申请{n_new}件，上年结转{n_co}件，已全部按照法定时限办结{n_tp}件，其中予以公开{n_g}件，部分公开{n_p}件。",
    "{Y}年，{me}新收政府信息公开申请{n_new}件，办结{n_tp}件，予以公开{n_g}件，结转下年度{n_cf}件。",
    "本年度共受理依申请公开{n_new}件，予以公开{n_g}件，对不予公开和无法提供的均依法说明理由。",
    "全年受理政府信息公开申请{n_new}件，均在法定期限内答复，其中予以公开{n_g}件。",
    "{Y}年共收到依申请公开事项{n_new}件，办理结果均已书面告知申请人，予以公开{n_g}件。",
    "进一步规范依申请公开受理、登记、审核、答复等环节，全年新收申请{n_new}件，予以公开{n_g}件。",
)
REQ_NOG = (
    "全年共收到政府信息公开申请{n_new}件，均按规定程序办理并在法定期限内答复。",
    "{Y}年，{me}新收政府信息公开申请{n_new}件，办理情况详见下表。",
    "本年度依申请公开工作平稳有序，共收到申请{n_new}件，未发生超期答复情况。",
)
REQ_ZERO = (
    "{Y}年，{me}未收到政府信息公开申请。",
    "本年度{me}未接到政府信息公开申请，未受理相关依申请公开事项。",
    "{Y}年度未收到依申请公开事项，依申请公开渠道保持畅通。",
)
REQ_EXTRA = ("严格执行申请登记、审核、答复等程序，做到依法依规、规范高效。", "对申请人提出的问题认真研判，加强与申请人的沟通。",
             "答复文书格式统一、告知事项完整，依申请公开办理质量进一步提升。", "建立依申请公开会商机制，对疑难申请集体研究答复。")

MGT = (
    "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”，全年未发生泄密事件。",
    "对主动公开目录进行动态调整，进一步明确公开主体、公开内容和公开时限。",
    "开展规范性文件清理工作，清理结果及时向社会公布。",
    "加强政府信息源头管理，在公文办理环节明确公开属性。",
    "建立健全政府信息公开台账，做到公开事项有据可查。",
    "对已公开信息开展定期检查，及时更新和撤回过时信息。",
    "规范政府信息发布流程，实行信息发布“三审三校”制度。",
    "落实政策文件公开属性源头认定机制，提高公开的规范性。",
    "组织开展个人隐私信息专项排查，防止敏感信息泄露。",
    "进一步完善政府信息公开指南，方便群众查询和申请。",
)
PLAT = (
    "优化政府网站信息公开专栏设置，提升栏目内容的规范性和实用性。",
    "加强政务新媒体管理，全年运维政务新媒体账号{n_acc}个。",
    "在办事大厅设置政府信息公开查阅点，为群众提供便捷的查阅服务。",
    "推进政务公开专区建设，提供政策咨询、信息查询等服务。",
    "加快政府网站集约化建设，信息发布平台运行平稳。",
    "对网站栏目开展常态化巡查，及时整改空白栏目和更新不及时问题。",
    "利用政务服务平台同步发布办事指南，实现线上线下同源发布。",
    "开设政策问答专栏，收集并答复公众留言{n_ly}条。",
    "完善政府公报发布渠道，全年编印政府公报{n_gb}期。",
    "拓展短视频、图解等公开形式，信息传播力进一步增强。",
)
SUP = (
    "将政务公开工作纳入年度绩效考核，考核结果作为评先评优的重要依据。",
    "组织政务公开业务培训{n_tr}次，参训人员{n_ps}人次。",
    "主动接受社会监督，公布监督举报电话，全年未收到相关投诉。",
    "开展政务公开工作自查，对发现的问题建立清单逐项整改。",
    "落实政府信息公开工作年度报告制度，按时编制并发布年度报告。",
    "聘请政务公开社会监督员，广泛听取群众意见建议。",
    "把政务公开纳入领导干部学习内容，提高干部依法公开意识。",
    "定期通报政务公开工作情况，督促各科室抓好落实。",
    "积极配合上级部门开展的政务公开第三方评估，认真整改评估发现的问题。",
    "健全责任追究机制，对工作不到位的予以通报。",
)
REVIEW_NONE = ("{Y}年，{me}未发生因政府信息公开引起的行政复议和行政诉讼。",
               "本年度未发生政府信息公开行政复议、行政诉讼案件。",
               "全年未发生因政府信息公开被申请行政复议或提起行政诉讼的情况。")
REVIEW_SOME = ("{Y}年，因政府信息公开被申请行政复议{n_rev}件，被提起行政诉讼{n_suit}件，详见下表。",
               "全年共发生政府信息公开行政复议{n_rev}件、行政诉讼{n_suit}件。",
               "本年度涉及政府信息公开的行政复议{n_rev}件，行政诉讼{n_suit}件，均依法积极应对。")
PROB_INTRO = ("{Y}年，{me}政府信息公开工作虽然取得了一定成效，但仍存在一些不足：",
              "对照上级要求和公众期待，{me}政府信息公开工作还存在以下问题：", "存在的主要问题：",
              "（一）存在的问题", "当前工作中仍存在一些薄弱环节，主要表现在：")
PROB = (
    "政策解读的形式还不够丰富，解读的针对性和通俗性有待提高",
    "个别科室对政务公开重视程度不够，信息报送不够及时",
    "政务公开工作人员多为兼职，业务能力有待加强",
    "部分栏目信息更新不及时，内容不够丰富",
    "依申请公开答复的规范性还需进一步提高",
    "政务新媒体互动回应还不够及时",
    "基层政务公开标准化规范化建设有待深化",
    "信息公开与群众需求的结合还不够紧密",
    "公开平台之间的信息同步机制还不够健全",
    "公众参与政策制定的渠道还不够多",
    "对重点领域信息公开的统筹还不够有力",
    "公开内容的深度和广度仍有拓展空间",
)
IMP_INTRO = ("下一步，{me}将重点做好以下工作：", "针对上述问题，{me}将采取以下措施：", "改进措施：",
             "（二）改进情况", "{NY}年，{me}将着力从以下方面加以改进：")
IMP = (
    "加强政策解读，综合运用图表图解、音频视频等方式，提高解读质量",
    "加强业务培训，提升政务公开工作人员的专业能力",
    "完善信息发布审核机制，确保公开信息准确、及时",
    "加强网站栏目巡查，及时更新维护栏目内容",
    "规范依申请公开办理程序，提升答复质量",
    "加强政务新媒体管理，提高互动回应效率",
    "深化重点领域信息公开，回应群众关切",
    "健全监督考核机制，压实工作责任",
    "拓展公众参与渠道，增强政策制定的透明度",
    "推进政务公开与政务服务深度融合",
    "强化公开平台建设，提升平台的集约化水平",
    "加强对下级单位政务公开工作的指导",
)
FEE_NONE = ("{Y}年，{me}未收取信息处理费。", "本年度未收取政府信息公开信息处理费。",
            "{me}严格执行《政府信息公开信息处理费管理办法》，{Y}年度未收取信息处理费。",
            "无其他需要报告的事项。本年度未收取信息处理费。")
FEE_SOME = ("{Y}年，{me}依据《政府信息公开信息处理费管理办法》收取信息处理费{fee}元。",
            "本年度共收取政府信息公开信息处理费{fee}元。")
OTHER6 = ("{Y}年，{me}办理人大代表建议{n_jy}件、政协委员提案{n_ta}件，办理结果均已按要求公开。",
          "本年度无其他需要报告的事项。", "落实上年度政务公开工作要点情况良好，各项任务均按期完成。",
          "{Y}年政务公开工作要点各项任务已全部完成。", "无。")
SUMMARY_NOTE = ("本报告汇总了{org}本级及所属各部门、各乡镇（街道）的政府信息公开工作情况。",
                "本报告数据为{org}各级行政机关政府信息公开情况的汇总统计。")
PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室有关要求编制。报告所列数据统计期限自{Y}年1月1日起至{Y}年12月31日止。如对本报告有疑问，请与{org}联系。",
    "根据《中华人民共和国政府信息公开条例》规定，现公布{org}{Y}年政府信息公开工作年度报告。本报告电子版可在{org}门户网站下载。",
    "本年度报告由{org}根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
    "",
    "",
)


def self_ref(name: str, unit_type: str, kind: str) -> str:
    if kind == "region_summary":
        return "全" + name[-1] if name[-1] in "省市区县" else "全区"
    if unit_type == "government":
        return "我" + name.replace("人民政府", "")[-1]
    if unit_type == "township":
        return "我街道" if "街道" in name else "我" + name.replace("人民政府", "")[-1]
    if unit_type == "dev_zone":
        return "管委会"
    if unit_type == "general_office":
        return "我厅" if name.endswith("厅") else "我办"
    for suf, ref in (("委员会", "我委"), ("厅", "我厅"), ("馆", "我馆"), ("局", "我局")):
        if name.endswith(suf):
            return ref
    return "本单位"


def draw_recipe(rng: random.Random) -> dict:
    """All random wording decisions of one report."""
    return {
        "preamble": rng.randrange(len(PREAMBLE)), "intro": rng.randrange(len(INTRO)),
        "a1": rng.randrange(len(A1)), "a2": rng.randrange(len(A2)), "a3": rng.randrange(len(A3)),
        "h": [rng.randrange(3) for _ in range(5)],
        "pro": rng.sample(range(len(PRO)), rng.randint(2, 4)), "topic": rng.sample(range(len(TOPIC)), 2),
        "trend": rng.randrange(len(TREND)),
        "req": rng.randrange(len(REQ)), "req_mode": rng.random(), "req_nog": rng.randrange(len(REQ_NOG)),
        "req_zero": rng.randrange(len(REQ_ZERO)), "req_extra": rng.sample(range(len(REQ_EXTRA)), rng.randint(0, 2)),
        "mgt": rng.sample(range(len(MGT)), rng.randint(2, 3)), "plat": rng.sample(range(len(PLAT)), rng.randint(2, 3)),
        "sup": rng.sample(range(len(SUP)), rng.randint(2, 3)),
        "review": rng.randrange(3), "prob_intro": rng.randrange(len(PROB_INTRO)),
        "prob": rng.sample(range(len(PROB)), rng.randint(2, 4)), "imp_intro": rng.randrange(len(IMP_INTRO)),
        "imp": rng.sample(range(len(IMP)), rng.randint(3, 4)), "fee": rng.randrange(4),
        "other6": rng.sample(range(len(OTHER6)), rng.randint(0, 2)), "summary": rng.randrange(len(SUMMARY_NOTE)),
        "nums": {k: rng.randint(lo, hi) for k, lo, hi in (
            ("n_jd", 3, 60), ("n_wx", 80, 3000), ("n_hy", 2, 80), ("n_fb", 1, 12), ("n_jd2", 1, 9),
            ("n_acc", 1, 9), ("n_ly", 5, 400), ("n_gb", 4, 12), ("n_tr", 1, 8), ("n_ps", 20, 600),
            ("n_jy", 0, 40), ("n_ta", 0, 50))},
    }


_ORD = "一二三四五六"


def render(recipe: dict, ctx: dict) -> dict:
    """-> {"preamble": str, "sections": {1..6: [paragraph, ...]}} with the report's own numbers.

    ctx: Y, org, me, kind, n_pro, n_docs, n_new, n_co, n_tp, n_g, n_p, n_cf, n_rev, n_suit, fee,
    text_granted (the 予以公开 number the narrative states; differs from n_g for TEXT-TABLE).
    """
    r = recipe
    f = dict(r["nums"])
    f.update(ctx)
    f["NY"] = ctx["Y"] + 1
    f["topic"] = TOPIC[r["topic"][0]]
    f["trend"] = TREND[r["trend"]]
    f["a1"], f["a2"], f["a3"] = A1[r["a1"]], A2[r["a2"]], A3[r["a3"]]
    fmt = lambda s: s.format(**f)  # noqa: E731
    secs: dict[int, list[str]] = {i: [] for i in range(1, 7)}
    s1 = secs[1]
    s1.append(fmt(INTRO[r["intro"]]))
    if ctx["kind"] == "region_summary":
        s1.append(fmt(SUMMARY_NOTE[r["summary"]]))
    s1.append(H1[0][r["h"][0]])
    for i, j in enumerate(r["pro"]):
        f["topic"] = TOPIC[r["topic"][i % 2]]
        s1.append(fmt(PRO[j]))
    s1.append(H1[1][r["h"][1]])
    f["n_g"] = ctx["text_granted"]
    if ctx["n_new"] == 0 and ctx["n_co"] == 0 and not ctx.get("force_granted"):
        s1.append(fmt(REQ_ZERO[r["req_zero"]]))
    elif r["req_mode"] < 0.8 or ctx.get("force_granted"):
        s1.append(fmt(REQ[r["req"]]))
    else:
        s1.append(fmt(REQ_NOG[r["req_nog"]]))
    for j in r["req_extra"]:
        s1.append(REQ_EXTRA[j])
    for h, pool, key in ((2, MGT, "mgt"), (3, PLAT, "plat"), (4, SUP, "sup")):
        s1.append(H1[h][r["h"][h]])
        s1.append("".join(fmt(pool[j]) for j in r[key]))
    # section 4: one sentence before the table
    if ctx["n_rev"] == 0 and ctx["n_suit"] == 0:
        secs[4].append(fmt(REVIEW_NONE[r["review"]]))
    else:
        secs[4].append(fmt(REVIEW_SOME[r["review"]]))
    secs[5].append(fmt(PROB_INTRO[r["prob_intro"]]))
    secs[5].append("".join(f"{_ORD[i]}是{PROB[j]}。" for i, j in enumerate(r["prob"])))
    secs[5].append(fmt(IMP_INTRO[r["imp_intro"]]))
    secs[5].append("".join(f"{_ORD[i]}是{IMP[j]}。" for i, j in enumerate(r["imp"])))
    if ctx["fee"]:
        secs[6].append(fmt(FEE_SOME[r["fee"] % 2]))
    else:
        secs[6].append(fmt(FEE_NONE[r["fee"]]))
    for j in r["other6"]:
        secs[6].append(fmt(OTHER6[j]))
    return {"preamble": fmt(PREAMBLE[r["preamble"]]), "sections": secs}
