"""The demo corpus generator (etl/demo): determinism, truth consistency, planted problems, format coverage,
and — through etl.parse — extraction accuracy on a small corpus."""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from etl import template as T
from etl.demo import data as D
from etl.demo.generate import FORMATS, generate, plan

SEED = 2019
NUMERIC_RULES = {"T3-IDENT", "T3-SUM", "T3-ROW", "T4-SUM"}


@pytest.fixture(scope="module")
def corpus(demo_corpus) -> Path:
    return demo_corpus  # generated once per session (conftest), with seed SEED


@pytest.fixture(scope="module")
def truths(corpus) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "truth").glob("*.json"))
            if not p.name.startswith("_")]


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(corpus, tmp_path):
    again = tmp_path / "again"
    generate(again, seed=SEED, small=True, workers=1)  # other scheduling, same bytes
    a, b = _digest(corpus), _digest(again)
    assert a.keys() == b.keys()
    diff = [k for k in a if a[k] != b[k]]
    assert not diff, diff[:5]
    assert any(k.endswith(".docx") for k in a) and any(k.endswith(".pdf") for k in a)


def test_other_seed_differs(corpus):
    _, docs_a, _ = plan(SEED, small=True)
    _, docs_b, _ = plan(SEED + 1, small=True)
    va = [d["values"] for d in docs_a[:20]]
    vb = [d["values"] for d in docs_b[:20]]
    assert va != vb


def test_offices_csv(corpus):
    rows = list(csv.DictReader((corpus / "offices.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["name", "aliases", "parent", "region_path", "unit_type", "report_kind", "expected_years"]
    names = {r["name"] for r in rows}
    assert len(names) == len(rows)
    for r in rows:
        assert r["region_path"].startswith("示例省")
        assert r["unit_type"] in ("government", "general_office", "department", "township", "dev_zone")
        assert r["report_kind"] in T.REPORT_KINDS
        assert re.fullmatch(r"20\d\d-20\d\d", r["expected_years"])
        assert not r["parent"] or r["parent"] in names
    kinds = Counter(r["unit_type"] for r in rows)
    assert all(kinds[k] for k in ("government", "general_office", "department", "township", "dev_zone"))


def test_default_corpus_shape():
    offices, docs, missing = plan(SEED)
    assert 250 <= len(offices) <= 400
    assert len(docs) >= 1500
    fmts = Counter(d["format"] for d in docs)
    assert len(fmts) >= 5 and set(fmts) == set(FORMATS)
    clean = sum(1 for d in docs if not d["planted"]) / len(docs)
    assert clean >= 0.85
    planted = Counter(r for d in docs for r in d["planted"])
    for rule in ("T3-IDENT", "T3-SUM", "T3-ROW", "T4-SUM", "T3-CARRY", "TIMELY", "DUP-PREV", "DUP-PEER",
                 "T2-AUTH", "T2-UNIT", "FMT-TEMPLATE", "TEXT-TABLE"):
        assert planted[rule] >= 3, rule
    assert len(missing) >= 10


def test_truth_contract_and_identities(corpus, truths):
    assert len(truths) > 200
    for t in truths:
        assert (corpus / t["file"]).is_file()
        t3v = t.get("t3_template", t["template"])  # a 2021+ report may still print the 2019 table 3
        assert set(t["values"]) == {k for k in T.keys(t["template"]) if not k.startswith("t3.")} | \
            {k for k in T.keys(t3v) if k.startswith("t3.")}
        assert t["year"] in range(2019, 2026) and t["report_kind"] in T.REPORT_KINDS
        broken = D.broken_rules(t["values"], t["template"], t3v)
        expected = NUMERIC_RULES & set(t["planted"])
        assert broken == expected, (t["file"], broken, t["planted"])
        assert all(isinstance(v, (int, float)) and v is not None for v in t["values"].values())
        assert t["needs_ocr"] == (t["format"] == "pdf-scan")


def test_planted_metadata_rules(truths):
    for t in truths:
        late = t["published_on"] > t["deadline"]
        assert late == ("TIMELY" in t["planted"]), t["file"]
        assert (t["template"] != t["template_expected"]) == ("FMT-TEMPLATE" in t["planted"])
        granted = t["values"][D.k3("granted", D.T3_TOTAL_COLUMN)]
        assert (t["text_granted"] != granted) == ("TEXT-TABLE" in t["planted"])
        reg = T.TABLES[t["template"]][2].rows[0].key
        regs = sum(v for k, v in t["values"].items() if k.startswith(f"t2.{reg}."))
        if t["unit_type"] == "township":
            assert (regs > 0) == ("T2-AUTH" in t["planted"])
        unit = [s for s in t.get("printed_as", {}).values() if re.fullmatch(r"\d+元", s)]
        assert bool(unit) == ("T2-UNIT" in t["planted"])
        if "DUP-PEER" in t["planted"]:
            assert t["dup_source"]["year"] == t["year"] and t["dup_source"]["office"] != t["office"]


def test_carry_chain(truths):
    by = {(t["office"], t["year"]): t for t in truths}
    checked = planted = 0
    for (office, year), t in by.items():
        prev = by.get((office, year - 1))
        if prev is None:
            assert "T3-CARRY" not in t["planted"]
            continue
        same = all(t["values"][D.k3(D.CO, c)] == prev["values"][D.k3(D.CF, c)] for c in D.t3_cols())
        assert same == ("T3-CARRY" not in t["planted"]), t["file"]
        checked += 1
        planted += "T3-CARRY" in t["planted"]
    assert checked > 200


def test_region_summaries_are_sums(truths):
    by = {(t["office"], t["year"]): t for t in truths}
    checked = 0
    for t in truths:
        if t["report_kind"] != "region_summary" or t.get("t3_template"):
            continue
        parts = [by.get((p, t["year"])) for p in t["parts"]]
        if any(p is None or set(p["planted"]) & (NUMERIC_RULES | {"T3-CARRY", "FMT-TEMPLATE"}) or p.get("t3_template")
               for p in parts):
            continue
        parts = [p for p in parts if p["template"] == t["template"]]
        for k, v in t["values"].items():
            if k.startswith(("t3.", "t4.")):
                assert v == sum(p["values"][k] for p in parts), (t["file"], k)
        checked += 1
    assert checked >= 3


def test_missing_list(corpus, truths):
    missing = json.loads((corpus / "truth" / "_missing.json").read_text(encoding="utf-8"))
    present = {(t["office"], t["year"]) for t in truths}
    assert missing and all(set(m) == {"office", "year"} for m in missing)
    assert not present & {(m["office"], m["year"]) for m in missing}


def test_format_coverage(corpus, truths):
    fmts = Counter(t["format"] for t in truths)
    assert set(fmts) == set(FORMATS)
    by_fmt = {}
    for t in truths:
        by_fmt.setdefault(t["format"], t)
    gbk = (corpus / by_fmt["html-gbk"]["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "charset=gbk" in gbk.decode("gbk").lower().replace('"', "").replace(" ", "")
    glued = (corpus / by_fmt["glued"]["file"]).read_text(encoding="utf-8")
    assert re.search(r"^规范性文件\d+$", glued, re.M)
    md = (corpus / by_fmt["md"]["file"]).read_text(encoding="utf-8")
    assert "|---|" in md
    txt = (corpus / by_fmt["txt-pdf"]["file"]).read_text(encoding="utf-8")
    assert "\t" in txt
    space = (corpus / by_fmt["txt-pdf-space"]["file"]).read_text(encoding="utf-8")
    assert re.search(r"^三、$", space, re.M)  # vertical label 三、/本/年/度/… one character per line
    assert sum(1 for line in space.splitlines() if line in "本年度办理结果") >= 7

    import pypdfium2 as pdfium
    for fmt, has_text in (("pdf", True), ("pdf-scan", False)):
        pdf = pdfium.PdfDocument(str(corpus / by_fmt[fmt]["file"]))
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert ("政府信息公开" in text) == has_text, fmt
        pdf.close()


def test_realworld_layouts(corpus, truths):
    """The issue-12 layouts are in the corpus with their quirks: the archive page on one line after a
    metadata header, converter markdown with table 3 in placeholder-headed mini-tables, line-per-row web
    text; some 2021+ reports print the 2019 table 3."""
    by: dict[str, list[dict]] = {}
    for t in truths:
        by.setdefault(t["layout"], []).append(t)
    for layout in ("archive-oneline", "md-split", "web-lines"):
        assert len(by.get(layout, [])) >= 10, layout
    texts = [(corpus / t["file"]).read_text(encoding="utf-8") for t in by["archive-oneline"]]
    headed = [x for x in texts if re.match(r"标题[:：]", x)]
    assert headed and all("正文 ===" in x for x in headed)
    for x in headed:
        body = x.split("正文 ====================\n", 1)[1]
        assert body.count("\n") == 1 and "一、总体情况" in body and "（七）总计" in body
    assert any(re.search(r"（七）总计\d", x) for x in texts)  # cells glued to their label
    md = [(corpus / t["file"]).read_text(encoding="utf-8") for t in by["md-split"]]
    assert all(x.count("| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |") >= 4 for x in md)
    lines = [(corpus / t["file"]).read_text(encoding="utf-8") for t in by["web-lines"]]
    assert any(re.search(r"^（三）不$", x, re.M) for x in lines)  # a group label broken over two lines
    old = [t for t in truths if t.get("t3_template")]
    assert old and all(t["template"] == T.VERSIONS[1] and t["year"] >= 2021 for t in old)
    assert all("FMT-TABLES" in t["planted"] for t in old)
    other19 = next(r.key for r in T.TABLES[T.VERSIONS[0]][3].rows if r.group == "other")
    assert all(D.k3(other19, D.T3_TOTAL_COLUMN) in t["values"] for t in old)


def test_every_document_is_a_report(corpus, truths):
    for t in truths:
        if t["format"] in ("docx", "pdf", "pdf-scan", "html-gbk"):
            continue
        text = (corpus / t["file"]).read_text(encoding="utf-8")
        assert "示例数据" in text
        assert all(n in text for n in ("一、总体情况", "二、主动公开", "三、收到和处理", "六、其他需要报告的事项")), t["file"]
        assert str(t["year"]) in text


def _grams(text: str, n: int = 6) -> set[str]:
    text = re.sub(r"\d+", "#", text)
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def _narrative(d: dict) -> str:
    return "\n".join(p for n in (1, 5, 6) for p in d["sections"][n])


def test_duplication_is_meaningful():
    _, docs, _ = plan(SEED)
    by = {(d["office"].name, d["year"]): d for d in docs}
    clean_sims, prev_sims, peer_sims = [], [], []
    for d in docs:
        prev = by.get((d["office"].name, d["year"] - 1))
        a = _grams(_narrative(d))
        if "DUP-PEER" in d["planted"]:
            src = by[(d["dup_source"]["office"], d["dup_source"]["year"])]
            b = _grams(_narrative(src).replace(src["office_title"], d["office_title"]))
            peer_sims.append(len(a & b) / len(a | b))
        if prev is None:
            continue
        b = _grams(_narrative(prev))
        sim = len(a & b) / len(a | b)
        (prev_sims if "DUP-PREV" in d["planted"] else clean_sims).append(sim)
    assert prev_sims and peer_sims
    assert min(prev_sims) > 0.5 and min(peer_sims) > 0.5
    clean_sims.sort()
    assert clean_sims[int(len(clean_sims) * 0.99)] < 0.5


# Layouts whose table cells are glued with no separator (web text, archived pages on one line, line-per-row
# web text with damaged labels): some rows have several valid readings, withheld by design.
GLUED_LAYOUTS = ("glued", "archive-oneline", "web-lines")


def test_eval_accuracy_per_format(corpus):
    from etl.demo.evaluate import evaluate
    lines: list[str] = []
    res = evaluate(corpus, workers=2, scans=False, out=lines.append, verbose=40)
    assert lines[-1].startswith("cell accuracy ")
    report = "\n".join(lines)
    assert len(res["per_format"]) >= 8
    for fmt, p in res["per_format"].items():
        assert p["docs"] >= 10, fmt
        if fmt in GLUED_LAYOUTS:
            # Web text with every cell of a row glued together: table 3's identities decide most rows, but a
            # table-2 row like 规范性文件1137 (1|1|37 or 11|3|7) or a glued table 4 can have several valid
            # readings. The parser withholds those (null + uncertain) instead of guessing, so accuracy stays
            # below the other formats by design; what must hold is that no misread is silent.
            assert p["accuracy"] >= 0.95, f"{fmt}: {p['accuracy']:.4f}\n{report}"
        else:
            assert p["accuracy"] >= 0.995, f"{fmt}: {p['accuracy']:.4f}\n{report}"
    assert res["silent"] == 0, report


@pytest.mark.slow
def test_eval_scans_are_reported(corpus):
    from etl.demo.evaluate import evaluate
    res = evaluate(corpus, workers=2, formats={"pdf-scan"}, out=lambda *_: None)
    assert res["scans"]["docs"] >= 2
    assert res["scans"]["reported"] == res["scans"]["docs"]
