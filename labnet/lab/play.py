"""Play: training that goes on by itself, without blocking the kernel.

``Player.play()`` starts an asyncio task on the kernel's event loop. Each turn of it trains for
a slice of time (at most ``TRAIN_SLICE``, less if a frame is due sooner), works a little on the
scores waiting, lets the widget send what is due, and gives the loop back, so a click on Pause
is seen within a slice. With a cap on steps per second the task sleeps instead of training
faster: many labs playing on one server then share it.
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from typing import TYPE_CHECKING

from labnet.errors import DivergedError
from labnet.lab.events import Scored

if TYPE_CHECKING:
    from labnet.lab.lab import Lab

TRAIN_SLICE = 0.006
"""Seconds of training between two looks at the event loop (and at Pause)."""
SCORE_SLICE = 0.002
"""Seconds a turn spends on the scores waiting, at most."""
SCORE_EVERY = 0.5
"""While playing, the status's error rates are measured anew this often (if no epoch did)."""
QUICK_SCORES = 16_384
"""Points the status's scores may take at once (a few ms); more are scored a slice at a time."""
CAPPED_BATCH = 0.01
"""With a cap on steps per second, the loop wakes up for this many seconds' worth of steps."""
SWITCH_INTERVAL = 0.001
"""Seconds of Python a thread runs before it hands the GIL over, while playing."""
UNSEEN_PAUSE = 60.0
"""A lab that a page showed, but no page has shown for this many seconds (the tab was closed
or hidden), pauses: its training would take a server's CPU for no one."""


class Player:
    """The play loop of one lab."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.playing = False
        self.steps_per_second = 0.0
        self.turns = 0
        self.stopped_at: float | None = None  # time.time() when training last stopped
        self._task: asyncio.Task | None = None
        self._switch: float | None = None  # the interpreter's switch interval before Play
        self._scoring: asyncio.Task | None = None

    def play(self) -> asyncio.Task:
        lab = self.lab
        lab.state.require_network()
        previous = self._task if self._task is not None and not self._task.done() else None
        if previous is not None and self.playing:
            return previous
        loop = _running_loop()
        if loop is None:
            raise RuntimeError("play() needs a running asyncio event loop, as in Jupyter; in a "
                               "plain script call lab.step(n) or lab.epoch() instead")
        lab.remember_loop(loop)
        # the GIL handed over every millisecond (not 5) while playing: the thread that gets the
        # page's messages (Pause) sees them sooner
        if self._switch is None:
            self._switch = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))
        if lab.widget.last_seen is not None:  # the page that pressed Play is there now
            lab.widget.last_seen = time.perf_counter()
        self.playing = True
        # a loop that was paused may still be ending its turn: the new one starts after it
        self._task = loop.create_task(self._loop(after=previous))
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
        lab = self.lab
        window_start, window_steps = time.perf_counter(), 0
        tokens, last = 0.0, time.perf_counter()  # steps the cap allows, and when they grew
        next_check, next_score = 0.0, time.perf_counter() + SCORE_EVERY
        try:
            while self.playing and self._task is me:  # one loop trains at a time
                state, widget = lab.state, lab.widget
                now = time.perf_counter()
                budget = min(TRAIN_SLICE, max(widget.time_to_frame(now), 0.0005))
                cap = state.training.max_steps_per_second
                allowed = 100_000
                if cap is not None:
                    tokens = min(tokens + (now - last) * cap, max(cap * 3 * CAPPED_BATCH, 2.0))
                    last, allowed = now, int(tokens)
                if allowed >= 1:
                    steps = state.train_for(budget, max_steps=allowed, stop=self.stopping)
                    self.stopped_at = time.time()
                    tokens -= steps
                    window_steps += steps
                now = time.perf_counter()
                if state.scorer.pending:
                    if state.scorer.advance(SCORE_SLICE):
                        next_score = now + SCORE_EVERY
                elif now >= next_score:
                    state.scorer.request()
                    next_score = now + SCORE_EVERY
                if now - window_start >= 0.5:
                    self.steps_per_second = window_steps / (now - window_start)
                    window_start, window_steps = now, 0
                if now >= next_check:
                    next_check = now + 1.0
                    seen = widget.last_seen
                    if widget.all_gone:
                        widget.say("Paused: no page shows this lab any more (its cell ran "
                                   "again, or its output was cleared).", sticky=True)
                        break
                    if seen is not None and now - seen > UNSEEN_PAUSE:
                        widget.say(f"Paused: no page has shown this lab for "
                                   f"{UNSEEN_PAUSE:.0f} s (a closed or hidden tab). Play goes "
                                   f"on from here.", sticky=True)
                        break
                widget.tick(time.perf_counter())
                self.turns += 1
                # the kernel handles clicks between two turns; with a cap, sleep until a batch
                # of steps is allowed (or a frame is due): waking up for each step cost as much
                # as the steps themselves
                wait = 0.0
                if cap is not None:
                    batch = max(cap * CAPPED_BATCH, 1.0)
                    wait = max(0.0, min((batch - tokens) / cap,
                                        widget.time_to_frame(time.perf_counter())))
                await asyncio.sleep(wait)
        except DivergedError as error:  # (said until the next action: Reset, a setting...)
            lab.widget.say(f"Paused: {error} If the weights had already grown huge, Reset "
                           f"draws new ones.", error=True)
        except Exception as error:  # shown in the lab, never lost in a log
            lab.last_traceback = traceback.format_exc()
            lab.widget.say(f"Paused by an internal error ({type(error).__name__}: {error}); the "
                           f"traceback is in lab.last_traceback", error=True, sticky=True)
        finally:
            if self._task is me:  # no newer Play is waiting to take over
                self.playing = False
                self.steps_per_second = 0.0
                if self._switch is not None:
                    sys.setswitchinterval(self._switch)
                    self._switch = None
        if self._task is me:
            lab.widget.sync_view()
            lab.widget.flush()  # the last pictures, and the status saying "paused"

    def score_now(self) -> None:
        """Bring the status's scores up to the weights as they are now, while paused: at once
        if that is quick (or there is no event loop), else a slice at a time on the loop (with
        100,000 points, ~70 ms at once: Pause, Step and every setting would wait for it); the
        status is sent again when they are done."""
        scorer = self.lab.state.scorer
        left = scorer.work_left()
        if not left:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or left <= QUICK_SCORES:
            scorer.now()
        elif self._scoring is None or self._scoring.done():
            self._scoring = loop.create_task(self._score())

    async def _score(self) -> None:
        lab = self.lab
        try:
            while not self.playing:  # (playing, the play loop scores)
                scorer = lab.state.scorer
                if not scorer.pending:
                    if not scorer.work_left():
                        break
                    scorer.request()
                scorer.advance(SCORE_SLICE)
                await asyncio.sleep(0)
        except Exception as error:  # shown in the lab, never lost in a log
            lab.last_traceback = traceback.format_exc()
            lab.widget.say(f"Scoring stopped by an internal error ({type(error).__name__}: "
                           f"{error}); the traceback is in lab.last_traceback", error=True)
            return
        lab.widget.on_event(Scored())  # the status, with the scores


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # called from a handler outside the loop's own coroutines
        pass
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None
    return loop if loop.is_running() else None
