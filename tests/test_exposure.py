"""Issue 13 item 1: the dashboard listens on loopback by default; a network address without sign-in is refused
unless GKJB_ALLOW_OPEN=1 says a reverse proxy guards it."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    out = set()
    for name, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            addr, p = f[1].split(":")
            if f[3] == "0A" and int(p, 16) == port:  # 0A = LISTEN
                raw = bytes.fromhex(addr)
                ip = bytes(b for i in range(0, len(raw), 4) for b in reversed(raw[i:i + 4]))  # per-word little endian
                out.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, ip))
    return out


def test_default_server_listens_on_loopback_only(tmp_path):
    port = _free_port()
    env = {**os.environ, "GKJB_DB": str(tmp_path / "none.duckdb")}
    env.pop("GKJB_ALLOW_OPEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start")
        assert _listening(port) == {"127.0.0.1"}
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0].decode(errors="replace")
    assert "Network URL" not in out


@pytest.mark.parametrize("address,auth,flag,refused", [
    ("127.0.0.1", False, False, False), ("::1", False, False, False), ("localhost", False, False, False),
    ("0.0.0.0", False, False, True), ("", False, False, True), ("10.1.2.3", False, False, True),
    ("0.0.0.0", True, False, False), ("0.0.0.0", False, True, False),
])
def test_exposure_rule(monkeypatch, address, auth, flag, refused):
    from dashboard import exposure

    monkeypatch.delenv("GKJB_ALLOW_OPEN", raising=False)
    if flag:
        monkeypatch.setenv("GKJB_ALLOW_OPEN", "1")
    assert (exposure.problem(address, auth) is not None) == refused


def test_make_run_check_refuses_open_address(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GKJB_ALLOW_OPEN"}
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", "dashboard.exposure", *a], cwd=tmp_path,  # noqa: E731
                                          env={**env, "PYTHONPATH": str(ROOT), **kw}, capture_output=True, text=True)
    assert run("127.0.0.1").returncode == 0
    r = run("0.0.0.0")
    assert r.returncode == 2 and "GKJB_ALLOW_OPEN" in r.stderr
    assert run("0.0.0.0", GKJB_ALLOW_OPEN="1").returncode == 0
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n')
    assert run("0.0.0.0").returncode == 0


def test_app_serves_nothing_on_an_open_address_without_sign_in(monkeypatch, tmp_path):
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("GKJB_ALLOW_OPEN", raising=False)
    monkeypatch.setenv("GKJB_DB", str(tmp_path / "none.duckdb"))
    old = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception
        assert any("GKJB_ALLOW_OPEN" in e.value for e in at.error)
        assert not at.sidebar.caption and not at.title  # no page, no filters, no admin tools
        monkeypatch.setenv("GKJB_ALLOW_OPEN", "1")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        assert not any("GKJB_ALLOW_OPEN" in e.value for e in at.error)
    finally:
        config.set_option("server.address", old)
