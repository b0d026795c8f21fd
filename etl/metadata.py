"""Report metadata: office, year, title, publication date, report kind, other names the office uses."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

from . import template as T
from .document import Document

DEPARTMENT, GOV_SELF, REGION_SUMMARY = T.REPORT_KINDS

_TITLE = re.compile(
    r"^(?P<pre>.*?)(?:关于)?\s*(?P<year>(?:19|20)\d{2})\s*年(?:度)?\s*(?P<mid>.*?)(?:政府)?信息公开(?:工作)?(?:年度)?报告")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DATE_CN = re.compile(r"([〇○零一二三四五六七八九O]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_PUB_LABEL = re.compile(r"(?:(?:发布|公开|印发|成文|发文)(?:日期|时间)\s*[:：]?|(?<!统计)(?<!截止)时间\s*[:：])\s*")
_ALIAS = re.compile(r"(?:^|[，。；：、\s]|年)([\u4e00-\u9fff]{2,8}?(?:片区|开发区|管委会|园区|新区))")
_NOT_NAME_START = ("围绕", "加强", "推进", "全", "本", "各", "我", "在", "对", "为", "以", "向", "按", "据", "由", "和", "及", "与")
# "全市共受理政府信息公开申请3119件": the figures describe the whole region, not the government's own office
_SUMMARY_CLAIM = re.compile(r"全(?:市|县|区|省|州|旗|盟)(?:各级|各地|各部门|各级行政机关|行政机关)?[^。，]{0,6}?"
                            r"(?:共|累计)(?:受理|收到|新收|办理|主动公开|制发)")
_SUMMARY_HINTS = ("全市", "全县", "全区", "全省", "全州", "全旗", "全盟")


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGITS[a] if a else 1) * 10 + (_CN_DIGITS[b] if b else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def parse_date(text: str) -> date | None:
    for m in _DATE_NUM.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    for m in _DATE_CN.finditer(text):
        try:
            return date(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
        except (ValueError, KeyError):
            continue
    return None


# Page furniture that archivers and crawlers keep before a title: a field label ("标题:"), a breadcrumb
# ("首页 > 政务公开 > …", "当前位置：首页政务公开…"), a column name.
_FIELD_LABEL = re.compile(r"^(?:标题|题名|名称|文章标题|信息名称|主题|当前位置|您的位置|位置|栏目)[:：]")
_CRUMB = re.compile(r"[>＞›»→]|&gt;")


def _clean_office(s: str) -> str | None:
    s = _strip_furniture(re.sub(r"[\s\u3000]+", "", s))  # the last step of a breadcrumb is the page
    s = re.sub(r"^[（(【\[]?示例数据[）)】\]]?", "", s)
    s = s.strip("《》“”\"'：:，,、")
    s = re.sub(r"(关于|的)$", "", s)
    return s or None


def _name_like(line: str) -> bool:
    """A short line of name characters (an office name, or part of a wrapped title)."""
    t = re.sub(r"\s+", "", line)
    return 2 <= len(t) <= 30 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", t) is not None


def _strip_furniture(s: str) -> str:
    s = _FIELD_LABEL.sub("", s)
    if _CRUMB.search(s):
        s = _CRUMB.split(s)[-1]
    return _FIELD_LABEL.sub("", s)


def _title_from(chunk: str) -> dict | None:
    m = _TITLE.search(_strip_furniture(re.sub(r"\s+", "", chunk)))
    if not m:
        return None
    pre = m.group("pre")
    if re.search(r"年报|首页", pre[:-3]):
        pre = re.sub(r"^.*(?:年报|首页)", "", pre)  # a breadcrumb without separators: 首页政务公开…年报
    office = _clean_office(pre) or _clean_office(m.group("mid"))
    if office and (len(office) > 40 or len(office) < 3 or re.search(r"[。，；！？]", office)):
        office = None  # a sentence or a fragment, not a name
    return {"title": m.group(0), "year": int(m.group("year")), "office": office}


def title_info(doc: Document) -> dict:
    """Office, year and title from the first lines (the title may be split over two lines)."""
    head = []
    for b in doc.blocks[:40]:  # web pages put navigation before the title
        t = b.text.strip()
        if t and len(t) <= 80:
            head.append(t)
    candidates = head[:25]
    if doc.meta.get("title"):
        candidates = candidates + [doc.meta["title"]]
    fallback = None
    for i, line in enumerate(candidates):
        hit = _title_from(line)
        if hit is None and i + 1 < len(candidates) and len(candidates[i + 1]) <= 12:
            hit = _title_from(line + candidates[i + 1])  # "2024 年…政府信息公开工作" / "年度报告"
        if hit is None:
            continue
        if hit["office"] is None and i > 0:
            # the office printed on the line(s) above the title, or a title wrapped across lines
            for k in (1, 2):
                if i - k >= 0 and all(_name_like(c) for c in candidates[i - k:i]):
                    joined = _title_from("".join(candidates[i - k:i + 1]))
                    if joined and joined["office"]:
                        return joined
        if hit["office"]:
            return hit
        fallback = fallback or hit
    if fallback:
        return fallback
    first = head[0] if head else None
    if first and re.search(r"[。，；]", first):
        first = None  # a sentence of the body, not a title
    return {"title": first[:80] if first else None, "year": None, "office": None}


_SIGNATURE = re.compile(r"^([\u4e00-\u9fff（）()]{3,30}?)\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_ORG_END = ("局", "委", "委员会", "办", "办公室", "办公厅", "厅", "府", "政府", "会", "中心", "院", "所", "馆", "处", "站",
            "队", "署", "街道", "镇", "乡", "片区")


def from_signature(doc: Document) -> str | None:
    """The office that signs the report at its end ("XX局 2025年1月27日"): a fallback when no title names it."""
    for b in reversed(doc.blocks[-8:]):
        m = _SIGNATURE.match(re.sub(r"[\s\u3000]+", "", b.text))
        if m and m.group(1).endswith(_ORG_END) and not m.group(1).startswith(_NOT_NAME_START):
            return m.group(1)
    return None


def guess_year(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text[:5000]))
    return years.most_common(1)[0][0] if years else None


def published_on(doc: Document, year: int | None) -> str | None:
    """A publication date stated by the page's metadata, a 发布日期 line, or the dated signature at the
    end. Only dates after the report year are accepted (a date inside the year is narrative)."""
    def plausible(d: date | None) -> bool:
        return d is not None and (year is None or year < d.year <= year + 2)

    meta = doc.meta.get("published_meta")
    if meta:
        d = parse_date(meta) or _iso(meta)
        if plausible(d):
            return d.isoformat()
    for b in doc.blocks:
        t = b.text
        m = _PUB_LABEL.search(t)
        if m:
            d = parse_date(t[m.end():m.end() + 30]) or _iso(t[m.end():m.end() + 30])
            if plausible(d):
                return d.isoformat()
    for b in reversed(doc.blocks[-12:]):
        t = re.sub(r"\s+", "", b.text)
        if len(t) <= 40:
            d = parse_date(t)
            if plausible(d):
                return d.isoformat()
    return None


def _iso(s: str) -> date | None:
    m = re.search(r"((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})", s)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def aliases(office: str | None, text: str) -> list[str]:
    """Other names a report uses for its office, e.g. 玉川片区 for 经济技术开发区管理办公室 (named at least
    twice at the start of a clause)."""
    counts = Counter(m.group(1) for m in _ALIAS.finditer(text[:20000]))
    out = []
    for name, n in counts.most_common(3):
        if name.startswith(_NOT_NAME_START):
            continue
        if n >= 2 and name != office and (office is None or name not in office):
            out.append(name)
    return out


def report_kind(office: str | None, text: str) -> str | None:
    """department | gov_self | region_summary, from the office name and what the text claims to cover."""
    if not office:
        return None
    if re.fullmatch(r"[\u4e00-\u9fff]{1,12}?(?:省|自治区|市|区|县|自治县|州|自治州|旗|盟)", office):
        return REGION_SUMMARY  # the title names a region, not an office: a summary of its offices
    if office.endswith(("人民政府", "政府", "行政公署")):
        hints = sum(text.count(h) for h in _SUMMARY_HINTS)
        if "汇总" in text[:3000] or hints >= 6 or _SUMMARY_CLAIM.search(text):
            return REGION_SUMMARY
        return GOV_SELF
    if office.endswith(("街道办事处", "街道", "乡", "镇")):
        return GOV_SELF  # township-level governments report for themselves
    if office.endswith(("管委会", "管理委员会")):
        # the administration of a whole zone reports like a government (its 办公室 is a department)
        return REGION_SUMMARY if _SUMMARY_CLAIM.search(text) else GOV_SELF
    return DEPARTMENT  # including a government's 办公室/办公厅, which reports as a department


_NAME_RUN = re.compile(r"[\u4e00-\u9fff（）()]{3,40}")


def from_filename(path: str) -> dict:
    """Office and year as a supervisor's file name states them (e.g. 2023-白鹭市交通运输局.pdf): a fallback
    when the document itself does not say (a scan without OCR, a title page lost in conversion)."""
    from pathlib import PurePath

    stem = PurePath(path).stem
    years = [int(y) for y in re.findall(r"(?<!\d)(20[0-4]\d)(?!\d)", stem)]
    runs = [r for r in _NAME_RUN.findall(stem)]
    office = None
    for r in sorted(runs, key=len, reverse=True):
        r = re.sub(r"(?:关于)?(?:\d{4}年度?)?(?:政府)?信息公开(?:工作)?(?:年度)?报告$", "", r)
        r = re.sub(r"年度?$", "", r)
        if len(r) >= 3:
            office = r
            break
    return {"office": office, "year": years[0] if years else None}
