"""Fixtures for the browser tests: JupyterLab and Voilà servers, and Debian's Chromium.

One JupyterLab server, one Voilà server and one browser serve the whole session; each test module
opens its own page. Servers run from this Python's environment (``sys.executable -m ...``) on a
free loopback port, with their settings, workspaces and runtime files in a temporary directory,
so nothing is read from or written to the user's Jupyter set-up: ``tests/servers.py`` starts
them (the classroom benchmark starts its servers with it too).

The browser is ``$LABNET_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on the PATH.
Without one the tests skip, naming the install command; with ``LABNET_REQUIRE_BROWSER=1`` (as in
``.ci/run``) they fail instead. A failing test leaves screenshots of its pages in
``test-artifacts/browser/``, next to the servers' logs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import warnings
from collections.abc import Iterator

import pytest
from labpage import LAB_NOTEBOOK, numbers
from servers import ARTIFACTS as ALL_ARTIFACTS
from servers import (
    REPO,
    Server,
    find_chromium,
    jupyterlab_command,
    launch_chromium,
    start_server,
    stop_server,
    voila_command,
)

ARTIFACTS = ALL_ARTIFACTS / "browser"
INSTALL_HINT = "apt-get install chromium"
VIEWPORT = {"width": 1600, "height": 1000}

_open_pages: list = []  # pages to screenshot when a test fails


def _missing(reason: str) -> None:
    """Skip, or fail where the browser tests are required (CI)."""
    if os.environ.get("LABNET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (LABNET_REQUIRE_BROWSER=1: the browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        where = os.environ.get("LABNET_CHROMIUM") or "/usr/bin/chromium or chromium on PATH"
        _missing(f"Chromium not found ({where}); the browser tests need Debian's chromium: "
                 f"{INSTALL_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is missing: pip install -e '.[dev]'")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    """Headless Chromium driven by Playwright, shared by the session."""
    from playwright.sync_api import sync_playwright

    for old in ARTIFACTS.glob("*.png"):  # screenshots of an earlier run's failures
        old.unlink()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, chromium_path)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def new_page(browser):
    """Make pages (in one browser context per test module); closed after the module."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    pages = []

    def make():
        page = context.new_page()
        pages.append(page)
        _open_pages.append(page)
        return page

    yield make
    for page in pages:
        _open_pages.remove(page)
    context.close()


@pytest.fixture(scope="session")
def jupyterlab(chromium_path, tmp_path_factory) -> Iterator[Server]:
    """A JupyterLab server on the repository, with a token, answering on a free port."""
    home = tmp_path_factory.mktemp("jupyterlab")
    token = secrets.token_hex(16)
    server = start_server(
        "jupyterlab", lambda port: jupyterlab_command(port, token, REPO, home), home,
        token=token, ready_path="api/status", log=ARTIFACTS / "jupyterlab.log")
    yield server
    stop_server(server, shutdown_path="api/shutdown")
    # autosave is off: the notebook must still be saved without outputs (others may edit it
    # meanwhile, so it is only checked, never written back)
    cells = json.loads((REPO / LAB_NOTEBOOK).read_text())["cells"]
    if any(cell.get("outputs") or cell.get("execution_count") for cell in cells):
        warnings.warn(f"{LAB_NOTEBOOK} was saved with outputs during the browser tests; "
                      f"clear them before committing", stacklevel=1)


@pytest.fixture(scope="session")
def voila(chromium_path, tmp_path_factory) -> Iterator[Server]:
    """The Voilà app as ``make app`` serves it (its notebook, its config), on a free port."""
    home = tmp_path_factory.mktemp("voila")
    server = start_server("voila", lambda port: voila_command(port),
                          home, log=ARTIFACTS / "voila.log")
    yield server
    stop_server(server)


# -- screenshots of failing tests, and the numbers measured -------------------------------------
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("setup", "call", "teardown") and _open_pages:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])
        saved = []
        for i, page in enumerate(_open_pages):
            path = ARTIFACTS / f"{stem}-{report.when}-{i}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                lab = page.locator(".labnet-lab")
                if lab.count():
                    lab.first.screenshot(path=str(path.with_suffix(".lab.png")), timeout=5000)
                saved.append(str(path.relative_to(REPO)))
            except Exception as error:  # a screenshot must not hide the failure
                saved.append(f"(no screenshot of page {i}: {error})")
        report.sections.append(("screenshots", "\n".join(saved)))
    return report


def pytest_terminal_summary(terminalreporter):
    if numbers:
        terminalreporter.section("browser measurements")
        for name, value in numbers.items():
            terminalreporter.write_line(f"{name}: {value}")
