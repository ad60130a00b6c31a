"""Jupyter servers and Chromium, for the browser tests and the classroom benchmark.

One place that knows how to find Debian's Chromium, pick a free loopback port, start JupyterLab,
Voilà (as ``make app`` does) or JupyterHub (as ``deploy/hub`` does) with Jupyter's folders in a
temporary directory (nothing read from or written to the user's Jupyter set-up), wait until it
answers, and stop it with everything it started. ``tests/browser/conftest.py``,
``tests/test_deploy.py`` and ``benchmarks/bench_classroom.py`` use it; a server may run from
another Python (a fresh venv with the built wheel installed) than the one running the tests.

Also the few readings of ``/proc`` (Linux) that find a server's kernels by their connection
files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
APP_NOTEBOOK = "deploy/app/lab.ipynb"  # what `make app` serves: the lab alone
APP_CONFIG = REPO / "deploy" / "jupyter"  # `make app`'s --Voila.config_file_paths
HUB = REPO / "deploy" / "hub"  # `make hub`: its config, and its proxy (`make proxy`)
HUB_PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
# pages in background browser contexts keep painting, as a student's visible tab does
BACKGROUND_ARGS = [
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
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


# -- the browser ----------------------------------------------------------------------------------
def find_chromium() -> str | None:
    """``$LABNET_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else ``chromium`` on
    the PATH; None if there is none."""
    chosen = os.environ.get("LABNET_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def launch_chromium(playwright, chromium: str, *extra_args: str):
    """Headless Chromium at ``chromium`` (never a browser Playwright would download)."""
    return playwright.chromium.launch(executable_path=chromium,
                                      args=[*CHROMIUM_ARGS, *extra_args], headless=True)


# -- servers --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(home: Path, python: str = sys.executable,
                extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a server run by ``python``: its venv's ``bin`` first on
    the PATH, Jupyter's folders under ``home``, ``extra`` on top."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(python).parent}{os.pathsep}{env.get('PATH', '')}"
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"),
                      ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env.pop("JUPYTER_PATH", None)
    env.pop("VIRTUAL_ENV", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass
class Server:
    """A running server: ``url`` ends with ``/``; ``token`` is ``""`` when it asks for none."""

    name: str
    process: subprocess.Popen
    url: str
    token: str
    log: Path
    home: Path
    port: int = field(default=0)

    def page_url(self, path: str = "", query: str = "") -> str:
        parts = [p for p in (query, f"token={self.token}" if self.token else "") if p]
        return self.url + path + ("?" + "&".join(parts) if parts else "")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kernels(self) -> dict[str, int]:
        """The kernels this server started, however deep ({kernel id: pid}; Linux)."""
        return kernel_processes(self.process.pid)


class ServerExitedError(RuntimeError):
    """The server process ended before it answered."""


def start_server(name: str, command_for: Callable[[int], list[str]], home: Path, *,
                 token: str = "", ready_path: str | None = None,
                 python: str = sys.executable, env: dict[str, str] | None = None,
                 cwd: Path = REPO,
                 log: Path | None = None, timeout: float = START_TIMEOUT,
                 attempts: int = 3) -> Server:
    """Start ``command_for(port)`` on a free port and wait until it answers: an HTTP 200 on
    ``ready_path``, or an accepted connection when ``ready_path`` is None. The process gets
    ``jupyter_env(home, python, env)``. If the port was taken in between, another port."""
    for attempt in range(attempts):
        port = free_port()
        try:
            return _start_once(name, command_for(port), port, home, token, ready_path,
                               jupyter_env(home, python, env), cwd,
                               log or ARTIFACTS / f"{name}.log", timeout)
        except ServerExitedError as error:
            if attempt == attempts - 1 or "in use" not in str(error):
                raise
    raise AssertionError("unreachable")


def _start_once(name: str, command: list[str], port: int, home: Path, token: str,
                ready_path: str | None, env: dict[str, str], cwd: Path, log: Path,
                timeout: float) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        # a session of its own: stop_server ends the whole group (a hub's proxy and spawned
        # servers with it)
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = Server(name, process, f"http://127.0.0.1:{port}/", token, log, home, port)
    deadline = time.monotonic() + timeout
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
    raise RuntimeError(f"{name} did not answer on port {port} within {timeout:.0f} s; "
                       f"its log ({log}) ends:\n{server.log_tail()}")


def stop_server(server: Server, shutdown_path: str | None = None) -> None:
    """Ask the server to shut down (its kernels with it), then terminate it if it lingers, and
    end whatever of its process group is left (never another process)."""
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
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    _end_group(process.pid)


def _end_group(group: int) -> None:
    """Terminate, then kill, what is left of the process group ``group`` (the server's own)."""
    for sig, pause in ((15, 3.0), (9, 0.0)):
        try:
            os.killpg(group, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@contextmanager
def running(name: str, command_for: Callable[[int], list[str]], *,
            home: Path | None = None, shutdown_path: str | None = None,
            **start: object) -> Iterator[Server]:
    """``start_server`` for the ``with`` block; stopped after it, its ``home`` removed when it
    made one."""
    made = home is None
    home = Path(tempfile.mkdtemp(prefix=f"labnet-{name}-")) if made else home
    try:
        server = start_server(name, command_for, home, **start)
        try:
            yield server
        finally:
            stop_server(server, shutdown_path)
    finally:
        if made:
            shutil.rmtree(home, ignore_errors=True)


def off_the_server(urls: list[str], server_url: str) -> list[str]:
    """The URLs that leave ``server_url``'s host and port (``blob:`` URLs of its own origin and
    ``data:`` URLs stay in the page)."""
    home = urlsplit(server_url).netloc
    left = []
    for url in urls:
        parts = urlsplit(url.removeprefix("blob:"))
        if parts.scheme == "data" or (parts.scheme in ("http", "ws") and parts.netloc == home):
            continue
        left.append(url)
    return left


# -- the commands: what `make lab`, `make app` and `deploy/hub` run --------------------------------
def jupyterlab_command(port: int, token: str, root_dir: Path, home: Path,
                       python: str = sys.executable) -> list[str]:
    """JupyterLab on ``root_dir``, with the test settings above (``LAB_SETTINGS``)."""
    app_settings = home / "app-settings"
    app_settings.mkdir(parents=True, exist_ok=True)
    (app_settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=1))
    return [python, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--LabApp.expose_app_in_browser=True", f"--LabApp.app_settings_dir={app_settings}",
            f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}"]  # none in the repo


def voila_command(port: int, *extra: str, notebook: str = APP_NOTEBOOK,
                  python: str = sys.executable) -> list[str]:
    """``make app``'s command line, on ``port`` without opening a browser; ``extra`` flags come
    last (they win over the config files)."""
    return [python, "-m", "voila", notebook, "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            f"--Voila.config_file_paths={APP_CONFIG}", *extra]


def hub_command(port: int, python: str = sys.executable) -> list[str]:
    """``make hub``'s command on ``port`` (the hub's own and its proxy's API ports free ones);
    the environment gives it ``LABNET_HUB_PASSWORD`` and ``LABNET_HUB_STATE``."""
    return [python, "-m", "jupyterhub", "-f", str(HUB / "jupyterhub_config.py"),
            f"--JupyterHub.bind_url=http://127.0.0.1:{port}",
            f"--JupyterHub.hub_bind_url=http://127.0.0.1:{free_port()}",
            f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]


# -- processes, from /proc (Linux) ----------------------------------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def parents() -> dict[int, int]:
    """{pid: parent pid} of every process, read once."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat is not None:
                found[int(entry)] = stat[0]
    return found


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    return [child for child, parent in parents().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, ... of ``pid``."""
    by_parent: dict[int, list[int]] = {}
    for child, parent in parents().items():
        by_parent.setdefault(parent, []).append(child)
    todo, found = [pid], []
    while todo:
        kids = by_parent.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found


def kernel_processes(server_pid: int) -> dict[str, int]:
    """The Jupyter kernels below a server: {kernel id: pid}, read from each descendant's command
    line (``... -f .../kernel-<id>.json``)."""
    kernels = {}
    for pid in descendants(server_pid):
        for arg in proc_cmdline(pid):
            match = re.search(r"kernel-([0-9a-f-]{36})\.json$", arg)
            if match:
                kernels[match.group(1)] = pid
    return kernels
