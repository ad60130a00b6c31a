"""``Lab``: the app. Every gesture in the lab calls one of its methods, and so can you.

>>> lab = Lab()                  # the seed experiment, ready to play
>>> lab                          # in a notebook: shows the whole app
>>> node = lab.add("Linear", width=8)
>>> lab.connect(6, node)
>>> lab.step(10); lab.epoch()
>>> lab.history.test_error[-1]

The lab is composed of its state (``labnet.lab.state``: graph, data, training), its player (the
play loop), what it shows (``labnet.lab.display``) and one widget that draws them in the browser
(``labnet.lab.widget``). Each method here turns a gesture into a change of one of them: an edit
of the graph is a new ``Graph`` value that the state takes (``state.edit(graph.connect(3,
5))``), a new setting a new ``LabData`` or ``TrainingSettings``. The state and the player tell
the widget what changed with events; the widget hands the page's intents back to these methods.
Nothing else goes between them.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from labnet.codegen import to_python
from labnet.errors import GraphError, InputError, short_repr
from labnet.features import PLAIN
from labnet.history import History
from labnet.lab import edits, inputs, walking
from labnet.lab.dataset import CUSTOM, REGRESSION, LabData
from labnet.lab.display import CLASS_NAMES, PRESENTATION_SCALE, Display
from labnet.lab.events import (
    DataChanged,
    GraphChanged,
    SettingsChanged,
    StateEvent,
    Trained,
    WeightsChanged,
)
from labnet.lab.export import picture, write_file
from labnet.lab.files import checked_name, checked_path, lab_bytes, open_lab, save_lab
from labnet.lab.graph import check_id
from labnet.lab.hints import Hint
from labnet.lab.intents import intent_call
from labnet.lab.lock import Lock
from labnet.lab.nodes import DEFAULT_WIDTH, INPUT
from labnet.lab.owndata import data_csv, data_from_csv, described
from labnet.lab.pagefiles import BROWSER, PageFiles, mode_from_environment
from labnet.lab.play import Player
from labnet.lab.settings import within_server_cap
from labnet.lab.state import LabState
from labnet.lab.weights import edge_weights, weight_change
from labnet.lab.widget import LabWidget
from labnet.network import Network, Node
from labnet.walkthrough import Walk

MAX_STEPS = 100_000
"""The most steps one ``step(n)`` takes."""


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
    max_steps_per_second : a cap on training's speed while playing (``math.inf``: none;
        default: the environment variable ``LABNET_MAX_STEPS_PER_SECOND``, else none), so many
        labs share one server. The page may lower the environment's cap, never lift it.
    lock : controls the page may not move, for a class: names of ``labnet.lab.lock.CONTROLS``
        (locked: shown, greyed), or ``{name: "locked" | "hidden"}``. Kept in the lab's file;
        the page cannot free them (``set_lock`` can, from Python).
    features : what the network sees of each point (``labnet.FEATURES``; default x1, x2).
    """

    def __init__(self, preset: str | None = "seed", *, network: Network | None = None,
                 data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
                 grid: int = 100, scale: float = 1.0,
                 max_steps_per_second: float | None = None,
                 features: Iterable[str] = PLAIN,
                 lock: Iterable[str] | Mapping[str, str] | None = None) -> None:
        if isinstance(grid, bool) or not isinstance(grid, int) or not 8 <= grid <= 256:
            raise InputError(f"grid must be a whole number from 8 to 256, got {grid!r}")
        self.display = Display(scale=scale, lock=Lock.of(lock)).checked()
        self.state = LabState(preset, network=network, data=data, seed=seed,
                              max_steps_per_second=max_steps_per_second, features=features)
        self.player = Player(self.state)
        self._walking = False  # the walk itself is moving: its events do not end it
        self._walk_trained: Walk | None = None  # the walk whose update counted as a step
        self._page_lock: Lock | None = None  # the page's lock while a page's intent runs
        self.widget = LabWidget(self.state, self.player, self.display, _intents_of(self),
                                grid=grid)
        self._listener = _listener_of(self)
        self.state.listeners.append(self._listener)
        # where the page's files go: none on the server in the app (its server says so)
        self.page_files = PageFiles(mode_from_environment())
        self.widget.files = self.page_files.mode
        weakref.finalize(self, self.widget.close)  # a lab no one holds takes its widget along

    # -- the graph ------------------------------------------------------------------------------
    def add(self, kind: str, *, at: tuple[float, float] | None = None,
            between: tuple[Node, Node] | None = None, **params) -> Node:
        """Add a node with a new ``kind`` module (``"Linear"`` takes ``width``, ``"LeakyReLU"``
        ``negative_slope``; ``labnet.MODULES``: the built-in ones and those registered); return
        its id. ``between=(src, dst)`` puts it into that edge; ``at=(x, y)`` is where it is
        drawn."""
        graph, node = self.state.graph.add(kind, params, at=at, between=between)
        self.state.edit(graph, new_nodes=(node,))
        return node

    def connect(self, src: Node, dst: Node) -> None:
        """Add the edge ``src → dst``, or say why no network can have it (a cycle, widths that
        differ, an edge into the input). While the graph is not complete, the lab says what is
        missing and trains the last complete network."""
        self.state.edit(self.state.graph.connect(src, dst))

    def disconnect(self, src: Node, dst: Node) -> None:
        """Remove the edge ``src → dst``."""
        self.state.edit(self.state.graph.disconnect(src, dst))

    def remove(self, node: Node, *, join: bool = True) -> None:
        """Remove a node and its edges. A node inside a chain leaves its neighbours joined
        (each of its inputs feeds what it fed), where the graph allows it, unless not ``join``."""
        graph = self.state.graph
        self.state.edit(edits.remove_joining(graph, node) if join else graph.remove(node))

    def replace(self, node: Node, kind: str, **params) -> None:
        """Make ``node`` a new ``kind`` module (``lab.replace(2, "Tanh")``), where it is and
        with its id, keeping each of its edges the new module allows."""
        self.state.edit(edits.replace_node(self.state.graph, node, kind, params))

    def widen(self, node: Node, by: int = 1) -> None:
        """One more unit in the Linear ``node`` (``by`` more; fewer if negative)."""
        self.state.edit(edits.widen(self.state.graph, node, by))

    def add_layer(self, width: int = DEFAULT_WIDTH, activation: str | None = None,
                  between: tuple[Node, Node] | None = None) -> tuple[Node, Node]:
        """One more hidden layer: a ``width`` Linear and an activation (by default the one the
        network's activations share), put into the edge ``between`` (by default the edge into
        the output). Returns the ids of the two new nodes."""
        network = self.state.network
        graph, nodes = edits.add_layer(self.state.graph, width, activation, between,
                                       None if network is None else network.output)
        self.state.edit(graph, new_nodes=tuple(nodes))
        return nodes

    def set_features(self, names: Iterable[str]) -> None:
        """Feed the network these features of each point (``labnet.FEATURES``: ``"x1"``,
        ``"x2"``, ``"x1^2"``, ``"x2^2"``, ``"x1*x2"``, ``"sin(x1)"``, ``"sin(x2)"``), in
        Playground's order; the input's width follows. One undo step; a Linear fed by the input
        keeps the weights of the features that stay (zeros for new ones)."""
        self.state.edit(inputs.with_features(self.state.graph, names))

    def toggle_feature(self, name: str, on: bool | None = None) -> None:
        """Turn the input feature ``name`` on or off (``on`` None: the other way round), as a
        click on it on the input node does."""
        self.state.edit(inputs.toggle(self.state.graph, name, on))

    def set_activation(self, kind: str, **params) -> None:
        """Make every activation node (ReLU, LeakyReLU, Tanh, Sigmoid) a ``kind``."""
        self.state.edit(edits.set_activation(self.state.graph, kind, params))

    def set_params(self, node: Node, **params) -> None:
        """Make ``node``'s module anew with other parameters (``width=8``, ``negative_slope``)."""
        self.state.edit(self.state.graph.set_params(node, params))

    def move(self, node: Node, x: float, y: float) -> None:
        """Draw ``node`` at column ``x``, row ``y`` of the graph."""
        self.state.edit(self.state.graph.move(node, x, y))

    def tidy(self) -> None:
        """Lay the graph out anew."""
        self.state.edit(self.state.graph.tidy())

    def set_weight(self, node: Node, name: str, index, value: float) -> None:
        """Set one weight of the network being trained by hand: node ``node``'s ``name``
        (``"weight"``, whose ``[i, j]`` takes unit i of the node that feeds it to its unit j, or
        ``"bias"``, ``[j]``) to ``value`` (finite, within ±1000); undoable. Training goes on
        from it."""
        self.state.change_weight(weight_change(self.state.network, node, name, index, value))

    def edge_weights(self, src: Node, dst: Node) -> dict:
        """What the edge ``src → dst`` carries, as the page shows it under the pointer: the
        weight matrix of the Linear it feeds (its top-left 16 × 16 if bigger), or why none."""
        return edge_weights(self.state.network, src, dst)

    def undo(self) -> None:
        """Undo the last graph edit, preset or weight set by hand."""
        self.state.undo_edit()

    def redo(self) -> None:
        """Redo the last edit undone."""
        self.state.redo_edit()

    def load_preset(self, name: str) -> None:
        """Replace the graph with a preset (``undo`` brings the old one back)."""
        self.state.use_preset(name)

    # -- data and training settings -------------------------------------------------------------
    def set_data(self, **settings) -> None:
        """Change ``dataset`` (``labnet.DATASETS``, ``MULTICLASS_DATASETS``,
        ``REGRESSION_DATASETS``), ``noise``, ``n_points``, ``test_fraction``, ``seed``,
        ``standardize`` or ``classes`` (of ``blobs`` and ``spirals``: 2 to 8); the data is made
        anew and training goes on, on it. Data that need another output (more classes, a
        regression) make the network's output Linear as wide as they need (one undo step; its
        weights drawn anew, training starts over), and a regression trains with MSE."""
        self._use_data(self.state.data.changed(**settings))
        data = self.state.data.settings
        if data.dataset == CUSTOM and ("seed" in settings or "test_fraction" in settings):
            self.widget.say(f"Your own points stay: seed {data.seed} splits them anew into "
                            f"training and test points.")

    def load_csv(self, text: str | bytes, *, name: str = "the CSV text",
                 task: str | None = None) -> None:
        """Train on points of your own, read from CSV ``text`` (a paste, or a file's bytes): a
        line a point, x₁, x₂ and a label (a class, 0 to 7) or a target (a regression; ``task``
        says which if the header and the values do not). A bad text is refused naming its line
        and column, and changes nothing. ``name``: where the text came from (a file's)."""
        said = self.widget.message.get("id")
        self._use_data(data_from_csv(self.state.data, text, task))
        also = self.widget.message["text"] if self.widget.message.get("id") != said else ""
        self.widget.say(f"Read {described(self.state.data)} from {name}. {also}".strip())

    def export_csv(self) -> str:
        """The data set now (training, then test points) as CSV text, which ``load_csv``
        reads back exactly; the page offers it as a download (``data.csv``)."""
        text = data_csv(self.state.data)
        self.widget.offer_download("data.csv", text.encode())
        return text

    def set_standardize(self, standardize: bool) -> None:
        """Feed the network standardised inputs ((x − mean) / std of the training points), or
        the raw coordinates of the plane."""
        self.set_data(standardize=standardize)

    def set_training(self, **settings) -> None:
        """Change ``loss``, ``optimizer``, ``lr``, ``batch_size``, ``max_steps_per_second``
        (``math.inf``: no cap), ``regularization`` (``"none"``, ``"l1"``, ``"l2"``: a penalty
        on the weights) or ``regularization_rate``; the weights and the history are kept.
        A notebook may set any cap; the page, none above its server's
        (``$LABNET_MAX_STEPS_PER_SECOND``: ``labnet.lab.settings.check_page_cap``)."""
        self.state.use_training(self.state.training.changed(**settings))

    def add_point(self, x1: float, x2: float, label: float) -> None:
        """Add a training point at ``(x1, x2)``: of class ``label`` (0 to the number of classes;
        one more makes a new class), or, for a regression, of target ``label``."""
        self._use_data(self.state.data.with_point(x1, x2, label))

    def remove_point(self, x1: float, x2: float) -> None:
        """Remove the point nearest to ``(x1, x2)`` (within 3 % of the points' width)."""
        self._use_data(self.state.data.without_point_near(x1, x2))

    def click_plane(self, x1: float, x2: float) -> None:
        """What a click on the plane at ``(x1, x2)`` does (``show(click=...)``)."""
        mode = self.display.click
        if mode == "remove":
            self.remove_point(x1, x2)
        elif mode in CLASS_NAMES:
            if self.state.data.task == REGRESSION:
                raise InputError(f"these data are a regression: a point has a target value, "
                                 f"not a class ({mode}); add one with lab.add_point(x1, x2, "
                                 f"target), or let a click remove points")
            self.add_point(x1, x2, label=CLASS_NAMES.index(mode))

    def _use_data(self, data: LabData) -> None:
        """Train on ``data`` from now on, the network's output fitted to what they need and
        MSE for a regression (``LabState.use_data``); say what changed besides the data."""
        state = self.state
        before, loss = state.data, state.training.loss
        graph = edits.fit_output(state.graph, data.outputs, data.needs())
        training = state.training
        if data.task == REGRESSION and training.loss != "mse":
            training = training.changed(loss="mse")
        if state.refits(data, graph):  # (a page may not move a locked graph or loss this way)
            self._page_may(["graph", "weights"], f"these data need {data.needs()}: the "
                           f"network's output would be made anew")
        if training.loss != loss:
            self._page_may(["loss"], f"these data are a regression, trained with mse, not "
                           f"{loss}")
        state.use_data(data, graph=graph, training=training)
        said = []
        if data.outputs != before.outputs:
            output = state.network.output if state.network is not None else graph.output()
            said.append(f"{_task_words(data)}: the output, node {output!r}, now gives "
                        f"{data.needs()} (its weights drawn anew; training starts over).")
        if training.loss != loss:
            said.append(f"The loss is now mse: {loss} compares classes.")
        if said:
            self.widget.say(" ".join(said))

    # -- training -------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        """Train on ``n`` mini-batches."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= MAX_STEPS:
            raise InputError(f"the number of steps must be a whole number from 1 to "
                             f"{MAX_STEPS:,}, got {short_repr(n)}")
        self.state.train(int(n), score_epochs=True)

    def epoch(self) -> None:
        """Train to the end of the current epoch."""
        trainer = self.state.trainer
        epochs = trainer.epochs if trainer is not None else 0
        self.state.train(10**9, until=lambda: trainer.epochs > epochs, score_epochs=True)

    def reset(self) -> None:
        """New weights, a new optimizer, an empty history (the graph and data stay)."""
        self.state.new_weights()

    def play(self) -> asyncio.Task:
        """Train continuously, without blocking: a task on the running asyncio event loop
        (in Jupyter, the kernel's). Returns the task."""
        self.state.require_network()
        if self.display.walk is not None:
            self._show(walk=None)
        return self.player.play()

    def pause(self) -> None:
        """Stop playing (at the end of the current slice of training)."""
        self.player.pause()

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

    # -- what is shown --------------------------------------------------------------------------
    def _show(self, **changes) -> None:
        self.display = self.display.changed(**changes)
        self.widget.show(self.display)

    def show(self, *, test_points: bool | None = None, discretize: bool | None = None,
             edges: str | None = None, click: str | None = None) -> None:
        """Show or hide the test points; colour the plane by score or by class; draw edges by
        their ``"gradient"`` or their ``"weights"``; say what a click on the plane does
        (``"off"``, ``"remove"``, or add a point of a class named by its colour: ``"orange"``
        class 0, ``"blue"`` class 1, ``"green"`` 2, ``"pink"`` 3...: ``display.CLASS_NAMES``)."""
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

    @property
    def hints(self) -> list[Hint]:
        """What is likely wrong with the lab's settings now (Adam with a big learning rate,
        dead ReLUs, a vanishing gradient...), the most pressing first; the page shows the first
        not dismissed, next to the setting or node it is about."""
        self.widget.flush()  # (the hints are checked as the page's are, with the rest)
        return list(self.widget.hints.found)

    def dismiss_hint(self, key: str) -> None:
        """Stop showing the hint ``key`` (``lab.hints[0].key``) while it holds."""
        if not isinstance(key, str):
            raise InputError(f"a hint is named by its key, got {short_repr(key)}")
        self.widget.dismiss_hint(key)

    @property
    def lock(self) -> Lock:
        """The controls the page may not move (locked or hidden), ``labnet.lab.lock.Lock``."""
        return self.display.lock

    def set_lock(self, control: str, mode: str = "locked", *, sealed: bool = True) -> None:
        """Lock (``"locked"``: shown, greyed), hide (``"hidden"``) or free (``"free"``) the
        page's ``control`` (``labnet.lab.lock.CONTROLS``). ``sealed``: the page cannot loosen
        it (the Teach panel's own locks are not sealed until the lab is saved and opened)."""
        self._show(lock=self.display.lock.with_mode(control, mode, sealed=sealed))

    def set_scale(self, scale: float) -> None:
        """Draw the whole lab ``scale`` times larger (1.4 suits a projector)."""
        self._show(scale=scale)

    def present(self, on: bool = True) -> None:
        """Presentation mode: everything 1.4× larger, for a projector (or back to 1×)."""
        self.set_scale(PRESENTATION_SCALE if on else 1.0)

    # -- walking through one training step -----------------------------------------------------
    def start_walk(self, sample: int | None = None) -> Walk:
        """Walk through the next mini-batch on the graph, one node at a time: forward, loss,
        backward, update (finishing it is a training step). ``sample=i``: training point ``i``
        alone, every number small enough to redo by hand; its update is only shown. Pauses
        play. Returns the ``Walk`` (see ``labnet.walkthrough``)."""
        self.state.require_network()
        train = self._page_lock is None or self._page_lock.mode("play") == "free"
        walk = self._begin_walk(walking.new_walk(self.state.trainer, sample, train=train,
                                                 scaling=self._scaling()))
        if not train and sample is None:
            self.widget.say("Play is locked in this lab: the walk shows its update without "
                            "making it.")
        return walk

    def walk_next(self) -> None:
        """One node further in the walk."""
        self._move_walk(Walk.next, self._walk().position + 1)

    def walk_back(self) -> None:
        """One node back in the walk (nothing is undone)."""
        self._move_walk(Walk.back, None)

    def walk_to(self, index: int) -> None:
        """Go to step ``index`` of the walk (``len(walk.plan) - 1``, or -1, is the update),
        running the steps on the way."""
        self._move_walk(lambda walk: walk.go_to(index), index)

    def finish_walk(self) -> None:
        """Run the rest of the walk: the weights are updated, as by one training step (a
        one-sample walk only shows its update)."""
        self._move_walk(Walk.finish, -1)

    def pick_sample(self, x1: float, x2: float) -> int:
        """Walk the training point nearest to ``(x1, x2)`` alone (a click on the plane), at the
        step the one-sample walk under way is at; returns the point's index."""
        self.state.require_network()
        sample = walking.nearest_training_point(self.state.data, x1, x2)
        walk = walking.new_walk(self.state.trainer, sample, scaling=self._scaling())
        old = self.display.walk
        if old is not None and old.sample is not None:
            walk.go_to(old.position)  # the same step, for another point
        self._begin_walk(walk)
        return sample

    def _scaling(self):
        """The (mean, std) the network's inputs are standardised with, or None: a walk says so."""
        return self.state.data.standardisation(self.state.features)

    def end_walk(self) -> None:
        """Close the walk (what it did stays done)."""
        if self.display.walk is not None:
            self._show(walk=None)

    def _begin_walk(self, walk: Walk) -> Walk:
        playing = self.playing
        self.pause()
        self._walk_trained = None
        self._show(walk=walk, picked=None)
        if playing:
            self.widget.say("Training paused for the walk (Play closes the walk and trains on).")
        return walk

    def _walk(self) -> Walk:
        if self.display.walk is None:
            raise InputError("there is no walk under way: start one first")
        return self.display.walk

    def _move_walk(self, move: Callable[[Walk], object], to: int | None) -> None:
        """Move the walk's cursor (to step ``to``); a move that fails (a step that diverged)
        leaves it where it was. The walk's update, when it is made, counts as a training step
        (once): from a page whose "play" is locked, it is refused."""
        walk = self._walk()
        if to is not None and walking.makes_the_update(walk, to):
            self._page_may(["play"], "the walk's update is a training step")
        at = walk.position
        try:
            move(walk)
        except Exception:
            walk.go_to(at)
            raise
        if walking.was_a_training_step(walk) and walk is not self._walk_trained:
            self._walk_trained = walk
            self._walking = True
            try:
                self.state.scorer.finish()
                self.state.emit(Trained(1))
            finally:
                self._walking = False
        self.widget.show(self.display)

    def _page_may(self, controls: Iterable[str], because: str) -> None:
        """While a page's intent runs, a ``LockedError`` if it would move one of ``controls``
        its lock holds (what the action's name does not tell the lock; Python's calls are the
        teacher's: free)."""
        if self._page_lock is not None:
            self._page_lock.check_controls(controls, because)

    def _on_event(self, event: StateEvent) -> None:
        """Anything that changes the graph, the data, the settings or the weights ends a walk
        under way (its batch and its numbers would no longer hold)."""
        if self.display.walk is not None and not self._walking and isinstance(
                event, GraphChanged | DataChanged | SettingsChanged | Trained | WeightsChanged):
            self._show(walk=None)
            self.widget.say("The walk through the step ended: the graph, the data, the settings "
                            "or the weights changed (Walk starts one through the next step).")

    # -- files ----------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike, replace: bool = True, *,
             from_page: bool = False) -> None:
        """Save the whole lab (graph, weights, data, settings, history) to one ``.npz`` file
        (an existing one only if ``replace``). The page's Save (``from_page``): in the app a
        download in the student's browser, else a file in the notebook's folder
        (``labnet.lab.pagefiles``)."""
        if from_page:
            name = checked_name(path, ".npz", "a lab file")
            self.widget.say(self.page_files.keep(
                name, lab_bytes(self.state, self.display, name), replace=replace,
                offer=self.widget.offer_download))
            return
        path = checked_path(path, ".npz", "a lab file", replace=replace)
        save_lab(self.state, self.display, path)
        self.widget.say(f"Saved the lab to {os.fspath(path)}.")

    def open(self, path: str | os.PathLike, *, content: bytes | None = None,
             from_page: bool = False) -> None:
        """Make this lab the one saved in ``path`` by ``save``, just as it was (a file that
        cannot be opened changes nothing); with ``content``, the one in those bytes (a file of
        that name). The page's Open (``from_page``): a file uploaded from the student's machine,
        or one in the notebook's folder (not in the app). A network file of ``ln.save`` opens
        with ``Lab(network=ln.load(path))``."""
        if from_page:
            content = self.page_files.lab_file(path, content)
        state, display = open_lab(path, content)  # everything is checked here
        if from_page:  # a file opened from the page moves no control its teacher locked
            self.display.lock.check_open((self.state, self.display), (state, display))
            state.use_training(within_server_cap(state.training))  # nor the server's cap
        self.pause()
        self.state.listeners.remove(self._listener)
        self.state, self.display = state, display
        self.player = Player(state, self.player.kernel)
        state.listeners.append(self._listener)
        self.widget.attach(state, self.player)
        self.widget.show(display)
        self.widget.say(f"Opened {os.fspath(path)}.")

    def export_code(self, include_weights: bool = False) -> str:
        """Python code, with ``operators`` and ``connectivity`` dictionaries, that rebuilds the
        network being trained (with its weights if ``include_weights``)."""
        code = to_python(self.state.require_network(), include_weights=include_weights)
        self.widget.code = code
        return code

    def export_picture(self, path: str | os.PathLike = "lab.png", replace: bool = True, *,
                       from_page: bool = False) -> bytes:
        """A PNG of the boundary, the curves and the graph (for slides), written to ``path``
        (an existing file only if ``replace``); returns its bytes. From the page: as ``save``
        keeps a file."""
        if from_page:
            name = checked_name(path, ".png", "a picture")
            png = picture(self.state, self.display)
            self.widget.say(self.page_files.keep(name, png, replace=replace,
                                                 offer=self.widget.offer_download))
            if self.page_files.mode != BROWSER:
                self.widget.offer_download(os.path.basename(name), png)
            return png
        path = checked_path(path, ".png", "a picture", replace=replace)
        png = picture(self.state, self.display)
        write_file(path, png)
        self.widget.offer_download(os.path.basename(os.fspath(path)) or "lab.png", png)
        self.widget.say(f"Saved a picture of the lab to {os.fspath(path)}.")
        return png

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

    @property
    def last_traceback(self) -> str | None:
        """The traceback of the last internal error the lab showed (for a bug report)."""
        return self.widget.last_traceback

    def scores(self) -> dict[str, float]:
        """Loss and error rate on the training and test sets, now."""
        return self.state.scorer.now()

    def close(self) -> None:
        """Stop playing and close the widget (the page shows the lab no more)."""
        self.pause()
        self.widget.close()

    def _repr_mimebundle_(self, **kwargs):
        self.widget.keep(self)  # shown in a page: it lives while a view shows it
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = self.state
        net = state.network
        return (f"Lab({len(state.graph.nodes)} modules, data={state.data.settings.dataset!r}, "
                f"{'complete' if state.graph_error is None else 'being edited'}, "
                f"step {state.trainer.steps if state.trainer else 0}, "
                f"{net.num_params() if net else 0} parameters)")


def _task_words(data: LabData) -> str:
    if data.task == REGRESSION:
        return "A regression"
    return f"{data.classes} classes"


def _listener_of(lab: Lab) -> Callable[[StateEvent], None]:
    """A listener for the lab's state that does not keep the lab alive (the widget keeps the
    state, and the widget lives until it is closed)."""
    lab_ref = weakref.ref(lab)

    def listener(event: StateEvent) -> None:
        lab = lab_ref()
        if lab is not None:
            lab._on_event(event)
    return listener


def _intents_of(lab: Lab) -> Callable[[str, dict, list], object]:
    """What the widget calls with the page's intents: the ``Lab`` method each names (checked by
    ``intent_call``), on a lab it does not keep alive."""
    lab_ref = weakref.ref(lab)

    def act(action: str, args: dict, buffers: list) -> object:
        name, positional, keyword = intent_call(action, args, buffers)
        lab = lab_ref()
        if lab is None:
            raise RuntimeError("this lab's widget outlived its lab")
        lock = lab.display.lock  # the page moves no control its teacher locked
        lock.check(action, args or {}, playing=lab.playing,
                   next_undo=lab.state.next_undo(redo=action == "redo"))
        lab._page_lock = lock  # (what the intent does is checked too: Lab._page_may)
        try:
            result = getattr(lab, name)(*positional, **keyword)
        finally:
            lab._page_lock = None
        if not lab.display.lock.covers(lock):  # (a lab opened from the page: its lock stays)
            lab._show(lock=lab.display.lock.merged(lock))
        return result
    return act
