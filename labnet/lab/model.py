"""The lab's state: the graph being edited, the data, the training. No widgets, no drawing.

The model keeps the graph as the user edits it (node specs and edges), which may be invalid for a
while, and the last *valid* ``Network`` built from it, which keeps its weights and its training
until an edit makes a valid graph again. Views learn what changed through ``listeners``: each is
called with one word, ``"graph"``, ``"data"``, ``"train"`` or ``"settings"``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController

from labnet.data import DATASETS, check_data, train_test_split
from labnet.errors import GraphError, InputError, LabnetError
from labnet.losses import LOSSES
from labnet.modules import MODULES, Linear, Module
from labnet.network import Network
from labnet.optim import OPTIMIZERS
from labnet.presets import PRESETS
from labnet.training import Trainer

INPUT = 0


@contextlib.contextmanager
def single_blas_thread():
    """Run NumPy's matrix products on one thread inside this block. The lab's matrices are
    small: with several BLAS threads on a 2-core machine shared with the browser, a 100×100
    boundary takes 15× longer (the threads wait for each other)."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield


_blas: ThreadpoolController | None = None

PALETTE = tuple(MODULES)
"""The module kinds a user can add from the lab."""

SHORT_LABELS = {"ReLU": "ReLU", "LeakyReLU": "leaky", "Tanh": "tanh", "Sigmoid": "σ", "Sum": "+",
                "Concat": "cat"}

HISTORY_LIMIT = 2**14
"""The history keeps at most this many entries per series: past it, neighbours are averaged in
pairs (``history_stride`` doubles), so a lab can play for hours in bounded memory and time."""

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""The learning rates the lab offers: a log scale."""


@dataclass(frozen=True)
class NodeSpec:
    """What a node is, without its weights: a module class and its constructor arguments.

    A Linear's ``in_features`` is left out: the lab infers it from the graph."""

    cls: type[Module]
    config: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.cls.__name__

    @property
    def width(self) -> int | None:
        return self.config.get("out_features")

    def make(self, rng: np.random.Generator) -> Module:
        if self.cls is Linear:
            return Linear(None, rng=rng, **self.config)
        return self.cls(**self.config)

    @classmethod
    def of(cls, module: Module) -> NodeSpec:
        config = dict(module.config())
        if isinstance(module, Linear):
            config.pop("in_features", None)
        return cls(type(module), config)

    def label(self) -> str:
        if self.cls is Linear:
            return f"Linear {self.width}"
        return self.kind

    def short_label(self) -> str:
        """A label of a few characters, for crowded drawings."""
        if self.cls is Linear:
            return f"L{self.width}"
        return SHORT_LABELS.get(self.kind, self.kind[:4])


class LabModel:
    """The state of a lab. Every method a widget triggers is a plain method here.

    Parameters
    ----------
    preset : name of a network in ``labnet.PRESETS`` to start from (ignored if ``network`` given).
    network : a Network to start from (its modules, with their weights, are used as they are).
    data : ``(x, labels)`` to train on instead of a generated data set (x has 2 columns).
    seed : seeds the data, the weights of new modules, and the mini-batches.
    """

    def __init__(self, preset: str | None = "seed", *, network: Network | None = None,
                 data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0) -> None:
        self.listeners: list[Callable[[str], None]] = []
        self.rng = np.random.default_rng(seed)
        # data settings
        self.dataset = "disk"
        self.noise = 0.0
        self.n_points = 2000
        self.test_fraction = 0.5
        self.data_seed = seed
        self.standardize = True  # the network sees (x - mean) / std of the training points
        self.custom_data: tuple[np.ndarray, np.ndarray] | None = None  # the user's own points
        self._custom_test: np.ndarray | None = None  # which of them are test points
        # training settings
        self.loss = "mse"
        self.optimizer = "sgd"
        self.lr = 0.1
        self.batch_size = 10
        # the graph being edited, and what was built from it
        self.nodes: dict[object, NodeSpec] = {}
        self.edges: list[tuple[object, object]] = []
        self.modules: dict[object, Module] = {}
        self.network: Network | None = None
        self.graph_error: str | None = None
        self.trainer: Trainer | None = None
        self._undo: list[tuple] = []  # the graph before each edit, newest last
        self.history_stride = 1  # steps per entry of the history's per-step series

        if data is not None:
            x, labels = check_data(*data)
            if x.shape[1] != 2:
                raise InputError(f"the lab shows data in a plane: x must have 2 columns, got "
                                 f"{x.shape[1]}")
            self.custom_data = (x, labels)
            self.dataset = "custom"  # split into training and test points in _make_data
        self._make_data()
        if network is not None:
            self._load_network(network)
        elif preset is not None:
            self.load_preset(preset)
        else:
            self._rebuild()  # an empty graph: says what is missing

    # -- events ---------------------------------------------------------------------------------
    def _emit(self, what: str) -> None:
        for listener in list(self.listeners):
            listener(what)

    # -- the graph ------------------------------------------------------------------------------
    def add(self, kind: str, **params) -> int:
        """Add a node with a new module of ``kind`` (see ``PALETTE``); return its id.

        ``Linear`` takes ``width`` (or ``out_features``); ``LeakyReLU`` ``negative_slope``.
        The node is not connected yet: connect it with ``connect``."""
        if kind not in MODULES:
            raise InputError(f"unknown module kind {kind!r}; choose one of {', '.join(PALETTE)}")
        cls = MODULES[kind]
        if "width" in params:
            params["out_features"] = params.pop("width")
        if cls is Linear:
            params.setdefault("out_features", 25)
            params.pop("in_features", None)
        try:  # fails here, before anything changes, on parameters the module does not take
            spec = NodeSpec.of(NodeSpec(cls, params).make(self.rng))
        except TypeError as error:
            raise InputError(f"{kind}: {error}") from None
        node = max((n for n in self.nodes if isinstance(n, int)), default=INPUT) + 1
        self._remember()
        self.nodes[node] = spec
        self._rebuild()
        return node

    def connect(self, src, dst) -> None:
        """Add the edge ``src → dst`` (``src`` feeds ``dst``)."""
        self._check_node(src, "connect from")
        self._check_node(dst, "connect to")
        if dst == INPUT:
            raise GraphError(f"edge {src!r} → {dst!r}: nothing can feed the input")
        if src == dst:
            raise GraphError(f"edge {src!r} → {dst!r}: a node cannot feed itself")
        if (src, dst) in self.edges:
            raise GraphError(f"edge {src!r} → {dst!r} is already there")
        self._remember()
        self.edges.append((src, dst))
        self._rebuild()

    def disconnect(self, src, dst) -> None:
        """Remove the edge ``src → dst``."""
        if (src, dst) not in self.edges:
            raise GraphError(f"there is no edge {src!r} → {dst!r}")
        self._remember()
        self.edges.remove((src, dst))
        self._rebuild()

    def remove(self, node) -> None:
        """Remove a node and its edges."""
        if node == INPUT:
            raise GraphError("node 0 is the input; it cannot be removed")
        self._check_node(node, "remove")
        self._remember()
        del self.nodes[node]
        self.modules.pop(node, None)
        self.edges = [(s, d) for s, d in self.edges if node not in (s, d)]
        self._rebuild()

    def _check_node(self, node, doing: str) -> None:
        if node != INPUT and node not in self.nodes:
            raise GraphError(f"cannot {doing} node {node!r}: there is no such node")

    def load_preset(self, name: str) -> None:
        """Replace the graph with a preset of ``labnet.PRESETS`` (with new weights)."""
        if name not in PRESETS:
            raise InputError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        if self.nodes:
            self._remember()
        self._load_network(PRESETS[name](self.rng))

    def _remember(self) -> None:
        self._undo.append((dict(self.nodes), list(self.edges), dict(self.modules)))
        del self._undo[:-50]

    def undo(self) -> None:
        """Put the graph back as it was before the last edit (or preset); modules that are
        back keep the weights they have now."""
        if not self._undo:
            raise GraphError("there is no edit to undo")
        self.nodes, self.edges, modules = self._undo.pop()
        self.modules = {**modules, **self.modules}
        self._rebuild()

    @staticmethod
    def _check_fits_the_lab(network: Network) -> None:
        """The lab's networks read the plane (node 0, 2 features) and have 2 outputs."""
        if network.input != INPUT:
            raise GraphError(f"the lab's input is node 0; this network's is {network.input!r}")
        if network.in_features not in (None, 2):
            raise GraphError(f"the lab's input has 2 features; this network takes "
                             f"{network.in_features}")
        if network.out_features is not None and network.out_features < 2:
            raise GraphError(f"output node {network.output!r} has width "
                             f"{network.out_features}: the lab needs 2 outputs, one per class")

    def _load_network(self, network: Network) -> None:
        self._check_fits_the_lab(network)
        self.nodes = {node: NodeSpec.of(module) for node, module in network.operators.items()}
        self.edges = [(src, dst) for src, dsts in network.connectivity.items() for dst in dsts]
        self.modules = dict(network.operators)
        self._set_network(network)

    def _rebuild(self) -> None:
        """Build a network from the edited graph; keep the old one if the graph is not valid.

        Modules whose node kept its kind and its input width keep their weights."""
        connectivity: dict[object, list] = {}
        for src, dst in self.edges:
            connectivity.setdefault(src, []).append(dst)
        # a trial network, from modules of its own, checks the graph and infers the widths
        # (their weights come from a generator of their own: most are thrown away)
        trial_rng = np.random.default_rng(0)
        fresh = {node: spec.make(trial_rng) for node, spec in self.nodes.items()}
        try:
            trial = Network(fresh, connectivity, in_features=2)
            self._check_fits_the_lab(trial)
        except LabnetError as error:
            self.graph_error = str(error)
            self._emit("graph")
            return
        operators = {}
        for node, module in fresh.items():
            old = self.modules.get(node)
            keep = old is not None and NodeSpec.of(old) == self.nodes[node] and (
                not isinstance(old, Linear)
                or old.in_features == trial.widths[trial.inputs[node][0]])
            if not keep:
                module.reset_parameters(self.rng)  # a new module: its own weights, drawn now
            operators[node] = old if keep else module
        current = self.network
        if (current is not None and current.operators.keys() == operators.keys()
                and all(current.operators[n] is m for n, m in operators.items())
                and {s: list(d) for s, d in current.connectivity.items()} == connectivity):
            # the same network as before (an edit was undone): keep it, and its training
            self.graph_error = None
            self._emit("graph")
            return
        self._set_network(Network(operators, connectivity, in_features=2))

    def _set_network(self, network: Network) -> None:
        self.network = network
        self.modules = dict(network.operators)
        self.graph_error = None
        self._new_trainer()
        self._emit("graph")

    # -- data -----------------------------------------------------------------------------------
    def set_data(self, *, dataset: str | None = None, noise: float | None = None,
                 n_points: int | None = None, test_fraction: float | None = None,
                 seed: int | None = None) -> None:
        """Change the data settings and make the data anew (training goes on, on the new data)."""
        if dataset is not None and dataset not in DATASETS and not (
                dataset == "custom" and self.custom_data is not None):
            raise InputError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
        if noise is not None and not 0.0 <= noise <= 1.0:
            raise InputError(f"noise must be between 0 and 1, got {noise}")
        if n_points is not None and not (int(n_points) == n_points and 4 <= n_points <= 100_000):
            raise InputError(f"the number of points must be an integer from 4 to 100000, "
                             f"got {n_points}")
        if test_fraction is not None and not 0.05 <= test_fraction <= 0.95:
            raise InputError(f"the test fraction must be between 0.05 and 0.95, got "
                             f"{test_fraction}")
        for name, value in (("dataset", dataset), ("noise", noise), ("n_points", n_points),
                            ("test_fraction", test_fraction), ("data_seed", seed)):
            if value is not None:
                setattr(self, name, value)
        if test_fraction is not None or seed is not None:
            self._custom_test = None  # the user's points are split anew
        self._data_changed()

    def _data_changed(self) -> None:
        self._make_data()
        if self.trainer is not None:
            self.trainer.set_data(*self._network_sets())
        self._emit("data")

    def _make_data(self) -> None:
        rng = np.random.default_rng(self.data_seed)
        if self.dataset != "custom":
            x, labels = DATASETS[self.dataset](self.n_points, self.noise, rng)
            split = train_test_split(x, labels, self.test_fraction, rng)
            self.train_set = (split.x_train, split.labels_train)
            self.test_set = (split.x_test, split.labels_test)
            self._standardisation()
            return
        x, labels = self.custom_data
        if self._custom_test is None:
            self._custom_test = np.zeros(len(x), dtype=bool)
            self._custom_test[rng.permutation(len(x))[:round(len(x) * self.test_fraction)]] = True
        test = self._custom_test
        self.train_set = (x[~test], labels[~test])
        self.test_set = (x[test], labels[test])
        self._standardisation()

    def _standardisation(self) -> None:
        """The training points' mean and standard deviation, for ``network_input``."""
        train = self.train_set[0]
        self._mean, self._std = train.mean(axis=0), np.maximum(train.std(axis=0), 1e-12)

    def _own_points(self) -> None:
        """From now on the data are the user's own points: the ones shown now, to edit."""
        if self.dataset == "custom":
            return
        (x_train, labels_train), (x_test, labels_test) = self.train_set, self.test_set
        self.custom_data = (np.concatenate([x_train, x_test]),
                            np.concatenate([labels_train, labels_test]))
        self._custom_test = np.arange(len(self.custom_data[0])) >= len(x_train)
        self.dataset = "custom"

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add a training point of class ``label`` at ``(x1, x2)``; training goes on with it."""
        if label not in (0, 1):
            raise InputError(f"a point's class must be 0 or 1, got {label!r}")
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise InputError(f"a point must have finite coordinates, got ({x1}, {x2})")
        self._own_points()
        x, labels = self.custom_data
        self.custom_data = (np.vstack([x, [[x1, x2]]]), np.append(labels, label))
        self._custom_test = np.append(self._custom_test, False)
        self._data_changed()

    def remove_point(self, x1: float, x2: float, within: float | None = None) -> None:
        """Remove the point (training or test) nearest to ``(x1, x2)``, if it is closer than
        ``within`` (default: 3 % of the plane's width)."""
        self._own_points()
        x, labels = self.custom_data
        distance = np.hypot(x[:, 0] - x1, x[:, 1] - x2)
        nearest = int(np.argmin(distance))
        if within is None:
            within = 0.03 * float(np.ptp(x[:, 0]) or 1.0)
        if distance[nearest] > within:
            raise InputError(f"there is no point near ({x1:.3g}, {x2:.3g}) to remove")
        keep = np.arange(len(x)) != nearest
        test = self._custom_test[keep]
        if test.all() or (~test).sum() < 2:
            raise InputError("the last training points cannot be removed")
        self.custom_data = (x[keep], labels[keep])
        self._custom_test = test
        self._data_changed()

    @property
    def x_all(self) -> np.ndarray:
        return np.concatenate([self.train_set[0], self.test_set[0]])

    def network_input(self, x: np.ndarray) -> np.ndarray:
        """Points of the plane as the network sees them: standardised with the mean and the
        standard deviation of the training points, if ``standardize`` (else unchanged)."""
        if not self.standardize:
            return x
        return (x - self._mean) / self._std

    def _network_sets(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        (x_train, labels_train), (x_test, labels_test) = self.train_set, self.test_set
        return ((self.network_input(x_train), labels_train),
                (self.network_input(x_test), labels_test))

    def set_standardize(self, standardize: bool) -> None:
        """Feed the network standardised inputs, or the raw coordinates."""
        self.standardize = bool(standardize)
        self._data_changed()

    # -- training -------------------------------------------------------------------------------
    def set_training(self, *, loss: str | None = None, optimizer: str | None = None,
                     lr: float | None = None, batch_size: int | None = None) -> None:
        """Change how the network trains; weights and history are kept."""
        if loss is not None and loss not in LOSSES:
            raise InputError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        if optimizer is not None and optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {optimizer!r}; choose one of "
                             f"{', '.join(OPTIMIZERS)}")
        if lr is not None and not (math.isfinite(lr) and lr > 0):
            raise InputError(f"learning rate must be a positive number, got {lr}")
        if batch_size is not None and not (int(batch_size) == batch_size and batch_size >= 1):
            raise InputError(f"batch size must be a positive integer, got {batch_size}")
        rebuild_optimizer = (loss is not None and loss != self.loss) or (
            optimizer is not None and optimizer != self.optimizer)
        for name, value in (("loss", loss), ("optimizer", optimizer), ("lr", lr),
                            ("batch_size", batch_size)):
            if value is not None:
                setattr(self, name, value)
        if self.trainer is not None:
            if rebuild_optimizer:
                self.trainer.loss = LOSSES[self.loss]()
                self.trainer.optimizer = self._make_optimizer(self.network)
            self.trainer.lr = self.lr
            self.trainer.batch_size = self.batch_size
        self._emit("settings")

    def _make_optimizer(self, network: Network):
        # plain SGD is the seed's update_param step; the others keep state per parameter
        return None if self.optimizer == "sgd" else OPTIMIZERS[self.optimizer](
            network.params(), self.lr)

    def _compact_history(self) -> None:
        """Average the history's entries in pairs while it is longer than ``HISTORY_LIMIT``."""
        history = self.trainer.history
        while len(history.step_loss) > HISTORY_LIMIT:
            history.step_loss = _pair_means(history.step_loss)
            for series in (history.grad_norms, history.param_grad_norms):
                for node in series:
                    series[node] = _pair_means(series[node])
            self.history_stride *= 2
        while len(history.epoch_step) > HISTORY_LIMIT:
            for name in ("epoch_step", "epoch_loss", "train_error", "test_loss", "test_error"):
                setattr(history, name, _pair_means(getattr(history, name)))

    def _new_trainer(self) -> None:
        self.history_stride = 1
        train, test = self._network_sets()
        self.trainer = Trainer(
            self.network, LOSSES[self.loss](), self._make_optimizer(self.network), data=train,
            test=test, batch_size=self.batch_size, lr=self.lr, rng=self.rng)

    def step(self, n: int = 1) -> None:
        """Train on ``n`` mini-batches; a non-finite loss raises ``DivergedError`` and stops."""
        self._require_network()
        try:
            with np.errstate(over="ignore", invalid="ignore"), single_blas_thread():
                # (numpy's warnings about overflow: DivergedError says it better)
                for _ in range(n):
                    self.trainer.step()
        finally:
            self._compact_history()
            self._emit("train")

    def train_for(self, seconds: float, max_steps: int = 100_000) -> int:
        """Train for about ``seconds`` (at least one step); return the number of steps."""
        self._require_network()
        deadline = time.perf_counter() + seconds
        steps = 0
        try:
            with np.errstate(over="ignore", invalid="ignore"), single_blas_thread():
                while steps < max_steps:
                    self.trainer.step()
                    steps += 1
                    if time.perf_counter() >= deadline:
                        break
        finally:
            self._compact_history()
            self._emit("train")
        return steps

    def epoch(self) -> None:
        """Train to the end of the current epoch."""
        self._require_network()
        try:
            with np.errstate(over="ignore", invalid="ignore"), single_blas_thread():
                self.trainer.epoch()
        finally:
            self._compact_history()
            self._emit("train")

    def reset(self) -> None:
        """New weights for every module, a new optimizer, an empty history."""
        self._require_network()
        self.network.reset_parameters(self.rng)
        self._new_trainer()
        self._emit("graph")

    def _require_network(self) -> None:
        if self.network is None:
            raise GraphError(f"there is no valid network to train yet: {self.graph_error}")

    # -- what the views show --------------------------------------------------------------------
    def class_one_score(self, x: np.ndarray) -> np.ndarray:
        """For each row of ``x``, how much the network leans to class 1, in [0, 1] (0.5: on the
        boundary): the softmax probability with cross-entropy, ``(1 + o₁ - o₀) / 2`` clipped
        with MSE."""
        with np.errstate(over="ignore", invalid="ignore"):
            output = self.outputs_over(x)
            margin = output[:, 1] - output[:, 0]
            if self.loss == "cross-entropy":
                score = 0.5 + 0.5 * np.tanh(0.5 * np.clip(margin, -60, 60))  # = softmax p₁
            else:
                score = np.clip(0.5 + 0.5 * margin, 0.0, 1.0)
        return np.nan_to_num(score, nan=0.5)  # a diverged network leans nowhere

    def outputs_over(self, x: np.ndarray, node=None) -> np.ndarray:
        """The output of ``node`` (default: the network's output) for the points ``x`` of the
        plane, computed in blocks of 1024 points: blocks that stay in the processor's cache
        make a 100×100 grid 2-4× faster than one big forward."""
        network = self.network
        node = network.output if node is None else node
        x = self.network_input(x)
        with single_blas_thread():
            blocks = []
            for start in range(0, len(x), 1024):
                network.forward(x[start:start + 1024])
                blocks.append(network.outputs[node])
        return np.concatenate(blocks)

    def scores(self) -> dict[str, float]:
        """Loss and error on the training and test sets, as the network is now."""
        if self.trainer is None:
            return {}
        with np.errstate(over="ignore", invalid="ignore"):
            return self.trainer.evaluate()

    def graph_layout(self) -> dict[object, tuple[float, float]]:
        """``{node: (column, row)}`` for drawing: columns by depth, nodes spread in a column.

        Works on graphs that are not valid yet (cycles, loose nodes)."""
        return layout(self.nodes, self.edges)


def _pair_means(values: list[float]) -> list[float]:
    """``values`` averaged in consecutive pairs (an odd last value stays as it is)."""
    array = np.asarray(values, dtype=float)
    whole = len(array) // 2 * 2
    means = array[:whole].reshape(-1, 2).mean(axis=1)
    return [*means.tolist(), *array[whole:].tolist()]


def layout(nodes, edges) -> dict[object, tuple[float, float]]:
    """``{node: (column, row)}``: the column is the node's depth (the longest path to it from
    the input; back edges of a cycle are ignored, and a node no path reaches sits in column 1);
    the row follows the node's deepest input, so a chain stays on one row and a branch takes
    the next free row above or below."""
    feeds: dict[object, list] = {node: [] for node in (INPUT, *nodes)}
    inputs: dict[object, list] = {node: [] for node in (INPUT, *nodes)}
    for src, dst in edges:
        feeds[src].append(dst)
        inputs[dst].append(src)
    # a depth-first order that skips back edges; then longest paths in that order
    order, seen = [], set()

    def visit(node):
        seen.add(node)
        for dst in feeds[node]:
            if dst not in seen:
                visit(dst)
        order.append(node)

    for node in (INPUT, *nodes):
        if node not in seen:
            visit(node)
    order.reverse()
    position = {node: i for i, node in enumerate(order)}
    forward = {node: [d for d in feeds[node] if position[d] > position[node]] for node in order}
    depth = {INPUT: 0}
    for node in order:
        if node in depth:
            for dst in forward[node]:
                depth[dst] = max(depth.get(dst, 0), depth[node] + 1)
    for node in nodes:
        depth.setdefault(node, 1)
    height: dict[object, int] = {}  # the longest path from a node on to the output
    for node in reversed(order):
        height[node] = 1 + max((height[d] for d in forward[node]), default=0)
    rows: dict[object, int] = {INPUT: 0}
    taken: dict[int, set] = {}
    for node in sorted(depth, key=lambda n: (depth[n], -height[n], str(n))):
        if node == INPUT:
            continue
        placed = [s for s in inputs[node] if s in rows]
        wanted = rows[max(placed, key=lambda s: (depth[s], height[s]))] if placed else 0
        used = taken.setdefault(depth[node], set())
        row = next(r for k in range(len(nodes) + 1) for r in (wanted + k, wanted - k)
                   if r not in used)
        used.add(row)
        rows[node] = row
    return {node: (float(depth[node]), float(rows[node])) for node in depth}
