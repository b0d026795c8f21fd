"""dashboard/auth.py: roles mapping, local single-user mode, sign-in gate and role checks (AppTest)."""
import sys

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import role_for




def test_role_mapping():
    cfg = {"default": "viewer", "a@x.cn": "admin", "b@x.cn": {"role": "analyst", "region": "示例省/青川市"},
           "c@x.cn": "superuser"}
    assert role_for("a@x.cn", cfg) == ("admin", None)
    assert role_for("A@X.cn ", cfg) == ("admin", None)
    assert role_for("b@x.cn", cfg) == ("analyst", "示例省/青川市")
    assert role_for("z@x.cn", cfg) == ("viewer", None)
    assert role_for("c@x.cn", cfg) == (None, None)          # unknown role names grant nothing
    assert role_for("z@x.cn", {"default": "none"}) == (None, None)
    assert role_for(None, cfg) == (None, None)


def _page():
    import streamlit as st

    from dashboard import auth
    user = auth.require_login()
    st.write(f"user={user.email} role={user.role}")
    auth.require_role("admin")
    st.write("admin area")


def test_local_mode_is_single_admin_and_says_so():
    at = AppTest.from_function(_page)
    at.run()
    assert not at.exception
    assert any("本机单用户" in c.value for c in at.sidebar.caption)
    assert any("role=admin" in m.value for m in at.markdown) and any("admin area" in m.value for m in at.markdown)


def test_configured_but_signed_out_shows_login_only():
    at = AppTest.from_function(_page)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "http://127.0.0.1/.well-known/openid-configuration"}
    at.secrets["roles"] = {"default": "viewer"}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["登录"]
    assert not any("admin area" in m.value for m in at.markdown)
