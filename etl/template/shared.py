"""What every template version has in common: the six sections, table 3's columns and most of its rows,
table 4, and the table-2 blocks (the articles of the regulation they report on)."""
from __future__ import annotations

from .model import Row, SectionSpec, TableSpec, cols

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(1, "一", "overview", "总体情况", ("总体情况", "概述", "基本情况")),
    SectionSpec(2, "二", "proactive", "主动公开政府信息情况", ("主动公开",)),
    SectionSpec(3, "三", "requests", "收到和处理政府信息公开申请情况", ("收到和处理", "依申请", "公开申请情况")),
    SectionSpec(4, "四", "review_litigation", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼"),
                r"(?:因?政府信息公开(?:工作|申请)?)?(?:被申请)?行政复议[、和与及]?(?:提起)?行政(?:法)?诉讼的?情况"),
    SectionSpec(5, "五", "problems", "存在的主要问题及改进情况", ("存在的主要问题", "主要问题", "改进情况"),
                r"(?:政府信息公开工作)?存在的主要问题(?:[和及与]|以及)"
                r"(?:改进情况|改进措施|明年工作计划|整改情况|下一步工作计划)"),
    SectionSpec(6, "六", "other", "其他需要报告的事项", ("其他需要报告", "其他事项")),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# Reports from 2025 insert 五、信息处理费收取情况 after section 四 and number the later ones one higher. No
# version here reads it: its heading only ends section 四 (a version listing it among its sections also
# keeps its text, as section number 7).
PROCESSING_FEES_SECTION = SectionSpec(7, "五", "processing_fees", "信息处理费收取情况", ("信息处理费",), after=4)
INSERTED_SECTIONS = (PROCESSING_FEES_SECTION,)

# The five sub-topics section 一 should cover (SPEC §7 CONTENT-1).
OVERVIEW_TOPICS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障")

# Table 2 blocks ---------------------------------------------------------------------------------
B1, B5, B6, B8, B9 = ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                      "第二十条第（八）项", "第二十条第（九）项")

# Table 3 --------------------------------------------------------------------------------------
# Rows and columns consumers use by name. Table 3's 总计 column (all applicants) and its （七）总计 row
# (all outcomes) are different things.
T3_TOTAL_COLUMN = "total"
T3_NEW_RECEIVED, T3_CARRIED_OVER = "new_received", "carried_over"
T3_GRANTED, T3_PARTIALLY_GRANTED = "granted", "partially_granted"
T3_NOT_HELD = "unable_not_held"  # 本机关不掌握
T3_TOTAL_PROCESSED_ROW, T3_CARRIED_FORWARD = "total_processed", "carried_forward"

T3_COLUMNS = cols(
    ("natural_person", "自然人"), ("commercial", "商业企业"), ("research", "科研机构"),
    ("social_welfare", "社会公益组织"), ("legal_service", "法律服务机构"), ("other_org", "其他"),
    (T3_TOTAL_COLUMN, "总计"),
)
T3_APPLICANT_COLUMNS = tuple(c.key for c in T3_COLUMNS if c.key != T3_TOTAL_COLUMN)
# Printed variants of column labels (after norm).
T3_COLUMN_VARIANTS = {"social_welfare": ("社会公益组织", "社会组织")}

T3_HEAD = (
    Row(T3_NEW_RECEIVED, "一、本年新收政府信息公开申请数量", ("本年新收", "新收政府信息公开申请")),
    Row(T3_CARRIED_OVER, "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Row(T3_GRANTED, "（一）予以公开", ("予以公开",), group="granted"),
    Row(T3_PARTIALLY_GRANTED, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("部分公开",), group="partial"),
    Row("denied_state_secret", "1.属于国家秘密", ("国家秘密",), group="denied"),
    Row("denied_law_prohibited", "2.其他法律行政法规禁止公开", ("法律行政法规禁止", "禁止公开", "其他法律", "行政法规"),
        group="denied"),
    Row("denied_safety_stability", "3.危及“三安全一稳定”", ("三安全一稳定", "危及"), group="denied"),
    Row("denied_third_party", "4.保护第三方合法权益", ("第三方",), group="denied"),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", ("内部事务",), group="denied"),
    Row("denied_process_info", "6.属于四类过程性信息", ("过程性",), group="denied"),
    Row("denied_enforcement_file", "7.属于行政执法案卷", ("执法案卷",), group="denied"),
    Row("denied_admin_query", "8.属于行政查询事项", ("行政查询",), group="denied"),
    Row(T3_NOT_HELD, "1.本机关不掌握相关政府信息", ("不掌握",), group="unable"),
    Row("unable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), group="unable"),
    Row("unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后"), group="unable"),
    Row("rejected_petition", "1.信访举报投诉类申请", ("信访", "举报投诉"), group="rejected"),
    Row("rejected_repeat", "2.重复申请", ("重复申请",), group="rejected"),
    Row("rejected_publication", "3.要求提供公开出版物", ("公开出版物",), group="rejected"),
    Row("rejected_excessive", "4.无正当理由大量反复申请", ("大量反复",), group="rejected"),
    Row("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或"), group="rejected"),
)
T3_TAIL = (
    Row(T3_TOTAL_PROCESSED_ROW, "（七）总计", ("总计",)),
    Row(T3_CARRIED_FORWARD, "四、结转下年度继续办理", ("结转下年度", "下年度继续")),
)

# Printed headings of table 3 that are not rows: the outcome block, its groups, the identity note.
T3_OUTCOME_HEAD = "三、本年度办理结果"
T3_GROUP_LABELS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理",
                   "other": "（六）其他处理"}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Rows that count toward total_processed (the outcome rows).
T3_REASON_GROUPS = ("denied", "unable", "rejected")  # outcomes that give a reason for not disclosing
T3_OUTCOME_GROUPS = ("granted", "partial", "denied", "unable", "rejected", "other")

# Table 4 --------------------------------------------------------------------------------------
T4_TOTAL_COLUMN = "total"
T4_COLUMNS = cols(("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                  ("pending", "尚未审结"), (T4_TOTAL_COLUMN, "总计"))
T4 = TableSpec(4, "any", (
    Row("review", "行政复议", ("行政复议",)),
    Row("suit_direct", "行政诉讼·未经复议直接起诉", ("未经复议直接起诉", "直接起诉")),
    Row("suit_after_review", "行政诉讼·复议后起诉", ("复议后起诉",)),
), {})
T4.columns.update({r.key: T4_COLUMNS for r in T4.rows})

REPORT_KINDS = ("department", "gov_self", "region_summary")
