"""The lab's front end: one anywidget whose JavaScript and CSS (``static/``) draw the whole lab.

Python stays the single source of truth. The widget watches the lab's state and its player
(their events) and sends the page what changed: as traits (``graph``, ``settings``, ``view``,
``status``, ``message``, ``walk``: small JSON built in ``traits``, kept for every view of the
widget) and as custom messages with binary buffers (``streams``: frames of the boundary,
thumbnails, curves, points). The page sends *intents* (``{"type": "intent", "action":
"connect", "args": {"src": 3, "dst": 5}}``); the widget hands each to the lab (``act``), which
calls the ``Lab`` method of that name, exactly as a notebook would. ``static/protocol.js``
documents every message.

What changes is marked and sent together, at once without an event loop, else at the loop's
next turn; while the page's intents pour in, redraws take at most a quarter of the time. While
playing, the play loop's turns send what is due, at the pace the page paints (``pace``).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

from labnet.lab import outputs, streams
from labnet.lab.display import Display
from labnet.lab.events import (
    DataChanged,
    Event,
    GraphChanged,
    Played,
    Scored,
    SettingsChanged,
    Stopped,
    Trained,
    Turned,
    WeightsChanged,
)
from labnet.lab.files import FileExistsInputError
from labnet.lab.hints import Hints
from labnet.lab.intents import QUERIES
from labnet.lab.pace import FRAME_INTERVAL, SHARED_FRAME_INTERVAL, Frames, Views
from labnet.lab.pictures import Pictures
from labnet.lab.play import TRAIN_SLICE, Player
from labnet.lab.state import LabState
from labnet.lab.traits import (
    graph_json,
    message_json,
    settings_json,
    status_json,
    view_json,
    walk_json,
)

STATIC = Path(__file__).parent / "static"
MODULES = ("protocol.js", "util.js", "geometry.js", "boundary.js", "gestures.js", "palette.js",
           "weights.js", "features.js", "formula.js", "heatmap.js", "flows.js", "graph.js",
           "hints.js", "owndata.js", "curves.js", "bars.js", "inside.js", "walk.js", "unit.js",
           "legend.js", "controls.js", "lock.js", "kernel.js", "app.js")
"""The front end's modules, each after those it imports (``static/lab.js`` loads them)."""
BOUNDARY_COST = 0.0012
"""Seconds a boundary frame may take while playing (60 a second: 7 % of the time)."""
MIN_PLAY_GRID, MAX_PLAY_GRID = 32, 64
THUMB_INTERVAL = 1 / 11
CURVES_INTERVAL = 1 / 12
STATUS_INTERVAL = 0.2
HINT_INTERVAL = 0.4
"""While playing, thumbnails, curves, the status and the hint go this often."""
THUMB_GRID = 24
UNIT_GRID = 64
COSTS = {"boundary": (BOUNDARY_COST, 0.1), "thumbs": (0.003, 0.05), "unitmap": (0.003, 0.05)}
"""Seconds each picture may take (while playing, paused): on a wide network the pictures are
made on a grid coarse enough (``SMALLEST_GRID`` at the least), and sent less often."""
SMALLEST_GRID = {"boundary": 8, "thumbs": 4, "unitmap": 8}
REDRAW_SHARE = 0.25
"""While changes come one after another (a flood of intents), redrawing takes at most this
share of the time: the next redraw waits three times as long as the last one took."""
MAX_MESSAGE = 400
"""Characters of the message line at most (a message echoing a huge input is cut)."""
TRAITS = ("graph", "settings", "view", "walk", "status")
EVERYTHING = {*TRAITS, "boundary", "thumbs", "curves", "points", "unitmap", "walkmaps", "hint"}


class LabWidget(anywidget.AnyWidget):
    """The whole lab in one widget. ``Lab.widget`` is one; displaying a ``Lab`` shows it.

    It shows ``state``, played by ``player``, as ``display`` says; the page's intents go to
    ``act(action, args)``, which returns what the lab method returned."""

    # (as text, not as paths: anywidget ties every widget made from a file to the file's change
    # signal, a class attribute, for ever; re-running a lab's cell then kept every lab in memory)
    _esm = (STATIC / "lab.js").read_text()
    _css = (STATIC / "lab.css").read_text()
    sources = traitlets.List().tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    status = traitlets.Dict().tag(sync=True)
    message = traitlets.Dict().tag(sync=True)
    walk = traitlets.Dict().tag(sync=True)
    hint = traitlets.Dict().tag(sync=True)
    code = traitlets.Unicode().tag(sync=True)
    files = traitlets.Unicode("server").tag(sync=True)
    """Where the page's files go ("server", or "browser" in the app), for the page to show its
    buttons so; the lab never reads it back (a page could change it)."""

    def __init__(self, state: LabState, player: Player, display: Display,
                 act: Callable[[str, dict, list], object], grid: int = 100) -> None:
        super().__init__(sources=[[name, (STATIC / name).read_text()] for name in MODULES])
        self.add_class("labnet-lab-widget")
        self.act = act
        self.display = display
        self.grid = grid
        self.play_grid = min(grid, MAX_PLAY_GRID)  # the boundary's grid while playing
        self.frames = Frames()
        self.views = Views()
        self.curves = streams.Curves()
        self.hints = Hints()
        self.last_traceback: str | None = None
        """The traceback of the last internal error the lab showed (for a report)."""
        self.sent: list[tuple[str, int]] = []  # (type, bytes) of the last messages sent
        self._dirty: set[str] = set()
        self._sent_at: dict[str, float] = {}
        self._flush_scheduled = False
        self._flushing = False
        self._next_flush_at = 0.0
        self._message_number = 0
        self._kept: object = None
        self.state: LabState | None = None
        self.player: Player | None = None
        self.on_msg(self._on_message)
        self.attach(state, player)

    def attach(self, state: LabState, player: Player) -> None:
        """Show ``state``, played by ``player`` (the lab's, or those of a file opened): all of
        it is sent anew."""
        if self.state is not None:
            self.state.listeners.remove(self.on_event)
            self.player.listeners.remove(self.on_event)
        self.state, self.player = state, player
        state.listeners.append(self.on_event)
        player.listeners.append(self.on_event)
        player.pace = self
        self.pictures = Pictures(state)
        self.curves.reset()
        self._dirty.update(EVERYTHING)
        self._set_traits()  # now: a view drawn before the next flush reads them
        self.status = status_json(state, player, self.display)
        if state.graph_error is not None or self.message.get("sticky"):
            self.say_what_stays()
        self.schedule_flush()

    def show(self, display: Display) -> None:
        """Show the lab as ``display`` says from now on."""
        self.display = display
        self._dirty.update(("view", "walk", "walkmaps", "thumbs", "unitmap", "status"))
        self.schedule_flush()

    # -- the lab's events -----------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        """Mark what changed; send it soon (while playing, at the next turn's end)."""
        if isinstance(event, Turned):
            self.tick(event.now)
        elif isinstance(event, Played):
            self.views.playing_again()
            self._dirty.add("status")
        elif isinstance(event, Stopped):
            if event.traceback is not None:
                self.last_traceback = event.traceback
            if event.reason is not None:
                self.say(event.reason, error=event.error)
            self.status = status_json(self.state, self.player, self.display)  # paused, at once
            self._dirty.update(("boundary", "thumbs", "unitmap", "status"))
            self.flush()  # the last pictures (a wide network's take a while)
        else:
            try:  # the change is made: a picture that fails must not undo it
                self._mark(event)
                self.schedule_flush()
            except Exception as error:
                self.last_traceback = traceback.format_exc()
                self.say(f"internal error while drawing ({type(error).__name__}: {error}); the "
                         f"traceback is in lab.last_traceback", error=True)

    def _mark(self, event: Event) -> None:
        if isinstance(event, GraphChanged):
            self._dirty.update(("graph", "boundary", "thumbs", "curves", "unitmap", "status"))
            if self.state.graph_error is not None or self.message.get("sticky"):
                self.say_what_stays()
        elif isinstance(event, DataChanged):
            self._dirty.update(("settings", "boundary", "thumbs", "points", "unitmap", "status"))
        elif isinstance(event, SettingsChanged):
            self._dirty.update(("settings", "boundary", "thumbs", "unitmap", "status"))
        elif isinstance(event, Trained):
            if event.reset:
                self.curves.reset()
            self._dirty.update(("boundary", "thumbs", "curves", "unitmap", "status"))
        elif isinstance(event, WeightsChanged):  # (the graph: what undo and redo can do)
            self._dirty.update(("graph", "boundary", "thumbs", "unitmap", "status"))
        elif isinstance(event, Scored):
            self._dirty.add("status")
        self._dirty.add("hint")  # (any change may make a setting likely wrong, or right)

    # -- the message line ---------------------------------------------------------------------
    def say(self, text: str, error: bool = False, *, sticky: bool = False) -> None:
        """Show ``text`` in the lab's message line until the next action ("" clears it);
        ``sticky``: until what it says is no longer true (``say_what_stays``)."""
        if len(text) > MAX_MESSAGE:
            text = text[:MAX_MESSAGE - 1] + "…"
        self._message_number += 1
        self.message = message_json(text, error, sticky and bool(text), self._message_number)

    def say_what_stays(self) -> None:
        """The message that holds until what it says is no longer true: that the graph is not
        a network yet (or no message)."""
        error = self.state.graph_error
        if error is None:
            self.say("")
        else:
            going_on = (" (training goes on with the last network)"
                        if self.state.network is not None else "")
            self.say(f"The graph is not a network yet: {error}{going_on}", error=True,
                     sticky=True)

    # -- sending --------------------------------------------------------------------------------
    def schedule_flush(self) -> None:
        """Send what changed: at once without an event loop (tests, scripts), else when the
        loop next has a moment (so a cell or a flood of intents that changes many things sends
        once); while playing, the play loop sends, at the rate frames are painted."""
        if self.player.looping or self._flush_scheduled or self._flushing:
            return
        loop = self.player.kernel.running()
        if loop is None:
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon_threadsafe(self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        wait = self._next_flush_at - time.perf_counter()
        loop = self.player.kernel.running()
        if wait > 0 and loop is not None:  # the last redraw was long: intents go first
            loop.call_later(wait, self._scheduled_flush)
            return
        self._flush_scheduled = False
        if self.comm is not None and not self.player.looping:
            self.flush()

    def flush(self) -> None:
        """Send everything that changed (what changes meanwhile goes too)."""
        if self._flushing:  # a change made while sending: the loop below sends it
            return
        self._flushing = True
        start = time.perf_counter()
        try:
            for _ in range(3):
                self.tick(time.perf_counter(), playing=False)
                if not self._dirty:
                    break
        finally:
            self._flushing = False
            end = time.perf_counter()
            self._next_flush_at = end + (end - start) * (1 - REDRAW_SHARE) / REDRAW_SHARE

    def tick(self, now: float, playing: bool = True) -> None:
        """Send what is due. While ``playing``, frames wait until the page has painted the
        last ones, and the slow parts go out a few times a second."""
        with self.pictures.weights_held():
            self._send_due(now, playing)

    def _send_due(self, now: float, playing: bool) -> None:
        state, display, dirty = self.state, self.display, self._dirty
        if not playing and self.settings.get("choices", {}).get("palette") != list(state.palette):
            dirty.add("settings")  # a module registered since: in the palette too
        self._set_traits()
        if "points" in dirty:
            self._post(*streams.points(state.data))
            dirty.discard("points")
        if state.network is None:
            dirty.difference_update(("boundary", "thumbs", "unitmap"))
        if "boundary" in dirty and (not playing or self.frames.may_send(
                "boundary", now, self.frame_interval())):
            self._send_boundary(now, playing)
        if "thumbs" in dirty and (not playing or self.frames.may_send(
                "thumbs", now, THUMB_INTERVAL)):
            start, frame = time.perf_counter(), self.frames.next("thumbs", now, playing)
            self._post(*streams.thumbs(state, display, self.pictures,
                                       self._side("thumbs", THUMB_GRID, playing), frame),
                       playing)
            self.frames.cost["thumbs"] = time.perf_counter() - start
            dirty.discard("thumbs")
            if "unitmap" in dirty:
                message = streams.unit_map(state, display, self.pictures,
                                           self._side("unitmap", UNIT_GRID, playing))
                if message is not None:
                    self._post(*message)
                dirty.discard("unitmap")
        if "curves" in dirty and self._due("curves", now, playing, CURVES_INTERVAL):
            message = self.curves.message(state.trainer)
            if message is not None:
                self._post(*message, playing)
            dirty.discard("curves")
        if "walkmaps" in dirty:
            self._post(*streams.walk_maps(display.walk))
            dirty.discard("walkmaps")
        if "hint" in dirty and self._due("hint", now, playing, HINT_INTERVAL):
            self.hint = self.hints.check(state, self.pictures)
            dirty.discard("hint")
        if "status" in dirty and self._due("status", now, playing, STATUS_INTERVAL):
            self.status = status_json(state, self.player, display)
            dirty.discard("status")

    def _set_traits(self) -> None:
        """The traits that changed (but the status: paced while playing)."""
        state, display, dirty = self.state, self.display, self._dirty
        for name, build in (("graph", lambda: graph_json(state)),
                            ("settings", lambda: settings_json(state)),
                            ("view", lambda: view_json(display)),
                            ("walk", lambda: walk_json(display.walk, state.data))):
            if name in dirty:
                setattr(self, name, build())
                dirty.discard(name)

    def _due(self, what: str, now: float, playing: bool, interval: float) -> bool:
        """Whether ``what`` goes now: always when paused, every ``interval`` while playing."""
        if playing and now - self._sent_at.get(what, 0.0) <= interval:
            return False
        self._sent_at[what] = now
        return True

    def _side(self, what: str, largest: int, playing: bool) -> int:
        """The side of the grid of a picture of ``what``, up to ``largest``: what fits its
        cost (``COSTS``)."""
        return self.pictures.side_within(COSTS[what][not playing], largest, SMALLEST_GRID[what])

    def _send_boundary(self, now: float, playing: bool) -> None:
        """A boundary frame: on the lab's grid when paused; while playing on a grid that
        keeps a frame within ``BOUNDARY_COST`` (smaller on a slow or busy machine); on a
        coarser one if the network is too wide for either."""
        n = self._side("boundary", min(self.play_grid, self.grid) if playing else self.grid,
                       playing)
        start = time.perf_counter()
        frame = self.frames.next("boundary", now, playing)
        self._post(*streams.boundary(self.pictures, n, frame), playing)
        self._dirty.discard("boundary")
        cost = self.frames.cost["boundary"] = time.perf_counter() - start
        if playing:
            if cost > BOUNDARY_COST and self.play_grid > MIN_PLAY_GRID:
                self.play_grid -= 4
            elif cost < 0.6 * BOUNDARY_COST and self.play_grid < min(self.grid, MAX_PLAY_GRID):
                self.play_grid += 4

    def frame_interval(self) -> float:
        capped = self.state.training.max_steps_per_second is not None
        return SHARED_FRAME_INTERVAL if capped else FRAME_INTERVAL

    def _post(self, content: dict, buffers: list[bytes], playing: bool | None = None) -> None:
        if playing is not None:  # a frame: the page drops the play loop's after a Pause click
            content = {**content, "playing": playing}
        if self.comm is not None:
            self.send(content, buffers)
        self.sent.append((content["type"], sum(len(b) for b in buffers)))
        del self.sent[:-50]

    # -- the play loop's pace -------------------------------------------------------------------
    def time_to_frame(self, now: float) -> float:
        """Seconds until the next boundary frame is due while playing (the play loop ends its
        slice of training then); a full slice while the page has not painted enough of the
        frames sent for another to go (turns of training cut short cost time for nothing)."""
        return self.frames.time_to_next(now, self.frame_interval(), TRAIN_SLICE)

    def unwatched(self, now: float) -> str | None:
        """Why the lab plays for no one (no page paints its frames), or None."""
        return self.views.unwatched(now)

    # -- a view's life --------------------------------------------------------------------------
    def keep(self, owner: object) -> None:
        """Hold on to ``owner`` (the lab, shown in a page) while a view shows it: until the
        widget is closed, or the last view the kernel knows said goodbye."""
        self._kept = owner
        outputs.shown(owner, lambda lab: lab.widget.views.all_gone)

    def dismiss_hint(self, key: str) -> None:
        """The hint ``key`` is not shown while it holds (the page's ×)."""
        self.hints.dismiss(key)
        self._dirty.add("hint")
        self.schedule_flush()

    def offer_download(self, name: str, content: bytes) -> None:
        """Let the page offer ``content`` as a file to download (in the app, downloaded)."""
        self._post({"type": "download", "name": name}, [content])

    def close(self) -> None:
        """Close the widget and its layout (a widget of its own, else left in ipywidgets'
        registry for ever)."""
        self._kept = None
        layout = self.layout
        super().close()
        if layout is not None:
            layout.close()

    # -- from the page to the lab ---------------------------------------------------------------
    def _on_message(self, _widget, content: dict, buffers) -> None:
        """A message from the page (on any thread: ipykernel 7 may deliver it on another one
        while the kernel is busy); all but a few integers is handed to the event loop."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "painted":
            frames = content.get("frames")
            if isinstance(frames, dict) and self.frames.acknowledge(frames):
                self.views.painted()
            return
        if kind == "intent" and content.get("action") in ("pause", "toggle_play") and (
                self.player.playing):  # Pause at once, from this thread: training checks a flag
            self.player.pause()
            content = {**content, "action": "pause"}
        if kind in ("hello", "goodbye", "intent"):
            self.player.kernel.call(self._handle, content, list(buffers or ()))

    def _handle(self, content: dict, buffers: list | None = None) -> None:
        kind = content.get("type")
        if kind == "hello":  # a new view of the widget: all of it again
            self.views.hello(content.get("view"))
            self.frames.restart()
            self.curves.reset()
            self._dirty.update(EVERYTHING)
            self.schedule_flush()
        elif kind == "goodbye":
            if self.views.goodbye(content.get("view")):
                # no view shows the lab: a lab no name holds is freed (IPython's output
                # history lets go of it once a newer lab was shown: outputs.py)
                outputs.views_gone(self._kept)
                self._kept = None
        else:
            self.run(content.get("action"), content.get("args"), content.get("id"), buffers)

    def run(self, action, args, request=None, buffers: list | None = None) -> object:
        """Run one intent, as a click does: a user's mistake shows in the message line (and
        goes back to the gesture that made it), our own bug too, with its traceback kept in
        ``last_traceback``. Returns what the method returned (None if it raised)."""
        query = isinstance(action, str) and action in QUERIES  # (changes nothing, says nothing)
        if self.message.get("text") and not self.message.get("sticky") and not query:
            self.say_what_stays()  # a new action: the last one's message has been read
        reply = {"type": "reply", "id": request, "ok": True}
        result = None
        try:
            result = self.act(action, args, buffers or [])
            if (isinstance(result, int | str | float) and not isinstance(result, bool)) or (
                    query and isinstance(result, dict)):
                reply["value"] = result
        except ValueError as error:  # the user's mistake: say what it is
            self.say(str(error), error=True)
            reply.update(ok=False, error=self.message["text"],
                         exists=isinstance(error, FileExistsInputError))
        except Exception as error:  # our bug: say so, keep the traceback for a report
            self.last_traceback = traceback.format_exc()
            self.say(f"internal error ({type(error).__name__}: {error}); the traceback is in "
                     f"lab.last_traceback", error=True)
            reply.update(ok=False, error=self.message["text"])
        if request is not None:
            self._post(reply, [])
        return result
