"""Kernel culling for a class: a lab whose browser tab has gone frees its CPU; and the app's page.

A Jupyter config file (traitlets), read by the Jupyter server of every student in the JupyterHub /
Binder image (``binder/postBuild`` copies it to ``{sys.prefix}/etc/jupyter/``) and, through
``voila.py`` beside it, by ``make app``'s Voilà.

Why a kernel manager of our own: Jupyter's culler (``MappingKernelManager.cull_idle_timeout``)
culls a kernel when its last *activity* is older than the timeout, and every message a kernel
sends counts as activity. A lab that is playing sends widget messages (frames) many times a
second whether or not anyone is watching, so with the stock settings a tab closed while playing
(a crashed browser, a laptop shut, a lost network) keeps its kernel training flat out until the
server stops: measured, ``tests/test_deploy.py``. ``cull_busy`` does not help (the lab plays
as an asyncio task: the kernel reports idle), and ``cull_connected`` would cull students who are
there. So: while no browser is connected to a kernel, what the kernel itself sends stops counting
and the clock runs from the moment the last browser left. A kernel with a browser connected is
never culled (``cull_connected`` stays False), as before.

This culler is what frees the kernel of every closed tab: JupyterLab keeps a kernel running when
its notebook's tab closes (by design), and Voilà 0.5's page asks for its kernel's shutdown on
``beforeunload`` but the server refuses it (403, "'_xsrf' argument missing from POST":
voila-dashboards/voila#1458, seen here with Voilà 0.5.13).
"""

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class ClassroomKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager whose culler measures idleness, for a kernel no browser is
    connected to, from the moment its last browser disconnected."""

    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.labnet_left_at = None

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is not None and not self._kernel_connections.get(kernel_id):
            kernel.labnet_left_at = utcnow()

    async def cull_kernel_if_idle(self, kernel_id):
        kernel = self._kernels.get(kernel_id)
        left_at = getattr(kernel, "labnet_left_at", None)
        if (left_at is not None and not self._kernel_connections.get(kernel_id)
                and getattr(kernel, "last_activity", None) is not None):
            # what the kernel sent since nobody watches (a playing lab's frames) is no activity
            kernel.last_activity = min(kernel.last_activity, left_at)
        return await super().cull_kernel_if_idle(kernel_id)


c = get_config()  # noqa: F821 (traitlets defines it in config files)

c.ServerApp.kernel_manager_class = ClassroomKernelManager  # JupyterLab, jupyterhub-singleuser
c.VoilaConfiguration.multi_kernel_manager_class = ClassroomKernelManager  # standalone Voilà

# -- FIGURES TO CHECK against benchmarks/bench_classroom.py (seconds) --------------------------
# A kernel no browser has been connected to for this long is shut down. In JupyterLab a student
# may close the notebook's tab and come back to it: keep this longer than a short break.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60  # how often the culler looks
c.MappingKernelManager.cull_connected = False  # a kernel a browser is connected to stays
c.MappingKernelManager.cull_busy = False  # a cell still running stays (a lab playing is not busy)

# The app's page (Voilà: `make app`, or /voila/render/... on the hub): Voilà's "lab" template less
# its requests to a CDN (deploy/app/voila/templates/labnet; binder/postBuild copies it where
# Voilà looks, and deploy/jupyter/voila.py points `make app`'s Voilà at it).
c.VoilaConfiguration.template = "labnet"
