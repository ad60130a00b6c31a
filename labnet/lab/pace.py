"""What the kernel knows of the pages that show a lab: which frames they painted, and whether
any still shows it.

Frames are paced by what the browser has painted: it says which frames it painted (a
``painted`` message, two or three times a second), and no more than ``MAX_IN_FLIGHT`` frames
go unpainted; the page paints the latest ones and drops older ones. A slow page gets fewer
frames, never a queue of them. They are paced by what they cost too: a frame that took long to
make (a wide network's) is followed by the next only after ``FRAME_SHARE`` of the time, so
training goes on between them.

Whether a page shows the lab is known by what pages do, not by what they say: a view that is
drawn says ``hello`` (with a token of its own) and ``goodbye`` when it is taken away, but only
painted frames prove that a page shows the lab, so a page that says goodbye for others (or
twice) cannot make a lab that another page shows pause.
"""

from __future__ import annotations

import time

FRAME_INTERVAL = 1 / 60
"""While playing, boundary frames go at most this often (a screen shows no more)."""
SHARED_FRAME_INTERVAL = 1 / 30
"""While the training rate is capped (a server shared by a class), frames go half as often:
a frame costs the server as much as a few training steps, for each student."""
MAX_IN_FLIGHT = {"boundary": 40, "thumbs": 10}
"""Frames sent but not painted (as far as the kernel knows), at most: the page says what it
painted two or three times a second, and a round trip through JupyterLab takes 40-100 ms. The
page keeps at most three frames waiting to be painted and drops older ones: frames never queue
up."""
ACK_TIMEOUT = 2.0
"""Seconds after which an unanswered frame counts as lost (a closed page)."""
UNSEEN_PAUSE = 60.0
"""A lab that a page showed, but no page has shown for this many seconds (the tab was closed
or hidden), pauses: its training would take a server's CPU for no one."""
GONE_PAUSE = 3.0
"""Seconds after the last view it knows said goodbye that a lab no page paints pauses."""
FRAME_SHARE = 0.25
"""While playing, making frames of one kind takes at most this share of the time."""
MAX_VIEWS = 100
"""Views remembered at most (a page that says hello in a loop fills no memory)."""


class Frames:
    """The frames of each kind sent to the page, and those it says it painted."""

    def __init__(self) -> None:
        self.sent = {"boundary": 0, "thumbs": 0}  # frames sent, counted
        self.painted = {"boundary": 0, "thumbs": 0}  # the last frame the page painted
        self.sent_at = {"boundary": 0.0, "thumbs": 0.0}
        self.cost = {"boundary": 0.0, "thumbs": 0.0}  # seconds the last frame took to make

    def may_send(self, what: str, now: float, interval: float) -> bool:
        """Whether a frame of ``what`` may go now while playing: ``interval`` after the last
        one, and while fewer than ``MAX_IN_FLIGHT`` wait to be painted."""
        waiting = self.sent[what] - self.painted[what]
        if waiting >= MAX_IN_FLIGHT[what] and now - self.sent_at[what] > ACK_TIMEOUT:
            self.painted[what] = self.sent[what]  # the page is gone: start again
            waiting = 0
        # (a tenth of the interval early is on time: turns of the play loop end unevenly)
        return waiting < MAX_IN_FLIGHT[what] and (
            now - self.sent_at[what] >= 0.9 * self._interval(what, interval))

    def _interval(self, what: str, interval: float) -> float:
        """``interval``, or longer after a frame that cost more than ``FRAME_SHARE`` of it."""
        return max(interval, self.cost[what] * (1 - FRAME_SHARE) / FRAME_SHARE)

    def next(self, what: str, now: float, paced: bool) -> int:
        """Count one more frame of ``what``, sent ``now``; return its number. Not ``paced``
        (paused): the play loop will not wait for the page to paint it. (``cost[what]`` says
        how long it took to make, when it is made.)"""
        self.sent[what] += 1
        if not paced:
            self.painted[what] = self.sent[what]
        self.sent_at[what] = now
        return self.sent[what]

    def time_to_next(self, now: float, interval: float, idle: float) -> float:
        """Seconds until the next boundary frame is due while playing; ``idle`` while the page
        has not painted enough of the frames sent for another to go."""
        if self.sent["boundary"] - self.painted["boundary"] >= MAX_IN_FLIGHT["boundary"]:
            return idle
        return max(self.sent_at["boundary"] + self._interval("boundary", interval) - now, 0.0)

    def acknowledge(self, frames) -> bool:
        """The page painted ``frames`` (``{kind: last frame painted}``); True if a boundary
        frame was among them (a tab in sight: only a visible page paints animation frames)."""
        seen = False
        for what, frame in frames.items():
            if what in self.painted and isinstance(frame, int) and not isinstance(frame, bool):
                self.painted[what] = max(self.painted[what], min(frame, self.sent[what]))
                seen = seen or what == "boundary"
        return seen

    def restart(self) -> None:
        """A new view: nothing it has not painted is waited for."""
        self.painted = dict(self.sent)


class Views:
    """The views of a lab the kernel has heard from, and when a page last painted a frame."""

    def __init__(self) -> None:
        self.open: set[str] = set()  # tokens of the views that said hello and not goodbye
        self.last_seen: float | None = None  # None: no page has shown the lab yet
        self.gone_at: float | None = None  # when the last view open said goodbye

    def hello(self, token) -> None:
        if _token(token) and len(self.open) < MAX_VIEWS:
            self.open.add(token)
        self.gone_at = None
        self.last_seen = time.perf_counter()

    def goodbye(self, token) -> bool:
        """A view is gone; True if it was the last one open."""
        if not _token(token) or token not in self.open:
            return False  # (a view the kernel never heard of, or one gone already)
        self.open.discard(token)
        if self.open:
            return False
        self.gone_at = time.perf_counter()
        return True

    @property
    def all_gone(self) -> bool:
        """Whether views were open and none is now (each said goodbye)."""
        return self.gone_at is not None and not self.open

    def painted(self) -> None:
        self.last_seen = time.perf_counter()

    def playing_again(self) -> None:
        """Play was pressed: the page that pressed it shows the lab now."""
        if self.last_seen is not None:
            self.last_seen = time.perf_counter()

    def unwatched(self, now: float) -> str | None:
        """Why a lab playing now plays for no one, or None (also if no page has shown it yet:
        it was played from code)."""
        seen = self.last_seen
        if seen is None:
            return None
        if self.gone_at is not None and now - max(seen, self.gone_at) > GONE_PAUSE:
            return ("Paused: no page shows this lab any more (its cell ran again, or its output "
                    "was cleared).")
        if now - seen > UNSEEN_PAUSE:
            return (f"Paused: no page has shown this lab for {UNSEEN_PAUSE:.0f} s (a closed or "
                    f"hidden tab). Play goes on from here.")
        return None


def _token(token) -> bool:
    return isinstance(token, str) and 0 < len(token) <= 64
