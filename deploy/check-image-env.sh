#!/usr/bin/env bash
# What the image does, without Docker or conda: a fresh venv gets binder/environment.yml's pinned
# packages from PyPI and runs binder/postBuild, then every notebook is executed in it (nbclient,
# installed for this check only) and Jupyter is asked which kernel manager it would use.
# Needs a Python of the version binder/environment.yml names, and PyPI. About 2-4 minutes.
#   deploy/check-image-env.sh [python3.11]
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-python3.11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

want="$(sed -n 's/^ *- python=\([0-9.]*\)$/\1/p' binder/environment.yml)"
have="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$want" = "$have" ] || { echo "binder/environment.yml wants Python $want; $python is $have" >&2; exit 1; }

"$python" -m venv "$work/venv"
export PATH="$work/venv/bin:$PATH"
sed -n 's/^ *- \([A-Za-z0-9_.-]*==[^ #]*\).*$/\1/p' binder/environment.yml > "$work/pins.txt"
python -m pip install --quiet --disable-pip-version-check -r "$work/pins.txt"
bash binder/postBuild
python -m pip install --quiet --disable-pip-version-check nbclient
python -m pip check

cd "$work"  # not the checkout: labnet must come from the venv
python - "$OLDPWD" <<'PY'
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import labnet

repo = Path(sys.argv[1])
assert Path(labnet.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), labnet.__file__
for path in sorted((repo / "notebooks").glob("*.ipynb")):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print(f"ran {path.name}")
PY
python - <<'PY'
from jupyter_server.serverapp import ServerApp

app = ServerApp()
app.load_config_file()
manager = app.config.ServerApp.kernel_manager_class
assert manager.__name__ == "ClassroomKernelManager", manager
print("Jupyter's kernel manager:", manager.__name__,
      "; cull_idle_timeout:", app.config.MappingKernelManager.cull_idle_timeout)
PY
echo "check-image-env: the pinned environment installs and runs the notebooks"
