"""Optimizers over ``net.params()``: each ``step()`` moves every parameter using its gradient.

``net.update_param(lr)`` is plain gradient descent; these do more. The template: ``step()`` calls
``update_one(value, grad, state)`` for each parameter, with a dictionary of that parameter's state
(its velocity, its moment estimates...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from labnet.errors import (
    InputError,
    ShapeError,
    as_real_array,
    check_lr,
    check_number,
    short_repr,
)

Array = np.ndarray


class Optimizer:
    """Base class: holds the ``(value, grad)`` pairs, the learning rate, and per-parameter state."""

    STATE_KEYS: tuple[str, ...] | None = None
    """What a parameter's state holds once it has taken a step (before: nothing); a saved state
    must hold exactly these. None: not said (an optimizer of your own), not checked."""

    def __init__(self, params: Iterable[tuple[Array, Array]], lr: float) -> None:
        self.params = list(params)
        self.lr = lr
        self.state: list[dict[str, Array]] = [{} for _ in self.params]
        self.steps = 0

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_lr(value)

    def step(self) -> None:
        """Update every parameter in place from its current gradient."""
        self.steps += 1
        for (value, grad), state in zip(self.params, self.state, strict=True):
            self.update_one(value, grad, state)

    def update_one(self, value: Array, grad: Array, state: dict[str, Array]) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """The optimizer's hyper-parameters and state, as plain values and arrays."""
        return {"steps": self.steps, "lr": self.lr, "hyper": self.config(),
                "state": [{k: v.copy() for k, v in s.items()} for s in self.state]}

    def load_state_dict(self, state: dict) -> None:
        """Carry on from a ``state_dict()``; everything is checked before anything changes."""
        missing = [key for key in ("steps", "lr", "state") if not (
            isinstance(state, Mapping) and key in state)]
        if missing:
            raise InputError(f"optimizer state: {short_repr(state)} lacks "
                             f"{', '.join(repr(key) for key in missing)}")
        saved_state = state["state"]
        if not isinstance(saved_state, list | tuple) or not all(
                isinstance(saved, Mapping) for saved in saved_state):
            raise InputError("optimizer state: 'state' must be a list of dicts of arrays, one "
                             "per parameter")
        if len(saved_state) != len(self.params):
            raise InputError(f"optimizer state has {len(saved_state)} parameters, this "
                             f"optimizer has {len(self.params)}")
        arrays = []
        for i, (saved, (value, _)) in enumerate(zip(saved_state, self.params, strict=True)):
            arrays.append({})
            if saved and self.STATE_KEYS is not None and set(saved) != set(self.STATE_KEYS):
                raise InputError(f"optimizer state of parameter {i} has {sorted(saved)}; "
                                 f"{type(self).__name__} keeps {sorted(self.STATE_KEYS)}")
            for key, array in saved.items():
                array = as_real_array(array, f"optimizer state {key!r} of parameter {i}")
                if array.shape != value.shape:
                    raise ShapeError(f"optimizer state {key!r} of parameter {i} has shape "
                                     f"{array.shape}, the parameter's is {value.shape}")
                arrays[i][key] = np.array(array, dtype=value.dtype)
        lr = check_lr(state["lr"])  # all checked before anything changes
        steps = state["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
            raise InputError(f"optimizer state: steps must be an integer >= 0, got "
                             f"{short_repr(steps)}")
        self.steps = int(steps)
        self.lr = lr
        self.state = arrays

    def config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.config().items())
        return f"{type(self).__name__}(lr={self.lr:g}{extra})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum.

    ``velocity = momentum · velocity + grad``; ``value -= lr · velocity``.
    With ``momentum=0`` this is ``value -= lr · grad``, the same step as ``update_param``.
    """

    STATE_KEYS = ("velocity",)

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.0) -> None:
        momentum = _check_fraction(momentum, "SGD: momentum")
        super().__init__(params, lr)
        self.momentum = momentum

    def update_one(self, value, grad, state):
        if self.momentum == 0.0:
            value -= self.lr * grad
            return
        if "velocity" not in state:
            state["velocity"] = np.zeros_like(value)
        velocity = state["velocity"]
        velocity *= self.momentum
        velocity += grad
        value -= self.lr * velocity

    def config(self) -> dict:
        return {"momentum": self.momentum}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's moments.

    ``m = β₁ m + (1-β₁) g``;  ``v = β₂ v + (1-β₂) g²``;
    ``value -= lr · m̂ / (√v̂ + ε)`` with ``m̂ = m / (1-β₁ᵗ)``, ``v̂ = v / (1-β₂ᵗ)``.
    """

    STATE_KEYS = ("m", "v")

    def __init__(self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        if not (isinstance(betas, tuple | list) and len(betas) == 2):
            raise InputError(f"Adam: betas must be a pair of numbers in [0, 1), got "
                             f"{short_repr(betas)}")
        try:
            beta1, beta2 = (_check_fraction(beta, "beta") for beta in betas)
        except InputError:
            raise InputError(f"Adam: betas must be in [0, 1), got {short_repr(betas)}") from None
        eps = check_number(eps, "Adam: eps", low=0.0, low_open=True)
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def step(self) -> None:
        t = self.steps + 1  # the bias corrections of this step, shared by every parameter
        self._correction1 = 1.0 - self.beta1**t
        self._correction2 = 1.0 - self.beta2**t
        super().step()

    def update_one(self, value, grad, state):
        if "m" not in state:
            state["m"] = np.zeros_like(value)
            state["v"] = np.zeros_like(value)
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * grad
        v *= self.beta2
        v += (1.0 - self.beta2) * grad * grad
        m_hat = m / self._correction1
        v_hat = v / self._correction2
        value -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def config(self) -> dict:
        return {"betas": (self.beta1, self.beta2), "eps": self.eps}


def _check_fraction(value: object, name: str) -> float:
    """A number in [0, 1): a momentum, a decay rate."""
    try:
        return check_number(value, name, low=0.0, high=1.0, high_open=True)
    except InputError:
        raise InputError(f"{name} must be in [0, 1), got {short_repr(value)}") from None


OPTIMIZERS = {
    "sgd": lambda params, lr: SGD(params, lr),
    "momentum": lambda params, lr: SGD(params, lr, momentum=0.9),
    "adam": lambda params, lr: Adam(params, lr),
}
"""The optimizers by name, as the command line and the lab offer them: ``(params, lr) -> opt``."""


def make_optimizer(optimizer, params: list[tuple[Array, Array]], lr: float) -> Optimizer | None:
    """``None`` (plain ``net.update_param``), an optimizer made on ``params`` (``net.params()``)
    from a name of ``OPTIMIZERS``, or an ``Optimizer`` given."""
    if optimizer is None or isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {short_repr(optimizer)}; choose one of "
                             f"{', '.join(OPTIMIZERS)}")
        return OPTIMIZERS[optimizer](params, lr)
    if isinstance(optimizer, type):
        raise InputError(f"Trainer: optimizer must be an optimizer object made on the network's "
                         f"parameters, such as {optimizer.__name__}(net.params()), not the class "
                         f"{optimizer.__name__}")
    raise InputError(f"Trainer: optimizer must be None, one of {', '.join(OPTIMIZERS)} or an "
                     f"ln.Optimizer such as ln.Adam(net.params()); got {short_repr(optimizer)}")
