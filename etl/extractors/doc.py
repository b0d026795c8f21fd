"""Legacy Word 97–2003 (.doc, also WPS .wps in the same OLE container).

LibreOffice (``soffice --headless --convert-to docx``) keeps the table structure (merged cells included),
so it is preferred; ``antiword`` is the light fallback (text, tables as ``|``-separated lines read by the
text extractor). Both run with a timeout in a private temporary directory. With neither installed the
file is refused with code ``missing_converter``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..document import Document, ExtractError

TIMEOUT = 90  # seconds per conversion


def _which(name: str) -> str | None:
    return shutil.which(name)


def extract(path: Path, data: bytes) -> Document:
    soffice = _which("soffice") or _which("libreoffice")
    antiword = _which("antiword")
    if not soffice and not antiword:
        raise ExtractError("missing_converter", "legacy .doc needs a converter: install antiword or libreoffice "
                           "(apt-get install antiword libreoffice-writer)")
    errors = []
    with tempfile.TemporaryDirectory(prefix="gkjb-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        if soffice:
            try:
                return _via_soffice(soffice, src, Path(tmp), path)
            except ExtractError as e:
                if e.code == "encrypted" or not antiword:
                    raise
                errors.append(e.message)
        return _via_antiword(antiword, src, path, errors)


def _via_soffice(soffice: str, src: Path, tmp: Path, path: Path) -> Document:
    from . import docx as docx_extractor

    out = tmp / "out"
    out.mkdir()
    profile = (tmp / "profile").as_uri()  # private profile: concurrent conversions do not collide
    cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, env={**os.environ, "HOME": str(tmp)})
    except subprocess.TimeoutExpired as e:
        raise ExtractError("timeout", f"LibreOffice did not convert the .doc within {TIMEOUT} s") from e
    produced = out / "input.docx"
    if not produced.exists():
        msg = (r.stderr or r.stdout or b"").decode("utf-8", "replace").strip()[-300:]
        if "password" in msg.lower():
            raise ExtractError("encrypted", "the .doc file is password-protected")
        raise ExtractError("damaged", f"LibreOffice could not convert the .doc file ({msg or 'no output'})")
    doc = docx_extractor.extract(path, produced.read_bytes(), fmt="doc")
    doc.meta["converter"] = "libreoffice"
    return doc


def _via_antiword(antiword: str, src: Path, path: Path, errors: list[str]) -> Document:
    from . import text as text_extractor

    try:
        r = subprocess.run([antiword, "-m", "UTF-8.txt", "-w", "0", str(src)], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise ExtractError("timeout", f"antiword did not convert the .doc within {TIMEOUT} s") from e
    err = r.stderr.decode("utf-8", "replace").strip()
    if r.returncode != 0 or not r.stdout.strip():
        if "encrypt" in err.lower():
            raise ExtractError("encrypted", "the .doc file is password-protected")
        detail = "; ".join(errors + [err[-300:] or "no text"])
        code = "unsupported_format" if "not a word" in err.lower() else "damaged"
        raise ExtractError(code, f"cannot convert the .doc file ({detail})")
    doc = text_extractor.extract(path.with_suffix(".txt"), r.stdout)
    doc.path = str(path)
    doc.format = "doc"
    doc.meta["converter"] = "antiword"
    return doc
