"""Optimizers over ``net.params()``: each ``step()`` moves every parameter using its gradient.

``net.update_param(lr)`` is plain gradient descent; these do more. The template: ``step()`` calls
``update_one(value, grad, state)`` for each parameter, with a dictionary of that parameter's state
(its velocity, its moment estimates...).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from labnet.errors import InputError, ShapeError
from labnet.modules import check_lr

Array = np.ndarray


class Optimizer:
    """Base class: holds the ``(value, grad)`` pairs, the learning rate, and per-parameter state."""

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
        if len(state["state"]) != len(self.params):
            raise InputError(f"optimizer state has {len(state['state'])} parameters, this "
                             f"optimizer has {len(self.params)}")
        for i, (saved, (value, _)) in enumerate(zip(state["state"], self.params, strict=True)):
            for key, array in saved.items():
                if np.shape(array) != value.shape:
                    raise ShapeError(f"optimizer state {key!r} of parameter {i} has shape "
                                     f"{np.shape(array)}, the parameter's is {value.shape}")
        lr = check_lr(state["lr"])  # all checked before anything changes
        self.steps = int(state["steps"])
        self.lr = lr
        self.state = [{k: np.array(v) for k, v in s.items()} for s in state["state"]]

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

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.0) -> None:
        if not 0.0 <= momentum < 1.0:
            raise InputError(f"SGD: momentum must be in [0, 1), got {momentum}")
        super().__init__(params, lr)
        self.momentum = float(momentum)

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

    def __init__(self, params, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        beta1, beta2 = betas
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise InputError(f"Adam: betas must be in [0, 1), got {betas}")
        super().__init__(params, lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

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


OPTIMIZERS = {
    "sgd": lambda params, lr: SGD(params, lr),
    "momentum": lambda params, lr: SGD(params, lr, momentum=0.9),
    "adam": lambda params, lr: Adam(params, lr),
}
"""The optimizers by name, as the command line and the lab offer them: ``(params, lr) -> opt``."""
