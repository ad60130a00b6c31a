"""Training: shuffled mini-batches, a history of what happened, and callbacks to watch it.

>>> trainer = Trainer(net, MSELoss(), data=(x_train, labels_train), test=(x_test, labels_test),
...                   batch_size=10, lr=0.05, rng=0)
>>> trainer.fit(100)                    # or trainer.step(), trainer.epoch()
>>> trainer.history.test_error[-1]

The trainer knows nothing of who watches it: a ``Callback`` added to ``trainer.callbacks`` is told
after each step and each epoch, and reads what it wants from the trainer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from labnet.data import check_data, check_labels
from labnet.errors import (
    DivergedError,
    InputError,
    as_real_array,
    check_lr,
    check_number,
    check_positive_int,
    short_repr,
)
from labnet.losses import LOSSES, MSELoss, error_rate
from labnet.network import Network, Node
from labnet.optim import OPTIMIZERS, Optimizer

Array = np.ndarray


class History:
    """What training did: per-step series, epoch series, and (with a ``limit``) bounded memory.

    Per-step series: ``step_loss``, ``grad_norms[node]``, ``param_grad_norms[node]``. Without a
    limit they have one entry per step. With ``limit=L`` an entry stands for ``stride`` steps and
    holds their mean: when a series would grow past ``L`` entries, neighbours are averaged in
    pairs and ``stride`` doubles, and new steps fill a bucket of ``stride`` steps. The last
    entry may be a bucket still filling (its running mean), so the series always reach the
    current step: ``step_ends()`` is the step count at the end of each entry, and its last value
    is ``steps``, exactly.

    Gradient norms may be measured on some steps only (the trainer's ``norm_every``). An entry of
    a norm series is the mean of the norms measured during its steps, or, if none were, the
    last norms measured before. The trainer measures on the first step and every
    ``norm_every`` steps after (a power of two, as ``stride``), so an entry of at least
    ``norm_every`` steps is the mean of the norms of its first step and of every
    ``norm_every``-th step after it, and a shorter one the norms of the last step measured at or
    before its first. (The last entry, while it fills, averages what was measured so far.) A
    node first measured late, or steps recorded without norms, leave NaN.

    Epoch series (``epoch_step``, ``epoch_loss``, ``train_error``, ``test_loss``,
    ``test_error``) hold evaluations at exact moments, one per epoch; past ``L`` entries every
    other one is dropped (the later of each pair stays), so ``epoch_step`` remains their exact x.
    The test series stay empty until a test set is first seen, then have one entry per epoch
    (NaN for an epoch without one).
    """

    STEP_SERIES = ("step_loss", "grad_norms", "param_grad_norms")
    EPOCH_SERIES = ("epoch_step", "epoch_loss", "train_error", "test_loss", "test_error")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = _check_limit(limit, "history limit")
        self.stride = 1
        """Steps per entry of the per-step series (a power of two)."""
        self.steps = 0
        """Steps recorded."""
        self.step_loss: list[float] = []
        """Loss of each mini-batch (mean over each entry's steps)."""
        self._grad_norms: dict[Node, list[float]] = {}
        self._param_grad_norms: dict[Node, list[float]] = {}
        self.epoch_step: list[int] = []
        """The number of steps done when each epoch ended."""
        self.epoch_loss: list[float] = []
        """Mean loss of the mini-batches of each epoch."""
        self.train_error: list[float] = []
        """Error rate on the whole training set at the end of each epoch."""
        self.test_loss: list[float] = []
        self.test_error: list[float] = []
        """Loss and error rate on the test set at the end of each epoch (empty without one)."""
        self._room = 0  # steps the last entry of the per-step series can still take
        self._measured = 0  # norm measurements in the last entry
        self._held: tuple[dict[Node, float], dict[Node, float]] | None = None  # last measured
        self._lag = 0  # entries that hold the last measured norms but are not written yet

    @property
    def grad_norms(self) -> dict[Node, list[float]]:
        """``{node: [||dL/d(output of node)||, one per entry]}``."""
        if self._lag:
            self._catch_up()
        return self._grad_norms

    @grad_norms.setter
    def grad_norms(self, value: dict[Node, list[float]]) -> None:
        self._catch_up()
        self._grad_norms = value

    @property
    def param_grad_norms(self) -> dict[Node, list[float]]:
        """``{node: [||dL/d(parameters of node)||, one per entry]}``, nodes with parameters."""
        if self._lag:
            self._catch_up()
        return self._param_grad_norms

    @param_grad_norms.setter
    def param_grad_norms(self, value: dict[Node, list[float]]) -> None:
        self._catch_up()
        self._param_grad_norms = value

    # -- recording ------------------------------------------------------------------------------
    def record_step(self, loss: float,
                    norms: tuple[dict[Node, float], dict[Node, float]] | None = None,
                    hold: bool = True) -> None:
        """One step: its loss and, if measured at this step, ``norms = (grad_norms,
        param_grad_norms)``. Without ``norms`` the last measured ones are kept (``hold=False``:
        the norm series get no value for this step)."""
        self.steps += 1
        if not self._room and self.limit is not None and len(self.step_loss) >= self.limit:
            self._halve()
        if self._room:  # the step joins the last entry: its running mean
            self._room -= 1
            last = self.step_loss[-1]
            self.step_loss[-1] = last + (loss - last) / (self.stride - self._room)
            if norms is not None:
                self._measure(norms, new_entry=False)
            return
        self._room = self.stride - 1
        self.step_loss.append(loss)
        if norms is not None:
            self._measure(norms, new_entry=True)
        elif hold and self._held is not None:
            self._measured = 0
            self._lag += 1  # written when next read or measured: a step costs only this
        elif self._lag:
            self._catch_up()

    def _catch_up(self) -> None:
        """Write the entries that hold the last measured norms."""
        if self._lag and self._held is not None:
            for series, values in zip((self._grad_norms, self._param_grad_norms), self._held,
                                      strict=True):
                for node, value in values.items():
                    series[node].extend([value] * self._lag)
        self._lag = 0

    def _measure(self, norms: tuple[dict[Node, float], dict[Node, float]],
                 new_entry: bool) -> None:
        if self._lag:
            self._catch_up()
        self._held = norms
        pairs = zip((self._grad_norms, self._param_grad_norms), norms, strict=True)
        if new_entry or self._measured == 0:  # (an entry holding old norms takes the new ones)
            self._measured = 1
            before = len(self.step_loss) - new_entry  # entries each series must have first
            for series, values in pairs:
                for node, value in values.items():
                    node_values = series.get(node)
                    if node_values is None or len(node_values) != before:
                        node_values = _pad(series, node, before)
                    if new_entry:
                        node_values.append(value)
                    else:
                        node_values[-1] = value
            return
        self._measured += 1
        count = self._measured
        for series, values in pairs:
            for node, value in values.items():
                node_values = series.get(node)
                if node_values is None:  # (a node measured for the first time mid-entry)
                    node_values = _pad(series, node, len(self.step_loss) - 1)
                    node_values.append(value)
                last = node_values[-1]
                node_values[-1] = last + (value - last) / count

    def _halve(self) -> None:
        """Average the per-step series in neighbouring pairs; an entry now stands for twice as
        many steps. With an odd number of entries the last one becomes a bucket half full."""
        self._catch_up()
        entries = len(self.step_loss)
        self.step_loss = _pair_means(self.step_loss)
        for series in (self._grad_norms, self._param_grad_norms):
            for node in series:
                series[node] = _pair_means(_pad(series, node, entries))
        self._room = self.stride if entries % 2 else 0
        self.stride *= 2

    def record_epoch(self, step: int, loss: float, train_error: float,
                     test_loss: float | None = None, test_error: float | None = None) -> None:
        """The end of an epoch, after ``step`` steps: the epoch's mean mini-batch loss and the
        errors measured then (``test_loss``, ``test_error``: None without a test set)."""
        if self.limit is not None and len(self.epoch_step) >= self.limit:
            self._thin_epochs()
        has_test = test_loss is not None
        if has_test and not self.test_loss and self.epoch_step:
            self.test_loss = [math.nan] * len(self.epoch_step)
            self.test_error = [math.nan] * len(self.epoch_step)
        self.epoch_step.append(int(step))
        self.epoch_loss.append(loss)
        self.train_error.append(train_error)
        if has_test or self.test_loss:
            self.test_loss.append(test_loss if has_test else math.nan)
            self.test_error.append(test_error if has_test else math.nan)

    def _thin_epochs(self) -> None:
        """Keep every other entry of the epoch series: the later of each pair (and an odd last
        one), so their x stay exact."""
        for name in self.EPOCH_SERIES:
            values = getattr(self, name)
            setattr(self, name, values[1::2] + values[-1:] * (len(values) % 2))

    # -- reading --------------------------------------------------------------------------------
    def step_ends(self) -> np.ndarray:
        """The x of the per-step series: the step count at the end of each entry (int64). The
        last is ``steps``; the others are multiples of ``stride``."""
        ends = np.arange(1, len(self.step_loss) + 1, dtype=np.int64) * self.stride
        if len(ends):
            ends[-1] = self.steps
        return ends

    def as_dict(self) -> dict:
        """The series by name (live lists)."""
        return {name: getattr(self, name) for name in (*self.STEP_SERIES, *self.EPOCH_SERIES)}

    # -- saving ---------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything, as plain values (lists; node series as ``[node, values]`` pairs)."""
        series = {name: ([[node, list(values)] for node, values in value.items()]
                         if isinstance(value, dict) else list(value))
                  for name, value in self.as_dict().items()}
        held = None if self._held is None else [[[node, value] for node, value in part.items()]
                                                for part in self._held]
        return {"limit": self.limit, "stride": self.stride, "steps": self.steps,
                "room": self._room, "measured": self._measured, "held": held, "series": series}

    @classmethod
    def from_state(cls, state: dict, limit: int | None = None) -> History:
        """A History from ``state_dict()``, checked throughout (an ``InputError`` names the part
        that is wrong). A state of the older layout (the series alone) is read as one entry per
        step, then bounded by ``limit``."""
        if not isinstance(state, dict):
            raise InputError(f"history state: expected a dict, got {type(state).__name__}")
        if "series" not in state:  # the older layout: series only, one entry per step
            steps = state.get("step_loss", [])
            history = cls.from_state({
                "limit": None, "stride": 1,
                "steps": len(steps) if isinstance(steps, list | tuple) else 0,
                "room": 0, "measured": 0, "held": None, "series": state})
            history.limit = _check_limit(limit, "history limit")
            while history.limit is not None and len(history.step_loss) > history.limit:
                history._halve()
            while history.limit is not None and len(history.epoch_step) > history.limit:
                history._thin_epochs()
            return history
        unknown = set(state) - {"limit", "stride", "steps", "room", "measured", "held", "series"}
        if unknown:
            raise InputError(f"history state: unknown part(s) {sorted(unknown)}")
        history = cls(_check_limit(state.get("limit"), "history state: limit"))
        stride = _check_count(state.get("stride"), "stride", low=1)
        if stride & (stride - 1):
            raise InputError(f"history state: stride must be a power of two, got {stride}")
        steps = _check_count(state.get("steps"), "steps")
        room = _check_count(state.get("room"), "room")
        measured = _check_count(state.get("measured"), "measured")
        series = state.get("series")
        if not isinstance(series, dict):
            raise InputError("history state: 'series' must be a dict of series")
        for name, value in series.items():
            if name not in cls.STEP_SERIES + cls.EPOCH_SERIES:
                raise InputError(f"history state: unknown history series {name!r}")
            setattr(history, name, _read_series(name, value, name in ("grad_norms",
                                                                      "param_grad_norms")))
        entries = len(history.step_loss)
        if room >= stride or (entries == 0 and (steps or room)) or (
                entries and steps != entries * stride - room):
            raise InputError(f"history state: {entries} entries of {stride} step(s) with room "
                             f"for {room} more do not make {steps} steps")
        if history.limit is not None and entries > history.limit:
            raise InputError(f"history state: step_loss has {entries} entries, more than its "
                             f"limit {history.limit}")
        for name in ("grad_norms", "param_grad_norms"):
            for node, values in getattr(history, name).items():
                if len(values) > entries:
                    raise InputError(f"history state: {name}[{node!r}] has {len(values)} "
                                     f"entries, step_loss {entries}")
        lengths = {name: len(getattr(history, name)) for name in cls.EPOCH_SERIES}
        if {lengths[name] for name in cls.EPOCH_SERIES[:3]} != {lengths["epoch_step"]} or (
                {lengths["test_loss"], lengths["test_error"]} - {0, lengths["epoch_step"]}):
            raise InputError(f"history state: the epoch series have different lengths "
                             f"{lengths}")
        held = state.get("held")
        if held is not None:
            if not (isinstance(held, list | tuple) and len(held) == 2):
                raise InputError("history state: 'held' must be two lists of [node, norm]")
            held = tuple(dict(_read_pairs(part, "held")) for part in held)
            for name, part in zip(("grad_norms", "param_grad_norms"), held, strict=True):
                if set(part) != set(getattr(history, name)):  # the nodes whose norms it holds
                    raise InputError(f"history state: 'held' has norms of nodes "
                                     f"{sorted(map(str, part))}, {name} of "
                                     f"{sorted(map(str, getattr(history, name)))}")
                if not all(_is_number(value) for value in part.values()):
                    raise InputError("history state: 'held' norms must be numbers")
        if limit is not None and (history.limit is None or history.limit > limit):
            raise InputError(f"history state: its limit {history.limit} is more than this "
                             f"trainer's {limit}")
        history.stride, history.steps, history._room = stride, steps, room
        history._measured, history._held = measured, held
        return history


def _check_limit(limit, what: str) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 2:
        raise InputError(f"{what} must be an integer >= 2 (or None), got {limit!r}")
    return int(limit)


def _check_count(value, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InputError(f"history state: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _read_pairs(pairs, name: str) -> list[tuple]:
    if not isinstance(pairs, list | tuple) or not all(
            isinstance(pair, list | tuple) and len(pair) == 2 for pair in pairs):
        raise InputError(f"history state: {name} must be a list of [node, values] pairs")
    return [tuple(pair) for pair in pairs]


def _read_series(name: str, value, by_node: bool):
    if by_node:
        return {node: _read_values(f"{name}[{node!r}]", values)
                for node, values in _read_pairs(value, name)}
    return _read_values(name, value)


def _read_values(name: str, values) -> list:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"history state: {name} must be a list of numbers") from None
    if array.ndim != 1:
        raise InputError(f"history state: {name} must be a list of numbers, got shape "
                         f"{array.shape}")
    if name == "epoch_step":
        if not (np.isfinite(array).all() and np.all(array == np.round(array))):
            raise InputError("history state: epoch_step must be a list of whole numbers")
        return array.astype(np.int64).tolist()
    return array.tolist()


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool)


def _pad(series: dict[Node, list[float]], node: Node, length: int) -> list[float]:
    """``series[node]``, made ``length`` long with NaN (entries before the node was first
    measured, or recorded without norms)."""
    values = series.setdefault(node, [])
    if len(values) < length:
        values.extend([math.nan] * (length - len(values)))
    return values


def _pair_means(values: list[float]) -> list[float]:
    """``values`` averaged in neighbouring pairs (an odd last value stays as it is)."""
    array = np.asarray(values, dtype=float)
    whole = len(array) // 2 * 2
    return [*((array[:whole:2] + array[1:whole:2]) / 2).tolist(), *array[whole:].tolist()]


class Callback:
    """Override what you want to watch; the trainer calls these after it has updated itself."""

    def on_step_end(self, trainer: Trainer) -> None:
        pass

    def on_epoch_end(self, trainer: Trainer) -> None:
        pass


class LRSchedule(Callback):
    """Sets the learning rate after every step, from the epochs done so far, ``e``.

    Decay over ``epochs`` epochs, with ``p = e / epochs``: ``kind="cosine"`` multiplies the
    rate by ``(1 + cos πp) / 2``, ``"linear"`` by ``1 - p``, ``"constant"`` by 1. Warm-up: over
    the first ``warmup`` epochs the rate also rises linearly from a tenth of its value, so the
    first steps, taken from random weights where the gradients can be large, are small.

    ``lr`` is the rate the schedule starts from (before warm-up); by default the trainer's rate
    when the first step ends. Give it (and ``Trainer(..., lr=schedule.lr_at(0))``) to warm up
    from the very first step.
    """

    def __init__(self, epochs: int, kind: str = "cosine", *, lr: float | None = None,
                 warmup: float = 0.0) -> None:
        if kind not in ("cosine", "linear", "constant"):
            raise InputError(f"LRSchedule: kind must be 'cosine', 'linear' or 'constant', got "
                             f"{kind!r}")
        epochs = check_positive_int(epochs, "LRSchedule: epochs")
        try:
            warmup = check_number(warmup, "warmup", low=0.0)
        except InputError:
            raise InputError(f"LRSchedule: warmup must be a number of epochs >= 0, got "
                             f"{short_repr(warmup)}") from None
        self.epochs, self.kind, self.warmup = epochs, kind, warmup
        self.start_lr: float | None = None if lr is None else check_lr(lr)

    def factor(self, epoch: float) -> float:
        """What the starting rate is multiplied by after ``epoch`` epochs (2.5: half-way
        through the third)."""
        factor = 1.0
        if epoch < self.warmup:
            factor *= 0.1 + 0.9 * epoch / self.warmup
        progress = min(max(epoch / self.epochs, 0.0), 1.0)
        if self.kind == "cosine":
            factor *= 0.5 * (1.0 + math.cos(math.pi * progress))
        elif self.kind == "linear":
            factor *= 1.0 - progress
        return factor

    def lr_at(self, epoch: float) -> float:
        """The learning rate after ``epoch`` epochs."""
        if self.start_lr is None:
            raise InputError("LRSchedule: no starting rate yet; give lr=, or train one step")
        return self.start_lr * self.factor(epoch)

    def on_step_end(self, trainer: Trainer) -> None:
        if self.start_lr is None:
            self.start_lr = trainer.lr
        trainer.lr = self.lr_at(trainer.epochs + trainer.epoch_progress)


class Trainer:
    """Trains ``net`` on ``data = (x, labels)`` with mini-batches drawn from a seeded ``rng``.

    ``loss`` is a loss object or a name (``"mse"``, ``"cross-entropy"``). ``optimizer`` is ``None``
    (plain ``net.update_param(lr)``, the seed's step), a name (``"sgd"``, ``"momentum"``,
    ``"adam"``) or an ``Optimizer`` built on ``net.params()``. ``test = (x, labels)`` is evaluated
    at the end of each epoch.

    With ``record_grad_norms`` the history keeps the gradient norm of every node (and of every
    node's parameters), measured on the first step and then every ``norm_every`` steps (1, 2, 4,
    ...; 1: every step); see ``History`` for what the series then hold. ``history_limit`` bounds
    the history's length (``History(limit)``); ``None`` keeps one entry per step.

    Every step checks the loss and, with one dot product over all the parameter gradients
    (copied into one buffer), that they are finite: a step that fails raises ``DivergedError``
    and changes nothing, neither a parameter nor the optimizer's state.
    Without ``evaluate_epochs`` the end of an epoch records NaN for the errors (and the test
    loss), for the caller to fill in later (the lab does, a slice at a time, so that a big data
    set never keeps it waiting).
    """

    def __init__(
        self,
        net: Network,
        loss=None,
        optimizer: Optimizer | str | None = None,
        *,
        data: tuple[Array, Array],
        test: tuple[Array, Array] | None = None,
        batch_size: int = 10,
        lr: float = 0.05,
        rng: np.random.Generator | int | None = None,
        record_grad_norms: bool = True,
        evaluate_epochs: bool = True,
        norm_every: int = 1,
        history_limit: int | None = None,
        callbacks: Iterable[Callback] = (),
    ) -> None:
        if not isinstance(net, Network):
            raise InputError(f"Trainer: net must be a labnet Network, got {short_repr(net)}")
        self.net = net
        self.loss = _make_loss(loss)
        self.batch_size = batch_size
        self._lr = check_lr(lr)
        self.optimizer = _make_optimizer(optimizer, net, self._lr)
        self.rng = np.random.default_rng(rng)
        self.record_grad_norms = record_grad_norms
        self.evaluate_epochs = evaluate_epochs
        if isinstance(norm_every, bool) or not isinstance(norm_every, int | np.integer) or (
                norm_every < 1 or norm_every & (norm_every - 1)):
            raise InputError(f"norm_every must be a power of two (1, 2, 4, ...), got "
                             f"{norm_every!r}")
        self.norm_every = int(norm_every)
        self.callbacks = list(callbacks)
        self._gradients = _Gradients(net)
        self.set_data(data, test)
        self.steps = 0
        self.epochs = 0
        self.history = History(history_limit)

    # -- settings -------------------------------------------------------------------------------
    @property
    def lr(self) -> float:
        return self.optimizer.lr if self.optimizer is not None else self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_lr(value)
        if self.optimizer is not None:
            self.optimizer.lr = value

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self._batch_size = check_positive_int(value, "batch_size")

    def set_data(self, data: tuple[Array, Array], test: tuple[Array, Array] | None = None) -> None:
        """Train on new data from now on (the current epoch starts over)."""
        x, labels = self._check_split("data", *_pair(data, "data"))
        if test is not None:
            test = self._check_split("test", *_pair(test, "test"))
        self.x, self.labels = x, labels
        self.test = test
        self._order = self.rng.permutation(len(x))
        self._position = 0
        self._epoch_losses: list[float] = []

    def _check_split(self, name: str, x: Array, labels: Array) -> tuple[Array, Array]:
        x, labels = check_data(as_real_array(x, f"{name}: x"), labels)
        if len(x) == 0:
            raise InputError(f"{name}: no points")
        width = self.net.in_features
        if width is not None and x.shape[1] != width:
            raise InputError(f"{name}: x has {x.shape[1]} features, but input node "
                             f"{self.net.input!r} takes {width}")
        out = self.net.out_features
        check_labels(labels, 2 if out in (None, 1) else out)
        return x.astype(self.net.dtype, copy=False), labels

    # -- training -------------------------------------------------------------------------------
    def next_batch(self) -> tuple[Array, Array]:
        """``(x, labels)`` of the mini-batch the next step trains on (the trainer does not move)."""
        batch = self._order[self._position: self._position + self.batch_size]
        return self.x[batch], self.labels[batch]

    def step(self) -> float:
        """Train on the next mini-batch; return its loss.

        A loss or gradient that is not finite raises ``DivergedError`` and changes no parameter.
        """
        batch = self._order[self._position: self._position + self._batch_size]  # next_batch()
        loss = self.loss.forward(self.net.forward(self.x[batch]), self.labels[batch])
        if not math.isfinite(loss):  # before backward: nothing more to compute on a lost cause
            self._check_loss(loss)
        self.net.backward(self.loss.backward())
        self.finish_step(loss)
        return loss

    def _check_loss(self, loss: float) -> None:
        if not math.isfinite(loss):
            raise DivergedError(f"step {self.steps + 1}: the loss is {loss}; the parameters are "
                                f"left as they were. Try a smaller learning rate.")

    def finish_step(self, loss: float) -> None:
        """The end of a step, once ``net.backward`` has run on ``next_batch()`` (whose ``loss``
        it was): check the gradients, update the parameters, count the step, record it in the
        history, call the callbacks.

        ``step()`` ends with this; so does a ``Walk`` made by ``Walk.from_trainer``, so walking
        through a step node by node trains exactly as ``step()`` does.
        """
        if not math.isfinite(loss):
            self._check_loss(loss)
        gradients = self._gradients
        if not gradients.trusted:
            gradients = self._gradients = gradients.renewed(self.net)
        if not math.isfinite(gradients.gather()):  # NaN or ∞ anywhere makes the sum so
            bad = gradients.not_finite()
            if bad:  # (else the sum of squares overflowed: large, not diverged)
                raise DivergedError(f"step {self.steps + 1}: the gradient of node(s) {bad} is "
                                    f"not finite; the parameters are left as they were.")
        if self.optimizer is None:
            self.net.update_param(self._lr)
        else:
            self.optimizer.step()

        norms = None
        if self.record_grad_norms and self.steps % self.norm_every == 0:
            norms = (self.net.grad_norms(), gradients.norms())
        self.steps += 1
        self._position += min(self._batch_size, len(self.x) - self._position)
        self._epoch_losses.append(loss)
        self.history.record_step(loss, norms, self.record_grad_norms)
        for callback in self.callbacks:
            callback.on_step_end(self)
        if self._position >= len(self.x):
            self._end_epoch()

    def epoch(self) -> float:
        """Train to the end of the current epoch (a whole one if none is under way).

        Returns the epoch's mean mini-batch loss."""
        epochs = self.epochs
        while self.epochs == epochs:
            self.step()
        return self.history.epoch_loss[-1]

    def fit(self, epochs: int) -> History:
        """Train for ``epochs`` epochs; return the history."""
        for _ in range(check_positive_int(epochs, "fit: epochs")):
            self.epoch()
        return self.history

    @property
    def epoch_progress(self) -> float:
        """How far into the current epoch training is, from 0 to 1."""
        return self._position / len(self.x)

    def _end_epoch(self) -> None:
        self.epochs += 1
        if self.evaluate_epochs:
            scores = self._evaluate(train_loss=False)  # what the history keeps
        else:  # the caller fills them in (History: NaN until then)
            nan = math.nan
            scores = {"train_error": nan} if self.test is None else {
                "train_error": nan, "test_loss": nan, "test_error": nan}
        self.history.record_epoch(self.steps, float(np.mean(self._epoch_losses)),
                                  scores["train_error"], scores.get("test_loss"),
                                  scores.get("test_error"))
        self._gradients.trusted = False  # checked again at the next step
        self._order = self.rng.permutation(len(self.x))
        self._position = 0
        self._epoch_losses = []
        for callback in self.callbacks:
            callback.on_epoch_end(self)

    def state_dict(self) -> dict:
        """Where training is: counters, the history, the order of the epoch under way, the
        random generator and the optimizer's state; plain values and arrays. With the network's
        weights and the same data, ``load_state_dict`` carries on exactly from here."""
        return {
            "steps": self.steps, "epochs": self.epochs, "lr": self.lr,
            "batch_size": self.batch_size, "order": self._order.copy(),
            "position": self._position, "epoch_losses": list(self._epoch_losses),
            "rng": self.rng.bit_generator.state,
            "history": self.history.state_dict(),
            "optimizer": None if self.optimizer is None else self.optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Carry on from a ``state_dict()`` (made with the same network and data), the history
        with the limit it was saved with (no more than this trainer's, if it has one). Everything
        is checked before anything changes."""
        _check_state_keys(state, ("steps", "epochs", "lr", "batch_size", "order", "position",
                                  "epoch_losses", "rng", "history", "optimizer"), "trainer state")
        for name in ("steps", "epochs", "position"):
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise InputError(f"trainer state: {name} must be an integer >= 0, got "
                                 f"{short_repr(value)}")
        try:
            type(self.rng.bit_generator)().state = state["rng"]  # on a generator of its own
        except (TypeError, ValueError, KeyError):
            raise InputError(f"trainer state: 'rng' is not the state of a "
                             f"{type(self.rng.bit_generator).__name__} generator") from None
        order = np.asarray(state["order"])
        if order.dtype.kind not in "iu" or sorted(order.tolist()) != list(range(len(self.x))):
            raise InputError(f"trainer state: its epoch order is for {len(order)} points, the "
                             f"data have {len(self.x)}")
        if not 0 <= int(state["position"]) <= len(self.x):
            raise InputError(f"trainer state: position {state['position']} is outside the "
                             f"{len(self.x)} points")
        if (state["optimizer"] is None) != (self.optimizer is None):
            raise InputError("trainer state: saved with a different kind of optimizer")
        lr = check_lr(state["lr"])
        batch_size = check_positive_int(state["batch_size"], "trainer state: batch_size")
        try:
            history = History.from_state(state["history"], self.history.limit)
        except InputError as error:
            raise InputError(f"trainer state: {error}") from None
        nodes = {self.net.input, *self.net.order}
        for name in ("grad_norms", "param_grad_norms"):
            strangers = [node for node in getattr(history, name) if node not in nodes]
            if strangers:
                raise InputError(f"trainer state: the history's {name} has node(s) "
                                 f"{strangers} that the network has not")
        try:
            epoch_losses = [float(loss) for loss in state["epoch_losses"]]
        except (TypeError, ValueError):
            raise InputError(f"trainer state: epoch_losses must be a list of numbers, got "
                             f"{short_repr(state['epoch_losses'])}") from None
        if self.optimizer is not None:
            self.optimizer.load_state_dict(state["optimizer"])  # checks, then changes
        self.lr, self.batch_size = lr, batch_size
        self.steps, self.epochs = int(state["steps"]), int(state["epochs"])
        self._order, self._position = order, int(state["position"])
        self._epoch_losses = epoch_losses
        self.rng.bit_generator.state = state["rng"]
        self.history = history

    def evaluate(self) -> dict[str, float]:
        """Loss and error rate on the whole training set and on the test set, as they are now."""
        return self._evaluate(train_loss=True)

    def _evaluate(self, train_loss: bool) -> dict[str, float]:
        scores = {}
        sets = {"train": (self.x, self.labels)}
        if self.test is not None:
            sets["test"] = self.test
        for name, (x, labels) in sets.items():
            output = self.net.forward(x)
            if name == "test" or train_loss:
                scores[f"{name}_loss"] = self.loss.forward(output, labels)
            scores[f"{name}_error"] = error_rate(output, labels)
        return scores


def _make_loss(loss):
    """A loss object from ``loss``: ``None`` (MSE), a name of ``LOSSES``, or an object with
    ``forward`` and ``backward`` (a loss of one's own)."""
    if loss is None:
        return MSELoss()
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise InputError(f"unknown loss {short_repr(loss)}; choose one of "
                             f"{', '.join(LOSSES)}")
        return LOSSES[loss]()
    if isinstance(loss, type):
        raise InputError(f"Trainer: loss must be a loss object, such as {loss.__name__}() (with "
                         f"parentheses), not the class {loss.__name__}")
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward",
                                                                          None))):
        raise InputError(f"Trainer: loss must be one of {', '.join(LOSSES)} or a loss object "
                         f"with forward and backward, such as ln.MSELoss(); got "
                         f"{short_repr(loss)}")
    return loss


def _make_optimizer(optimizer, net: Network, lr: float) -> Optimizer | None:
    """``None`` (plain ``net.update_param``), an optimizer made from a name of ``OPTIMIZERS``,
    or an ``Optimizer`` given."""
    if optimizer is None or isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {short_repr(optimizer)}; choose one of "
                             f"{', '.join(OPTIMIZERS)}")
        return OPTIMIZERS[optimizer](net.params(), lr)
    if isinstance(optimizer, type):
        raise InputError(f"Trainer: optimizer must be an optimizer object made on the network's "
                         f"parameters, such as {optimizer.__name__}(net.params()), not the class "
                         f"{optimizer.__name__}")
    raise InputError(f"Trainer: optimizer must be None, one of {', '.join(OPTIMIZERS)} or an "
                     f"ln.Optimizer such as ln.Adam(net.params()); got {short_repr(optimizer)}")


def _pair(value, name: str) -> tuple:
    """``value`` as the pair ``(x, labels)``, or an ``InputError`` naming ``name``."""
    if isinstance(value, str | bytes) or not (isinstance(value, tuple | list) and len(value) == 2):
        what = (f"a {type(value).__name__} of {len(value)}" if isinstance(value, tuple | list)
                else short_repr(value))
        raise InputError(f"{name} must be a pair (x, labels), got {what}")
    return tuple(value)


def _check_state_keys(state, wanted: tuple[str, ...], what: str) -> None:
    """An ``InputError`` if ``state`` is not a dict with every key of ``wanted``."""
    if not isinstance(state, dict):
        raise InputError(f"{what} must be a dict, got {short_repr(state)}")
    missing = [key for key in wanted if key not in state]
    if missing:
        raise InputError(f"{what} lacks {', '.join(repr(key) for key in missing)}")


class _Gradients:
    """Every parameter gradient of ``net``, copied each step into one buffer: one dot product
    says whether they are all finite (a NaN or an infinity anywhere makes the sum of squares
    NaN or infinite), and each node's norm comes from the same buffer. It keeps the gradient
    arrays, as an optimizer does; until ``renewed`` has found them still the network's (at the
    first step, and after each epoch), it is not ``trusted``."""

    def __init__(self, net: Network) -> None:
        self.nodes: list[Node] = []
        self.grads: list[Array] = []
        starts, size = [], 0
        for node in net.order:
            grads = [grad for _, grad in net.operators[node].params()]
            if grads:
                self.nodes.append(node)
                starts.append(size)
                self.grads += grads
                size += sum(grad.size for grad in grads)
        self.starts = np.array(starts, dtype=np.intp)
        # flat views when they are views (contiguous arrays), else the arrays themselves
        flat = [grad.reshape(-1) for grad in self.grads]
        views = all(np.shares_memory(f, g) for f, g in zip(flat, self.grads, strict=True))
        self.parts, self.axis = (tuple(flat), 0) if views else (tuple(self.grads), None)
        dtype = np.result_type(*self.grads) if self.grads else np.float64
        self.buffer = np.zeros(size, dtype=dtype)
        self.trusted = False

    def renewed(self, net: Network) -> _Gradients:
        """Self, now trusted, if it holds the network's gradient arrays; else a new one made
        from them (not trusted: a module that makes new arrays at every step is followed)."""
        current = [grad for _, grad in net.params()]
        if len(current) == len(self.grads) and all(
                a is b for a, b in zip(current, self.grads, strict=True)):
            self.trusted = True
            return self
        return _Gradients(net)

    def gather(self) -> float:
        """Copy the gradients into the buffer; return the sum of their squares."""
        if self.parts:
            np.concatenate(self.parts, axis=self.axis, out=self.buffer)
        return np.dot(self.buffer, self.buffer)  # an np.float64, a float

    def norms(self) -> dict[Node, float]:
        """``{node: ||dL/d(parameters of node)||}`` from the last ``gather``."""
        if not self.nodes:
            return {}
        squares = np.add.reduceat(self.buffer * self.buffer, self.starts)
        return dict(zip(self.nodes, np.sqrt(squares).tolist(), strict=True))

    def not_finite(self) -> list[Node]:
        """The nodes with a gradient that holds a NaN or an infinity (in the last ``gather``)."""
        ends = [*self.starts[1:].tolist(), len(self.buffer)]
        return [node for node, start, end in zip(self.nodes, self.starts, ends, strict=True)
                if not np.isfinite(self.buffer[start:end]).all()]
