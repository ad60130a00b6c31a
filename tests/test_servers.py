"""The servers' and the browser's helper of the browser tests and the classroom benchmark
(``tests/servers.py``): ports, environments, starting and stopping a server with all it
started, and the readings of ``/proc`` that find a server's kernels."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import servers


def test_find_chromium_takes_labnet_chromium_and_refuses_a_missing_one(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LABNET_CHROMIUM", str(fake))
    assert servers.find_chromium() == str(fake)
    monkeypatch.setenv("LABNET_CHROMIUM", str(tmp_path / "none"))
    assert servers.find_chromium() is None


def test_jupyter_env_puts_the_servers_python_first_and_jupyters_folders_in_home(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    env = servers.jupyter_env(tmp_path / "home", str(python), {"LABNET_X": "1"})
    assert env["PATH"].split(os.pathsep)[0] == str(python.parent)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        assert Path(env[name]).is_dir() and Path(env[name]).is_relative_to(tmp_path / "home")
    assert "JUPYTER_PATH" not in env and env["LABNET_X"] == "1"


def http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_a_server_answers_on_a_free_port_and_stopping_it_ends_what_it_started(tmp_path):
    # a server that starts a child of its own (as a hub starts its proxy)
    script = tmp_path / "serve.py"
    script.write_text(
        "import subprocess, sys, http.server, functools\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "http.server.test(functools.partial(http.server.SimpleHTTPRequestHandler),"
        " port=int(sys.argv[1]), bind='127.0.0.1')\n")
    (tmp_path / "hello.txt").write_text("hello")
    server = servers.start_server("serve", lambda port: [sys.executable, str(script),
                                                         str(port)],
                                  tmp_path / "home", ready_path="hello.txt", cwd=tmp_path,
                                  log=tmp_path / "serve.log")
    try:
        grandchildren = servers.descendants(server.process.pid)
        assert grandchildren and server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        servers.stop_server(server)
    assert server.process.poll() is not None
    deadline = time.monotonic() + 5
    while any(servers.proc_stat(pid) for pid in grandchildren) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(servers.proc_stat(pid) for pid in grandchildren)


def test_a_server_that_exits_at_once_is_reported_with_its_log(tmp_path):
    with pytest.raises(servers.ServerExitedError, match="exited with code 3"):
        servers.start_server("bad", lambda port: [sys.executable, "-c",
                                                  "print('no good'); raise SystemExit(3)"],
                             tmp_path, log=tmp_path / "bad.log")
    assert "no good" in (tmp_path / "bad.log").read_text()


def test_running_stops_the_server_and_removes_the_home_it_made():
    with servers.running("http", http_server) as server:
        home = server.home
        assert home.is_dir() and server.process.poll() is None
    assert server.process.poll() is not None and not home.exists()


def test_make_apps_command_uses_deploy_jupyters_config():
    command = servers.voila_command(1234, "--x=1")
    assert command[-1] == "--x=1" and servers.APP_NOTEBOOK in command
    assert f"--Voila.config_file_paths={servers.APP_CONFIG}" in command
    assert (servers.APP_CONFIG / "voila.py").is_file()


def test_processes_are_read_from_proc():
    stat = servers.proc_stat(os.getpid())
    assert stat is not None and stat[0] == os.getppid() and stat[1] > 0
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in servers.children(os.getpid())
        assert child.pid in servers.descendants(os.getpid())
        assert "time.sleep(30)" in " ".join(servers.proc_cmdline(child.pid))
    finally:
        child.kill()
        child.wait()
    assert servers.proc_stat(child.pid) is None


def test_kernels_are_found_below_a_server_by_their_connection_file(tmp_path):
    kernel_id = "0d6c5c1e-8f2a-4c47-9b1e-2f6f1d3c9a10"
    # a kernel one level further down (a hub's user server's kernel) is found too
    launcher = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
                "'import time; time.sleep(30)', '-f', f'{sys.argv[1]}/kernel-{sys.argv[2]}.json'])")
    child = subprocess.Popen([sys.executable, "-c", launcher, str(tmp_path), kernel_id])
    try:
        deadline = time.monotonic() + 10
        while not servers.kernel_processes(os.getpid()) and time.monotonic() < deadline:
            time.sleep(0.05)
        found = servers.kernel_processes(os.getpid())
        assert list(found) == [kernel_id]
        assert servers.proc_stat(found[kernel_id])[0] == child.pid
    finally:
        for pid in servers.descendants(child.pid):
            os.kill(pid, 9)
        child.kill()
        child.wait()


def test_off_the_server_sees_a_cdn_and_keeps_the_servers_own_requests():
    server = "http://127.0.0.1:8866/"
    cdn = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css"
    elsewhere = [cdn, "http://127.0.0.1:9999/x", "http://localhost:8866/"]
    assert servers.off_the_server(elsewhere, server) == elsewhere
    own = [server + "voila/static/voila.js", "ws://127.0.0.1:8866/api/kernels/k",
           "blob:http://127.0.0.1:8866/5c1d", "data:,x"]
    assert servers.off_the_server(own, server) == []
