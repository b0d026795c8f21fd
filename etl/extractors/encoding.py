"""Decoding of text-like inputs (plain text, markdown, HTML) whose encoding is not declared reliably."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..document import ExtractError

_CJK = re.compile(r"[\u4e00-\u9fff]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Chinese reports are UTF-8 or GBK/GB18030 in practice; try those strictly
    first (a declared charset is honoured only when the bytes really decode with it), then let
    charset-normalizer decide. Raises ExtractError when nothing yields readable text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    bomless = utf16_without_bom(data[:8192])
    if bomless:
        return data.decode(bomless, errors="replace"), bomless
    candidates = [c for c in (declared, "utf-8", "gb18030") if c]
    for enc in candidates:
        try:
            text = data.decode(_canonical(enc))
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not _looks_chinese(text):
            continue
        return text, _canonical(enc)
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise ExtractError("encoding", "cannot determine the text encoding (not UTF-8, GBK/GB18030 or any known one)")
    text = data.decode(best.encoding, errors="replace")
    return text, best.encoding


def _canonical(enc: str) -> str:
    enc = enc.lower().strip()
    # GBK and GB2312 pages routinely contain GB18030-only characters: decode with the superset.
    return "gb18030" if enc in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936") else enc


def _looks_chinese(text: str) -> bool:
    sample = text[:20000]
    return len(_CJK.findall(sample)) >= max(4, len(sample) // 20)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text saved without a byte-order mark (Windows tools do this),
    recognised by decoding cleanly into mostly Chinese and ASCII text; else None."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 8 or b"\x00" not in head:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        good = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
        if good >= 0.95 * len(text) and _CJK.search(text):
            return enc
    return None
