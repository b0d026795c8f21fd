"""Mutation fuzzer for the parsers (used by tests/test_fuzz_parsers.py; runnable on its own for long runs):

    .venv/bin/python tests/fuzz_harness.py --iterations 2000 --seed 1

Seeds: the real reports in ../shared/corpus and invented reports (text layouts, markdown, HTML in UTF-8
and GBK, DOCX, PDF). Mutations: truncation, byte flips, shuffled lines, wrong encodings, enormous lines
and cells, deeply nested HTML, huge spans, NULs, many columns, repeated sections. The property: for
every input, etl.parse.parse_file returns a result or raises ExtractError, within a time limit.
"""
from __future__ import annotations

import random
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "corpus"
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from etl.document import ExtractError  # noqa: E402

TIME_LIMIT = 20  # seconds per input (generous: the dev machine is shared and loaded)


class Overtime(Exception):
    pass


@contextmanager
def deadline(seconds: int):
    def on_alarm(signum, frame):
        raise Overtime(f"parse took longer than {seconds}s")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Outcome:
    name: str
    kind: str            # result | extract_error | crash | overtime
    detail: str
    seconds: float


def check(name: str, suffix: str, data: bytes, limit: int = TIME_LIMIT) -> Outcome:
    """Run parse_file on bytes; classify the outcome (crash = any exception other than ExtractError)."""
    from etl.parse import parse_file

    t0 = time.perf_counter()
    try:
        with deadline(limit):
            res = parse_file(Path(f"fuzz{suffix}"), data)
        assert isinstance(res, dict) and res.get("status") in ("ok", "partial", "failed"), res.get("status")
        return Outcome(name, "result", res["status"], time.perf_counter() - t0)
    except ExtractError as e:
        assert e.code and isinstance(e.message, str)
        return Outcome(name, "extract_error", e.code, time.perf_counter() - t0)
    except Overtime:
        return Outcome(name, "overtime", traceback.format_exc(limit=-8), time.perf_counter() - t0)
    except Exception:
        return Outcome(name, "crash", traceback.format_exc(limit=12), time.perf_counter() - t0)


# ------------------------------------------------------------------------------------------------ seeds

def seeds(include_binary: bool = True) -> dict[str, tuple[str, bytes]]:
    """name -> (suffix, bytes)."""
    from devtools import report_fixtures as R

    out: dict[str, tuple[str, bytes]] = {}
    for f in sorted(SHARED.glob("*")) if SHARED.is_dir() else []:
        if f.suffix.lower() in (".pdf", ".txt", ".html", ".htm", ".docx", ".doc", ".md") and f.stat().st_size < 5e6:
            if include_binary or f.suffix.lower() not in (".pdf", ".docx", ".doc"):
                out[f"real:{f.name}"] = (f.suffix.lower(), f.read_bytes())
    for v in ("2021", "2019"):
        for layout in ("tsv", "spaces", "vertical", "detached", "missing", "glued"):
            out[f"gen:text-{v}-{layout}"] = (".txt", R.render_text(v, layout).encode())
        out[f"gen:md-{v}"] = (".md", R.render_markdown(v, detached=v == "2019").encode())
        out[f"gen:html-{v}-utf8"] = (".html", R.render_html(v))
        out[f"gen:html-{v}-gbk"] = (".html", R.render_html(v, encoding="gbk"))
    if include_binary:
        out.update(_office_seeds())
    return out


_OFFICE: dict[str, tuple[str, bytes]] = {}


def _office_seeds() -> dict[str, tuple[str, bytes]]:
    if _OFFICE:
        return _OFFICE
    import tempfile

    import office_fixtures as F

    with tempfile.TemporaryDirectory() as d:
        vals = F.make_values("2021", 3)
        html = F.report_html("青禾县示例局", 2023, "2021", vals)
        try:
            _OFFICE["gen:docx"] = (".docx", F.to_docx(html, Path(d) / "r.docx").read_bytes())
        except Exception:  # python-docx missing: fuzz what is available
            pass
        try:
            _OFFICE["gen:pdf"] = (".pdf", F.to_pdf(html, Path(d) / "r.pdf").read_bytes())
        except Exception:
            pass
    return _OFFICE


# ------------------------------------------------------------------------------------------------ mutators

def m_truncate(rng, data, suffix):
    return data[: rng.randrange(0, max(1, len(data)))], suffix


def m_flip(rng, data, suffix):
    b = bytearray(data)
    for _ in range(rng.choice([1, 4, 32, 256])):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b), suffix


def m_shuffle_lines(rng, data, suffix):
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines), suffix


def m_delete_chunk(rng, data, suffix):
    if len(data) < 2:
        return data, suffix
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randrange(1, max(2, len(data) // 4)))
    return data[:i] + data[j:], suffix


def m_duplicate_chunk(rng, data, suffix):
    if not data:
        return data, suffix
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randrange(1, 4096))
    return data[:j] + data[i:j] * rng.choice([2, 50, 500]) + data[j:], suffix


def _text(data: bytes) -> str | None:
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return None


def m_wrong_encoding(rng, data, suffix):
    t = _text(data)
    if t is None:
        return data, suffix
    enc = rng.choice(["utf-16-le", "utf-16-be", "utf-16", "utf-32", "big5", "shift_jis", "euc-kr", "latin-1",
                      "cp1252", "gbk", "utf-7", "hz"])
    out = t.encode(enc, errors="replace")
    if suffix in (".html", ".htm") and rng.random() < 0.5:
        lie = rng.choice([b"utf-8", b"gbk", b"big5", b"utf-16", b"x-unknown-charset", b"latin-1"])
        out = out.replace(b"charset=utf-8", b"charset=" + lie).replace(b"charset=gbk", b"charset=" + lie)
    return out, suffix


def m_mixed_encoding(rng, data, suffix):
    t = _text(data)
    if t is None:
        return data, suffix
    half = len(t) // 2
    return t[:half].encode("utf-8") + t[half:].encode("gb18030"), suffix


def m_enormous_line(rng, data, suffix):
    i = rng.randrange(len(data) + 1)
    piece = rng.choice(["数", "1", "\t", " ", "一、", "|", "。", "<br>"]).encode() * rng.choice([200_000, 2_000_000])
    return data[:i] + piece + data[i:], suffix


def m_enormous_cell(rng, data, suffix):
    if suffix in (".html", ".htm"):
        big = ("9" * rng.choice([100_000, 3_000_000])).encode()
        return data.replace(b"<td>", b"<td>" + big, 1), suffix
    big = ("1" * rng.choice([100_000, 3_000_000])).encode()
    return data.replace(b"\t", b"\t" + big, 1), suffix


def m_many_columns(rng, data, suffix):
    row = "\t".join(str(rng.randrange(1000)) for _ in range(rng.choice([500, 20_000])))
    if suffix in (".html", ".htm"):
        tr = ("<tr>" + "<td>1</td>" * rng.choice([500, 20_000]) + "</tr>").encode()
        return data.replace(b"</table>", tr + b"</table>", 1), suffix
    return data + ("申请人情况\t" + row + "\n").encode(), suffix


def m_nested_html(rng, data, suffix):
    depth = rng.choice([1_000, 10_000, 100_000])
    tag = rng.choice(["div", "span", "table", "td", "b", "p"])
    inner = data.decode("utf-8", "replace") if suffix in (".html", ".htm") else "<p>报告</p>"
    return (f"<html><body>{'<' + tag + '>' * 1}" * 0 + f"<{tag}>" * depth + inner + f"</{tag}>" * depth
            + "</body></html>").encode(), ".html"


def m_nested_tables(rng, data, suffix):
    depth = rng.choice([50, 500, 3000])
    return (b"<html><body>" + b"<table><tr><td>" * depth + b"\xe8\xa1\xa8\t1" + b"</td></tr></table>" * depth
            + b"</body></html>"), ".html"


def m_huge_span(rng, data, suffix):
    big = str(rng.choice([10**6, 2**31, 10**30, -5])).encode()
    out = data.replace(b'rowspan="', b'rowspan="' + big, 2).replace(b'colspan="', b'colspan="' + big, 2)
    return out, suffix


def m_nul(rng, data, suffix):
    b = bytearray(data)
    for _ in range(rng.choice([1, 10, 1000])):
        if b:
            b.insert(rng.randrange(len(b)), 0)
    return bytes(b), suffix


def m_repeat_sections(rng, data, suffix):
    return data * rng.choice([3, 40]), suffix


def m_long_number(rng, data, suffix):
    t = _text(data)
    if t is None:
        return data, suffix
    import re
    return re.sub(r"\d+", lambda m: m.group() * rng.choice([1, 50, 400]), t, count=rng.choice([1, 20])).encode(), suffix


def m_swap_suffix(rng, data, suffix):
    return data, rng.choice([".txt", ".html", ".md", ".pdf", ".docx", ".doc", ".wps", ""])


def m_zip_member(rng, data, suffix):
    """Re-pack a DOCX with one member damaged (CRC-consistent, so it reaches the XML parser)."""
    import io
    import zipfile
    if not data.startswith(b"PK"):
        return data, suffix
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                body = zin.read(info)
                if info.filename == "word/document.xml":
                    how = rng.randrange(4)
                    if how == 0:
                        body = body[: rng.randrange(len(body))]
                    elif how == 1:
                        body = body.replace(b"<w:tc>", b"<w:tc><w:tc>" * 3, 50)
                    elif how == 2:
                        body = body.replace(b'w:val="', b'w:val="99999999', 20)
                    else:
                        body = body.replace(b"<w:tbl>", b"<w:tbl><w:tbl>" * 200, 1)
                zout.writestr(info.filename, body)
        return buf.getvalue(), suffix
    except Exception:
        return data, suffix


HEAVY = {"nested_html", "nested_tables", "enormous_line", "enormous_cell", "many_columns", "repeat_sections",
         "duplicate_chunk"}  # mutators that build multi-MB or deeply nested inputs

MUTATORS = [m_truncate, m_flip, m_shuffle_lines, m_delete_chunk, m_duplicate_chunk, m_wrong_encoding,
            m_mixed_encoding, m_enormous_line, m_enormous_cell, m_many_columns, m_nested_html, m_nested_tables,
            m_huge_span, m_nul, m_repeat_sections, m_long_number, m_swap_suffix, m_zip_member]


def mutate(rng: random.Random, suffix: str, data: bytes, rounds: int = 1, light: bool = False
           ) -> tuple[bytes, str, list[str]]:
    names = []
    pool = [m for m in MUTATORS if m.__name__[2:] not in HEAVY] if light else MUTATORS
    for _ in range(rounds):
        m = rng.choice(pool)
        data, suffix = m(rng, data, suffix)
        names.append(m.__name__[2:])
    return data, suffix, names


def cases(iterations: int, seed: int, include_binary: bool = True, light: bool = False):
    """Yield (label, suffix, data) — deterministic for (seed, include_binary)."""
    rng = random.Random(seed)
    pool = seeds(include_binary)
    names = sorted(pool)
    for i in range(iterations):
        base = rng.choice(names)
        suffix, data = pool[base]
        data, suffix, muts = mutate(rng, suffix, data, rounds=rng.choice([1, 1, 2, 3]), light=light)
        yield (f"{base} <- {'+'.join(muts)} (iteration {i}, seed {seed}, {len(data)} bytes, "
               f"{suffix or 'no suffix'})", suffix, data)


def reproduce(seed: int, iteration: int, include_binary: bool = True) -> tuple[str, str, bytes]:
    for i, case in enumerate(cases(iteration + 1, seed, include_binary)):
        if i == iteration:
            return case
    raise IndexError(iteration)


def fuzz(iterations: int, seed: int, include_binary: bool = True, budget: float | None = None,
         limit: int = TIME_LIMIT, verbose: bool = False, light: bool = False) -> list[Outcome]:
    outcomes = []
    t_end = time.monotonic() + budget if budget else None
    for label, suffix, data in cases(iterations, seed, include_binary, light):
        if t_end and time.monotonic() > t_end:
            break
        o = check(label, suffix, data, limit)
        outcomes.append(o)
        if verbose and o.kind in ("crash", "overtime"):
            print(o.name, o.kind, o.detail, sep="\n", flush=True)
    return outcomes


if __name__ == "__main__":
    import argparse
    from collections import Counter

    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-binary", action="store_true")
    a = ap.parse_args()
    t0 = time.time()
    res = fuzz(a.iterations, a.seed, not a.no_binary, verbose=True)
    print(Counter(o.kind for o in res), f"{time.time() - t0:.0f}s",
          f"slowest {max(res, key=lambda o: o.seconds).seconds:.1f}s: {max(res, key=lambda o: o.seconds).name}")
