"""The front end's own unit tests: ``tests/js/*.test.mjs``, run by Node's built-in test runner
(``node --test``, no npm package) against a fake widget model and a small fake page
(``tests/js/model.mjs``, ``tests/js/dom.mjs``). Each module of ``labnet/lab/static`` has its test
file there. Without Node (20.10 or later) they skip, naming what to install; where they are
required (``LABNET_REQUIRE_NODE=1``, as in ``.ci/run``) they fail instead."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "labnet" / "lab" / "static"
JS_TESTS = REPO / "tests" / "js"
NODE_AT_LEAST = (20, 10)  # ES modules with no package.json: --experimental-detect-module
LOADER = "lab.js"  # (it imports blob: URLs, which only a browser can: the browser tests run it)


def node() -> str:
    path = os.environ.get("LABNET_NODE") or shutil.which("node")
    version = None
    if path:
        out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        match = re.match(r"v(\d+)\.(\d+)", out.strip())
        version = (int(match[1]), int(match[2])) if match else None
    if version is None or version < NODE_AT_LEAST:
        found = f"node {'.'.join(map(str, version))}" if version else "no node"
        reason = (f"the front end's unit tests need Node {NODE_AT_LEAST[0]}.{NODE_AT_LEAST[1]} "
                  f"or later ({found} found): apt-get install nodejs")
        if os.environ.get("LABNET_REQUIRE_NODE") == "1":
            pytest.fail(f"{reason} (LABNET_REQUIRE_NODE=1: they must run)", pytrace=False)
        pytest.skip(reason)
    return path


def test_every_module_of_the_front_end_has_a_test_file():
    modules = {path.stem for path in STATIC.glob("*.js")} - {Path(LOADER).stem}
    tested = {path.name.removesuffix(".test.mjs") for path in JS_TESTS.glob("*.test.mjs")}
    assert modules - tested == set(), f"no tests/js/NAME.test.mjs for {sorted(modules - tested)}"


def test_the_front_ends_unit_tests_pass():
    files = sorted(str(path.relative_to(REPO)) for path in JS_TESTS.glob("*.test.mjs"))
    result = subprocess.run([node(), "--experimental-detect-module", "--test", *files],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    failed = [line for line in output.splitlines() if line.startswith("not ok")]
    summary = re.search(r"^# pass (\d+)", output, re.MULTILINE)
    assert result.returncode == 0, "\n".join(failed) + "\n\n" + output[-6000:]
    assert summary and int(summary[1]) >= 50, output[-2000:]  # (the files ran, not none)
