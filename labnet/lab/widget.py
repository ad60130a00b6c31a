"""The lab's front end: one anywidget whose JavaScript and CSS (``static/``) draw the whole lab.

Python stays the single source of truth. The front end sends *intents* (``{"type": "intent",
"action": "connect", "args": {"src": 3, "dst": 5}}``); the widget calls the ``Lab`` method of
that name, exactly as a notebook would, and the state that results comes back: as traits
(``graph``, ``settings``, ``view``, ``status``, ``message``, ``walk``: small JSON, kept for every
view of the widget) and as custom messages with binary buffers (``streams``: frames of the
boundary, thumbnails, curves, points). ``static/protocol.js`` documents every message.

Frames are paced by what the browser has painted: it says which frames it painted (a
``painted`` message, two or three times a second), and no more than ``MAX_IN_FLIGHT`` frames
go unpainted; the page paints the latest ones and drops older ones. A slow page gets fewer
frames, never a queue of them.
"""

from __future__ import annotations

import time
import traceback
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import anywidget
import traitlets

from labnet.lab import streams
from labnet.lab.events import DataChanged, GraphChanged, Scored, SettingsChanged, Trained
from labnet.lab.files import FileExistsInputError
from labnet.lab.intents import ACTIONS, run_intent
from labnet.lab.pictures import Pictures
from labnet.lab.play import TRAIN_SLICE
from labnet.lab.traits import graph_json, settings_json, status_json

if TYPE_CHECKING:
    from labnet.lab.lab import Lab

__all__ = ["LabWidget", "graph_json", "settings_json", "status_json"]

STATIC = Path(__file__).parent / "static"
MODULES = ("protocol.js", "util.js", "geometry.js", "boundary.js", "gestures.js", "palette.js",
           "graph.js", "curves.js", "bars.js", "inside.js", "unit.js", "controls.js", "kernel.js",
           "app.js")
"""The front end's modules, each after those it imports (``static/lab.js`` loads them)."""
FRAME_INTERVAL = 1 / 60
"""While playing, boundary frames go at most this often (a screen shows no more)."""
SHARED_FRAME_INTERVAL = 1 / 30
"""While the training rate is capped (a server shared by a class), frames go half as often:
a frame costs the server as much as a few training steps, for each student."""
BOUNDARY_COST = 0.0012
"""Seconds a boundary frame may take while playing (60 a second: 7 % of the time)."""
MIN_PLAY_GRID, MAX_PLAY_GRID = 32, 64
THUMB_INTERVAL = 1 / 11
CURVES_INTERVAL = 1 / 12
"""While playing, thumbnails and curves go this often (the status line a little less)."""
THUMB_GRID = 24
UNIT_GRID = 64
MAX_IN_FLIGHT = {"boundary": 40, "thumbs": 10}
"""Frames sent but not painted (as far as the kernel knows), at most: the page says what it
painted two or three times a second, and a round trip through JupyterLab takes 40-100 ms. The page
keeps at most three frames waiting to be painted and drops older ones: frames never queue
up."""
ACK_TIMEOUT = 2.0
"""Seconds after which an unanswered frame counts as lost (a closed page)."""


class LabWidget(anywidget.AnyWidget):
    """The whole lab in one widget. ``Lab.widget`` is one; displaying a ``Lab`` shows it."""

    _esm = STATIC / "lab.js"
    _css = STATIC / "lab.css"
    sources = traitlets.List().tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    status = traitlets.Dict().tag(sync=True)
    message = traitlets.Dict().tag(sync=True)
    walk = traitlets.Dict().tag(sync=True)
    code = traitlets.Unicode().tag(sync=True)

    def __init__(self, lab: Lab, grid: int = 100) -> None:
        super().__init__(sources=[[name, (STATIC / name).read_text()] for name in MODULES])
        self.add_class("labnet-lab-widget")
        self._lab = weakref.ref(lab)
        self.grid = grid
        self.play_grid = min(grid, MAX_PLAY_GRID)  # the boundary's grid while playing
        self.pictures = Pictures(lab.state)
        self.curves = streams.Curves()
        self.frames = {"boundary": 0, "thumbs": 0}  # frames sent
        self.painted = {"boundary": 0, "thumbs": 0}  # the last frame the browser painted
        self._sent_at = {"boundary": 0.0, "thumbs": 0.0}
        self._dirty = {"boundary", "thumbs", "curves", "points", "unitmap", "status", "walk"}
        self._flush_scheduled = False
        self._flushing = False
        self._message_id = 0
        self._kept: Lab | None = None
        # when a page last showed a frame (None: no page has shown this lab yet), and how many
        # views of the widget say they are there (a view closed by its page says goodbye)
        self.last_seen: float | None = None
        self.views = 0
        self.all_gone = False  # the last view said goodbye
        self.sent: list[tuple[str, int]] = []  # (type, bytes) of the last messages sent
        self.on_msg(self._on_message)
        self.rebuild()

    @property
    def lab(self) -> Lab:
        lab = self._lab()
        if lab is None:
            raise RuntimeError("this lab's widget outlived its lab")
        return lab

    # -- from the model to the page -------------------------------------------------------------
    def rebuild(self) -> None:
        """Every trait from the lab as it is now (a new state, after Open)."""
        lab = self.lab
        self.pictures = Pictures(lab.state)
        self.curves.reset()
        self.on_event(GraphChanged(True))
        self.on_event(DataChanged())
        self.on_event(SettingsChanged())
        self.sync_view()

    def on_event(self, event) -> None:
        """What changes when the state changes: mark it, send it soon."""
        lab = self.lab
        if isinstance(event, GraphChanged):
            self.graph = graph_json(lab)
            self._dirty.update(("boundary", "thumbs", "curves", "unitmap", "status"))
            if lab.state.graph_error is not None:
                self.say_what_stays()
            elif self.message.get("sticky") and self.message.get("graph"):
                self.say("")
        elif isinstance(event, DataChanged):
            self.settings = settings_json(lab)
            self._dirty.update(("boundary", "thumbs", "points", "unitmap", "status"))
        elif isinstance(event, SettingsChanged):
            self.settings = settings_json(lab)
            self._dirty.update(("boundary", "thumbs", "unitmap", "status"))
        elif isinstance(event, Trained):
            if event.reset:
                self.curves.reset()
            self._dirty.update(("boundary", "thumbs", "curves", "unitmap", "status"))
        elif isinstance(event, Scored):
            self._dirty.add("status")
        self.schedule_flush()

    def sync_view(self) -> None:
        """The display state (and the walk) as the page shows them."""
        lab = self.lab
        self.view = lab.display.as_json()
        self.walk = streams.walk_state(lab)
        self._dirty.update(("thumbs", "unitmap", "walk", "status"))
        self.schedule_flush()

    def say(self, text: str, error: bool = False, sticky: bool = False) -> None:
        """Show ``text`` in the lab's message line ("" clears it)."""
        self._message_id += 1
        self.message = {"text": text, "error": error, "sticky": sticky and bool(text),
                        "graph": text.startswith("The graph is not"), "id": self._message_id}

    def say_what_stays(self) -> None:
        """The message that holds until what it says is no longer true: that the graph is not
        a network yet (or no message)."""
        error = self.lab.state.graph_error
        if error is None:
            self.say("")
        else:
            going_on = (" (training goes on with the last network)"
                        if self.lab.state.network is not None else "")
            self.say(f"The graph is not a network yet: {error}{going_on}", error=True,
                     sticky=True)

    def schedule_flush(self) -> None:
        """Send what changed: at once without an event loop (tests, scripts), else when the
        loop next has a moment (so a cell that changes many things sends once); while
        playing, the play loop sends, at the rate frames are painted."""
        lab = self.lab
        if lab.playing or self._flush_scheduled or self._flushing:
            return
        loop = lab.event_loop
        if loop is None or not loop.is_running():
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon_threadsafe(self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._flush_scheduled = False
        if self._lab() is not None and self.comm is not None:
            self.flush()

    def flush(self) -> None:
        """Send everything that changed (what changes meanwhile goes too)."""
        if self._flushing:  # a change made while sending: the loop below sends it
            return
        self._flushing = True
        try:
            for _ in range(3):
                self.tick(time.perf_counter(), playing=False)
                if not self._dirty & {"boundary", "thumbs", "curves", "points", "status"}:
                    break
        finally:
            self._flushing = False

    def tick(self, now: float, playing: bool = True) -> None:
        """Send what is due. While ``playing``, frames wait until the page has painted the
        last ones, and the slow parts go out a few times a second."""
        lab = self.lab
        state = lab.state
        dirty = self._dirty
        if not playing and self.settings.get("choices", {}).get("palette") != list(state.palette):
            self.settings = settings_json(lab)  # a module registered since: in the palette too
        if "points" in dirty:
            self._post(*streams.points(lab))
            dirty.discard("points")
        if state.network is not None:
            if "boundary" in dirty and self._may_send("boundary", now, playing,
                                                      self.frame_interval()):
                self._send_boundary(now, playing)
            if "thumbs" in dirty and self._may_send("thumbs", now, playing, THUMB_INTERVAL):
                self._send_frame("thumbs", streams.thumbs(
                    lab, self.pictures, THUMB_GRID, self.frames["thumbs"] + 1), now, playing)
                if "unitmap" in dirty:
                    message = streams.unit_map(lab, self.pictures, UNIT_GRID)
                    if message is not None:
                        self._post(*message)
                    dirty.discard("unitmap")
        since = now - self._sent_at.get("curves", 0)
        if "curves" in dirty and (not playing or since > CURVES_INTERVAL):
            message = self.curves.message(lab)
            if message is not None:
                self._post(*message)
            self._sent_at["curves"] = now
            dirty.discard("curves")
        if "walk" in dirty:
            self._post(*streams.walk_maps(lab))
            dirty.discard("walk")
        if "status" in dirty and (not playing or now - self._sent_at.get("status", 0) > 0.2):
            self.status = status_json(lab)
            self._sent_at["status"] = now
            dirty.discard("status")

    def _send_boundary(self, now: float, playing: bool) -> None:
        """A boundary frame: on the lab's grid when paused; while playing on a grid that
        keeps a frame within ``BOUNDARY_COST`` (smaller on a slow or busy machine)."""
        n = min(self.play_grid, self.grid) if playing else self.grid
        start = time.perf_counter()
        self._send_frame("boundary", streams.boundary(
            self.pictures, n, self.frames["boundary"] + 1), now, playing)
        if playing:
            cost = time.perf_counter() - start
            if cost > BOUNDARY_COST and self.play_grid > MIN_PLAY_GRID:
                self.play_grid -= 4
            elif cost < 0.6 * BOUNDARY_COST and self.play_grid < min(self.grid, MAX_PLAY_GRID):
                self.play_grid += 4

    def time_to_frame(self, now: float) -> float:
        """Seconds until the next boundary frame is due while playing (the play loop ends its
        slice of training then); a full slice while the page has not painted enough of the
        frames sent for another to go (turns of training cut short cost time for nothing)."""
        if self.frames["boundary"] - self.painted["boundary"] >= MAX_IN_FLIGHT["boundary"]:
            return TRAIN_SLICE
        return max(self._sent_at["boundary"] + self.frame_interval() - now, 0.0)

    def frame_interval(self) -> float:
        capped = self.lab.state.training.max_steps_per_second is not None
        return SHARED_FRAME_INTERVAL if capped else FRAME_INTERVAL

    def _may_send(self, what: str, now: float, playing: bool, interval: float = 0.0) -> bool:
        if not playing:
            return True
        waiting = self.frames[what] - self.painted[what]
        if waiting >= MAX_IN_FLIGHT[what] and now - self._sent_at[what] > ACK_TIMEOUT:
            self.painted[what] = self.frames[what]  # the page is gone: start again
            waiting = 0
        # (a tenth of the interval early is on time: turns of the play loop end unevenly)
        return waiting < MAX_IN_FLIGHT[what] and now - self._sent_at[what] >= 0.9 * interval

    def _send_frame(self, what: str, message: streams.Message, now: float,
                    playing: bool = True) -> None:
        self.frames[what] += 1
        if not playing:  # not paced: the play loop does not wait for the page to paint it
            self.painted[what] = self.frames[what]
        self._sent_at[what] = now
        self._dirty.discard(what)
        self._post(*message)

    def _post(self, content: dict, buffers: list[bytes]) -> None:
        if self.comm is not None:
            self.send(content, buffers)
        self.sent.append((content["type"], sum(len(b) for b in buffers)))
        del self.sent[:-50]

    def keep(self, lab: Lab) -> None:
        """Hold on to ``lab`` (it is shown in a page): it lives until the widget is closed."""
        self._kept = lab

    def offer_download(self, name: str, content: bytes) -> None:
        """Let the page offer ``content`` as a file to download."""
        self._post({"type": "download", "name": name}, [content])

    def close(self) -> None:
        """Close the widget and its layout (a widget of its own, else left in ipywidgets'
        registry for ever)."""
        self._kept = None
        layout = self.layout
        super().close()
        if layout is not None:
            layout.close()

    # -- from the page to the model -------------------------------------------------------------
    def _on_message(self, _widget, content: dict, buffers) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "painted":  # any thread: a few integers change
            frames = content.get("frames")
            if not isinstance(frames, dict):  # (one frame, as {"what": ..., "frame": ...})
                frames = {str(content.get("what")): content.get("frame")}
            for what, frame in frames.items():
                if what in self.painted and isinstance(frame, int):
                    self.painted[what] = max(self.painted[what], min(frame, self.frames[what]))
                    if what == "boundary":  # painted at an animation frame: a tab in sight
                        self.last_seen = time.perf_counter()
            return
        if kind in ACTIONS:  # the short form, {"type": "connect", "src": 3, "dst": 5}
            content = {"type": "intent", "action": kind, "id": content.get("id"), "args": {
                name: value for name, value in content.items() if name not in ("type", "id")}}
            kind = "intent"
        if kind == "goodbye":  # a view is gone: one fewer page shows the lab
            self.views = max(self.views - 1, 0)
            self.all_gone = self.views == 0
            return
        if kind == "intent" and content.get("action") in ("pause", "toggle_play") and (
                self.lab.playing):  # Pause at once, from this thread: training checks a flag
            self.lab.player.pause()
            content = {**content, "action": "pause"}
        if kind in ("hello", "intent"):
            self.lab.on_loop(self._handle, content)

    def _handle(self, content: dict) -> None:
        if content.get("type") == "hello":  # a new view of the widget: all of it again
            self.views += 1
            self.all_gone = False
            self.last_seen = time.perf_counter()
            self.painted = dict(self.frames)
            self.curves.reset()
            self._dirty.update(("boundary", "thumbs", "curves", "points", "unitmap", "walk",
                                "status"))
            self.schedule_flush()
            return
        self.run(content.get("action"), content.get("args"), content.get("id"))

    def run(self, action, args, request=None) -> object:
        """Run one intent, as a click does: a user's mistake shows in the message line (and
        goes back to the gesture that made it), our own bug too, with its traceback kept in
        ``lab.last_traceback``. Returns what the method returned (None if it raised)."""
        lab = self.lab
        if self.message.get("text") and not self.message.get("sticky"):
            self.say_what_stays()  # a new action: the last one's message has been read
        reply = {"type": "reply", "id": request, "ok": True}
        result = None
        try:
            result = run_intent(lab, action, args)
            if isinstance(result, int | str | float) and not isinstance(result, bool):
                reply["value"] = result
        except ValueError as error:  # the user's mistake: say what it is
            reply.update(ok=False, error=str(error), exists=isinstance(error, FileExistsInputError))
            self.say(str(error), error=True)
        except Exception as error:  # our bug: say so, keep the traceback for a report
            lab.last_traceback = traceback.format_exc()
            text = (f"internal error ({type(error).__name__}: {error}); the traceback is in "
                    f"lab.last_traceback")
            reply.update(ok=False, error=text)
            self.say(text, error=True)
        if request is not None:
            self._post(reply, [])
        return result
