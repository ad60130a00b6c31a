"""JupyterHub for a class on one machine: `make hub` (deploy/README.md, "One machine").

The real JupyterHub (PyPI) and its proxy, configurable-http-proxy (npm, installed by `make proxy`
into deploy/hub/node_modules). Every student logs in with the class's shared password, under a
name of their choosing, and gets a Jupyter server of their own (JupyterLab on the lab notebook)
in a folder of their own holding a fresh copy of the notebooks.

The per-student settings are those of the Kubernetes recipe, read from deploy/z2jh/config.yaml
(the one place they are set): the lab's training cap and the BLAS threads
(`singleuser.extraEnv`), the page a student lands on (`singleuser.defaultUrl`), the most servers
at once (`hub.activeServerLimit`), the hub's culling of idle servers (`cull`); the kernel culling
inside each student's server is deploy/jupyter/jupyter_server_config.py, as in the image. The CPU
and memory limits are told to each server (`CPU_LIMIT`, `MEM_LIMIT`) but not enforced on one
machine: the cap is what makes students playing at once share the cores.

Settings, from the environment (`make hub` passes them on):
  LABNET_HUB_PASSWORD  the class's password (8 characters or more); required
  LABNET_HUB_IP        the address to serve (default 127.0.0.1; 0.0.0.0: the room's network)
  LABNET_HUB_PORT      its port (default 8000)
  LABNET_HUB_STATE     the hub's database, cookie secret and the students' folders (default:
                       .hub/ in the repository)
"""

import os
import re
import shutil
import sys
from pathlib import Path

import yaml
from jupyterhub.spawner import SimpleLocalProcessSpawner

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
STATE = Path(os.environ.get("LABNET_HUB_STATE") or REPO / ".hub").resolve()
VALUES = yaml.safe_load((REPO / "deploy" / "z2jh" / "config.yaml").read_text())
SINGLEUSER = VALUES["singleuser"]
USERNAME = r"^[a-z0-9][a-z0-9_.-]{0,31}$"  # a name is also a folder's name


def per_student_environment() -> dict[str, str]:
    """What every student's server gets in its environment: the Kubernetes recipe's
    `singleuser.extraEnv`, and where the image's Jupyter config and the app's page are."""
    return {
        **{name: str(value) for name, value in SINGLEUSER["extraEnv"].items()},
        # deploy/jupyter/jupyter_server_config.py: the kernel culling, the app's page template
        "JUPYTER_CONFIG_PATH": str(REPO / "deploy" / "jupyter"),
        # every student runs as the same Unix user here: the lab's page keeps no file on the
        # server (Save and Export picture are downloads, Open an upload: as in the app, whose
        # voila.py, read from the folder above by Voilà's server extension, says the same)
        "LABNET_FILES": "browser",
        "JUPYTER_PATH": str(REPO / "deploy" / "app"),  # the app's page template (Voilà)
    }


class ClassroomSpawner(SimpleLocalProcessSpawner):
    """A student's Jupyter server, run as the hub's own user in the student's folder, which
    gets a copy of the repository's notebooks the first time."""

    def user_env(self, env):
        env = super().user_env(env)
        env.update(per_student_environment())
        return env

    async def start(self):
        home = Path(self.home_dir)
        notebooks = home / "notebooks"
        if not notebooks.exists():
            home.mkdir(parents=True, exist_ok=True)
            shutil.copytree(REPO / "notebooks", notebooks,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.npz"))
        return await super().start()


def quantity_bytes(quantity) -> int:
    """A Kubernetes memory quantity ("1G", "512M", "1Gi") in bytes."""
    units = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    number, unit = re.fullmatch(r"([0-9.]+)([KMG]i?)?", str(quantity)).groups()
    return int(float(number) * units[unit or ""])


c = get_config()  # noqa: F821 (traitlets defines it in config files)

password = os.environ.get("LABNET_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("deploy/hub: set LABNET_HUB_PASSWORD to the class's password (8 characters or "
             "more), e.g. LABNET_HUB_PASSWORD=... make hub")
if not PROXY.exists():
    sys.exit(f"deploy/hub: {PROXY} is missing: run `make proxy` (npm install)")
STATE.mkdir(parents=True, exist_ok=True)

ip, port = os.environ.get("LABNET_HUB_IP", "127.0.0.1"), os.environ.get("LABNET_HUB_PORT", "8000")
c.JupyterHub.bind_url = f"http://{ip}:{port}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# login: the class's shared password, under any name of the allowed form
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = USERNAME

# each student: their own Jupyter server, with the Kubernetes recipe's per-student settings
c.JupyterHub.spawner_class = ClassroomSpawner
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = SINGLEUSER["defaultUrl"]
if os.getuid() == 0:  # containers and CI run as root; a teacher runs the hub as themselves
    c.Spawner.args = ["--allow-root"]
c.Spawner.cpu_limit = float(SINGLEUSER["cpu"]["limit"])  # told (CPU_LIMIT), not enforced
c.Spawner.mem_limit = quantity_bytes(SINGLEUSER["memory"]["limit"])  # told (MEM_LIMIT)
c.Spawner.http_timeout = 60  # a loaded machine starts a server slowly
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "students" / "{username}")
c.JupyterHub.active_server_limit = int(VALUES["hub"]["activeServerLimit"])

# the hub stops a student's server idle this long (jupyterhub-idle-culler, as on Kubernetes)
cull = VALUES["cull"]
if cull.get("enabled"):
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={cull['timeout']}", f"--cull-every={cull['every']}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler", "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    }]
