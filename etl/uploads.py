"""Saving uploaded report files safely (the 导入 page; usable from scripts too).

- count, per-file and total size limits, checked before anything is written;
- the type is decided by the bytes (:func:`etl.extractors.sniff`), never by the uploaded extension; the
  saved file gets the extension of the detected format (a PDF named ``x.txt`` is saved as ``….pdf``;
  an executable named ``x.pdf`` is refused);
- DOCX archives pass the same ZIP checks as the extractor (member count, uncompressed size, compression
  ratio, encryption) before they are accepted; text must decode as text;
- names are sanitised: no directories or traversal, no hidden (dot) files, no control / bidi-override
  characters, bounded length; Chinese and other Unicode letters are kept;
- files are written under a dot-named temporary name and renamed into place, so an ingest scanning the
  folder never sees half a file; the same content uploaded twice is stored once;
- files are taken one at a time (a file object is read only when its turn comes), so a batch never
  needs a second in-memory copy of itself.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .document import ExtractError
from .extractors import ACCEPTED_EXTENSIONS, MAX_FILE_BYTES, MB, SUFFIX, sniff  # noqa: F401  (ACCEPTED_EXTENSIONS: for the file picker)
from .extractors.docx import check_zip
from .extractors.encoding import decode

MAX_FILES = 200
MAX_TOTAL_BYTES = 500 * MB
MAX_NAME_CHARS = 80

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


class UploadRefused(ValueError):
    """The whole batch is refused (too many files, too large in total)."""


@dataclass
class Saved:
    name: str          # as uploaded
    path: Path         # where it was stored
    format: str        # detected from content
    size: int
    sha256: str
    duplicate: bool = False   # identical content was already stored


@dataclass
class Refused:
    name: str
    code: str          # too_large | empty | binary | unsupported_format | zip_bomb | encrypted | damaged | encoding …
    reason: str        # for the user (Chinese / English)


@dataclass
class UploadResult:
    saved: list[Saved] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [s.path for s in self.saved]


def sanitise_name(name: str) -> str:
    """A safe file *stem* from an uploaded name (extension dropped; the format decides it)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]                      # no directories, either separator
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # controls, bidi overrides, NUL
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip("._-") or "report"           # no leading dot: never hidden
    while len(stem.encode("utf-8")) > 180 or len(stem) > MAX_NAME_CHARS:  # filesystem limit is 255 bytes
        stem = stem[:-1]
    return stem


def detect(name: str, data: bytes) -> str:
    """The report format of `data` (ExtractError when it is not an acceptable report file)."""
    if not data or not data.strip():
        raise ExtractError("empty", "文件为空 / the file is empty")
    fmt = sniff(Path(name if "." in name else name + ".bin"), data[:8192])
    if fmt == "docx":
        check_zip(data)
    elif fmt in ("txt", "md", "html"):
        decode(data[:2_000_000])
    return fmt


_MESSAGES = {
    "binary": "不是受支持的年报格式（二进制文件）/ binary file that is not PDF, DOCX or DOC",
    "unsupported_format": "不是受支持的年报格式 / not a supported report format",
    "zip_bomb": "压缩包解压后异常巨大，已拒绝 / archive expands abnormally (compression bomb)",
    "encrypted": "文件已加密 / the file is encrypted",
    "damaged": "文件已损坏 / the file is damaged",
    "encoding": "无法识别文本编码 / cannot determine the text encoding",
    "empty": "文件为空 / the file is empty",
}


def _size(data) -> int:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return len(data)
    size = getattr(data, "size", None)  # Streamlit's UploadedFile
    if isinstance(size, int):
        return size
    pos = data.tell()
    end = data.seek(0, os.SEEK_END)
    data.seek(pos)
    return end - pos


def _read(data, limit: int) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    data.seek(0)
    return data.read(limit + 1)


def save_uploads(files, dest_dir: str | Path, *, max_files: int = MAX_FILES,
                 max_file_bytes: int = MAX_FILE_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES) -> UploadResult:
    """Validate and store uploaded files under `dest_dir` as ``<sha8>_<safe name>.<detected ext>``.

    `files` are (name, bytes or binary file object) pairs. Raises :class:`UploadRefused` for batch
    limits; each unacceptable file is listed in ``refused``."""
    files = list(files)
    if len(files) > max_files:
        raise UploadRefused(f"一次最多上传 {max_files} 个文件（收到 {len(files)} 个）/ at most {max_files} files per upload "
                            f"(got {len(files)})")
    total = sum(_size(d) for _, d in files)
    if total > max_total_bytes:
        raise UploadRefused(f"上传总量 {total / MB:.0f} MB 超过上限 {max_total_bytes / MB:.0f} MB / upload too large")
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    out = UploadResult()
    for name, source in files:
        name = str(name)
        size = _size(source)
        if size > max_file_bytes:
            out.refused.append(Refused(name, "too_large", f"文件过大（{size / MB:.1f} MB，上限 "
                                       f"{max_file_bytes / MB:.0f} MB）/ file too large"))
            continue
        data = _read(source, max_file_bytes)
        try:
            fmt = detect(name, data)
        except ExtractError as e:
            out.refused.append(Refused(name, e.code, _MESSAGES.get(e.code, e.message)))
            continue
        sha = hashlib.sha256(data).hexdigest()
        target = root / f"{sha[:8]}_{sanitise_name(name)}{SUFFIX[fmt]}"
        if target.parent != root:  # cannot happen after sanitising; refuse rather than trust that
            out.refused.append(Refused(name, "bad_name", "文件名不安全 / unsafe file name"))
            continue
        same = next((p for p in root.glob(f"{sha[:8]}_*") if p.is_file() and _sha(p) == sha), None)
        if same is not None:
            out.saved.append(Saved(name, same, fmt, len(data), sha, duplicate=True))
            continue
        fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=root)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.saved.append(Saved(name, target, fmt, len(data), sha))
        del data
    return out


def _sha(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
