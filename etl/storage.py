"""Object storage (s3://, gs://, http(s)://…) for Parquet exports, through fsspec.

DuckDB's own ``httpfs`` extension cannot be installed offline, so DuckDB is given an fsspec filesystem
(``register_filesystem``), which works for every protocol fsspec knows: s3 via ``s3fs`` (AWS, MinIO, 阿里云 OSS/腾讯云 COS in S3 mode),
gs via ``gcsfs``, http(s) via ``aiohttp``.

Credentials and endpoints come from the usual places of each library (for S3: ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``, ``~/.aws``), plus ``GKJB_STORAGE_OPTIONS``: a JSON object
passed to the filesystem (e.g. ``{"client_kwargs": {"endpoint_url": "http://minio:9000"}}``).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

SCHEMES = ("s3://", "s3a://", "gs://", "gcs://", "az://", "abfs://", "http://", "https://")
ENV_OPTIONS = "GKJB_STORAGE_OPTIONS"
# Environment a child process needs to reach the same storage (see etl.sandbox).
ENV_KEYS = (ENV_OPTIONS, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
            "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",
            "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "GOOGLE_APPLICATION_CREDENTIALS")


def is_url(location: str | os.PathLike) -> bool:
    return str(location).startswith(SCHEMES)


def protocol(url: str) -> str:
    return str(url).split("://", 1)[0]


def storage_options() -> dict:
    raw = os.environ.get(ENV_OPTIONS, "").strip()
    if not raw:
        return {}
    try:
        opts = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"{ENV_OPTIONS} is not valid JSON: {e}") from None
    if not isinstance(opts, dict):
        raise ValueError(f"{ENV_OPTIONS} must be a JSON object")
    return opts


_filesystems: dict[tuple, object] = {}


def filesystem(url: str):
    """The fsspec filesystem for `url` (one instance per protocol and options)."""
    try:
        import fsspec
    except ImportError:
        raise RuntimeError("reading object storage needs fsspec (pip install 'gkjb-monitor[cloud]')") from None
    proto = protocol(url)
    opts = storage_options()
    key = (proto, json.dumps(opts, sort_keys=True))
    fs = _filesystems.get(key)
    if fs is None:
        try:
            if proto in ("http", "https"):
                fs = _http_filesystem(**opts)
            else:
                fs = fsspec.filesystem(proto, **opts)
        except ImportError as e:
            raise RuntimeError(f"reading {proto}:// needs the fsspec backend for it: {e}") from None
        _filesystems[key] = fs
    return fs


def _http_filesystem(**opts):
    from fsspec.implementations.http import HTTPFileSystem

    class _HTTP(HTTPFileSystem):
        """DuckDB asks every filesystem for a modification time; plain HTTP has none to give reliably."""

        def modified(self, path):
            import datetime as dt

            return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

    return _HTTP(**opts)


def attach(con, url: str, confine: bool = False) -> None:
    """Make `url` readable by the DuckDB connection `con` through fsspec. (DuckDB's httpfs would be faster
    on S3, but it cannot be installed offline; one tested path is better than two.)

    With `confine` the connection can read objects under `url` and nothing else: no other host, bucket or
    prefix of the same protocol (the SQL box must not become a way to fetch internal services), no writes."""
    con.register_filesystem(confined(url) if confine else filesystem(url))


_WRITES = ("mkdir", "makedirs", "touch", "rm", "rm_file", "rmdir", "mv", "copy", "cp_file", "put", "put_file",
           "pipe", "pipe_file")
_READS = ("open", "info", "glob", "ls", "find", "walk", "exists", "isdir", "isfile", "modified", "size", "cat",
          "cat_file", "get", "get_file", "head", "tail", "checksum", "ukey")


def _split(path: str) -> tuple[str, list[str]]:
    """(protocol or '', path segments) of a URL or fsspec path, percent-decoding so that ..%2f cannot hide."""
    from urllib.parse import unquote

    text = str(path)
    proto, rest = text.split("://", 1) if "://" in text else ("", text)
    for _ in range(3):
        rest = unquote(rest)
    return proto, [seg for seg in rest.replace("\\", "/").split("/") if seg not in ("", ".")]


def confined(url: str):
    """An fsspec filesystem for `url` that refuses every path outside `url` (and every write)."""
    from fsspec import AbstractFileSystem

    real = filesystem(url)
    base_proto, base = _split(url.rstrip("/"))
    protos = {base_proto} | ({"http", "https"} if base_proto in ("http", "https") else set())

    def allowed(path) -> bool:
        proto, segs = _split(path)
        if (proto and proto not in protos) or ".." in segs:
            return False
        return segs[:len(base)] == base

    def read(name):
        def method(self, path, *a, **kw):
            if not all(allowed(p) for p in (path if isinstance(path, (list, tuple)) else [path])):
                raise PermissionError(f"only the Parquet export can be read here, not {path}")
            return getattr(real, name)(path, *a, **kw)
        return method

    def write(self, *a, **kw):
        raise PermissionError("the Parquet export is read-only here")

    # composition, not a subclass: async filesystems (http) route their public methods per instance
    cls = type("Confined", (AbstractFileSystem,), {"protocol": real.protocol, "cachable": False,
                                                  **{n: read(n) for n in _READS}, **{n: write for n in _WRITES}})
    return cls(skip_instance_cache=True)


class StorageError(OSError):
    """The object store could not be reached or refused the request (the message says which URL and why)."""


def _guard(url: str, call):
    """Run `call()`; errors of the storage library become StorageError (FileNotFoundError stays)."""
    try:
        return call()
    except FileNotFoundError:
        raise
    except Exception as e:  # botocore/aiohttp errors are not OSErrors
        raise StorageError(f"cannot read {url}: {type(e).__name__}: {e}") from e


def read_text(url: str) -> str:
    def read():
        with filesystem(url).open(url, "rb") as f:
            return f.read().decode("utf-8")
    return _guard(url, read)


def version(url: str) -> str:
    """Something that changes whenever the object at `url` is replaced ('' when it does not exist)."""
    try:
        info = _guard(url, lambda: filesystem(url).info(url))
    except FileNotFoundError:
        return ""
    for k in ("ETag", "etag", "LastModified", "mtime", "updated", "md5Hash"):
        if info.get(k):
            return f"{k}={info[k]}|{info.get('size')}"
    return f"size={info.get('size')}"


def upload_dir(local: str | Path, url: str, last: tuple[str, ...] = ()) -> list[str]:
    """Copy the files under `local` to `url` (same relative paths); the names in `last` go up after all
    others, so a reader that starts from them never sees a partial upload. Returns the uploaded URLs."""
    fs = filesystem(url)
    local = Path(local)
    base = url.rstrip("/")
    files = sorted(p for p in local.rglob("*") if p.is_file())
    files.sort(key=lambda p: str(p.relative_to(local)) in last)
    out = []
    for p in files:
        dest = f"{base}/{p.relative_to(local).as_posix()}"
        _guard(dest, lambda: fs.put_file(str(p), dest))  # noqa: B023 (called at once)
        out.append(dest)
    return out
