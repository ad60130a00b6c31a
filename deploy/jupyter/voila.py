"""Voilà's settings for ``make app`` (``--Voila.config_file_paths=deploy/jupyter``): the lab alone,
each visitor a fresh kernel, culled soon after its tab has gone.

Voilà reads config files named ``voila.py``/``voila.json`` only; the kernel culling is shared
with the JupyterHub image and lives in ``jupyter_server_config.py`` beside this file.
"""

import os

c = get_config()  # noqa: F821 (traitlets defines it in config files)

# the kernel manager and culling settings of the JupyterHub image (this folder)
_shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jupyter_server_config.py")
if not os.path.isfile(_shared):  # load_subconfig would skip a missing file without a word
    raise FileNotFoundError(_shared)
load_subconfig(_shared)  # noqa: F821

c.VoilaConfiguration.strip_sources = True  # no code cells: only their outputs (Voilà's default)

# Many visitors share this server: the lab's page reads and writes no file on it (Save and Export
# picture are downloads, Open an upload: labnet/lab/pagefiles.py). Every kernel inherits this.
os.environ["LABNET_FILES"] = "browser"

# The page's template, "labnet" (set in the shared file): Voilà's "lab" template less its requests
# to a CDN, in deploy/app/voila/templates/labnet (the image copies it where Voilà looks). Voilà
# finds templates in Jupyter's data folders, read from JUPYTER_PATH when the template is looked
# up, after this file has run; the kernels inherit the variable (it adds no kernel).
_app = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app")
_paths = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
if _app not in _paths:
    os.environ["JUPYTER_PATH"] = os.pathsep.join([_app, *filter(None, _paths)])

# -- FIGURES TO CHECK against benchmarks/bench_classroom.py (seconds) --------------------------
# In Voilà a reload or a new visit always makes a fresh kernel, so a kernel nobody is connected
# to serves only a tab that lost its network for a moment and reconnects; every closed or
# reloaded tab's kernel (still playing, maybe) runs this long before it is shut down.
c.MappingKernelManager.cull_idle_timeout = 120
c.MappingKernelManager.cull_interval = 15
