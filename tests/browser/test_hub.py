"""The class's JupyterHub on one machine (``deploy/hub``, ``make hub``), as students meet it: the
real JupyterHub and its proxy (configurable-http-proxy from npm: ``make proxy``), the class's
shared password, two students logging in through the hub's login page in Chromium, each landing
in JupyterLab on the lab notebook in a server and a folder of their own, running its first cell:
two labs drawn, each with the per-student settings of ``deploy/z2jh/config.yaml`` (the training
cap in its kernel's environment) and the image's kernel culling.

About a minute on 2 cores (two Jupyter servers, two JupyterLab pages and two kernels start at
once). Marked ``slow``; ``make test`` (so CI, after ``make proxy``) runs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import ARTIFACTS, _missing
from labpage import LabPage, log_in_to_hub, run_the_first_cell
from servers import HUB_PROXY, REPO, Server, hub_command, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-class-password"
STUDENTS = ("ada", "alan")
VALUES = yaml.safe_load((REPO / "deploy" / "z2jh" / "config.yaml").read_text())
KERNEL_CULLING = int(re.search(r"cull_idle_timeout = (\d+)", (
    REPO / "deploy" / "jupyter" / "jupyter_server_config.py").read_text()).group(1))


@pytest.fixture(scope="module")
def hub(chromium_path, tmp_path_factory) -> Iterator[Server]:
    if not os.access(HUB_PROXY, os.X_OK):
        _missing(f"configurable-http-proxy is missing ({HUB_PROXY}): run `make proxy`")
    home = tmp_path_factory.mktemp("hub")
    server = start_server("hub", hub_command, home, ready_path="hub/health", cwd=home,
                          env={"LABNET_HUB_PASSWORD": PASSWORD,
                               "LABNET_HUB_STATE": str(home / "state")},
                          log=ARTIFACTS / "hub.log")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def students(hub, browser) -> Iterator[dict[str, LabPage]]:
    """Each student in a browser of their own (own cookies), logged in, the lab shown."""
    contexts = {name: browser.new_context(viewport={"width": 1366, "height": 768})
                for name in STUDENTS}
    try:
        pages = {name: context.new_page() for name, context in contexts.items()}
        for name, page in pages.items():  # both log in before either waits: spawns overlap
            log_in_to_hub(page, hub.url, name, PASSWORD)
        yield {name: run_the_first_cell(page) for name, page in pages.items()}
    finally:
        for context in contexts.values():
            context.close()


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def test_two_students_log_in_through_the_hub_and_each_sees_a_lab_of_their_own(hub, students):
    for name, lab in students.items():
        assert f"/user/{name}/lab" in lab.page.url
        assert lab.paints() > 0 and lab.step() == 0 and lab.message() == ""
    kernels = hub.kernels()
    assert len(kernels) == len(STUDENTS), kernels  # one kernel per student, none shared
    homes = {environ(pid)["HOME"] for pid in kernels.values()}
    assert {Path(home).name for home in homes} == set(STUDENTS)  # a folder each


def test_each_students_kernel_has_the_per_student_settings_of_the_kubernetes_recipe(hub,
                                                                                    students):
    wanted = {name: str(value) for name, value in VALUES["singleuser"]["extraEnv"].items()}
    wanted["LABNET_FILES"] = "browser"  # one Unix user for all: no server file from a page
    for pid in hub.kernels().values():
        seen = environ(pid)
        assert {name: seen.get(name) for name in wanted} == wanted
    # each student's server culls kernels as the image's does (deploy/jupyter)
    culling = f"Culling kernels with idle durations > {KERNEL_CULLING} seconds"
    assert hub.log.read_text(errors="replace").count(culling) == len(STUDENTS)
