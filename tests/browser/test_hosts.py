"""The lab in the other notebook front ends that render an anywidget, in Chromium: Jupyter
Notebook 7 (the lab notebook, its cells run) and marimo (``notebooks/marimo_lab.py``, served
by ``marimo run``, where ``mo.ui.anywidget(lab.widget)`` shows the lab). In each: the lab draws,
Play paints frames and trains, Pause stops it. (JupyterLab and Voilà have test files of their
own; VS Code and Colab are anywidget hosts too, not tested here: README, "Where it runs".)
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import time
from collections.abc import Iterator

import pytest
from conftest import ARTIFACTS
from labpage import LAB_NOTEBOOK, LabPage, numbers, open_in_jupyterlab
from servers import LAB_SETTINGS, REPO, Server, start_server, stop_server

pytestmark = pytest.mark.browser

MARIMO_APP = "notebooks/marimo_lab.py"


def draws_plays_and_pauses(lab: LabPage, host: str) -> None:
    assert lab.paints() > 0, "the lab drew no boundary"
    lab.play()
    try:
        seen, rates = lab.watch_playing(2.0, windows=1)
    finally:
        lab.pause()
    numbers[f"frames/s while playing ({host})"] = (
        f"{rates[0]:.1f}, {(seen['steps'][-1][1] - seen['steps'][0][1]) / seen['seconds']:,.0f} "
        f"steps/s")
    assert seen["paints"] >= 10, seen  # Play paints frames
    assert seen["steps"][-1][1] > seen["steps"][0][1], seen  # and trains
    step = lab.step()  # ("paused" is said once the kernel has stopped: its last step)
    time.sleep(1.0)
    assert lab.step() == step and "paused" in lab.status()  # Pause stopped it
    assert lab.message() == ""


@pytest.fixture(scope="module")
def notebook7(chromium_path, tmp_path_factory) -> Iterator[Server]:
    """Jupyter Notebook 7 on a copy of the lab notebook (Notebook 7 autosaves: never the
    repository's)."""
    home, root = tmp_path_factory.mktemp("notebook7"), tmp_path_factory.mktemp("notebooks")
    shutil.copy(REPO / LAB_NOTEBOOK, root / "lab.ipynb")
    settings = home / "app-settings"
    settings.mkdir()
    (settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS))
    token = secrets.token_hex(16)
    server = start_server("notebook7", lambda port: [
        sys.executable, "-m", "notebook", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        f"--JupyterNotebookApp.app_settings_dir={settings}",
    ], home, token=token, ready_path="api/status", log=ARTIFACTS / "notebook7.log")
    yield server
    stop_server(server, shutdown_path="api/shutdown")


def test_in_jupyter_notebook_7_the_lab_draws_plays_and_pauses(notebook7, new_page):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    lab = open_in_jupyterlab(page, notebook7, "lab.ipynb", app_path="notebooks")
    draws_plays_and_pauses(lab, "Notebook 7")


@pytest.fixture(scope="module")
def marimo(chromium_path, tmp_path_factory) -> Iterator[Server]:
    """``marimo run`` on the marimo notebook (the app view: outputs, no code)."""
    home = tmp_path_factory.mktemp("marimo")
    server = start_server("marimo", lambda port: [
        sys.executable, "-m", "marimo", "run", MARIMO_APP, "--headless", "--host", "127.0.0.1",
        "--port", str(port), "--no-token",
    ], home, ready_path="health", env={"MARIMO_SKIP_UPDATE_CHECK": "1", "HOME": str(home)},
        log=ARTIFACTS / "marimo.log")
    yield server
    stop_server(server)


def test_in_marimo_the_lab_draws_plays_and_pauses(marimo, new_page):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(marimo.url, timeout=90_000)
    lab = LabPage(page)  # (marimo draws the widget in a shadow root: the locators pierce it)
    lab.root.wait_for(state="visible", timeout=90_000)
    lab.wait_until("a boundary painted", lambda: lab.paints() > 0, timeout=60)
    assert lab.step() == 0
    draws_plays_and_pauses(lab, "marimo")
