"""Unfold a web page that an archiver or crawler saved on one line back into the lines it was printed on.

Archived page text often holds breadcrumbs, title, narrative, all three tables and the signature in a
single line, with table cells glued together (``规章000规范性文件454545``). The tables are found again by
their printed labels: a line is cut before section headings, table-2 block labels (第二十条第（一）项),
numbered row labels (（一）, 1., 一、) and wherever a label starts right after a run of digits. Prose is cut
at sentence ends and otherwise left whole, so that a number inside a sentence never stands beside a label.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import template as T

LONG_LINE = 300  # a printed line of a report is shorter than this; a page saved on one line is longer
_TABLE_MARKERS = ("第二十条", "总计", "行政复议", "予以公开")

_SENTENCE_END = re.compile(r"(?<=[。！？])")


@lru_cache(maxsize=8)
def _heading_rx(titles: tuple[str, ...]) -> re.Pattern:
    """A section heading: numeral, 、, then one of the titles real reports print (the template's printed
    section titles), else a short title that ends in one of the words titles end with."""
    return re.compile(r"[一二三四五六七][、.．]\s*(?:" + "|".join(titles) +
                      r"|[^\d\s。，；：（(]{2,30}?(?:情况|事项|措施|问题|计划))")


def _heading() -> re.Pattern:
    return _heading_rx(tuple(s.title_pattern for s in T.section_catalogue()))


_SUBHEAD = re.compile(r"(?<!第)[（(][一二三四五六七八九十][)）]")
_BLOCK = re.compile(r"第二十条第[（(][一二三四五六七八九十][)）]项")
_ROW_NUMERAL = re.compile(r"[一二三四五六七八九十][、]")
# a row number such as "2." glued to the digits of the row before it: "00000002.其他法律…"
_ITEM = re.compile(r"[1-9](?=[.．、][\u4e00-\u9fff“\"])")
# a label starting right after digits, unless the character is a unit or part of a date
_UNITS = "元万件条个年月日号项次人家份余多届季周天倍亿千百"
_DIGIT_THEN_LABEL = re.compile(rf"(?<=\d)(?=[\u4e00-\u9fff])(?![{_UNITS}])")
# a year starting a sentence right after a row's digits: "…继续办理60000062024年，…"
_DIGIT_THEN_YEAR = re.compile(r"(?<=\d)(?=(?:19|20)\d{2}\s*年)")
_CLAUSE = re.compile(r"[，；：。！？,;]")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")


def needs_unfold(line: str) -> bool:
    return len(line) > LONG_LINE and sum(m in line for m in _TABLE_MARKERS) >= 2


def _is_section_heading(text: str) -> bool:
    m = re.match(r"([一二三四五六七])[、.．]\s*(.*)", T.norm(text))
    if not m:
        return False
    return any(k in m.group(2) for s in T.section_catalogue() for k in s.keywords)


def _cuts(segment: str, fine: bool) -> list[int]:
    cuts = {m.start() for m in _SUBHEAD.finditer(segment)}
    if fine:
        for rx in (_BLOCK, _ROW_NUMERAL, _ITEM):
            cuts.update(m.start() for m in rx.finditer(segment))
        cuts.update(m.start() for m in _DIGIT_THEN_LABEL.finditer(segment))
        cuts.update(m.start() for m in _DIGIT_THEN_YEAR.finditer(segment))
    # never cut inside a block label (第二十条第（一）项) or between a numeral and its 、
    for m in _BLOCK.finditer(segment):
        cuts.difference_update(range(m.start() + 1, m.end()))
    return sorted(c for c in cuts if 0 < c < len(segment))


# The report's title at the head of the page, after breadcrumbs or at the start (never a title-like phrase
# inside a sentence: "关于做好2024年政府信息公开工作年度报告编制…").
_TITLE = re.compile(r"(?:^|(?<=[\s>＞›»|】\]]))[\u4e00-\u9fff（）()]{2,40}?(?:19|20)\d{2}\s*年度?"
                    r"[\u4e00-\u9fff]{0,12}?(?:政府)?信息公开(?:工作)?(?:年度)?报告")


def unfold(line: str) -> list[tuple[int, str]]:
    """(offset in the line, text) of each printed line folded into ``line``."""
    # 0. the title stands alone, and what stands before it (breadcrumbs) too
    head = line[:line.find("。")] if "。" in line else line
    t = _TITLE.search(head)
    if t:
        before = [(0, line[:t.start()])] if line[:t.start()].strip() else []
        rest = [(off + t.end(), piece) for off, piece in unfold(line[t.end():])] if t.end() < len(line) else []
        return [*before, (t.start(), t.group().strip()), *rest]
    # 1. section headings stand alone (their body often follows without a break)
    pieces: list[tuple[int, str]] = []
    pos = 0
    for m in _heading().finditer(line):
        if not _is_section_heading(m.group()):
            continue
        if m.start() > pos:
            pieces.append((pos, line[pos:m.start()]))
        pieces.append((m.start(), m.group()))
        pos = m.end()
    pieces.append((pos, line[pos:]))
    out: list[tuple[int, str]] = []
    for off, text in pieces:
        if not text.strip():
            continue
        if off < len(line) and _heading().fullmatch(text) and _is_section_heading(text):
            out.append((off, text.strip()))
            continue
        # 2. sentences; 3. within what is not a sentence (table text), the labels
        start = 0
        for sent in _SENTENCE_END.split(text):
            if not sent:
                continue
            s_off = off + start
            start += len(sent)
            bounds = [0, *_cuts(sent, fine=True), len(sent)]
            # a piece with a clause mark is prose: consecutive prose pieces are one sentence again, so
            # that only table text (labels and digits) stands on lines of its own
            merged: list[list[int]] = []
            for a, b in zip(bounds, bounds[1:]):
                # (marks inside brackets belong to labels: （单位：万元）, （区分处理的，只计这一情形…）)
                prose = bool(_CLAUSE.search(_BRACKETED.sub("", sent[a:b])))
                if merged and prose and merged[-1][2]:
                    merged[-1][1] = b
                else:
                    merged.append([a, b, prose])
            for a, b, _ in merged:
                piece = sent[a:b]
                if piece.strip():
                    lead = len(piece) - len(piece.lstrip())
                    out.append((s_off + a + lead, piece.strip()))
    return out
