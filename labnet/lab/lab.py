"""``Lab``: the app. Every gesture in the lab calls one of its methods, and so can you.

>>> lab = Lab()                  # the seed experiment, ready to play
>>> lab                          # in a notebook: shows the whole app
>>> node = lab.add("Linear", width=8)
>>> lab.connect(6, node)
>>> lab.step(10); lab.epoch()
>>> lab.history.test_error[-1]

The lab is its state (``labnet.lab.state``: graph, data, training), what it shows
(``labnet.lab.display``) and one widget that draws both in the browser (``labnet.lab.widget``).
The state tells the widget what changed; the widget asks the lab to do what a user did. Nothing
else goes between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref

import numpy as np

from labnet.codegen import to_python
from labnet.errors import GraphError, InputError
from labnet.history import History
from labnet.lab.dataset import CUSTOM
from labnet.lab.display import PRESENTATION_SCALE, Display
from labnet.lab.events import DataChanged, GraphChanged, SettingsChanged, Trained
from labnet.lab.files import checked_path, open_lab, save_lab
from labnet.lab.graph import check_id
from labnet.lab.nodes import DEFAULT_WIDTH, INPUT
from labnet.lab.play import Player
from labnet.lab.state import LabState
from labnet.lab.widget import LabWidget
from labnet.network import Network, Node
from labnet.walkthrough import Walk


class Lab:
    """An interactive lab: a network to edit, data, training, and live views of all three.

    Parameters
    ----------
    preset : the network to start from, a name in ``labnet.PRESETS`` (default: the seed's).
    network : start from this Network instead (its weights are kept).
    data : ``(x, labels)`` to train on instead of a generated data set.
    seed : seeds the data, new weights, and the mini-batches.
    grid : the boundary is computed on a ``grid × grid`` grid of the plane (while playing, on a
        coarser one, 32 to 64, that keeps a frame within about a millisecond).
    scale : size of the whole lab (1.4: presentation mode, for a projector).
    max_steps_per_second : a cap on training's speed while playing (default: the environment
        variable ``LABNET_MAX_STEPS_PER_SECOND``, else none), so many labs share one server.
    """

    def __init__(self, preset: str | None = "seed", *, network: Network | None = None,
                 data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
                 grid: int = 100, scale: float = 1.0,
                 max_steps_per_second: float | None = None,
                 state: LabState | None = None) -> None:
        if isinstance(grid, bool) or not isinstance(grid, int) or not 8 <= grid <= 256:
            raise InputError(f"grid must be a whole number from 8 to 256, got {grid!r}")
        self.display = Display(scale=scale).checked()
        self.state = state or LabState(preset, network=network, data=data, seed=seed,
                                       max_steps_per_second=max_steps_per_second)
        self.last_traceback: str | None = None
        # the event loop the lab lives on (the kernel's), and its thread: messages from the page
        # that arrive on another thread are handed over to it
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.event_loop_thread: int | None = None
        with contextlib.suppress(RuntimeError):
            self.remember_loop(asyncio.get_running_loop())
        self.player = Player(self)
        self._walking = False  # the walk itself is moving: its events do not end it
        self.widget = LabWidget(self, grid=grid)
        self._listener = _listener_of(self)
        self.state.listeners.append(self._listener)
        weakref.finalize(self, self.widget.close)  # a lab no one holds takes its widget along

    # -- the graph ------------------------------------------------------------------------------
    def add(self, kind: str, *, at: tuple[float, float] | None = None,
            between: tuple[Node, Node] | None = None, **params) -> Node:
        """Add a node with a new ``kind`` module (``"Linear"`` takes ``width``, ``"LeakyReLU"``
        ``negative_slope``); return its id. ``between=(src, dst)`` puts it into that edge."""
        return self.state.add(kind, at=at, between=between, **params)

    def connect(self, src: Node, dst: Node) -> None:
        """Add the edge ``src → dst``, or say why no network can have it (a cycle, widths that
        differ, an edge into the input). While the graph is not complete, the lab says what is
        missing and trains the last complete network."""
        self.state.connect(src, dst)

    def disconnect(self, src: Node, dst: Node) -> None:
        """Remove the edge ``src → dst``."""
        self.state.disconnect(src, dst)

    def remove(self, node: Node, *, join: bool = True) -> None:
        """Remove a node and its edges. A node inside a chain leaves its neighbours joined
        (each of its inputs feeds what it fed), where the graph allows it, unless not ``join``."""
        self.state.remove(node, join=join)

    def replace(self, node: Node, kind: str, **params) -> None:
        """Make ``node`` a new ``kind`` module (``lab.replace(2, "Tanh")``), where it is and
        with its id, keeping each of its edges the new module allows."""
        self.state.replace(node, kind, **params)

    def widen(self, node: Node, by: int = 1) -> None:
        """One more unit in the Linear ``node`` (``by`` more; fewer if negative)."""
        self.state.widen(node, by)

    def add_layer(self, width: int = DEFAULT_WIDTH, activation: str | None = None,
                  between: tuple[Node, Node] | None = None) -> tuple[Node, Node]:
        """One more hidden layer: a ``width`` Linear and an activation (by default the one the
        network's activations share), put into the edge ``between`` (by default the edge into
        the output). Returns the ids of the two new nodes."""
        return self.state.add_layer(width, activation, between)

    def set_activation(self, kind: str, **params) -> None:
        """Make every activation node (ReLU, LeakyReLU, Tanh, Sigmoid) a ``kind``."""
        self.state.set_activation(kind, **params)

    def set_params(self, node: Node, **params) -> None:
        """Make ``node``'s module anew with other parameters (``width=8``, ``negative_slope``)."""
        self.state.set_params(node, **params)

    def move(self, node: Node, x: float, y: float) -> None:
        """Draw ``node`` at column ``x``, row ``y`` of the graph."""
        self.state.move(node, x, y)

    def tidy(self) -> None:
        """Lay the graph out anew."""
        self.state.tidy()

    def undo(self) -> None:
        """Undo the last graph edit or preset."""
        self.state.undo()

    def redo(self) -> None:
        """Redo the last edit undone."""
        self.state.redo()

    def load_preset(self, name: str) -> None:
        """Replace the graph with a preset (``undo`` brings the old one back)."""
        self.state.load_preset(name)

    # -- data and training settings -------------------------------------------------------------
    def set_data(self, **settings) -> None:
        """Change ``dataset``, ``noise``, ``n_points``, ``test_fraction``, ``seed`` or
        ``standardize``; the data is made anew."""
        self.state.set_data(**settings)
        data = self.state.data.settings
        if data.dataset == CUSTOM and ("seed" in settings or "test_fraction" in settings):
            self.widget.say(f"Your own points stay: seed {data.seed} splits them anew into "
                            f"training and test points.")

    def set_standardize(self, standardize: bool) -> None:
        """Feed the network standardised inputs ((x − mean) / std of the training points), or
        the raw coordinates of the plane."""
        self.state.set_data(standardize=standardize)

    def set_training(self, **settings) -> None:
        """Change ``loss``, ``optimizer``, ``lr``, ``batch_size`` or ``max_steps_per_second``
        (``math.inf``: no cap)."""
        self.state.set_training(**settings)

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add a training point of class ``label`` (0 or 1) at ``(x1, x2)``."""
        self.state.add_point(x1, x2, label)

    def remove_point(self, x1: float, x2: float) -> None:
        """Remove the point nearest to ``(x1, x2)``."""
        self.state.remove_point(x1, x2)

    def click_plane(self, x1: float, x2: float) -> None:
        """What a click on the plane at ``(x1, x2)`` does (``show(click=...)``)."""
        mode = self.display.click
        if mode == "remove":
            self.remove_point(x1, x2)
        elif mode in ("orange", "blue"):
            self.add_point(x1, x2, label=0 if mode == "orange" else 1)

    # -- what is shown --------------------------------------------------------------------------
    def _show(self, **changes) -> None:
        self.display = self.display.changed(**changes)
        self.widget.sync_view()

    def show(self, *, test_points: bool | None = None, discretize: bool | None = None,
             edges: str | None = None, click: str | None = None) -> None:
        """Show or hide the test points; colour the plane by score or by class; draw edges by
        their ``"gradient"`` or their ``"weights"``; say what a click on the plane does
        (``"off"``, ``"orange"``, ``"blue"``, ``"remove"``)."""
        self._show(show_test=test_points, discretize=discretize, edges=edges, click=click)

    def look_at(self, node: Node, unit: int = 0) -> None:
        """Show unit ``unit`` of ``node`` over the input plane (its thumbnail on the graph, and
        bigger in the Inside tab)."""
        network = self.state.require_network()
        node = check_id(node, "look at")
        if node != INPUT and node not in network.operators:
            raise GraphError(f"node {node!r} is not in the network being trained")
        width = network.widths[node]
        if isinstance(unit, bool) or not isinstance(unit, int | np.integer) or not (
                0 <= unit < width):
            raise InputError(f"node {node!r} has {width} units: unit must be 0 to {width - 1}, "
                             f"got {unit!r}")
        self._show(picked=node, units={**self.display.units, node: int(unit)})

    def hide(self, *names: str) -> None:
        """Hide views from the class ("boundary", "curves", "gradients", "graph", "errors")."""
        self._show(hidden=self.display.hidden | set(names))

    def reveal(self, *names: str) -> None:
        """Show hidden views again (all of them if no name is given)."""
        self._show(hidden=self.display.hidden - set(names) if names else frozenset())

    def set_scale(self, scale: float) -> None:
        """Draw the whole lab ``scale`` times larger (1.4 suits a projector)."""
        self._show(scale=scale)

    def present(self, on: bool = True) -> None:
        """Presentation mode: everything 1.4× larger, for a projector (or back to 1×)."""
        self.set_scale(PRESENTATION_SCALE if on else 1.0)

    # -- stepping through one mini-batch --------------------------------------------------------
    def start_walk(self) -> Walk:
        """Start walking through the next mini-batch, one node at a time: forward, loss,
        backward, update. Returns the ``Walk`` (see ``labnet.walkthrough``)."""
        self.state.require_network()
        self.pause()
        walk = Walk.from_trainer(self.state.trainer)
        self._show(walk=walk, picked=None)
        return walk

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
        if self.display.walk is None:
            raise InputError("there is no walk under way: start one first")
        return self.display.walk

    def _walk_moved(self) -> None:
        walk = self.display.walk
        if walk.done and not getattr(walk, "_counted", False):
            walk._counted = True  # the walk's update was a training step
            self._walking = True
            try:
                self.state.scorer.finish()
                self.state.emit(Trained(1))
            finally:
                self._walking = False
        self.widget.sync_view()

    def _on_event(self, event) -> None:
        """Anything that changes the graph, the data, the settings or the weights ends a walk
        under way (its batch and its numbers would no longer hold); the widget follows."""
        if self.display.walk is not None and not self._walking and isinstance(
                event, GraphChanged | DataChanged | SettingsChanged | Trained):
            self.display = self.display.changed(walk=None)
            self.widget.sync_view()
            self.widget.say("The walk through the step ended: the graph, the data, the settings "
                            "or the weights changed (Start walks through the next step).")
        try:
            self.widget.on_event(event)
        except Exception as error:  # the change is made: a picture that fails must not undo it
            import traceback

            self.last_traceback = traceback.format_exc()
            self.widget.say(f"internal error while drawing ({type(error).__name__}: {error}); "
                            f"the traceback is in lab.last_traceback", error=True)

    # -- saving and sharing ---------------------------------------------------------------------
    def save(self, path: str | os.PathLike, replace: bool = True) -> None:
        """Save the whole lab (graph, weights, data, settings, history) to one ``.npz`` file
        (an existing one only if ``replace``)."""
        path = checked_path(path, ".npz", "a lab file", replace=replace)
        save_lab(self.state, self.display, path)
        self.widget.say(f"Saved the lab to {os.fspath(path)}.")

    @classmethod
    def open(cls, path: str | os.PathLike, **options) -> Lab:
        """A lab opened from a file written by ``save``, just as it was."""
        state, display = open_lab(path)
        lab = cls(state=state, **options)
        lab.display = display
        lab.widget.sync_view()
        return lab

    def load(self, path: str | os.PathLike) -> None:
        """Replace this lab's state with the one saved in ``path`` (a file that cannot be
        opened changes nothing)."""
        state, display = open_lab(path)  # everything is checked here
        self.pause()
        self.state.listeners.remove(self._listener)
        self.state = state
        self.display = display
        state.listeners.append(self._listener)
        self.widget.rebuild()
        self.widget.say(f"Opened {os.fspath(path)}.")

    def export_code(self, include_weights: bool = False) -> str:
        """Python code, with ``operators`` and ``connectivity`` dictionaries, that rebuilds the
        network being trained (with its weights if ``include_weights``)."""
        code = to_python(self.state.require_network(), include_weights=include_weights)
        self.widget.code = code
        return code

    def export_picture(self, path: str | os.PathLike = "lab.png", replace: bool = True) -> bytes:
        """A PNG of the boundary, the curves and the graph (for slides), written to ``path``
        (an existing file only if ``replace``); returns its bytes."""
        from labnet.lab.export import picture, write_file

        path = checked_path(path, ".png", "a picture", replace=replace)
        png = picture(self)
        write_file(path, png)
        self.widget.offer_download(os.path.basename(os.fspath(path)) or "lab.png", png)
        self.widget.say(f"Saved a picture of the lab to {os.fspath(path)}.")
        return png

    # -- training -------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        """Train on ``n`` mini-batches."""
        self.state.step(n)

    def epoch(self) -> None:
        """Train to the end of the current epoch."""
        self.state.epoch()

    def reset(self) -> None:
        """New weights, a new optimizer, an empty history (the graph and data stay)."""
        self.state.reset()

    def play(self) -> asyncio.Task:
        """Train continuously, without blocking: a task on the running asyncio event loop
        (in Jupyter, the kernel's). Returns the task."""
        if self.display.walk is not None:
            self.display = self.display.changed(walk=None)
        task = self.player.play()
        self.widget.sync_view()
        return task

    def pause(self) -> None:
        """Stop playing (at the end of the current slice of training)."""
        self.player.pause()
        self.widget.schedule_flush()

    def toggle_play(self) -> None:
        """Play if paused, pause if playing (the Play button)."""
        if self.playing:
            self.pause()
        else:
            self.play()

    @property
    def playing(self) -> bool:
        return self.player.playing

    @property
    def steps_per_second(self) -> float:
        return self.player.steps_per_second

    def remember_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self.event_loop, self.event_loop_thread = loop, threading.get_ident()

    def on_loop(self, function, *args) -> None:
        """Run ``function(*args)`` on the event loop's thread, between two turns of the play
        loop (ipykernel 7 may deliver a message from the page on another thread while the
        kernel is busy); at once if there is no loop or this is its thread."""
        loop = self.event_loop
        if (loop is not None and loop.is_running()
                and threading.get_ident() != self.event_loop_thread):
            loop.call_soon_threadsafe(function, *args)
        else:
            function(*args)

    # -- what there is to read ------------------------------------------------------------------
    @property
    def network(self) -> Network | None:
        """The network being trained: the last complete one built from the graph."""
        return self.state.network

    @property
    def history(self) -> History | None:
        """The training history of the current network."""
        return self.state.trainer.history if self.state.trainer else None

    @property
    def graph_error(self) -> str | None:
        """Why the edited graph is not a network yet (``None`` if it is)."""
        return self.state.graph_error

    def scores(self) -> dict[str, float]:
        """Loss and error rate on the training and test sets, now."""
        return self.state.scores()

    def close(self) -> None:
        """Stop playing and close the widget (the page shows the lab no more)."""
        self.pause()
        self.widget.close()

    def _repr_mimebundle_(self, **kwargs):
        self.widget.keep(self)  # shown in a page: it lives as long as its widget
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = self.state
        net = state.network
        return (f"Lab({len(state.graph.nodes)} modules, data={state.data.settings.dataset!r}, "
                f"{'complete' if state.graph_error is None else 'being edited'}, "
                f"step {state.trainer.steps if state.trainer else 0}, "
                f"{net.num_params() if net else 0} parameters)")


def _listener_of(lab: Lab):
    """A listener for the lab's state that does not keep the lab alive (the widget keeps the
    state, and the widget lives until it is closed)."""
    lab_ref = weakref.ref(lab)

    def listener(event) -> None:
        lab = lab_ref()
        if lab is not None:
            lab._on_event(event)
    return listener
