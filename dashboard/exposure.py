"""Who can reach the dashboard: it listens on loopback unless told otherwise, and a network address
without sign-in (where every visitor would be admin: SQL box, ingest) needs an explicit opt-in.

    make run                                       # 127.0.0.1 only (.streamlit/config.toml)
    make run ADDRESS=0.0.0.0                       # refused unless [auth] is configured ...
    GKJB_ALLOW_OPEN=1 make run ADDRESS=0.0.0.0     # ... or this flag says a reverse proxy guards it

``python -m dashboard.exposure ADDRESS`` performs the same check before the server starts (make run).
"""
from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

ALLOW_ENV = "GKJB_ALLOW_OPEN"


def is_loopback(address: str | None) -> bool:
    """'' / None means every interface to Streamlit (not loopback)."""
    address = (address or "").strip().strip("[]")
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # a host name or '': may resolve to anything
        return False


def problem(address: str | None, signed_in: bool) -> str | None:
    """Why serving on `address` is refused, or None when it is fine."""
    if is_loopback(address) or signed_in or os.environ.get(ALLOW_ENV) == "1":
        return None
    where = address or "所有网络接口 / every interface"
    return (f"拒绝在 {where} 上无登录地提供服务：未配置登录（[auth]）时每个访问者都是管理员（SQL 查询、导入）。"
            f"请只监听 127.0.0.1 并通过带身份认证的 HTTPS 反向代理对外提供，或配置 [auth]；确需如此时设置环境变量 "
            f"{ALLOW_ENV}=1。/ Refusing to serve on {address or 'all interfaces'} without sign-in: configure [auth] "
            f"in .streamlit/secrets.toml, keep server.address = 127.0.0.1 behind an authenticating reverse proxy, "
            f"or set {ALLOW_ENV}=1 to accept the risk.")


def _secrets_have_auth(root: Path) -> bool:
    import tomllib

    for p in (root / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            if tomllib.loads(p.read_text(encoding="utf-8")).get("auth"):
                return True
        except (OSError, ValueError):
            continue
    return False


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else ""
    msg = problem(address, _secrets_have_auth(Path.cwd()))
    if msg:
        print(msg, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
