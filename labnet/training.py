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
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass
class History:
    """What training did. Step lists have one entry per step; epoch lists one per epoch."""

    step_loss: list[float] = field(default_factory=list)
    """Loss of each mini-batch."""
    grad_norms: dict[Node, list[float]] = field(default_factory=dict)
    """``{node: [||dL/d(output of node)|| at each step]}``."""
    param_grad_norms: dict[Node, list[float]] = field(default_factory=dict)
    """``{node: [||dL/d(parameters of node)|| at each step]}``, for nodes with parameters."""
    epoch_step: list[int] = field(default_factory=list)
    """The number of steps done when each epoch ended."""
    epoch_loss: list[float] = field(default_factory=list)
    """Mean loss of the mini-batches of each epoch."""
    train_error: list[float] = field(default_factory=list)
    """Error rate on the whole training set at the end of each epoch."""
    test_loss: list[float] = field(default_factory=list)
    test_error: list[float] = field(default_factory=list)
    """Loss and error rate on the test set at the end of each epoch (empty without a test set)."""

    def as_dict(self) -> dict:
        return {name: value for name, value in vars(self).items()}


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
    at the end of each epoch. With ``record_grad_norms`` the gradient norm of every module is kept
    at every step. Without ``evaluate_epochs`` the end of an epoch records NaN for the errors
    (and the test loss), for the caller to fill in later (the lab does, a slice at a time, so
    that a big data set never keeps it waiting).
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
        callbacks: Iterable[Callback] = (),
    ) -> None:
        self.net = net
        self.loss = _make_loss(loss)
        self.batch_size = batch_size
        self._lr = check_lr(lr)
        if isinstance(optimizer, str):
            if optimizer not in OPTIMIZERS:
                raise InputError(f"unknown optimizer {optimizer!r}; choose one of "
                                 f"{', '.join(OPTIMIZERS)}")
            optimizer = OPTIMIZERS[optimizer](net.params(), lr)
        self.optimizer = optimizer
        self.rng = np.random.default_rng(rng)
        self.record_grad_norms = record_grad_norms
        self.evaluate_epochs = evaluate_epochs
        self.callbacks = list(callbacks)
        self.set_data(data, test)
        self.steps = 0
        self.epochs = 0
        self.history = History()

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
        x, labels = self._check_split("data", *data)
        if test is not None:
            test = self._check_split("test", *test)
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
        x, labels = self.next_batch()
        output = self.net.forward(x)
        loss = self.loss.forward(output, labels)
        self._check_loss(loss)  # before backward: nothing more to compute on a lost cause
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
        self._check_loss(loss)
        param_norms = self.net.param_grad_norms()
        if not all(math.isfinite(norm) for norm in param_norms.values()):
            bad = [node for node, norm in param_norms.items() if not math.isfinite(norm)]
            raise DivergedError(f"step {self.steps + 1}: the gradient of node(s) {bad} is not "
                                f"finite; the parameters are left as they were.")
        if self.optimizer is None:
            self.net.update_param(self._lr)
        else:
            self.optimizer.step()

        self.steps += 1
        self._position += min(self.batch_size, len(self.x) - self._position)
        self._epoch_losses.append(loss)
        self.history.step_loss.append(loss)
        if self.record_grad_norms:
            _append_all(self.history.grad_norms, self.net.grad_norms())
            _append_all(self.history.param_grad_norms, param_norms)
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
        history = self.history
        history.epoch_step.append(self.steps)
        history.epoch_loss.append(float(np.mean(self._epoch_losses)))
        nan = float("nan")
        scores = self.evaluate() if self.evaluate_epochs else {
            "train_error": nan, "test_loss": nan, "test_error": nan}
        history.train_error.append(scores["train_error"])
        if self.test is not None:
            history.test_loss.append(scores["test_loss"])
            history.test_error.append(scores["test_error"])
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
            "history": {name: ([[node, list(values)] for node, values in value.items()]
                               if isinstance(value, dict) else list(value))
                        for name, value in self.history.as_dict().items()},
            "optimizer": None if self.optimizer is None else self.optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Carry on from a ``state_dict()`` (made with the same network and data). Everything
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
        history = History()
        if not isinstance(state["history"], dict):
            raise InputError("trainer state: 'history' must be a dict of series")
        for name, value in state["history"].items():
            if not hasattr(history, name):
                raise InputError(f"trainer state: unknown history series {name!r}")
            try:
                setattr(history, name, {node: _numbers(values) for node, values in value}
                        if isinstance(getattr(history, name), dict) else _numbers(value))
            except (TypeError, ValueError):  # not a list of numbers, or of [node, numbers]
                raise InputError(f"trainer state: history series {name!r} is malformed: "
                                 f"{short_repr(value)}") from None
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
        scores = {}
        sets = {"train": (self.x, self.labels)}
        if self.test is not None:
            sets["test"] = self.test
        for name, (x, labels) in sets.items():
            output = self.net.forward(x)
            scores[f"{name}_loss"] = self.loss.forward(output, labels)
            scores[f"{name}_error"] = error_rate(output, labels)
        return scores


def _make_loss(loss):
    if loss is None:
        return MSELoss()
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise InputError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        return LOSSES[loss]()
    return loss


def _numbers(values) -> list:
    """``values`` as a list, or a ``TypeError`` if one of them is not a real number."""
    values = list(values)
    if not all(isinstance(value, numbers.Real) and not isinstance(value, bool)
               for value in values):
        raise TypeError("not a list of numbers")
    return values


def _check_state_keys(state, wanted: tuple[str, ...], what: str) -> None:
    """An ``InputError`` if ``state`` is not a dict with every key of ``wanted``."""
    if not isinstance(state, dict):
        raise InputError(f"{what} must be a dict, got {short_repr(state)}")
    missing = [key for key in wanted if key not in state]
    if missing:
        raise InputError(f"{what} lacks {', '.join(repr(key) for key in missing)}")


def _append_all(series: dict[Node, list[float]], values: dict[Node, float]) -> None:
    for node, value in values.items():
        series.setdefault(node, []).append(value)
