"""L1 and L2 regularisation: a penalty on the weights, TensorFlow Playground's way.

>>> l2 = ln.Regularization("l2", 0.003)
>>> trainer = ln.Trainer(net, "mse", data=(x, labels), regularization=l2)

The regularised loss is ``L + R``, with ``R = rate · Σ r(w)`` over the weights, ``r(w) = |w|``
(L1) or ``w² / 2`` (L2), as in Playground (``src/nn.ts``, ``RegularizationFunction``). Each
step adds ``dR/dw = rate · sign(w)`` (L1) or ``rate · w`` (L2) to each weight's gradient before
the update, so a plain gradient step moves a weight by ``lr · rate · sign(w)`` or ``lr · rate ·
w`` more, exactly Playground's step: a rate means what it means there. Momentum and Adam see
the regularised gradient (the L2 penalty of ``SGD``/``Adam``, not Adam's decoupled weight decay).

As in Playground:

- only **weights** are regularised, not biases: each module says which of its parameters are
  weights in ``Module.regularized`` (a ``Linear``'s ``"weight"``; none for a module of your own
  unless it says so);
- the **loss reported** (what a step returns, the history, the curves) is the data's loss ``L``
  alone, so curves with and without regularisation, and training and test, compare; ``R`` is
  ``penalty(net)``.

Unlike Playground, an L1 weight that crosses zero is not pinned at zero (Playground sets it to 0
and freezes it for good): it goes on taking its gradient step, and so hovers within ``lr ·
rate`` of zero, which a picture cannot tell from zero. The gradient at exactly 0 is 0 there.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labnet.errors import InputError, check_number, short_repr
from labnet.network import Network

Array = np.ndarray

KINDS = ("l1", "l2")
"""The regularisations by name."""


class Regularization:
    """``kind`` (``"l1"`` or ``"l2"``) at ``rate`` (a finite number >= 0; 0 changes nothing)."""

    def __init__(self, kind: str, rate: float) -> None:
        if kind not in KINDS:
            raise InputError(f"regularization must be one of {', '.join(KINDS)}, got "
                             f"{short_repr(kind)}")
        self.kind = kind
        self.rate = check_number(rate, "the regularization rate", low=0.0)

    def penalty(self, net: Network) -> float:
        """``R = rate · Σ r(w)`` over the weights of ``net``: ``|w|`` (L1), ``w² / 2`` (L2)."""
        total = 0.0
        for weight, _ in weights(net):
            flat = weight.ravel()
            total += float(np.abs(flat).sum()) if self.kind == "l1" else 0.5 * float(
                np.dot(flat, flat))
        return self.rate * total

    def add_gradient(self, net: Network) -> None:
        """Add ``dR/dw`` to the gradient of every weight of ``net`` (after ``net.backward``)."""
        if self.rate == 0:
            return
        for weight, grad in weights(net):
            if self.kind == "l1":
                grad += self.rate * np.sign(weight)  # dR/dw = rate · sign(w)
            else:
                grad += self.rate * weight  # dR/dw = rate · w

    def __repr__(self) -> str:
        return f"Regularization({self.kind!r}, {self.rate!r})"


def weights(net: Network) -> Iterator[tuple[Array, Array]]:
    """``(value, grad)`` of every parameter of ``net`` that its module calls a weight
    (``Module.regularized``), in node order."""
    for node in net.order:
        module = net.operators[node]
        if module.regularized:
            params = module.named_params()
            for name in module.regularized:
                if name not in params:
                    raise InputError(f"node {node!r}: {type(module).__name__}.regularized names "
                                     f"{short_repr(name)}, which is not one of its parameters "
                                     f"({', '.join(params) or 'none'})")
                yield params[name]
