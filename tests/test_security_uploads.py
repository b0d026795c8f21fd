"""Uploads (etl/uploads.py): limits, type by content, zip-bomb checks, safe names, atomic writes."""
import io
import zipfile

import pytest

from etl.uploads import UploadRefused, sanitise_name, save_uploads
from devtools.report_fixtures import render_html, render_text

TXT = render_text("2021").encode()
HTML = render_html("2021")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx(member_bytes: bytes = b"<w:document/>", name="word/document.xml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(name, member_bytes)
    return buf.getvalue()


def _files(d):
    return sorted(p.name for p in d.iterdir())


@pytest.mark.parametrize("name,expected_stem", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win"),
    ("/abs/path/报告.txt", "报告"),
    (".bashrc", "bashrc"),
    ("...", "report"),
    ("..", "report"),
    ("", "report"),
    ("a\x00b\x01c.txt", "abc"),
    ("evil\u202egpj.exe", "evilgpj"),              # right-to-left override dropped
    ("青禾县 农业农村局 2023年报.html", "青禾县_农业农村局_2023年报"),
    ("ＦＵＬＬ.txt", "ＦＵＬＬ"),                     # unicode kept as is
    ("x" * 400 + ".pdf", "x" * 80),
    ("名" * 300 + ".pdf", "名" * 60),
    ("a<b>c:d|e?f*g\"h.txt", "a_b_c_d_e_f_g_h"),
])
def test_sanitise_name(name, expected_stem):
    stem = sanitise_name(name)
    assert stem == expected_stem
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".") and len(stem.encode()) <= 180


def test_saves_with_type_from_content_and_safe_names(tmp_path):
    dest = tmp_path / "up"
    res = save_uploads([
        ("../../../tmp/pwned.txt", TXT),
        ("报告.pdf", HTML),                  # HTML named .pdf: saved as .html
        ("scan.txt", PDF),                   # PDF named .txt: saved as .pdf
        (".hidden.html", HTML + b" "),
        ("word.doc", _docx(b"<w:document>" + b"x" * 100 + b"</w:document>")),
    ], dest)
    assert not res.refused, res.refused
    fmts = {s.name: s.format for s in res.saved}
    assert fmts == {"../../../tmp/pwned.txt": "txt", "报告.pdf": "html", "scan.txt": "pdf",
                    ".hidden.html": "html", "word.doc": "docx"}
    for s in res.saved:
        assert s.path.parent == dest.resolve() and s.path.is_file() and not s.path.name.startswith(".")
    names = _files(dest)
    assert any(n.endswith("_pwned.txt") for n in names) and any(n.endswith("_报告.html") for n in names)
    assert any(n.endswith("_scan.pdf") for n in names) and any(n.endswith("_hidden.html") for n in names)
    assert not (tmp_path / "tmp").exists() and not any(n.startswith(".upload-") for n in names)


def test_refusals(tmp_path):
    bomb = _docx(b"\0" * (5 * 1024 * 1024))  # 5 MB of zeros compress ~1000x
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "hello")
    res = save_uploads([
        ("empty.txt", b""),
        ("blank.txt", b"   \n\n"),
        ("app.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),     # an executable named .pdf
        ("bomb.docx", bomb),
        ("archive.docx", plain_zip.getvalue()),                          # zip that is not Word
    ], tmp_path / "up")
    codes = {r.name: r.code for r in res.refused}
    assert codes == {"empty.txt": "empty", "blank.txt": "empty", "app.pdf": "binary", "bomb.docx": "zip_bomb",
                     "archive.docx": "unsupported_format"}
    assert all(r.reason and "/" in r.reason for r in res.refused)  # bilingual message
    assert res.saved == [] and _files(tmp_path / "up") == []


def test_size_limit_per_file(tmp_path):
    res = save_uploads([("big.txt", b"x" * 5000)], tmp_path, max_file_bytes=4096)
    assert [r.code for r in res.refused] == ["too_large"] and _files(tmp_path) == []


def test_batch_limits(tmp_path):
    with pytest.raises(UploadRefused, match="最多"):
        save_uploads([(f"r{i}.txt", TXT) for i in range(4)], tmp_path / "a", max_files=3)
    with pytest.raises(UploadRefused, match="upload too large"):
        save_uploads([("a.txt", TXT), ("b.txt", TXT)], tmp_path / "b", max_total_bytes=len(TXT) + 10)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_same_content_stored_once(tmp_path):
    first = save_uploads([("a.txt", TXT)], tmp_path)
    second = save_uploads([("renamed.txt", TXT)], tmp_path)
    assert second.saved[0].duplicate and second.saved[0].path == first.saved[0].path
    assert len(_files(tmp_path)) == 1


def test_saved_files_are_ingestable(tmp_path):
    from etl.ingest import find_files
    res = save_uploads([("r.pdf", HTML), ("t", TXT)], tmp_path / "up")
    assert sorted(find_files([tmp_path / "up"])) == sorted(res.paths)
