"""One BLAS thread for the lab's computations.

The lab's matrices are small: with several BLAS threads on a 2-core machine shared with the
browser, a 100×100 boundary took 15× longer (the threads wait for each other). Training, scoring
and the pictures each run inside ``single_blas_thread()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run NumPy's matrix products on one thread inside this block."""
    global _controller
    if _controller is None:  # (made once: it looks up every loaded BLAS library)
        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield
