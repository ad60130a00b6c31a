"""Take the README's picture of the lab as a student sees it: JupyterLab at 1366×768 with the
file browser open, notebooks/02-lab.ipynb run, trained a little through the lab's own buttons.

    .venv/bin/python docs/screenshot.py [--out docs/lab.png] [--epochs 15]

Needs Debian's Chromium (``apt-get install chromium``). The server runs on a free loopback port
with its settings in a temporary folder, as the browser tests' does.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/02-lab.ipynb"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True,
                                                       "windowingMode": "none"},
            "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                            "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "lab.png"))
    parser.add_argument("--epochs", type=int, default=15, help="clicks on Epoch before the shot")
    args = parser.parse_args()
    port, token = free_port(), secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile() as log:
        home = Path(home)
        (home / "app").mkdir()
        (home / "app" / "overrides.json").write_text(json.dumps(SETTINGS))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "run"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
             "--LabApp.expose_app_in_browser=True",
             f"--LabApp.app_settings_dir={home / 'app'}"],
            cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            shoot(f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?reset&token={token}", port,
                  args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"wrote {args.out}")


def shoot(url: str, port: int, args) -> None:
    """Open the notebook, run it, train the lab through its Epoch button, take the picture."""
    deadline = time.time() + 90
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            if time.time() > deadline:
                raise SystemExit("JupyterLab did not start") from None
            time.sleep(0.3)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url, timeout=120_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
            timeout=120_000)
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        page.wait_for_selector(".labnet-lab .lab-status", timeout=120_000)
        page.wait_for_timeout(2000)
        for _ in range(args.epochs):
            page.click(".labnet-lab .lab-epoch")
            page.wait_for_timeout(200)
        page.click('.labnet-lab .lab-node[data-node="4"] .lab-node-box')  # a node looked at
        page.wait_for_timeout(1500)
        page.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
