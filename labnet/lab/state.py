"""The lab's state: the graph being edited, the network trained, the data, the training.

No widgets and no drawing here (``import labnet.lab.state`` loads neither ipywidgets nor
matplotlib). The state takes new values that were made and checked elsewhere: a ``Graph`` edit
(``state.edit(state.graph.connect(3, 5))``), new ``LabData``, new ``TrainingSettings``; then it
changes and tells its ``listeners`` with one event (``labnet.lab.events``). A value refused
changes nothing. ``labnet.lab.Lab`` turns each gesture into such a value.

The graph may be incomplete while it is edited; the network being trained is the last complete
one built from it, which keeps its weights and its training until an edit completes the graph
again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from labnet.errors import GraphError, InputError, short_repr
from labnet.features import PLAIN
from labnet.lab import edits, inputs
from labnet.lab.blas import single_blas_thread
from labnet.lab.dataset import CUSTOM, REGRESSION, DataSettings, LabData, Points
from labnet.lab.events import (
    DataChanged,
    GraphChanged,
    SettingsChanged,
    StateEvent,
    Trained,
    WeightsChanged,
)
from labnet.lab.graph import Graph, check_fits_the_lab, output_problem
from labnet.lab.nodes import NodeSpec
from labnet.lab.scoring import Scorer
from labnet.lab.settings import TrainingSettings, default_cap
from labnet.losses import LOSSES
from labnet.modules import MODULES, Module
from labnet.network import Network, Node
from labnet.optim import OPTIMIZERS
from labnet.presets import PRESETS
from labnet.training import Trainer

if TYPE_CHECKING:
    from labnet.lab.weights import WeightChange


@dataclass(frozen=True)
class DataRefit:
    """An entry of the undo history: the lab as it was before data that refit the network's
    output (``use_data`` with a new graph): its graph, the modules of its nodes, its data and
    its loss. Undoing it puts all four back, so the graph and the data still fit."""

    graph: Graph
    modules: dict
    data: LabData
    loss: str


def check_loss(loss: str, data: LabData) -> None:
    """Refuse a loss that cannot train on ``data``: cross-entropy on a regression's targets."""
    if data.task == REGRESSION and loss != "mse":
        raise InputError(f"{loss} compares classes, and these data are a regression (a value "
                         f"for each point): the lab trains a regression with mse")


HISTORY_LIMIT = 2**14
"""The history keeps at most this many entries per series (``labnet.history.History``), so a
lab can play for hours in bounded memory and time."""
NORM_EVERY = 16
"""The lab's trainer measures every node's gradient norm every this many steps (the curves
need no more; measuring them at every step cost a fifth of a step)."""
UNDO_LIMIT = 100
"""Edits (of the graph, or of a weight) the undo history keeps."""
REFIT_UNDO_LIMIT = 8
"""Data that refit the output the undo history keeps (each holds its data: up to a million
points; a student flipping data sets on a shared server must not pin hundreds of MB). Undo
stops at the oldest kept: what came before it fitted other data."""
SCORES_AT_ONCE = 0.02
"""Seconds the errors of the epochs a Step ended may take to compute at once (more, on a wide
network or many points: they come a slice at a time, and the Step answers first)."""


class LabState:
    """The state of a lab: what it trains and how, and where training is.

    Parameters
    ----------
    preset : a network of ``labnet.PRESETS`` to start from (ignored if ``network`` is given).
    network : a Network to start from (its modules, with their weights, are used as they are).
    data : ``(x, labels)`` to train on instead of a generated data set (x has 2 columns; labels
        are classes 0 to k - 1, or targets ``(n, 1)`` for a regression).
    seed : seeds the data, the weights of new modules and the mini-batches.
    features : what the input gives the network of each point (``labnet.FEATURES``).
    """

    def __init__(self, preset: str | None = "seed", *, network: Network | None = None,
                 data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
                 max_steps_per_second: float | None = None,
                 features: tuple[str, ...] = PLAIN) -> None:
        settings = DataSettings(seed=seed).checked()
        points = None
        if data is not None:
            points = Points.of(*data, settings.test_fraction, settings.seed)
            settings = replace(settings, dataset="custom")
        cap = default_cap() if max_steps_per_second is None else max_steps_per_second
        self._setup(LabData.make(settings, points),
                    TrainingSettings().changed(max_steps_per_second=cap),  # (inf: no cap)
                    np.random.default_rng(seed))
        self.graph = Graph(positions={0: (0.0, 0.0)}, features=inputs.in_order(features))
        if network is not None:
            check_fits_the_lab(network, inputs=len(self.graph.features),
                               outputs=self.data.outputs, needs=self.data.needs())
            graph = Graph.of(network, self.graph.features)
            graph.check()  # no bigger than the lab takes (nodes, widths, parameters)
            self._set_graph(graph, dict(network.operators), network=network)
        elif preset is not None:
            self.use_preset(preset)
            self._undo.clear()
        else:
            self._set_graph(self.graph, {})

    def _setup(self, data: LabData, training: TrainingSettings,
               rng: np.random.Generator) -> None:
        self.data = data
        self.training = training
        self.listeners: list[Callable[[StateEvent], None]] = []
        self.rng = rng
        self.graph = Graph()
        self.modules: dict[Node, Module] = {}  # the modules (with weights) of the graph's nodes
        self.network: Network | None = None
        self.features = PLAIN  # what the input gives the network trained (graph.features)
        self.graph_error: str | None = self.graph.problems()  # (kept: graph.problems())
        self.trainer: Trainer | None = None
        self.scorer = Scorer(self.emit)
        # the undo history: (graph, modules) before a graph edit, a weight set by hand, or the
        # lab before data that refit its output
        self._undo: list[tuple[Graph, dict] | WeightChange | DataRefit] = []
        self._redo: list[tuple[Graph, dict] | WeightChange | DataRefit] = []

    @classmethod
    def restore(cls, *, data: LabData, training: TrainingSettings, graph: Graph,
                network: Network | None, rng_state: dict, trainer_state: dict | None,
                features: tuple[str, ...] = PLAIN) -> LabState:
        """A state put together from its parts, as a lab file holds them: the graph being
        edited and the last network trained (the same, unless the graph is incomplete) with
        the ``features`` its input gives, and where training was. Every part is checked; a
        part that does not fit raises."""
        state = cls.__new__(cls)
        state._setup(data, training.checked(), np.random.default_rng())
        modules = dict(network.operators) if network is not None else {}
        if network is not None:
            features = inputs.in_order(features)
            check_fits_the_lab(network, inputs=len(features), outputs=data.outputs,
                               needs=data.needs())
            trained = Graph.of(network, features)
            trained.check()
            state._set_graph(trained, modules, network=network)
        graph.check()
        state._set_graph(graph, modules)
        if trainer_state is not None and state.trainer is not None:
            state.trainer.load_state_dict(trainer_state)
        state.rng.bit_generator.state = rng_state
        return state

    def emit(self, event: StateEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    # -- the graph ------------------------------------------------------------------------------
    def edit(self, graph: Graph, *, new_nodes: tuple[Node, ...] = ()) -> None:
        """Make ``graph``, an edit of ``self.graph`` (``self.graph.connect(3, 5)``), the lab's
        graph: one step of the undo history. If it is complete, the network trained is built
        from it (with the modules, and weights, of the nodes the edit left as they were); if
        that is refused, nothing changes. ``new_nodes``: the nodes the edit added (a module
        kept from a removed node of the same id is not reused)."""
        if graph == self.graph and not new_nodes:
            return  # an edit that changes nothing (a width set to what it is): no undo step
        modules = {n: m for n, m in self.modules.items() if n not in new_nodes}
        if graph.features != self.graph.features:  # the first layers' weights follow them
            modules = inputs.carry_weights(modules, graph, self.network, self.features)
        network = self._network_for(graph, modules)  # may refuse: nothing has changed yet
        self._remember()
        self._set_graph(graph, modules, network=network)

    def use_preset(self, name: str) -> None:
        """Replace the graph with a preset of ``labnet.PRESETS`` (with new weights); undoable."""
        if name not in PRESETS:
            raise InputError(f"unknown preset {short_repr(name)}; choose one of "
                             f"{', '.join(PRESETS)}")
        network = PRESETS[name](self.rng)
        graph = Graph.of(network)
        fitted = edits.fit_output(replace(graph, features=self.graph.features),
                                  self.data.outputs, self.data.needs())
        if fitted != graph:  # the lab's features and the output the data need
            network = fitted.network(self.rng, keep=inputs.carry_weights(
                dict(network.operators), fitted, network, PLAIN))
        self._remember()
        self._set_graph(fitted, dict(network.operators), network=network)

    def undo_edit(self) -> None:
        """Put the graph back as it was before the last edit, with the modules it had then (they
        keep the weights they have now; a module the edit replaced comes back, not the new one
        that has its id); or a weight set by hand back to what it was."""
        if not self._undo:
            raise GraphError("there is no edit to undo")
        self._put_back(self._undo, self._redo, lambda change: change.old)

    def redo_edit(self) -> None:
        """Make again the last edit undone."""
        if not self._redo:
            raise GraphError("there is no edit to redo")
        self._put_back(self._redo, self._undo, lambda change: change.new)

    def _put_back(self, entries: list, others: list,
                  value_of: Callable[[WeightChange], float]) -> None:
        """Put the lab as the last of ``entries`` holds it, and move that entry to ``others``
        as the lab is now (undo: from the undo history to the redo one); a weight set by hand
        takes ``value_of`` it (undo: its old value)."""
        if isinstance(entries[-1], DataRefit):
            self._put_refit(entries, others)
            return
        entry = entries.pop()
        if not isinstance(entry, tuple):
            others.append(entry)
            self._put_weight(entry, value_of(entry))
            return
        others.append((self.graph, dict(self.modules)))
        graph, modules = entry
        self._set_graph(graph, {**self.modules, **modules})

    def next_undo(self, redo: bool = False) -> str | tuple[str, ...] | None:
        """What the next undo (or redo) changes: ``"features"`` (the input's), ``"graph"``,
        ``"weights"`` or None; for data that refit the output, all it changes (``"dataset"``,
        ``"graph"``, ``"weights"``, and ``"noise"``, ``"points"``, ``"clicks"``, ``"loss"``
        where they differ)."""
        entries = self._redo if redo else self._undo
        if not entries:
            return None
        entry = entries[-1]
        if isinstance(entry, DataRefit):
            old, new = entry.data, self.data
            differ = {"noise": old.settings.noise != new.settings.noise,
                      "points": replace(old.settings, dataset=CUSTOM, noise=0.0, classes=None)
                      != replace(new.settings, dataset=CUSTOM, noise=0.0, classes=None),
                      "clicks": CUSTOM in (old.settings.dataset, new.settings.dataset),
                      "loss": entry.loss != self.training.loss}
            return ("dataset", "graph", "weights", *(name for name, yes in differ.items() if yes))
        if not isinstance(entry, tuple):
            return "weights"
        return "features" if entry[0].features != self.graph.features else "graph"

    # -- weights set by hand --------------------------------------------------------------------
    def change_weight(self, change: WeightChange) -> None:
        """Make ``change`` (``labnet.lab.weights.weight_change``: checked) in the network
        being trained: one step of the undo history. Training goes on from the new weight."""
        self._undo.append(change)
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()
        self._put_weight(change, change.new)

    def _put_weight(self, change: WeightChange, value: float) -> None:
        change.put(value)
        self.scorer.clear()  # the scores were of the weights before
        self.emit(WeightsChanged())

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def _put_refit(self, entries: list, others: list) -> None:
        """Put back the graph, data and loss of the last of ``entries``, a ``DataRefit``, and
        move it to ``others`` as the lab is now (undo: from the undo history to the redo one);
        if that is refused, nothing changes."""
        entry = entries.pop()
        others.append(DataRefit(self.graph, dict(self.modules), self.data, self.training.loss))
        try:  # (the histories first: the events tell what an undo and a redo would do)
            self._take_data(entry.data, entry.graph, replace(self.training, loss=entry.loss),
                            {**self.modules, **entry.modules})
        except BaseException:
            others.pop()
            entries.append(entry)
            raise

    def _remember(self, entry: tuple[Graph, dict] | DataRefit | None = None) -> None:
        self._undo.append((self.graph, dict(self.modules)) if entry is None else entry)
        del self._undo[:-UNDO_LIMIT]
        refits = [i for i, kept in enumerate(self._undo) if isinstance(kept, DataRefit)]
        if len(refits) > REFIT_UNDO_LIMIT:
            del self._undo[:refits[-REFIT_UNDO_LIMIT - 1] + 1]
        self._redo.clear()

    def _same_wiring(self, graph: Graph, modules: dict) -> bool:
        """Whether ``graph`` differs from the lab's only in its positions (a move, a tidy)."""
        return (graph.nodes == self.graph.nodes and graph.edges == self.graph.edges
                and graph.features == self.graph.features and modules == self.modules)

    def problems(self, graph: Graph, data: LabData | None = None) -> str | None:
        """Why ``graph`` is not yet a network the lab can train on its data (or on ``data``):
        ``graph.problems()``, or an output that does not give what the data need (``None``:
        it is one)."""
        problems = graph.problems()
        if problems is not None:
            return problems
        data = self.data if data is None else data
        node = graph.output()
        width = graph.widths()[node]
        return None if width == data.outputs else output_problem(node, width, data.outputs,
                                                                  data.needs())

    def _network_for(self, graph: Graph, modules: dict, data: LabData | None = None
                     ) -> Network | None:
        """The network to train with ``graph`` (on ``data``, default the lab's): the current
        one if its modules (as the graph specifies them) and edges are the same, a new one if
        the graph is complete, else None."""
        if self._same_wiring(graph, modules) and data is None:  # (no network built for a move)
            return self.network if self.graph_error is None else None
        if self.problems(graph, data) is not None:
            return None
        current = self.network
        if current is not None and graph.features == self.features and (
                current.operators.keys() == graph.nodes.keys()) and all(
                modules.get(n) is m and NodeSpec.of(m) == graph.nodes[n]
                for n, m in current.operators.items()) and (
                {s: list(d) for s, d in current.connectivity.items()} == graph.connectivity()):
            return current
        return graph.network(self.rng, keep=modules)

    def _set_graph(self, graph: Graph, modules: dict, network: Network | None = None) -> None:
        if network is None:
            network = self._network_for(graph, modules)
        error = self.graph_error if self._same_wiring(graph, modules) else self.problems(graph)
        self.graph = graph
        self.graph_error = error
        new_network = network is not None and network is not self.network
        if new_network:
            self.network = network
            self.features = graph.features
            self.modules = {**modules, **network.operators}
            self._new_trainer()
        else:
            self.modules = modules if network is None else {**modules, **network.operators}
        self.emit(GraphChanged(new_network))
        if new_network:
            self.emit(Trained(0, reset=True))

    # -- data and training settings -------------------------------------------------------------
    def use_data(self, data: LabData, *, graph: Graph | None = None,
                 training: TrainingSettings | None = None) -> None:
        """Train on ``data`` from now on (``self.data.changed(noise=0.2)``, ``.with_point(...)``):
        the weights and the history are kept. Data whose network needs another output (more
        classes, a regression) come with ``graph``, the lab's graph with its output fitted to
        them (``edits.fit_output``: one step of the undo history, and a new network, whose
        training starts over), and with the ``training`` settings they need (MSE for a
        regression). If the network trained cannot take the data, nothing changes."""
        before = DataRefit(self.graph, dict(self.modules), self.data, self.training.loss)
        graph = self.graph if graph is None else graph
        self._take_data(data, graph, self.training if training is None else training,
                        self.modules, remember=before)
        if any(isinstance(entry, DataRefit) for entry in self._redo):
            self._redo.clear()  # (a redo would bring back data older than these)

    def refits(self, data: LabData, graph: Graph) -> bool:
        """Whether training on ``data`` with ``graph`` makes the network's output anew (a new
        graph, or an output that does not give what the data need)."""
        network = self.network
        return graph != self.graph or (
            network is not None and network.out_features != data.outputs)

    def _take_data(self, data: LabData, graph: Graph, training: TrainingSettings,
                   modules: dict, remember: DataRefit | None = None) -> None:
        """``use_data``, and undo or redo of data that refit the output: ``graph`` with
        ``modules`` for the network if it changes. ``remember``: the undo step of a refit."""
        training = training.checked()
        check_loss(training.loss, data)
        network = self.network
        refit = self.refits(data, graph)
        if refit:
            network = self._network_for(graph, modules, data)  # None: not complete, or misfit
            if network is None and self.network is not None and (
                    self.network.out_features != data.outputs):
                raise InputError(f"these data need {data.needs()}, and the network trained "
                                 f"gives {self.network.out_features}: "
                                 f"{self.problems(graph, data) or 'finish the graph first'}")
        if (not refit or network is None or network is self.network) and (
                self.trainer is not None):  # the network trained stays: it takes the new data
            self.trainer.set_data(*data.network_sets(self.features))  # checks, then changes
        settings_changed = training != self.training
        new_network = refit and network is not None and network is not self.network
        self.data = data
        if new_network:
            self.training = training  # (the new trainer is made with them)
        if refit:
            if graph != self.graph and remember is not None:
                self._remember(remember)
            self._set_graph(graph, modules, network=network)  # (a new trainer: the new data)
        if settings_changed and not new_network:
            self.use_training(training)
        self.graph_error = self.problems(self.graph)
        self.scorer.clear()
        self.emit(DataChanged())
        if settings_changed and new_network:
            self.emit(SettingsChanged())

    def use_training(self, settings: TrainingSettings) -> None:
        """Train with ``settings`` from now on (``self.training.changed(lr=0.01)``): the weights
        and the history are kept; a new loss or optimizer starts with a fresh state."""
        settings = settings.checked()
        check_loss(settings.loss, self.data)
        old, self.training = self.training, settings
        trainer = self.trainer
        if trainer is not None:
            if (settings.loss, settings.optimizer) != (old.loss, old.optimizer):
                trainer.loss = LOSSES[settings.loss]()
                trainer.optimizer = self._make_optimizer(trainer.net)
            trainer.lr = settings.lr
            trainer.batch_size = settings.batch_size
            trainer.regularization = settings.regularizer()
        self.scorer.clear()
        self.emit(SettingsChanged())

    def _make_optimizer(self, network: Network):
        # plain SGD is the seed's update_param step; the others keep state per parameter
        if self.training.optimizer == "sgd":
            return None
        return OPTIMIZERS[self.training.optimizer](network.params(), self.training.lr)

    def _new_trainer(self) -> None:
        train, test = self.data.network_sets(self.features)
        settings = self.training
        self.trainer = Trainer(
            self.network, LOSSES[settings.loss](), self._make_optimizer(self.network),
            data=train, test=test, batch_size=settings.batch_size, lr=settings.lr,
            rng=self.rng, evaluate_epochs=False, history_limit=HISTORY_LIMIT,
            norm_every=NORM_EVERY, regularization=settings.regularizer(),
            callbacks=[self.scorer])
        self.scorer.reset(self.trainer)

    def require_network(self) -> Network:
        if self.network is None:
            raise GraphError(f"there is no network to train yet: {self.graph_error}")
        return self.network

    def train(self, steps: int, *, seconds: float | None = None,
              until: Callable[[], bool] | None = None, score_epochs: bool = False) -> int:
        """Train on ``steps`` mini-batches, fewer if ``seconds`` pass first (one at least) or
        ``until()`` turns true; return the number taken. A non-finite loss raises
        ``DivergedError`` and stops. ``score_epochs``: the errors of the epochs that ended are
        computed now if that is quick (``SCORES_AT_ONCE``; else the scorer computes them in
        slices, while play goes on)."""
        self.require_network()
        trainer, taken = self.trainer, 0
        deadline = None if seconds is None else time.perf_counter() + seconds
        try:
            with np.errstate(over="ignore", invalid="ignore"), single_blas_thread():
                # (numpy's warnings about overflow: DivergedError says it better)
                while taken < steps:
                    trainer.step()
                    taken += 1
                    if (deadline is not None and time.perf_counter() >= deadline) or (
                            until is not None and until()):
                        break
        finally:
            if score_epochs:
                self.scorer.finish(epochs_only=True, within=SCORES_AT_ONCE)
            self.emit(Trained(taken))
        return taken

    def new_weights(self) -> None:
        """New weights for every module, a new optimizer, an empty history."""
        self.require_network().reset_parameters(self.rng)
        self._new_trainer()
        self.emit(Trained(0, reset=True))

    # -- what there is to read ------------------------------------------------------------------
    @property
    def palette(self) -> tuple[str, ...]:
        """The module kinds a user can add: the built-in ones, then those registered."""
        return tuple(MODULES)

    def class_one_score(self, output: np.ndarray) -> np.ndarray:
        """For each row of a network ``output``, how much the network leans to class 1, in
        [0, 1] (0.5: on the boundary): the softmax probability with cross-entropy,
        ``(1 + o₁ - o₀) / 2`` clipped with MSE."""
        with np.errstate(over="ignore", invalid="ignore"):
            margin = output[:, 1] - output[:, 0]
            if self.training.loss == "cross-entropy":
                score = 0.5 + 0.5 * np.tanh(0.5 * np.clip(margin, -60, 60))  # = softmax p₁
            else:
                score = np.clip(0.5 + 0.5 * margin, 0.0, 1.0)
        return np.nan_to_num(score, nan=0.5)  # a diverged network leans nowhere
