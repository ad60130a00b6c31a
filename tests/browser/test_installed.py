"""What users install, tested as installed (not the editable checkout every other test runs).

- The sdist and the wheel, built as a release is (``python -m build``: the sdist, then the wheel
  from the sdist), carry the lab's front end (``labnet/lab/static``).
- The image of Binder and the class's JupyterHub: a fresh venv (not the project's ``.venv``) gets
  ``binder/environment.yml``'s pinned packages, then ``binder/postBuild`` runs in a copy of the
  repository, as repo2docker runs it (labnet installed from source, not editable, the culling
  config, the app's page template).
- The built wheel installed in that venv (not editable), and JupyterLab started from the venv on
  a notebook outside the checkout: the lab draws, Play paints frames, Pause stops it.

Cost, on 2 cores with pip's cache warm: ~5 s to build, ~20-30 s to install the pinned packages,
~8 s for postBuild, ~15 s for JupyterLab and the browser (a machine whose pip cache is empty
fetches the packages from PyPI first). Marked ``browser`` (with the browser tests, after the quick
ones) and ``slow``; ``make test`` runs it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTIFACTS
from labpage import LabPage, numbers, open_in_jupyterlab
from servers import REPO, jupyterlab_command, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATIC = Path("labnet") / "lab" / "static"
PIN = re.compile(r"^\s*-\s*([A-Za-z0-9_.-]+==[^\s#]+)")
NOTEBOOK = "installed.ipynb"


def run(command: list, log: Path, cwd: Path | None = None, env: dict | None = None,
        timeout: float = 600) -> None:
    """Run ``command``; its output goes to ``log``; a failure says the log's last lines."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"$ {' '.join(map(str, command))}\n")
        out.flush()
        done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, stdout=out,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout)
    if done.returncode:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise AssertionError(f"{command[:4]} exited with {done.returncode}; {log} ends:\n{tail}")


def checkout_copy(to: Path) -> Path:
    """The repository's files (tracked, and new ones not ignored) copied to ``to``."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)
    return to


def binder_pins() -> list[str]:
    """``binder/environment.yml``'s pip pins (``name==version``), as the image installs them."""
    return [m.group(1) for line in (REPO / "binder" / "environment.yml").read_text().splitlines()
            if (m := PIN.match(line))]


def static_files() -> dict[str, bytes]:
    """The front end's files in the checkout: {path inside the package folder: bytes}."""
    return {str(p.relative_to(REPO)): p.read_bytes()
            for p in sorted((REPO / STATIC).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built from a copy of the checkout."""
    work = tmp_path_factory.mktemp("build")
    source = checkout_copy(work / "src")
    started = time.monotonic()
    run([sys.executable, "-m", "build", "--outdir", work / "dist", source],
        ARTIFACTS / "installed-build.log")
    numbers["wheel and sdist built"] = f"{time.monotonic() - started:.1f} s"
    return {"wheel": next((work / "dist").glob("labnet-*.whl")),
            "sdist": next((work / "dist").glob("labnet-*.tar.gz")), "source": source}


@pytest.fixture(scope="module")
def image(dist, tmp_path_factory) -> dict:
    """A fresh venv made as the image is (pins, then postBuild), then given the built wheel."""
    work = tmp_path_factory.mktemp("image")
    venv, log = work / "venv", ARTIFACTS / "installed-venv.log"
    log.unlink(missing_ok=True)
    python = venv / "bin" / "python"
    started = time.monotonic()
    run([sys.executable, "-m", "venv", venv], log)
    run([python, "-m", "pip", "install", "--quiet", "--no-compile", *binder_pins()], log)
    pinned = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run(["bash", "binder/postBuild"], log, cwd=dist["source"], env=env)
    post_built = time.monotonic()
    # what postBuild installed, seen from outside the checkout (the cwd is on sys.path)
    probe = ("import json, sys, labnet, labnet.lab; from pathlib import Path; "
             "from voila.paths import collect_template_paths as found; "
             "p = Path(labnet.__file__).parent / 'lab' / 'static'; "
             "print(json.dumps({'labnet': labnet.__file__, 'prefix': sys.prefix, "
             "'static': sorted(f.name for f in p.iterdir()), "
             "'template': found(['voila', 'nbconvert'], 'labnet', prune=True)[0]}))")
    after_post_build = subprocess.run([python, "-c", probe], cwd=work, env=env,
                                      capture_output=True, text=True, timeout=120)
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
         dist["wheel"]], log)
    run([python, "-m", "pip", "check"], log)
    numbers["fresh venv as the image"] = (
        f"{pinned - started:.0f} s pinned packages, {post_built - pinned:.0f} s postBuild, "
        f"{time.monotonic() - post_built:.0f} s the wheel")
    return {"python": python, "venv": venv, "work": work, "after_post_build": after_post_build}


def test_the_sdist_and_the_wheel_carry_every_file_of_the_front_end(dist):
    wanted = static_files()
    assert any(name.endswith("lab.js") for name in wanted)
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        in_wheel = {name: wheel.read(name) for name in wheel.namelist()
                    if name.startswith(str(STATIC))}
    assert in_wheel == wanted
    with tarfile.open(dist["sdist"]) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames()
                    if name.split("/", 1)[-1].startswith(str(STATIC))
                    and sdist.getmember(name).isfile()}
    assert in_sdist == set(wanted)


def test_the_image_installs_labnet_with_its_front_end_and_the_culling_config(image):
    done = image["after_post_build"]
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert Path(seen["labnet"]).is_relative_to(image["venv"]), seen  # not the checkout
    assert {"lab.js", "lab.css"} <= set(seen["static"])
    assert (image["venv"] / "etc" / "jupyter" / "jupyter_server_config.py").is_file()
    assert Path(seen["template"]).is_relative_to(image["venv"]), seen  # the app's page


@pytest.fixture(scope="module")
def installed_lab(image, chromium_path, new_page) -> Iterator[LabPage]:
    """JupyterLab from the fresh venv, on a folder outside the checkout holding one notebook
    that shows where labnet comes from and a lab."""
    root = image["work"] / "notebooks"
    root.mkdir()
    cells = ["import labnet\nprint('labnet from', labnet.__file__)",
             "from labnet.lab import Lab\n\nlab = Lab()\nlab"]
    (root / NOTEBOOK).write_text(json.dumps({
        "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                   "execution_count": None} for c in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    home, token = image["work"] / "jupyter", secrets.token_hex(16)
    python = str(image["python"])
    server = start_server(
        "jupyterlab-installed",
        lambda port: jupyterlab_command(port, token, root, home, python=python), home,
        token=token, ready_path="api/status", python=python, cwd=root,
        log=ARTIFACTS / "jupyterlab-installed.log")
    try:
        page = new_page()
        page.set_viewport_size({"width": 1366, "height": 768})
        yield open_in_jupyterlab(page, server, NOTEBOOK)
    finally:
        stop_server(server, shutdown_path="api/shutdown")


def test_the_lab_from_the_installed_wheel_draws_plays_and_pauses_in_jupyterlab(installed_lab,
                                                                                  image):
    lab = installed_lab
    where = lab.page.locator(".jp-OutputArea-output", has_text="labnet from").first.inner_text()
    assert str(image["venv"]) in where and str(REPO) not in where, where
    assert lab.paints() > 0 and lab.step() == 0
    lab.play()
    try:
        seen, rates = lab.watch_playing(2.0, windows=1)
    finally:
        lab.pause()
    numbers["installed wheel: frames/s while playing"] = f"{rates[0]:.1f}"
    assert seen["paints"] >= 10, seen  # frames painted: the front end runs from the wheel
    assert seen["steps"][-1][1] > seen["steps"][0][1], seen
    step = lab.step()  # ("paused" is said once the kernel has stopped: its last step)
    time.sleep(1.0)
    assert lab.step() == step and "paused" in lab.status()
    assert lab.message() == ""
