"""Optional sign-in (Streamlit's OIDC ``st.login``) with three roles.

Configuration in ``.streamlit/secrets.toml`` (never committed)::

    [auth]                                   # Streamlit's own OIDC settings
    redirect_uri = "https://monitor.example.gov.cn/oauth2callback"
    cookie_secret = "<long random string>"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://idp.example.gov.cn/.well-known/openid-configuration"

    [roles]                                  # e-mail → role, or role + region scope
    default = "viewer"                       # anyone else who signs in ("none" = refuse them)
    "zhang@example.gov.cn" = "admin"
    "li@example.gov.cn" = { role = "analyst", region = "示例省/青川市" }

Roles: ``viewer`` (statistics pages) < ``analyst`` (+ 数据探索 SQL) < ``admin`` (+ 导入, registry);
``reviewer`` = analyst + reviewing findings and correcting cells (admins may too).
Without an ``[auth]`` section the app runs for a single local user with every role, and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import safe

ROLES = ("viewer", "analyst", "reviewer", "admin")
# a reviewer sees what an analyst sees and may also review findings and correct cells (dashboard/review.py)
RANK = {"viewer": 0, "analyst": 1, "reviewer": 1, "admin": 2}
ROLE_NAMES = {"viewer": "查看者", "analyst": "分析员", "reviewer": "审核员", "admin": "管理员"}
REVIEW_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class User:
    email: str
    name: str
    role: str
    region: str | None = None     # region_path prefix the user may see (None = everything)
    local: bool = False           # no sign-in configured: the single local user


LOCAL = User("local", "本机用户", "admin", None, local=True)


def _secrets_section(name: str):
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets.toml at all
        return None


def auth_configured() -> bool:
    return bool(_secrets_section("auth"))


def role_for(email: str | None, roles_cfg) -> tuple[str | None, str | None]:
    """(role, region) for an e-mail from the [roles] mapping; role None = not allowed in."""
    cfg = dict(roles_cfg or {})
    default = cfg.get("default", "viewer")
    entry = cfg.get((email or "").strip().lower(), cfg.get(email or "", default)) if email else None
    if entry is None:
        return None, None
    if isinstance(entry, str):
        role, region = entry, None
    else:
        entry = dict(entry)
        role, region = entry.get("role", default), entry.get("region")
    return (role if role in RANK else None), (region or None)


def current_user() -> User | None:
    """The signed-in user (None when sign-in is configured but nobody is signed in or the e-mail has no
    role); the local user when sign-in is not configured."""
    if not auth_configured():
        return LOCAL
    if not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email") or "")
    role, region = role_for(email, _secrets_section("roles"))
    if role is None:
        return None
    return User(email, str(st.user.get("name") or email), role, region)


def require_login() -> User:
    """Call once in app.py before navigation. Shows the sign-in screen and stops the run when needed."""
    if not auth_configured():
        st.sidebar.caption("未配置登录：本机单用户模式，拥有全部权限。")
        return LOCAL
    if not getattr(st.user, "is_logged_in", False):
        st.title("政府信息公开年报监测")
        st.info("请先登录。")
        st.button("登录", on_click=st.login, type="primary", key="auth_login")
        st.stop()
    user = current_user()
    if user is None:
        st.error(f"账号 {safe.md(st.user.get('email'))} 没有访问权限，请联系管理员。")
        st.button("退出", on_click=st.logout, key="auth_logout_denied")
        st.stop()
    with st.sidebar:
        st.caption(f"{safe.md(user.name)} · {ROLE_NAMES[user.role]}" + (f" · 范围 {safe.md(user.region)}" if user.region else ""))
        st.button("退出登录", on_click=st.logout, key="auth_logout", type="tertiary")
    return user


def has_role(role: str, user: User | None = None) -> bool:
    user = user if user is not None else current_user()
    return user is not None and RANK[user.role] >= RANK[role]


def can_review(user: User | None = None) -> bool:
    """May mark findings 确认/误报/已整改 and correct cells: a signed-in reviewer or admin (the local user
    when sign-in is not configured)."""
    user = user if user is not None else current_user()
    return user is not None and user.role in REVIEW_ROLES


def require_role(role: str) -> User:
    """Call at the top of a page that needs `role`; shows a refusal and stops the run otherwise."""
    user = current_user()
    if user is None or RANK[user.role] < RANK[role]:
        st.error(f"此页面需要“{ROLE_NAMES[role]}”权限。")
        st.stop()
    return user


def region_scope() -> str | None:
    """The region_path prefix the current user is limited to (None = no limit)."""
    user = current_user()
    return user.region if user else None
