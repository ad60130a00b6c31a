"""Fixtures for the browser tests: JupyterLab and Voilà servers, and Debian's Chromium.

One JupyterLab server, one Voilà server and one browser serve the whole session; each test module
opens its own page. Servers run from this Python's environment (``sys.executable -m ...``) on a
free loopback port, with their settings, workspaces and runtime files in a temporary directory,
so nothing is read from or written to the user's Jupyter set-up.

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
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from labpage import LAB_NOTEBOOK, numbers

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
INSTALL_HINT = "apt-get install chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1600, "height": 1000}
START_TIMEOUT = 90.0  # seconds for a server to answer

# JupyterLab settings: start the notebook's kernel without asking, keep every cell in the page,
# never save the notebook (it must stay without outputs in git), no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {
        "autoStartDefaultKernel": True, "windowingMode": "none"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false", "checkForUpdates": False},
}

_open_pages: list = []  # pages to screenshot when a test fails


def find_chromium() -> str | None:
    """``$LABNET_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else ``chromium`` on
    the PATH; None if there is none."""
    chosen = os.environ.get("LABNET_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _missing(reason: str) -> None:
    """Skip, or fail where the browser tests are required (CI)."""
    if os.environ.get("LABNET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (LABNET_REQUIRE_BROWSER=1: the browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(home: Path) -> dict[str, str]:
    """Environment for a server: this venv first on the PATH, Jupyter's dirs under ``home``."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"),
                      ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    return env


@dataclass
class Server:
    """A running server: ``url`` ends with ``/``; ``query`` is ``""`` or ``"token=..."``."""

    name: str
    process: subprocess.Popen
    url: str
    token: str
    log: Path

    def page_url(self, path: str = "", query: str = "") -> str:
        parts = [p for p in (query, f"token={self.token}" if self.token else "") if p]
        return self.url + path + ("?" + "&".join(parts) if parts else "")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class ServerExitedError(RuntimeError):
    """The server process ended before it answered."""


def start_server(name: str, command_for, token: str, home: Path,
                 ready_path: str | None, attempts: int = 3) -> Server:
    """Start ``command_for(port)`` on a free port and wait until it answers (an HTTP 200 on
    ``ready_path``, or an accepted connection when ``ready_path`` is None). If the port was
    taken in between, try another."""
    for attempt in range(attempts):
        port = free_port()
        try:
            return _start_once(name, command_for(port), port, token, home, ready_path)
        except ServerExitedError as error:
            if attempt == attempts - 1 or "in use" not in str(error):
                raise
    raise AssertionError("unreachable")


def _start_once(name: str, command: list[str], port: int, token: str, home: Path,
                ready_path: str | None) -> Server:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=server_env(home), stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(name, process, f"http://127.0.0.1:{port}/", token, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerExitedError(f"{name} exited with code {process.returncode} before "
                                    f"answering; its log ({log}) ends:\n{server.log_tail()}")
        try:
            if ready_path is None:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                time.sleep(0.2)  # and it is ours: still running
                if process.poll() is None:
                    return server
                continue
            with urllib.request.urlopen(server.page_url(ready_path), timeout=2) as response:
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.25)
    stop_server(server)
    raise RuntimeError(f"{name} did not answer on port {port} within {START_TIMEOUT:.0f} s; "
                       f"its log ({log}) ends:\n{server.log_tail()}")


def stop_server(server: Server, shutdown_path: str | None = None) -> None:
    """Ask the server to shut down (its kernels with it), then terminate it if it lingers."""
    process = server.process
    if shutdown_path and process.poll() is None:
        request = urllib.request.Request(server.url + shutdown_path, method="POST",
                                         headers={"Authorization": f"token {server.token}"})
        try:
            urllib.request.urlopen(request, timeout=5).close()
            process.wait(timeout=15)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        process.terminate()  # jupyter servers shut their kernels down on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


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
        chromium = playwright.chromium.launch(executable_path=chromium_path,
                                              args=CHROMIUM_ARGS, headless=True)
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
    app_settings = home / "app-settings"
    app_settings.mkdir()
    (app_settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=1))
    token = secrets.token_hex(16)
    server = start_server("jupyterlab", lambda port: [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}",
        "--LabApp.expose_app_in_browser=True", f"--LabApp.app_settings_dir={app_settings}",
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",  # none in notebooks/
    ], token, home, ready_path="api/status")
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
    """Voilà serving the lab notebook as an app, as ``make app`` does, on a free port."""
    home = tmp_path_factory.mktemp("voila")
    server = start_server("voila", lambda port: [
        sys.executable, "-m", "voila", LAB_NOTEBOOK, "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
    ], "", home, ready_path=None)
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
