"""Play: training that goes on by itself, without blocking the kernel.

``Player.play()`` starts an asyncio task on the kernel's event loop. Each turn of it trains for
a slice of time (at most ``TRAIN_SLICE``, less if a frame is due sooner), works a little on the
scores waiting, tells its listeners that the turn ended (``Turned``: the widget sends what is
due), and gives the loop back, so a click on Pause is seen within a slice. With a cap on steps
per second the task sleeps instead of training faster: many labs playing on one server then
share it.

The player knows nothing of the page. It asks its ``pace`` (the widget, through the two
questions of ``Pace``) when the next frame is due and whether anyone still watches, and says
what it does with events (``Played``, ``Turned``, ``Stopped``). While paused, it keeps the
status's scores up to date with the weights, in slices when there are many points.
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import Callable
from typing import Protocol

from labnet.errors import DivergedError
from labnet.lab.events import (
    DataChanged,
    GraphChanged,
    Played,
    PlayEvent,
    SettingsChanged,
    StateEvent,
    Stopped,
    Trained,
    Turned,
    WeightsChanged,
)
from labnet.lab.loop import KernelLoop
from labnet.lab.state import LabState

TRAIN_SLICE = 0.006
"""Seconds of training between two looks at the event loop (and at Pause)."""
SCORE_SLICE = 0.002
"""Seconds a turn spends on the scores waiting, at most."""
SCORE_EVERY = 0.5
"""While playing, the status's error rates are measured anew this often (if no epoch did)."""
SCORE_SHARE = 0.25
"""While paused, scoring takes at most this share of the time (between two slices it waits
three times as long as the last one took): clicks, and a flood of them, go first."""
CAPPED_BATCH = 0.01
"""With a cap on steps per second, the loop wakes up for this many seconds' worth of steps."""
SWITCH_INTERVAL = 0.001
"""Seconds of Python a thread runs before it hands the GIL over, while playing."""
WATCH_EVERY = 1.0
"""Seconds between two looks at whether anyone still watches the lab play."""


class Pace(Protocol):
    """What the play loop asks of the view that shows it (``LabWidget``)."""

    def time_to_frame(self, now: float) -> float:
        """Seconds until the view wants its next frame (the loop ends its slice of training
        then)."""

    def unwatched(self, now: float) -> str | None:
        """Why playing on is for no one (a sentence to show), or None while a view shows the
        lab."""


class Unpaced:
    """The pace of a player no view shows: whole slices of training, and play goes on."""

    def time_to_frame(self, now: float) -> float:
        return TRAIN_SLICE

    def unwatched(self, now: float) -> str | None:
        return None


class Player:
    """The play loop of one lab's state."""

    def __init__(self, state: LabState, kernel: KernelLoop | None = None) -> None:
        self.state = state
        self.kernel = kernel or KernelLoop()
        self.pace: Pace = Unpaced()
        self.listeners: list[Callable[[PlayEvent], None]] = []
        self.playing = False
        self.looping = False
        """The play loop is running (it may not be ``playing``: Pause was pressed mid-turn, and
        the loop sends what is due when it stops)."""
        self.steps_per_second = 0.0
        self.turns = 0
        self.last_step_at: float | None = None
        """``time.time()`` when the play loop's last slice of training ended (on the clock a
        page's clicks can be compared with, on one machine)."""
        self._task: asyncio.Task | None = None
        self._switch: float | None = None  # the interpreter's switch interval before Play
        self._scoring: asyncio.Task | None = None
        state.listeners.append(self._on_state_event)
        self.score_soon()

    def emit(self, event: PlayEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def play(self) -> asyncio.Task:
        """Start the play loop on the running event loop; return its task."""
        self.state.require_network()
        previous = self._task if self._task is not None and not self._task.done() else None
        if previous is not None and self.playing:
            return previous
        loop = self.kernel.find()
        if loop is None:
            raise RuntimeError("play() needs a running asyncio event loop, as in Jupyter; in a "
                               "plain script call lab.step(n) or lab.epoch() instead")
        # the GIL handed over every millisecond (not 5) while playing: the thread that gets the
        # page's messages (Pause) sees them sooner
        if self._switch is None:
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))
        self.playing = True
        # a loop that was paused may still be ending its turn: the new one starts after it
        self._task = loop.create_task(self._loop(after=previous))
        self.emit(Played())
        return self._task

    def pause(self) -> None:
        """Stop (from any thread: a flag the training checks between two steps)."""
        self.playing = False

    def stopping(self) -> bool:
        return not self.playing

    async def _loop(self, after: asyncio.Task | None) -> None:
        if after is not None:
            await after
        me = asyncio.current_task()
        self.looping = True
        window_start, window_steps = time.perf_counter(), 0
        tokens, last = 0.0, time.perf_counter()  # steps the cap allows, and when they grew
        next_look, next_score = 0.0, time.perf_counter() + SCORE_EVERY
        stopped = Stopped()
        try:
            while self.playing and self._task is me:  # one loop trains at a time
                state, pace = self.state, self.pace
                now = time.perf_counter()
                budget = min(TRAIN_SLICE, max(pace.time_to_frame(now), 0.0005))
                cap = state.training.max_steps_per_second
                allowed = 100_000
                if cap is not None:
                    tokens = min(tokens + (now - last) * cap, max(cap * 3 * CAPPED_BATCH, 2.0))
                    last, allowed = now, int(tokens)
                if allowed >= 1:
                    steps = state.train(allowed, seconds=budget, until=self.stopping)
                    self.last_step_at = time.time()
                    tokens -= steps
                    window_steps += steps
                if not self.playing:
                    break  # (Pause, mid-turn: its frames would be drawn for nothing)
                now = time.perf_counter()
                scorer = state.scorer
                if scorer.pending:
                    if scorer.advance(SCORE_SLICE):
                        next_score = now + SCORE_EVERY
                elif now >= next_score:
                    scorer.request()
                    next_score = now + SCORE_EVERY
                if now - window_start >= 0.5:
                    self.steps_per_second = window_steps / (now - window_start)
                    window_start, window_steps = now, 0
                if now >= next_look:
                    next_look = now + WATCH_EVERY
                    reason = pace.unwatched(now)
                    if reason is not None:
                        stopped = Stopped(reason)
                        break
                if self.playing:  # (Pause during the scores: no frames for nothing)
                    self.emit(Turned(time.perf_counter()))
                self.turns += 1
                # the kernel handles clicks between two turns; with a cap, sleep until a batch
                # of steps is allowed (or a frame is due): waking up for each step cost as much
                # as the steps themselves
                wait = 0.0
                if cap is not None:
                    batch = max(cap * CAPPED_BATCH, 1.0)
                    wait = max(0.0, min((batch - tokens) / cap,
                                        pace.time_to_frame(time.perf_counter())))
                await asyncio.sleep(wait)
        except DivergedError as error:  # (said until the next action: Reset, a setting...)
            stopped = Stopped(f"Paused: {error} If the weights had already grown huge, Reset "
                              f"draws new ones.", error=True)
        except Exception as error:  # shown in the lab, never lost in a log
            stopped = Stopped(f"Paused by an internal error ({type(error).__name__}: {error}); "
                              f"the traceback is in lab.last_traceback", error=True,
                              traceback=traceback.format_exc())
        finally:
            if self._task is me:  # no newer Play is waiting to take over
                self.playing = False
                self.steps_per_second = 0.0
                if self._switch is not None:
                    sys.setswitchinterval(self._switch)
                    self._switch = None
        if self._task is me:
            self.looping = False
            self.emit(stopped)
            self.score_soon()

    # -- the scores while paused -----------------------------------------------------------------
    def _on_state_event(self, event: StateEvent) -> None:
        if isinstance(event, GraphChanged | DataChanged | SettingsChanged | Trained
                      | WeightsChanged):  # (a weight set by hand, undone, redone: scores too)
            self.score_soon()

    def score_soon(self) -> None:
        """Bring the status's scores up to the weights as they are now, while paused: at once
        without an event loop, else a slice at a time on the loop (with 100,000 points, ~70 ms
        at once: Pause, Step and every setting would wait for it). A ``Scored`` event says when
        they are there. (Playing, the play loop scores.)"""
        if not self.playing and self.state.scorer.work_left():
            self.kernel.call(self._start_scoring)

    def _start_scoring(self) -> None:
        scorer = self.state.scorer
        if self.playing or not scorer.work_left():
            return
        loop = self.kernel.running()
        if loop is None:
            scorer.now()
        elif self._scoring is None or self._scoring.done():
            self._scoring = loop.create_task(self._score())

    async def _score(self) -> None:
        try:
            while not self.playing:
                scorer = self.state.scorer
                if not scorer.pending:
                    if not scorer.work_left():
                        break
                    scorer.request()
                start = time.perf_counter()
                scorer.advance(SCORE_SLICE)
                spent = time.perf_counter() - start
                await asyncio.sleep(spent * (1 - SCORE_SHARE) / SCORE_SHARE)
        except Exception as error:  # shown in the lab, never lost in a log
            self.emit(Stopped(f"Scoring stopped by an internal error ({type(error).__name__}: "
                              f"{error}); the traceback is in lab.last_traceback", error=True,
                              traceback=traceback.format_exc()))
