"""The event loop a lab lives on (in Jupyter, the kernel's) and its thread.

The play loop runs on it, and so does all that changes the lab: ipykernel 7 may deliver a
message from the page on another thread while the kernel is busy, so such a message is handed
over to the loop's thread, to run between two turns of the play loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable


class KernelLoop:
    """The loop a lab was made or played on, remembered with its thread."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: int | None = None
        with contextlib.suppress(RuntimeError):
            self.remember(asyncio.get_running_loop())

    def remember(self, loop: asyncio.AbstractEventLoop) -> None:
        """``loop`` runs on this thread: the lab lives on it from now on."""
        self.loop, self.thread = loop, threading.get_ident()

    def running(self) -> asyncio.AbstractEventLoop | None:
        """The loop remembered, if it is running (on whichever thread); else the loop running
        on this thread (remembered from now on), else None. (A loop of another thread, such as
        the one ipykernel 7 runs for a subshell, never replaces the kernel's while it runs.)"""
        loop = self.loop
        if loop is not None and loop.is_running():
            return loop
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            self.remember(loop)
            return loop
        return None

    def find(self) -> asyncio.AbstractEventLoop | None:
        """As ``running``, and also the loop of this thread when called from a handler
        outside the loop's own coroutines, as ipywidgets' callbacks are."""
        loop = self.running()
        if loop is not None:
            return loop
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None
        if not loop.is_running():
            return None
        self.remember(loop)
        return loop

    def call(self, function: Callable, *args) -> None:
        """Run ``function(*args)`` on the loop's thread, between two of its turns; at once if
        no loop is running or this is its thread."""
        loop = self.running()
        if loop is not None and threading.get_ident() != self.thread:
            loop.call_soon_threadsafe(function, *args)
        else:
            function(*args)

    def call_soon(self, function: Callable, *args) -> bool:
        """Run ``function(*args)`` at the loop's next turn (from any thread); False, and
        nothing done, if no loop is running."""
        loop = self.running()
        if loop is None:
            return False
        loop.call_soon_threadsafe(function, *args)
        return True
