"""Without Chromium the browser tests skip and say how to install it; where they are required
(``LABNET_REQUIRE_BROWSER=1``, as in CI) they fail instead. Runs without a browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run_without_chromium(require: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LABNET_REQUIRE_BROWSER"}
    env["LABNET_CHROMIUM"] = str(HERE / "no-such-chromium")
    if require:
        env["LABNET_REQUIRE_BROWSER"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsE", "-p", "no:cacheprovider",
         str(HERE / "test_voila.py")],
        cwd=HERE.parent.parent, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("require", [False, True], ids=["optional", "required"])
def test_a_missing_chromium_skips_with_the_install_command_or_fails_where_required(require):
    result = run_without_chromium(require)
    output = result.stdout + result.stderr
    assert "apt-get install chromium" in output, output
    if require:
        assert result.returncode == 1, output
        assert "LABNET_REQUIRE_BROWSER=1" in output and "error" in output, output
    else:
        assert result.returncode == 0, output
        assert "skipped" in output and "passed" not in output, output
