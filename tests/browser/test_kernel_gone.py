"""A lab whose kernel is gone says so (``static/kernel.js``): in JupyterLab, a kernel restarted
while the lab plays, a kernel killed, a widget closed from Python; in the Voilà app, a kernel
killed under a playing lab. Each time the page says what happened and how to go on, shows Play
(never a frozen "‖ Pause") and takes no gesture."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator

import pytest
from conftest import ARTIFACTS
from labpage import LabPage, kernel_output, open_in_jupyterlab, open_voila_app
from servers import REPO

pytestmark = pytest.mark.browser

FOLDER = "test-artifacts/notebooks"  # (ignored by git)
KERNEL_GONE = "lost its kernel"


@pytest.fixture
def notebook(request) -> str:
    """A notebook of the test's own (a kernel of its own) showing a lab."""
    name = f"{FOLDER}/{request.node.name}.ipynb"
    path = REPO / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": "from labnet.lab import Lab\n\nlab = Lab()\nlab",
                   "metadata": {}, "outputs": [], "execution_count": None}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    yield name
    path.unlink(missing_ok=True)


@pytest.fixture
def lab(jupyterlab, notebook, new_page) -> Iterator[LabPage]:
    """The notebook opened in a page of its own, its cell run: a fresh lab, playing."""
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    shown = open_in_jupyterlab(page, jupyterlab, notebook)
    shown.play()
    yield shown
    page.close()


def says_the_kernel_is_gone(lab: LabPage, words: str = KERNEL_GONE) -> None:
    lab.wait_until("the lab saying its kernel is gone", lambda: words in lab.message(),
                   timeout=30)
    assert "Play" in lab.play_label() and "Pause" not in lab.play_label()
    for css in (".lab-play", ".lab-step", ".lab-reset", ".lab-dataset"):
        assert lab.part(css).is_disabled(), css
    assert "run its cell again" in lab.message().lower()


def test_a_kernel_restarted_while_playing_leaves_a_lab_that_says_so(lab):
    lab.page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:restart'); }")
    accept = lab.page.locator(".jp-Dialog .jp-mod-accept")
    accept.wait_for(timeout=10_000)
    accept.click()
    says_the_kernel_is_gone(lab)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lab.root.screenshot(path=str(ARTIFACTS / "kernel-restarted.png"))


def test_a_killed_kernel_leaves_a_lab_that_says_so(lab, jupyterlab):
    kernels = jupyterlab.kernels()
    mine = lab.page.evaluate("""() => window.jupyterapp.shell.currentWidget
                                 .sessionContext.session.kernel.id""")
    os.kill(kernels[mine], signal.SIGKILL)
    says_the_kernel_is_gone(lab)


def test_a_widget_closed_from_python_leaves_words_where_the_lab_was(lab, notebook):
    kernel_output(lab.page, "lab.widget.close()", notebook)
    note = lab.page.locator(".jp-OutputArea .lab-gone-note")
    note.wait_for(timeout=20_000)
    assert "closed from Python" in note.inner_text()
    assert "Pause" not in lab.page.inner_text(".jp-OutputArea")


def test_in_the_app_a_killed_kernel_leaves_a_lab_that_says_so(voila, new_page):
    app = open_voila_app(voila, new_page)
    app.play()
    assert "Pause" in app.play_label()
    kernel_id = app.page.evaluate("""() => JSON.parse(
        document.getElementById('jupyter-config-data').textContent).kernelId""")
    os.kill(voila.kernels()[kernel_id], signal.SIGKILL)
    says_the_kernel_is_gone(app)
    app.page.close()
