"""Serving the lab to a class: the Voilà app (``make app``), the kernel culling it shares with the
JupyterHub image (``deploy/jupyter``), the Zero to JupyterHub values (``deploy/z2jh``), the image
repo2docker builds (``binder/``), and the classroom benchmark's helpers.

The tests marked ``browser`` start Voilà on a free 127.0.0.1 port and drive headless Chromium
(Playwright, in a thread of its own: the other browser tests keep an event loop in the main
thread); nothing leaves this machine.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from servers import BACKGROUND_ARGS, find_chromium, launch_chromium, voila_command

ROOT = Path(__file__).resolve().parent.parent
JUPYTER = ROOT / "deploy" / "jupyter"
Z2JH = ROOT / "deploy" / "z2jh"


def load_bench():
    """benchmarks/bench_classroom.py, as a module (it starts Voilà as ``make app`` does)."""
    spec = importlib.util.spec_from_file_location(
        "bench_classroom", ROOT / "benchmarks" / "bench_classroom.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_classroom", module)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def load_config(name: str):
    """A traitlets config file of deploy/jupyter, loaded as Jupyter and Voilà load it (what it
    sets in the environment is put back after)."""
    from traitlets.config.loader import PyFileConfigLoader

    saved = dict(os.environ)
    try:
        return PyFileConfigLoader(name, path=str(JUPYTER)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_app_uses_the_labnet_template_found_through_voila_py(monkeypatch):
    """``make app``'s page template is Voilà's "lab" less the CDN, found by Voilà where
    ``voila.py`` points; the image's config names the same template."""
    from traitlets.config.loader import PyFileConfigLoader
    from voila.paths import collect_template_paths

    ours = str(ROOT / "deploy" / "app" / "voila" / "templates" / "labnet")
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    assert ours not in collect_template_paths(["voila", "nbconvert"], "labnet", prune=True)
    saved = dict(os.environ)
    try:  # (voila.py sets Voilà's process's environment: put back after)
        config = PyFileConfigLoader("voila.py", path=str(JUPYTER)).load_config()
        paths = collect_template_paths(["voila", "nbconvert"], "labnet", prune=True)
        files = os.environ.get("LABNET_FILES")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert config.VoilaConfiguration.template == "labnet"
    assert load_config("jupyter_server_config.py").VoilaConfiguration.template == "labnet"
    assert paths[0] == ours
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)
    assert files == "browser"  # the app's pages get no server file (labnet/lab/pagefiles.py)


def yaml_file(path: Path):
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


# -- the kernel culling (deploy/jupyter) ---------------------------------------------------------
def test_jupyter_config_sets_the_classroom_kernel_manager_and_culling():
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    config = load_config("jupyter_server_config.py")
    manager = config.ServerApp.kernel_manager_class
    assert issubclass(manager, AsyncMappingKernelManager)
    assert config.VoilaConfiguration.multi_kernel_manager_class is manager
    culling = config.MappingKernelManager
    assert culling.cull_idle_timeout > 0 and 0 < culling.cull_interval <= culling.cull_idle_timeout
    assert culling.cull_connected is False  # a student who is there is never culled


def test_voila_config_loads_the_shared_culling_and_strips_the_code():
    config = load_config("voila.py")
    assert config.VoilaConfiguration.strip_sources is True
    assert config.VoilaConfiguration.multi_kernel_manager_class.__name__ == \
        "ClassroomKernelManager"
    shared = load_config("jupyter_server_config.py").MappingKernelManager
    culling = config.MappingKernelManager
    # a closed Voilà tab is never reopened (a reload is a new kernel): culled sooner than in
    # JupyterLab, where a student may come back to a notebook
    assert 0 < culling.cull_idle_timeout <= shared.cull_idle_timeout
    assert culling.cull_connected is False


def make_manager(manager_class, timeout=10):
    """A kernel manager holding one fake kernel (no process) whose shutdowns are recorded."""
    from jupyter_server._tz import utcnow

    manager = manager_class(cull_idle_timeout=timeout)
    kernel = SimpleNamespace(execution_state="idle", kernel_name="python3",
                             kernel_spec=SimpleNamespace(metadata={}), last_activity=utcnow())
    manager._kernels["k"] = kernel
    manager._kernel_connections["k"] = 0
    shut = []

    async def shutdown_kernel(kernel_id, *args, **kwargs):
        shut.append(kernel_id)

    manager.shutdown_kernel = shutdown_kernel
    return manager, kernel, shut


def culled(manager, shut) -> bool:
    asyncio.run(manager.cull_kernel_if_idle("k"))
    return shut == ["k"]


def test_a_kernel_whose_browser_left_is_culled_though_it_keeps_sending():
    from jupyter_server._tz import utcnow

    manager_class = load_config("jupyter_server_config.py").ServerApp.kernel_manager_class
    manager, kernel, shut = make_manager(manager_class)
    manager.notify_connect("k")
    kernel.last_activity = utcnow() - timedelta(seconds=60)
    assert not culled(manager, shut)  # connected: stays, however quiet
    manager.notify_disconnect("k")
    kernel.last_activity = utcnow()  # a playing lab's frames, nobody watching
    assert not culled(manager, shut)  # the browser left just now: a moment to come back
    kernel.labnet_left_at = utcnow() - timedelta(seconds=11)
    kernel.last_activity = utcnow()
    assert culled(manager, shut)


def test_a_browser_coming_back_in_time_keeps_its_kernel():
    from jupyter_server._tz import utcnow

    manager_class = load_config("jupyter_server_config.py").ServerApp.kernel_manager_class
    manager, kernel, shut = make_manager(manager_class)
    manager.notify_connect("k")
    manager.notify_disconnect("k")
    kernel.labnet_left_at = utcnow() - timedelta(seconds=5)
    manager.notify_connect("k")  # the network came back, the page reconnected
    kernel.last_activity = utcnow() - timedelta(seconds=60)
    assert kernel.labnet_left_at is None and not culled(manager, shut)


def test_with_jupyters_own_manager_a_kernel_that_keeps_sending_is_never_culled():
    """Why deploy/jupyter has a kernel manager of its own (the browser test below shows it with a
    real lab)."""
    from jupyter_server._tz import utcnow
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    manager, kernel, shut = make_manager(AsyncMappingKernelManager)
    manager.notify_connect("k")
    manager.notify_disconnect("k")
    time.sleep(0.01)
    kernel.last_activity = utcnow()  # each frame
    assert not culled(manager, shut)


# -- make app --------------------------------------------------------------------------------------
def makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    return text.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]


def test_make_app_serves_the_lab_notebook_with_deploy_jupyters_config():
    recipe = makefile_recipe("app").replace("\\\n", " ")
    assert "voila deploy/app/lab.ipynb" in recipe
    assert "--Voila.config_file_paths=$(CURDIR)/deploy/jupyter" in recipe
    assert (JUPYTER / "voila.py").is_file()
    # the benchmark and the browser tests below start what `make app` starts
    command = voila_command(1234)
    assert "deploy/app/lab.ipynb" in command
    assert f"--Voila.config_file_paths={JUPYTER}" in command


# -- the classroom benchmark's readings and report ----------------------------------------------
def test_bench_reads_memory_and_the_machines_cpu_from_proc():
    assert bench.proc_rss_mb(os.getpid()) > 10
    busy, total = bench.machine_busy_seconds()
    assert 0 < busy <= total


def test_bench_report_reads_a_round():
    page = {"frames_per_second": 24.0, "steps_per_second": 900.0, "paints_from": "data-paints",
            "pause_stopped_after": 0.05, "pause_shown_after": 0.1}
    one = {"pages": 2, "per_page": [page, {**page, "frames_per_second": 18.0}],
           "idle": {"a": {"cpu": 0.0, "rss_mb": 150.0}},
           "playing": {"a": {"cpu": 0.9, "rss_mb": 180.0}}, "server_cpu": 0.05,
           "browser_cpu": 0.4, "other_cpu": 0.0, "machine_busy": 0.9,
           "kernels_freed_after": 12.0}
    text = bench.report([one, {"pages": 4, "skipped": "--max-seconds reached"}], cap=1000)
    assert "18.0" in text and "skipped" in text and "within" in text


# -- Zero to JupyterHub ----------------------------------------------------------------------------
def k8s_bytes(quantity) -> float:
    """A Kubernetes memory quantity ("512M", "1G", "1Gi", 1e9) in bytes."""
    units = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    match = re.fullmatch(r"([0-9.]+)([KMGT]i?)?", str(quantity))
    assert match, f"not a memory quantity: {quantity!r}"
    return float(match.group(1)) * units[match.group(2) or ""]


def z2jh_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = yaml_file(Z2JH / "values-schema-subset.yaml")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_z2jh_config_matches_the_charts_schema():
    config = yaml_file(Z2JH / "config.yaml")
    errors = sorted(z2jh_validator().iter_errors(config), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_catches_a_misspelt_key():
    config = yaml_file(Z2JH / "config.yaml")
    config["singleuser"]["cpus"] = config["singleuser"].pop("cpu")
    assert not z2jh_validator().is_valid(config)
    config = yaml_file(Z2JH / "config.yaml")
    config["cull"]["timeout"] = "30m"
    assert not z2jh_validator().is_valid(config)


def test_z2jh_limits_hang_together_and_the_lab_gets_its_cap():
    config = yaml_file(Z2JH / "config.yaml")
    user = config["singleuser"]
    assert 0 < user["cpu"]["guarantee"] <= user["cpu"]["limit"]
    assert 0 < k8s_bytes(user["memory"]["guarantee"]) <= k8s_bytes(user["memory"]["limit"])
    # a playing lab's kernel (150-250 MB measured) and its Jupyter server fit under the limit
    assert k8s_bytes(user["memory"]["limit"]) >= 400e6
    cap = user["extraEnv"]["LABNET_MAX_STEPS_PER_SECOND"]
    assert isinstance(cap, str) and float(cap) > 0  # Kubernetes wants strings; the lab, a number
    assert config["cull"]["enabled"] and config["cull"]["timeout"] > 0
    # the hub's culler stops a server only after the kernel culler inside it could act
    kernel_timeout = load_config("jupyter_server_config.py").MappingKernelManager.cull_idle_timeout
    assert config["cull"]["timeout"] > kernel_timeout


def test_z2jh_default_url_opens_a_notebook_of_the_repository():
    url = yaml_file(Z2JH / "config.yaml")["singleuser"]["defaultUrl"]
    match = re.fullmatch(r"/(?:lab/tree|voila/render)/(.+)", url)
    assert match and (ROOT / match.group(1)).is_file(), url


# -- the image (binder/, built by repo2docker) -----------------------------------------------------
def test_postbuild_installs_labnet_and_the_culling_config():
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK)
    text = post.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"pip install --no-deps .* \.$", text, flags=re.MULTILINE)
    assert "deploy/jupyter/jupyter_server_config.py" in text
    assert "cp -r deploy/app/voila/templates/labnet" in text  # the app's page, offline
    assert (ROOT / "deploy" / "jupyter" / "jupyter_server_config.py").is_file()


@pytest.mark.slow
def test_repo2docker_builds_the_image_from_binder(tmp_path):
    """repo2docker's own reading of the repository (``--no-build``: the Dockerfile it would
    build; no Docker, no network)."""
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    if repo2docker is None:
        pytest.skip("repo2docker is not installed: pip install -e '.[dev]'")
    done = subprocess.run([repo2docker, "--no-build", "--debug", "--user-id", "1000",
                           "--user-name", "jovyan", str(ROOT)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile = done.stdout
    python = re.search(r"^\s*-\s*python\s*=\s*([0-9.]+)", (ROOT / "binder" /
                       "environment.yml").read_text(), flags=re.MULTILINE).group(1)
    assert f"python={python}" in done.stderr  # the environment's Python, not repo2docker's
    assert '--file "binder/environment.yml"' in dockerfile
    assert "./binder/postBuild" in dockerfile


# -- the app in a browser --------------------------------------------------------------------------
SHORT_CULLING = ("--MappingKernelManager.cull_idle_timeout=10",
                 "--MappingKernelManager.cull_interval=2")
CULLED_WITHIN = 10 + 2 + 15  # timeout + interval + the kernel's own shutdown, with room


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    reason = None
    if path is None:
        reason = "Chromium not found: apt-get install chromium"
    elif importlib.util.find_spec("playwright") is None:
        reason = "the playwright package is missing: pip install -e '.[dev]'"
    if reason:
        if os.environ.get("LABNET_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (LABNET_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    return path


def in_own_thread(function, *args):
    """Run ``function`` in a thread of its own: Playwright's sync API refuses a thread where an
    event loop runs (the session's other browser tests keep one in the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def artifacts_log(name: str) -> Path:
    folder = ROOT / "test-artifacts" / "deploy"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.log"


def wait(what: str, condition, timeout: float, poll: float = 0.25):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(poll)
    return value


def visit_and_abandon(chromium: str, server) -> dict:
    """Two students: one watches an idle lab; the other plays, then their browser goes away
    without a word (a crash, a laptop shut). Returns what happened to each kernel."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium, *BACKGROUND_ARGS)
        try:
            watcher, player = bench.open_visitors(browser, server.url, 2, timeout=120)
            kernels = server.kernels()
            body = watcher.page.inner_text("body")
            code_cells = watcher.page.locator(".jp-CodeCell").count()
            code_shown = watcher.page.locator(
                ".jp-CodeCell:not(.jp-mod-noInput), .jp-CodeCell .jp-InputArea, "
                ".jp-CodeMirrorEditor").count()
            player.page.locator(".labnet-lab .lab-play").first.click()
            wait("Play turning into Pause", lambda: "Pause" in player.play_label(), 30)
            time.sleep(2)
            playing_step = player.probe()["step"]
            player.context.close()  # gone: no beforeunload, the socket just closes
            left = time.monotonic()
            gone = wait("the abandoned kernel's shutdown",
                        lambda: player.kernel_id not in server.kernels(), CULLED_WITHIN)
            freed_after = time.monotonic() - left
            watcher_alive = watcher.kernel_id in server.kernels()
            watcher.context.close()
        finally:
            browser.close()
    return {"kernels": kernels, "watcher": watcher.kernel_id, "player": player.kernel_id,
            "body": body, "code_cells": code_cells, "code_shown": code_shown,
            "playing_step": playing_step,
            "gone": gone, "freed_after": freed_after, "watcher_alive": watcher_alive}


@pytest.mark.browser
@pytest.mark.slow
def test_the_app_culls_an_abandoned_playing_tab_and_keeps_a_watched_one(chromium):
    with bench.voila_app(*SHORT_CULLING, log=artifacts_log("voila-culling")) as server:
        seen = in_own_thread(visit_and_abandon, chromium, server)
    # each visitor a fresh kernel
    assert seen["watcher"] and seen["player"] and seen["watcher"] != seen["player"]
    assert {seen["watcher"], seen["player"]} <= set(seen["kernels"])
    # the lab alone: the notebook's outputs, no code
    assert "from labnet.lab import Lab" not in seen["body"]
    assert "lab.step(100)" not in seen["body"]
    assert seen["code_cells"] >= 1 and seen["code_shown"] == 0  # its outputs, not its code
    # the player's lab was training when the browser went; its kernel is gone, the watcher's not
    assert seen["playing_step"] is not None
    assert seen["freed_after"] <= CULLED_WITHIN
    assert seen["watcher_alive"], "a kernel whose browser is still there was culled"


def abandon_playing(chromium: str, server, seconds: float) -> bool:
    """A tab that plays, then its browser goes; True if its kernel still runs ``seconds`` later."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium, *BACKGROUND_ARGS)
        try:
            (player,) = bench.open_visitors(browser, server.url, 1, timeout=120)
            player.page.locator(".labnet-lab .lab-play").first.click()
            wait("Play turning into Pause", lambda: "Pause" in player.play_label(), 30)
            time.sleep(2)
            player.context.close()
        finally:
            browser.close()
    time.sleep(seconds)
    return player.kernel_id in server.kernels()


@pytest.mark.browser
@pytest.mark.slow
def test_with_jupyters_own_culler_an_abandoned_playing_tab_runs_on(chromium):
    """Why deploy/jupyter has its own kernel manager: with Jupyter's, the same settings never
    cull a lab left playing (its frames count as activity). If this starts failing, Jupyter
    has changed and deploy/jupyter's kernel manager may be dropped."""
    stock = ("--VoilaConfiguration.multi_kernel_manager_class="
             "jupyter_server.services.kernels.kernelmanager.AsyncMappingKernelManager")
    with bench.voila_app(*SHORT_CULLING, stock,
                         log=artifacts_log("voila-stock-culling")) as server:
        assert in_own_thread(abandon_playing, chromium, server, 10 + 2 + 8)


# -- Binder ---------------------------------------------------------------------------------------
def test_readme_binder_badge_opens_the_lab_notebook_in_jupyterlab():
    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\(https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/HEAD\?urlpath=([^)\s]+)\)",
                       text)
    assert ("lab/tree/notebooks/02-lab.ipynb" in {path for _, path in links}), links
    assert len({repo for repo, _ in links}) == 1  # one owner/name to replace: OWNER/labnet
    for _, path in links:
        notebook = re.sub(r"^(lab/tree|voila/render)/", "", path)
        assert (ROOT / notebook).is_file(), path


# -- JupyterHub on one machine (deploy/hub) --------------------------------------------------------
HUB = ROOT / "deploy" / "hub"


def load_hub_config(monkeypatch, password="a-class-password", proxy_there=True):
    """deploy/hub/jupyterhub_config.py as JupyterHub loads it (the proxy taken as installed)."""
    from traitlets.config.loader import PyFileConfigLoader

    pytest.importorskip("jupyterhub")
    proxy = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
    exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda path: (proxy_there if path == proxy
                                                       else exists(path)))
    monkeypatch.setenv("LABNET_HUB_PASSWORD", password)
    monkeypatch.setenv("LABNET_HUB_STATE", str(ROOT / "test-artifacts" / "hub-state"))
    return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB)).load_config()


def test_the_hub_gives_each_student_the_kubernetes_recipes_settings(monkeypatch):
    config = load_hub_config(monkeypatch)
    values = yaml_file(Z2JH / "config.yaml")
    single = values["singleuser"]
    spawner = config.JupyterHub.spawner_class
    assert spawner.__name__ == "ClassroomSpawner"
    env = spawner(user=SimpleNamespace(name="ada", url="/user/ada/", escaped_name="ada"),
                  hub=SimpleNamespace(), authenticator=None,
                  config=config).user_env({})
    for name, value in single["extraEnv"].items():  # the cap, the BLAS threads
        assert env[name] == str(value)
    assert env["JUPYTER_CONFIG_PATH"] == str(JUPYTER)  # the image's kernel culling
    assert Path(env["HOME"]).name == "ada"
    assert config.Spawner.default_url == single["defaultUrl"]
    assert config.JupyterHub.active_server_limit == values["hub"]["activeServerLimit"]
    culler = " ".join(config.JupyterHub.services[0]["command"])
    assert f"--timeout={values['cull']['timeout']}" in culler
    assert f"--cull-every={values['cull']['every']}" in culler
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "a-class-password"


def test_the_hub_refuses_to_start_without_a_class_password_or_its_proxy(monkeypatch):
    with pytest.raises(SystemExit, match="LABNET_HUB_PASSWORD"):
        load_hub_config(monkeypatch, password="short")
    with pytest.raises(SystemExit, match="make proxy"):
        load_hub_config(monkeypatch, proxy_there=False)


def test_make_hub_starts_jupyterhub_on_deploy_hubs_config_with_the_proxy_from_npm():
    recipe = makefile_recipe("hub").replace("\\\n", " ")
    assert "jupyterhub -f deploy/hub/jupyterhub_config.py" in recipe
    assert "$(PROXY)" in recipe.split("\n", 1)[0]
    lock = json.loads((HUB / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == \
        json.loads((HUB / "package.json").read_text())["dependencies"]["configurable-http-proxy"]
    assert "make proxy" in (ROOT / ".ci" / "run").read_text()
