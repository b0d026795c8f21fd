"""One extractor per input format, behind one interface.

Every module here exposes ``extract(path: Path, data: bytes) -> Document`` and raises
:class:`etl.document.ExtractError` for a file it cannot read at all. :func:`extract` picks the module
by sniffing the content (the extension is only a tie-breaker), enforces the size limit, and is the only
entry point the rest of the ETL uses.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..document import Document, ExtractError
from .encoding import few_nuls, utf16_without_bom

# a report is a few MB at most; larger files are refused, not parsed. MB means 10^6 bytes in every limit and
# message of the project (upload widget, upload and ingest checks, README)
MB = 1_000_000
MAX_FILE_BYTES = 40 * MB

# The registry of input formats — the one list ingest, uploads, the 导入 page, the CLI and the tests use.
# format -> module (imported lazily: PDF and Word libraries load only when such a file is seen)
MODULES = {
    "txt": "text", "md": "text", "html": "html",
    "pdf": "pdf", "docx": "docx", "doc": "doc",
}
FORMATS = tuple(MODULES)
# file extension -> format: the files ingest picks up in a directory and the upload picker offers
EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".shtml": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "doc",
}
ACCEPTED_EXTENSIONS = tuple(ext.lstrip(".") for ext in EXTENSIONS)
# the extension a stored copy of a file of each format gets
SUFFIX = {fmt: f".{fmt}" for fmt in FORMATS}


def sniff(path: Path, head: bytes) -> str:
    """The format of a file, decided by its bytes first and its extension second."""
    ext = EXTENSIONS.get(path.suffix.lower())
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext in (None, "docx", "doc"):
            return "docx"
        raise ExtractError("unsupported_format", f"ZIP archive is not a Word document ({path.suffix or 'no extension'})")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        utf16 = utf16_without_bom(head)
        if utf16:
            head = head.decode(utf16, errors="ignore").encode("utf-8")
        elif few_nuls(head):  # a stray NUL in text: decoding drops it and records a problem
            head = head.replace(b"\x00", b"")
        else:
            raise ExtractError("binary", "binary content that is not PDF, DOCX or DOC")
    low = head[:4096].lower()
    if ext == "html" or any(tag in low for tag in (b"<html", b"<!doctype html", b"<table", b"<body", b"<meta")):
        return "html"
    return ext if ext in ("txt", "md") else "txt"


def extract(path: str | Path, data: bytes | None = None) -> Document:
    path = Path(path)
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as e:
            raise ExtractError("unreadable", f"cannot open file: {e.strerror or e}") from e
        if size > MAX_FILE_BYTES:
            raise ExtractError("too_large", f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ExtractError("too_large", f"file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
    if not data.strip():
        raise ExtractError("empty", "file is empty")
    fmt = sniff(path, data[:8192])
    module = importlib.import_module(f".{MODULES[fmt]}", __name__)
    return module.extract(path, data)
