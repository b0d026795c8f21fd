"""System tools some tests need (chromium, LibreOffice, antiword, tesseract): not Python packages, which come
from pyproject and are imported directly. Outside CI a missing tool skips those tests; in CI (.ci/run installs
every tool and sets CI) a missing tool fails them, so a broken CI image cannot hide behind skips."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM  # Debian's chromium, driven through Playwright (never `playwright install`)

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def present(tool: str) -> bool:
    return Path(CHROMIUM).exists() if tool == "chromium" else shutil.which(tool) is not None


def need(ok: bool, why: str) -> None:
    """Skip the running test when ``ok`` is false, or fail it in CI."""
    if not ok:
        if IN_CI:
            pytest.fail(f"{why} (CI must provide it)", pytrace=False)
        pytest.skip(why)

