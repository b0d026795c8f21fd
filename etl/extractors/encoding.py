"""Decoding of text-like inputs (plain text, markdown, HTML) whose encoding is not declared reliably."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..document import ExtractError

_CJK = re.compile(r"[\u4e00-\u9fff]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, declared: str | None = None, problems: list | None = None) -> tuple[str, str]:
    """Return (text, encoding). Chinese reports are UTF-8 or GBK/GB18030 in practice; try those strictly
    first (a declared charset is honoured only when the bytes really decode with it), then the same with
    a few bad bytes replaced (one corrupt byte must not lose a whole report), then let charset-normalizer
    decide. Raises ExtractError when nothing yields readable text.

    Stray NUL bytes are dropped (they are never text, and the HTML extractor uses NUL as a marker). What
    had to be repaired is appended to `problems` as ``{"code", "message", "prov"}`` dicts."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    bomless = utf16_without_bom(data[:8192])
    if bomless:
        return data.decode(bomless, errors="replace"), bomless
    nuls = data.count(0)
    if nuls:
        data = data.replace(b"\x00", b"")
        _note(problems, "nul_bytes", f"文件中有 {nuls} 个空字节（NUL），已删除 / {nuls} NUL byte(s) removed")
    candidates = [c for c in (declared, "utf-8", "gb18030") if c]
    for enc in candidates:
        try:
            text = data.decode(_canonical(enc))
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and not _looks_chinese(text):
            continue
        return text, _canonical(enc)
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count(REPLACEMENT)
        if bad <= max(4, len(data) // 2000) and (enc == "utf-8" or _looks_chinese(text)):
            _note(problems, "encoding_repaired", f"有 {bad} 处字节无法按 {enc} 解码，已替换为 {REPLACEMENT} / "
                                                 f"{bad} undecodable byte sequence(s) replaced")
            return text, enc
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise ExtractError("encoding", "cannot determine the text encoding (not UTF-8, GBK/GB18030 or any known one)")
    text = data.decode(best.encoding, errors="replace")
    return text, best.encoding


REPLACEMENT = "\ufffd"


def _note(problems: list | None, code: str, message: str) -> None:
    if problems is not None:
        problems.append({"code": code, "message": message, "prov": {}})


def few_nuls(head: bytes) -> bool:
    """True when the NUL bytes in `head` are stray corruption in text, not the structure of a binary file:
    a handful at most, and the rest decodes as UTF-8 or GB18030."""
    n = head.count(0)
    if n > max(2, len(head) // 1000):
        return False
    rest = head.replace(b"\x00", b"")[:-4]  # the sample may end inside a character
    for enc in ("utf-8", "gb18030"):
        try:
            rest.decode(enc)
            return True
        except UnicodeDecodeError:
            pass
    return False


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
