"""Training: shuffled mini-batches, each step checked, recorded, and told to callbacks.

>>> trainer = Trainer(net, MSELoss(), data=(x_train, labels_train), test=(x_test, labels_test),
...                   batch_size=10, lr=0.05, rng=0)
>>> trainer.fit(100)                    # or trainer.step(), trainer.epoch()
>>> trainer.history.test_error[-1]

The trainer knows nothing of who watches it: a ``Callback`` added to ``trainer.callbacks`` is told
after each step and each epoch, and reads what it wants from the trainer (``LRSchedule``, in
``labnet.schedule``, is one). What a step did goes into ``trainer.history`` (``labnet.history``);
a step whose loss or gradients are not finite changes nothing (``labnet.divergence``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from labnet.data import check_data, check_labels
from labnet.divergence import StepGradients, check_loss
from labnet.errors import (
    InputError,
    ShapeError,
    as_real_array,
    check_lr,
    check_positive_int,
    short_repr,
)
from labnet.history import History
from labnet.losses import CrossEntropyLoss, error_rate, make_loss
from labnet.network import Network
from labnet.optim import Optimizer, make_optimizer
from labnet.regularization import Regularization

Array = np.ndarray


class Callback:
    """Override what you want to watch; the trainer calls these after it has updated itself."""

    def on_step_end(self, trainer: Trainer) -> None:
        pass

    def on_epoch_end(self, trainer: Trainer) -> None:
        pass


class Trainer:
    """Trains ``net`` on ``data = (x, labels)`` with mini-batches drawn from a seeded ``rng``.

    ``labels`` are class labels ``(n,)`` (``task`` is ``"classification"``), or, for
    regression, targets ``(n, outputs)`` of real numbers (``task`` is ``"regression"``: the loss
    is the measure, MSE only; the error rates recorded are NaN, having no meaning there).

    ``loss`` is a loss object or a name (``"mse"``, ``"cross-entropy"``). ``optimizer`` is ``None``
    (plain ``net.update_param(lr)``, the seed's step), a name (``"sgd"``, ``"momentum"``,
    ``"adam"``) or an ``Optimizer`` built on ``net.params()``. ``test = (x, labels)`` is evaluated
    at the end of each epoch. ``regularization`` (a ``Regularization``, L1 or L2 with a rate;
    may be changed between steps) adds its gradient to the weights' before each update; the
    loss a step returns and records is the data's alone (see ``labnet.regularization``).

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
        regularization: Regularization | None = None,
    ) -> None:
        if not isinstance(net, Network):
            raise InputError(f"Trainer: net must be a labnet Network, got {short_repr(net)}")
        self.net = net
        self.loss = make_loss(loss)
        self.batch_size = batch_size
        self._lr = check_lr(lr)
        self.optimizer = make_optimizer(optimizer, net.params(), self._lr)
        self.regularization = regularization
        self.rng = np.random.default_rng(rng)
        self.record_grad_norms = record_grad_norms
        self.evaluate_epochs = evaluate_epochs
        if isinstance(norm_every, bool) or not isinstance(norm_every, int | np.integer) or (
                norm_every < 1 or norm_every & (norm_every - 1)):
            raise InputError(f"norm_every must be a power of two (1, 2, 4, ...), got "
                             f"{norm_every!r}")
        self.norm_every = int(norm_every)
        self.callbacks = list(callbacks)
        self._gradients = StepGradients(net)
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
    def regularization(self) -> Regularization | None:
        """L1 or L2 regularisation of the weights, or ``None``."""
        return self._regularization

    @regularization.setter
    def regularization(self, value: Regularization | None) -> None:
        if value is not None and not isinstance(value, Regularization):
            raise InputError(f"regularization must be None or an ln.Regularization such as "
                             f"ln.Regularization('l2', 0.001), got {short_repr(value)}")
        self._regularization = value

    @property
    def task(self) -> str:
        """``"classification"`` (the data have labels) or ``"regression"`` (targets)."""
        return "regression" if self.labels.ndim == 2 else "classification"

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
        if labels.ndim == 1:
            check_labels(labels, 2 if out in (None, 1) else out)
            return x.astype(self.net.dtype, copy=False), labels
        if out is not None and labels.shape[1] != out:
            raise ShapeError(f"{name}: the targets have {labels.shape[1]} column(s), but output "
                             f"node {self.net.output!r} gives {out}")
        if isinstance(self.loss, CrossEntropyLoss):
            raise InputError(f"{name}: targets are for regression, which trains with MSE; "
                             f"cross-entropy compares classes: give labels of shape "
                             f"({len(x)},)")
        return x.astype(self.net.dtype, copy=False), labels.astype(self.net.dtype, copy=False)

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
            check_loss(loss, self.steps + 1)
        self.net.backward(self.loss.backward())
        self.finish_step(loss)
        return loss

    def finish_step(self, loss: float) -> None:
        """The end of a step, once ``net.backward`` has run on ``next_batch()`` (whose ``loss``
        it was): check the gradients, update the parameters, count the step, record it in the
        history, call the callbacks.

        ``step()`` ends with this; so does a ``Walk`` made by ``Walk.from_trainer``, so walking
        through a step node by node trains exactly as ``step()`` does.
        """
        if not math.isfinite(loss):
            check_loss(loss, self.steps + 1)
        gradients = self._gradients
        if not gradients.trusted:
            gradients = self._gradients = gradients.renewed(self.net)
        if self._regularization is not None:
            self._regularization.add_gradient(self.net)
        gradients.check(self.steps + 1)
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
        """Loss and error rate on the whole training set and on the test set, as they are now
        (the error rate NaN for regression; the loss the data's, without the penalty)."""
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
            # (targets: regression has no error rate)
            scores[f"{name}_error"] = error_rate(output, labels) if labels.ndim == 1 else math.nan
        return scores


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
