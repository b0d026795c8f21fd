import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))
pytest_plugins = ["browser_fixtures"]  # server / browser / page for every browser test module

from system_tools import need, present  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_tool(*tools): system tools the test needs; skipped when one is "
                                       "missing, failed instead in CI (tests/system_tools.py)")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs_tool"):
        for tool in mark.args:
            need(present(tool), f"needs {tool} (a system package: .ci/run installs them all)")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    path = SHARED / "corpus"
    if not path.exists():
        pytest.skip("../shared/corpus is not available")
    return path


DEMO_SEED = 2019


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory) -> Path:
    """The small demo corpus (documents + truth), generated once per test session."""
    from etl.demo.generate import generate

    out = tmp_path_factory.mktemp("demo_small")
    generate(out, seed=DEMO_SEED, small=True, workers=2)
    return out


@pytest.fixture(scope="session")
def demo_db(demo_corpus, tmp_path_factory) -> Path:
    """A warehouse built from the small demo corpus exactly as `make run` builds the default one:
    registry import, then ingest (OCR off, as in the demo build: scans stay 'needs OCR')."""
    import os
    import subprocess

    db = tmp_path_factory.mktemp("demo_wh") / "demo.duckdb"
    env = {**os.environ, "GKJB_OCR": "0"}
    for cmd in (["offices", "import", str(demo_corpus / "offices.csv"), "--db", str(db)],
                ["ingest", str(demo_corpus / "docs"), "--db", str(db), "--dataset", "demo", "--no-progress"]):
        out = subprocess.run([sys.executable, "-m", "etl", *cmd], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-3000:]
    return db


@pytest.fixture(autouse=True)
def _keep_main_module():
    """AppTest installs its page script as sys.modules['__main__'] and leaves it there; multiprocessing's
    forkserver/spawn children would then import that script. Restore the real one after every test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def use_db(monkeypatch):
    """Point the dashboard at a warehouse for one test: use_db(path) sets GKJB_DB (undone after the test)."""
    def _use(path):
        monkeypatch.setenv("GKJB_DB", str(path))
        return path
    return _use
