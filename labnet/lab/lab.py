"""``Lab``: the app. Every button of the lab calls one of its methods, and so can you.

>>> lab = Lab()                  # the seed experiment, ready to play
>>> lab                          # in a notebook: shows the whole app
>>> node = lab.add("Linear", width=8)
>>> lab.connect(6, node)
>>> lab.step(10); lab.epoch()
>>> lab.history.test_error[-1]

``play()`` trains continuously in an asyncio task on the kernel's event loop, a slice of steps
at a time, drawing a frame between slices when one is due; ``pause()`` stops it at the end of the
current slice, a few tens of milliseconds later.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time

import ipywidgets as widgets
import numpy as np

from labnet.errors import DivergedError
from labnet.lab.app import LabView
from labnet.lab.files import open_lab, save_lab
from labnet.lab.model import LabModel
from labnet.network import Network
from labnet.saving import to_python
from labnet.training import History
from labnet.walkthrough import Walk

TRAIN_SLICE = 0.01  # seconds of training between two looks at the event loop


class Lab:
    """An interactive lab: a network to edit, data, training, and live views of all three.

    Parameters
    ----------
    preset : the network to start from, a name in ``labnet.PRESETS`` (default: the seed's).
    network : start from this Network instead (its weights are kept).
    data : ``(x, labels)`` to train on instead of a generated data set.
    seed : seeds the data, new weights, and the mini-batches.
    grid : the boundary is computed on a ``grid × grid`` grid of the plane.
    scale : size of the whole lab (1.5 for a projector).
    """

    def __init__(self, preset: str | None = "seed", *, network: Network | None = None,
                 data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
                 grid: int = 100, scale: float = 1.0, model: LabModel | None = None) -> None:
        self.model = model or LabModel(preset, network=network, data=data, seed=seed)
        self.playing = False
        self.steps_per_second = 0.0
        self.frames_drawn = 0
        self.last_traceback: str | None = None
        self.walk: Walk | None = None  # a step-through walk under way
        # the event loop the lab lives on (the kernel's), and its thread: widget callbacks
        # that arrive on another thread are handed over to it
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.event_loop_thread: int | None = None
        with contextlib.suppress(RuntimeError):
            self._remember_loop(asyncio.get_running_loop())
        self._task: asyncio.Task | None = None
        self.view = LabView(self, scale=scale, grid=grid)
        self._container = widgets.Box([self.view.widget])  # holds the view; set_scale swaps it
        self.view.refresh()

    # -- the graph ------------------------------------------------------------------------------
    def add(self, kind: str, **params) -> int:
        """Add a node with a new ``kind`` module (``"Linear"`` takes ``width``); return its id."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        node = self.model.add(kind, **params)
        self.view.refresh()
        return node

    def connect(self, src, dst) -> None:
        """Add the edge ``src → dst``. If the graph is not valid yet, the lab says why and
        trains the last valid network until it is."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.connect(src, dst)
        self.view.refresh()

    def disconnect(self, src, dst) -> None:
        """Remove the edge ``src → dst``."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.disconnect(src, dst)
        self.view.refresh()

    def remove(self, node) -> None:
        """Remove a node and its edges."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.remove(node)
        self.view.refresh()

    def undo(self) -> None:
        """Undo the last graph edit or preset."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.undo()
        self.view.refresh()

    def load_preset(self, name: str) -> None:
        """Replace the graph with a preset (``Undo`` brings the old one back)."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.load_preset(name)
        self.view.refresh()

    # -- data and settings ----------------------------------------------------------------------
    def set_data(self, **settings) -> None:
        """Change ``dataset``, ``noise``, ``n_points``, ``test_fraction`` or ``seed``; the data
        is made anew."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.set_data(**settings)
        self.view.refresh()

    def set_standardize(self, standardize: bool) -> None:
        """Feed the network standardised inputs ((x − mean) / std of the training points), or
        the raw coordinates of the plane."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.set_standardize(standardize)
        self.view.refresh()

    def set_training(self, **settings) -> None:
        """Change ``loss``, ``optimizer``, ``lr`` or ``batch_size``."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.set_training(**settings)
        self.view.refresh()

    def show(self, *, test_points: bool | None = None, discretize: bool | None = None) -> None:
        """Show or hide the test points; show the output as a score or as a class."""
        self.view.show_points(test_points, discretize)
        self.view.refresh()

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add a training point of class ``label`` (0 or 1) at ``(x1, x2)``."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.add_point(x1, x2, label)
        self.view.refresh()

    def remove_point(self, x1: float, x2: float) -> None:
        """Remove the point nearest to ``(x1, x2)``."""
        self._end_walk()  # the walk's batch and settings would no longer hold
        self.model.remove_point(x1, x2)
        self.view.refresh()

    # -- looking inside and teaching ------------------------------------------------------------
    def look_at(self, node, unit: int = 0) -> None:
        """Show one output unit of a node as a heatmap over the input plane (tab "Inside")."""
        self.view.look_at(node, unit)
        self.view.refresh()

    def start_walk(self) -> Walk:
        """Start walking through the next mini-batch, one node at a time: forward, loss,
        backward, update. Returns the ``Walk`` (see ``labnet.walkthrough``)."""
        self.model._require_network()
        self.pause()
        self.walk = Walk.from_trainer(self.model.trainer)
        self.view.show_walk(self.walk)
        self.view.refresh()
        return self.walk

    def walk_next(self) -> None:
        """One node further in the walk."""
        self._walk().next()
        self._walk_moved()

    def walk_back(self) -> None:
        """One node back in the walk (nothing is undone)."""
        self._walk().back()
        self._walk_moved()

    def finish_walk(self) -> None:
        """Run the rest of the walk: the weights are updated, as by one training step."""
        self._walk().finish()
        self._walk_moved()

    def _walk(self) -> Walk:
        if self.walk is None:
            raise ValueError("there is no walk under way: start one first")
        return self.walk

    def _walk_moved(self) -> None:
        self.view.show_walk(self.walk)
        if self.walk.done:
            self.model._emit("train")  # the walk's update was a training step
        self.view.refresh()

    def _end_walk(self) -> None:
        """Training goes on without the walk (a walk is one step; training moves past it)."""
        if self.walk is not None:
            self.walk = None
            self.view.show_walk(None)

    def hide(self, *names: str) -> None:
        """Hide views from the class ("boundary", "curves", "gradients", "graph", "errors")."""
        for name in names:
            self.view.hide(name)
        self.view.refresh()

    def reveal(self, *names: str) -> None:
        """Show hidden views again (all of them if no name is given)."""
        for name in names or list(self.view.hidden):
            self.view.hide(name, hidden=False)
        self.view.refresh()

    def set_scale(self, scale: float) -> None:
        """Draw the whole lab ``scale`` times larger (1.4 suits a projector)."""
        if not 0.5 <= scale <= 3:
            raise ValueError(f"scale must be between 0.5 and 3, got {scale}")
        self._new_view(scale)

    # -- saving and sharing ---------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Save the whole lab (graph, weights, data, settings, history) to one file."""
        save_lab(self.model, path)
        self.view.show_message(f"Saved the lab to {os.fspath(path)}.")

    @classmethod
    def open(cls, path: str | os.PathLike, **options) -> Lab:
        """A lab opened from a file written by ``save``, just as it was."""
        return cls(model=open_lab(path), **options)

    def load(self, path: str | os.PathLike) -> None:
        """Replace this lab's state with the one saved in ``path``."""
        model = open_lab(path)
        self.pause()
        self._end_walk()  # it walks the old network's trainer
        self.model = model
        self._new_view(self.view.scale)
        self.view.show_message(f"Opened {os.fspath(path)}.")

    def export_code(self, include_weights: bool = False) -> str:
        """Python code, with ``operators`` and ``connectivity`` dictionaries, that rebuilds the
        network being trained (with its weights if ``include_weights``)."""
        self.model._require_network()
        return to_python(self.model.network, include_weights=include_weights)

    def _new_view(self, scale: float) -> None:
        """Build the widgets anew (new scale, or new model) in place of the old ones."""
        old = self.view
        self.view = LabView(self, scale=scale, grid=old.views["boundary"].grid)
        # what the old widgets showed that is not in the model
        for name in old.hidden:
            self.view.hide(name)
        self.view.set_playing(self.playing)
        self.view.show_walk(self.walk)
        boundary = old.views["boundary"]
        self.show(test_points=boundary.show_test, discretize=boundary.discretize)
        looked_at = old.views["node"]
        if looked_at.node is not None and self.model is old.model:
            self.view.look_at(looked_at.node, looked_at.unit)
        self._container.children = [self.view.widget]
        old.close()
        self.view.refresh()

    # -- training -------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        """Train on ``n`` mini-batches."""
        self._end_walk()
        try:
            self.model.step(n)
        finally:
            self.view.refresh()

    def epoch(self) -> None:
        """Train to the end of the current epoch."""
        self._end_walk()
        try:
            self.model.epoch()
        finally:
            self.view.refresh()

    def reset(self) -> None:
        """New weights, a new optimizer, an empty history (the graph and data stay)."""
        self._end_walk()
        self.model.reset()
        self.view.refresh()

    def play(self) -> asyncio.Task:
        """Train continuously, without blocking: a task on the running asyncio event loop
        (in Jupyter, the kernel's). Returns the task."""
        self.model._require_network()
        previous = self._task if self._task is not None and not self._task.done() else None
        if previous is not None and self.playing:
            return previous
        self._end_walk()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called from a handler outside the loop's own coroutines
            try:
                loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                loop = None
        if loop is None or not loop.is_running():
            raise RuntimeError("play() needs a running asyncio event loop, as in Jupyter; in "
                               "a plain script call lab.step(n) or lab.epoch() instead")
        self._remember_loop(loop)
        self.playing = True
        self.view.set_playing(True)
        # a loop that was paused may still be ending its turn: the new one starts after it
        self._task = loop.create_task(self._play_loop(after=previous))
        return self._task

    def _remember_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self.event_loop, self.event_loop_thread = loop, threading.get_ident()

    def pause(self) -> None:
        """Stop playing (at the end of the current slice of training)."""
        self.playing = False
        self.view.set_playing(False)
        self.view.update_status()

    async def _play_loop(self, after: asyncio.Task | None = None) -> None:
        if after is not None:
            await after
        me = asyncio.current_task()
        window_start, window_steps = time.perf_counter(), 0
        try:
            while self.playing and self._task is me:  # one loop trains at a time
                # train until the next frame is due, or for one slice at most
                budget = min(TRAIN_SLICE, self.view.time_to_next_frame(time.perf_counter()))
                window_steps += self.model.train_for(budget)
                now = time.perf_counter()
                if now - window_start >= 0.5:
                    self.steps_per_second = window_steps / (now - window_start)
                    window_start, window_steps = now, 0
                name = self.view.next_to_draw(now)  # one view a turn, when its time has come
                if name is not None:
                    self.view.draw(name)
                    self.frames_drawn += name == "boundary"
                await asyncio.sleep(0)  # the kernel handles clicks between two turns
        except DivergedError as error:
            self.view.show_message(f"Paused: {error}", error=True, sticky=True)
        except Exception as error:  # shown in the lab, never lost in a log
            import traceback

            self.last_traceback = traceback.format_exc()
            self.view.show_message(f"Paused by an internal error ({type(error).__name__}: "
                                   f"{error}); the traceback is in lab.last_traceback",
                                   error=True, sticky=True)
        finally:
            if self._task is me:  # no newer Play is waiting to take over
                self.playing = False
                self.view.set_playing(False)
                self.view.update_status()
        if self._task is not me:
            return
        for name in self.view.due():  # the last pictures, one at a time
            await asyncio.sleep(0)
            self.view.draw(name)

    # -- what there is to read ------------------------------------------------------------------
    @property
    def network(self) -> Network | None:
        """The network being trained: the last valid one built from the graph."""
        return self.model.network

    @property
    def history(self) -> History | None:
        """The training history of the current network."""
        return self.model.trainer.history if self.model.trainer else None

    @property
    def graph_error(self) -> str | None:
        """Why the edited graph is not a valid network yet (``None`` if it is)."""
        return self.model.graph_error

    def scores(self) -> dict[str, float]:
        """Loss and error rate on the training and test sets, now."""
        return self.model.scores()

    @property
    def widget(self) -> widgets.Widget:
        """The whole app, as one widget."""
        return self._container

    def _repr_mimebundle_(self, **kwargs):
        return self._container._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        net = self.model.network
        return (f"Lab({len(self.model.nodes)} modules, data={self.model.dataset!r}, "
                f"{'valid' if self.model.graph_error is None else 'being edited'}, "
                f"step {self.model.trainer.steps if self.model.trainer else 0}, "
                f"{net.num_params() if net else 0} parameters)")
