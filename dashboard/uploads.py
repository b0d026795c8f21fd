"""Saving uploaded report files safely: allowed types, size limit, sanitised names under data/uploads."""
from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from pathlib import Path

from . import db

UPLOAD_DIR = db.ROOT / "data" / "uploads"
try:
    from etl.extractors import EXTENSIONS, MAX_FILE_BYTES
except Exception:  # pragma: no cover - extractors not importable
    EXTENSIONS = {e: e[1:] for e in (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc")}
    MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_FILES = 200
ALLOWED = sorted(e.lstrip(".") for e in EXTENSIONS)

_BAD = re.compile(r"[^\w\u4e00-\u9fff（）()\-.]+")


def sanitise(name: str) -> str:
    """A safe file name: no directories, no control or shell characters, bounded length, known extension."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _BAD.sub("_", stem).strip("._") or "report"
    ext = ext.lower()
    if "." + ext not in EXTENSIONS:
        raise ValueError(f"不支持的文件类型：.{ext or '（无扩展名）'}")
    return f"{stem[:80]}.{ext}"


def save(name: str, data: bytes, root: Path | None = None) -> Path:
    """Write an upload under data/uploads/<date>/<sha8>_<name>; refuses oversize and unknown types."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"文件过大（{len(data) / 1e6:.1f} MB），上限 {MAX_FILE_BYTES / 1e6:.0f} MB")
    if not data:
        raise ValueError("文件为空")
    safe = sanitise(name)
    folder = (root or UPLOAD_DIR) / time.strftime("%Y%m%d")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:8]}_{safe}"
    assert path.resolve().is_relative_to(folder.resolve())
    if not path.exists():
        path.write_bytes(data)
    return path
